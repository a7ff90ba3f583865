"""The schema says what a pinned video answers: its boost dates are null until there is one."""

from __future__ import annotations


def test_boost_dates_of_a_pinned_video_are_nullable(openapi):
    pinned = openapi["components"]["schemas"]["PinnedVideo"]["properties"]
    assert pinned["last_boosted_on"]["nullable"] is True
    assert pinned["next_boost_due"]["nullable"] is True
