"""API of video production (chapter 5).

Projects move with actions: ``readiness`` (what the next gate still needs), ``advance`` (one
stage forward, naming it), ``move-back`` and ``publish`` (recorded by hand); ``publications``
are planned on the platform, sent at their time and followed through its review. Scripts are
submitted, approved or sent back; clips and cuts are uploaded as multipart (``file``) and read in the background — their
``probe_state`` says how far that got. Review rounds are decided by the client's approver.

One module per part of the chapter (``projects``, ``scripts``, ``shoots``, ``post``, ``review``,
``publishing``) and ``common`` for what they share; the routes are registered here, in this order.
"""

from __future__ import annotations

from agency.api.routers import register
from production.api.post import CutViewSet, PostProductionStepViewSet
from production.api.projects import StageTransitionViewSet, VideoProjectFilterSet, VideoProjectViewSet
from production.api.publishing import PublicationViewSet
from production.api.review import ReviewCommentViewSet, ReviewRoundViewSet
from production.api.scripts import ScriptViewSet, StoryboardShotViewSet
from production.api.shoots import ClipViewSet, ShootViewSet

__all__ = ["VideoProjectFilterSet"]

register("video-projects", VideoProjectViewSet)
register("scripts", ScriptViewSet)
register("storyboard-shots", StoryboardShotViewSet)
register("shoots", ShootViewSet)
register("clips", ClipViewSet)
register("cuts", CutViewSet)
register("post-production-steps", PostProductionStepViewSet)
register("review-rounds", ReviewRoundViewSet)
register("review-comments", ReviewCommentViewSet)
register("stage-transitions", StageTransitionViewSet)
register("publications", PublicationViewSet)
