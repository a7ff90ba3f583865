"""The schema says what a pinned video answers: its boost dates are null until there is one."""

from __future__ import annotations

import yaml
from django.core.management import call_command


def test_boost_dates_of_a_pinned_video_are_nullable(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    pinned = yaml.safe_load(target.read_text())["components"]["schemas"]["PinnedVideo"]["properties"]
    assert pinned["last_boosted_on"]["nullable"] is True
    assert pinned["next_boost_due"]["nullable"] is True
