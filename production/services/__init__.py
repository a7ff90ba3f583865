"""Writes of video production (chapter 5). Pages, the API, admin and tasks call these.

A project moves one stage forward only through its gate (``project_advance``); each gate names
what is missing. Files are stored with their row or not at all: an upload is refused before it
is written, a failed insert removes the file it had stored, and a deleted row's file goes once
the deletion commits (``media_sweep_orphans`` catches what an outer rollback leaves behind).

One module per part of the chapter: ``projects`` (stages and their gates), ``scripts`` (5.1),
``shoots`` (5.2), ``post`` (5.3), ``review`` (the client's review of a cut), ``publishing``, and
``common`` for what they share. Code inside production imports from the topic modules; this
package still re-exports their names for callers outside it.
"""

from __future__ import annotations

from production.services.common import (
    DELETABLE_STAGES,
    SCRIPT_EDIT_STAGES,
    SHOOT_EDIT_STAGES,
    latest_cut,
    latest_script,
)
from production.services.post import (
    COVER_MAX_BYTES,
    COVER_MAX_PIXELS,
    SUBTITLE_EXTENSIONS,
    SUBTITLE_MAX_BYTES,
    UNSET,
    cut_upload,
    post_step_update,
)
from production.services.projects import (
    ENTERED_BY_ACTION,
    GATES,
    Gate,
    project_advance,
    project_create,
    project_delete,
    project_gate,
    project_move_back,
    project_update,
)
from production.services.publishing import (
    PUBLICATION_FIELDS,
    account_publishing_problem,
    approved_cut,
    project_publish,
    publication_cancel,
    publication_schedule,
    publication_update,
)
from production.services.review import (
    review_comment_add,
    review_comment_resolve,
    review_round_approve,
    review_round_request_changes,
)
from production.services.scripts import (
    SCRIPT_FIELDS,
    SHOT_FIELDS,
    script_approve,
    script_new_version,
    script_request_changes,
    script_submit,
    script_update,
    storyboard_shot_add,
    storyboard_shot_delete,
    storyboard_shot_update,
)
from production.services.shoots import (
    SHOOT_FIELDS,
    clip_delete,
    clip_update,
    clip_upload,
    media_probe,
    media_probe_finish,
    media_probe_start,
    media_requeue_stale,
    media_sweep_orphans,
    shoot_create,
    shoot_delete,
    shoot_update,
)

__all__ = [
    "DELETABLE_STAGES",
    "SCRIPT_EDIT_STAGES",
    "SHOOT_EDIT_STAGES",
    "latest_cut",
    "latest_script",
    "COVER_MAX_BYTES",
    "COVER_MAX_PIXELS",
    "SUBTITLE_EXTENSIONS",
    "SUBTITLE_MAX_BYTES",
    "UNSET",
    "cut_upload",
    "post_step_update",
    "ENTERED_BY_ACTION",
    "GATES",
    "Gate",
    "project_advance",
    "project_create",
    "project_delete",
    "project_gate",
    "project_move_back",
    "project_update",
    "project_publish",
    "PUBLICATION_FIELDS",
    "account_publishing_problem",
    "approved_cut",
    "publication_cancel",
    "publication_schedule",
    "publication_update",
    "review_comment_add",
    "review_comment_resolve",
    "review_round_approve",
    "review_round_request_changes",
    "SCRIPT_FIELDS",
    "SHOT_FIELDS",
    "script_approve",
    "script_new_version",
    "script_request_changes",
    "script_submit",
    "script_update",
    "storyboard_shot_add",
    "storyboard_shot_delete",
    "storyboard_shot_update",
    "SHOOT_FIELDS",
    "clip_delete",
    "clip_update",
    "clip_upload",
    "media_probe",
    "media_probe_finish",
    "media_probe_start",
    "media_requeue_stale",
    "media_sweep_orphans",
    "shoot_create",
    "shoot_delete",
    "shoot_update",
]
