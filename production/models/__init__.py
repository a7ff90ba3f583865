"""Video production (chapter 5): a video project moves from topic to published video.

    VideoProject ─┬─ Script (versions, 5.1) ── StoryboardShot
                  ├─ Shoot (5.2) ── Clip (facts read from the file)
                  ├─ PostProductionStep ×5 (5.3) and Cut (versions, facts read from the file)
                  ├─ ReviewRound (one per cut sent to the client) ── ReviewComment (time-coded)
                  ├─ StageTransition (every stage change, with what the gate found)
                  └─ Publication (the approved cut sent to the platform at a planned time)

Every row carries its agency and its client. Rows change through ``production.services``; the
rules those services enforce are in ``production.rules``.

One module per part of the chapter (``projects``, ``scripts``, ``shoots``, ``post``, ``review``,
``publishing``) and ``common`` for what the clips and cuts share; this package imports every model.
"""

from __future__ import annotations

from production.models.common import ProbedMedia, ProbeState, agency_media_prefix, clip_path, cut_path, evidence_path
from production.models.post import FINISHED_STEP_STATUSES, Cut, PostProductionStep, PostStepKind, StepStatus
from production.models.projects import STAGE_ORDER, ProjectOwned, Stage, StageTransition, VideoProject, stage_index
from production.models.publishing import (
    ACTIVE_PUBLICATION_STATUSES,
    PROBLEM_PUBLICATION_STATUSES,
    Publication,
    PublicationStatus,
)
from production.models.review import ReviewComment, ReviewRound, RoundStatus
from production.models.scripts import (
    CameraMovement,
    Script,
    ScriptStatus,
    ShotSize,
    StoryboardShot,
    TopicBasis,
    validate_topic_basis,
)
from production.models.shoots import Clip, ClipVerdict, Shoot

__all__ = [
    "Stage",
    "STAGE_ORDER",
    "stage_index",
    "ProjectOwned",
    "VideoProject",
    "StageTransition",
    "clip_path",
    "cut_path",
    "evidence_path",
    "agency_media_prefix",
    "ProbeState",
    "ProbedMedia",
    "TopicBasis",
    "validate_topic_basis",
    "ScriptStatus",
    "Script",
    "ShotSize",
    "CameraMovement",
    "StoryboardShot",
    "Shoot",
    "ClipVerdict",
    "Clip",
    "Cut",
    "PostStepKind",
    "StepStatus",
    "FINISHED_STEP_STATUSES",
    "PostProductionStep",
    "RoundStatus",
    "ReviewRound",
    "ReviewComment",
    "PublicationStatus",
    "ACTIVE_PUBLICATION_STATUSES",
    "PROBLEM_PUBLICATION_STATUSES",
    "Publication",
]
