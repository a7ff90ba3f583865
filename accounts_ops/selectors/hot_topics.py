"""Reads of 7.2 for other pages: the hot topics a video project takes up."""

from __future__ import annotations

from accounts_ops.models.hot_topics import ContentPlanTopic, HotTopic


def hot_topics_for_project(project) -> list[HotTopic]:
    """The hot topics a video project rides, through the content plans that name it: what the
    project's script can cite as its trending topics (5.1)."""
    return list(
        HotTopic.objects.filter(
            pk__in=ContentPlanTopic.objects.filter(plan__video_project=project).values("topic_id")
        ).order_by("-heat")
    )
