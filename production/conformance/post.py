"""Clause 5.3: the five post-production steps finished when the cut went to the client."""

from __future__ import annotations

import copy
import datetime as dt

from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client
from production.conformance.common import project_url, stage_entries
from production.models.post import FINISHED_STEP_STATUSES, PostProductionStep, PostStepKind, StepStatus
from production.models.projects import Stage
from production.rules import EVIDENCE_NOTE, POST_STEP_EVIDENCE
from records.selectors.audit import values_as_they_stood


def _step_finished(step: PostProductionStep, at: dt.datetime) -> str | None:
    """Why the step was not finished at ``at`` (with its evidence), or None."""
    if (
        step.status not in (StepStatus.DONE, StepStatus.NOT_APPLICABLE)
        or not step.completed_at
        or step.completed_at > at
    ):
        return _("%(step)s not finished") % {"step": step.get_kind_display()}
    if step.status == StepStatus.NOT_APPLICABLE:
        return (
            None
            if step.not_applicable_reason
            else _("%(step)s not applicable without a reason") % {"step": step.get_kind_display()}
        )
    if POST_STEP_EVIDENCE[step.kind] == EVIDENCE_NOTE:
        return None if step.evidence_note else _("%(step)s done without a note") % {"step": step.get_kind_display()}
    return None if step.evidence_file else _("%(step)s done without its file") % {"step": step.get_kind_display()}


# 5.3: the fields a step is judged by, read as they stood when the cut went to the client.
STEP_FIELDS = ("status", "completed_at", "not_applicable_reason", "evidence_note", "evidence_file")


@clause_check("5.3", reads=("production.VideoProject", "production.StageTransition", PostProductionStep))
def post_production_before_review(client: Client, period: Period) -> CheckResult:
    """Every cut sent to the client in the period came after the five post-production steps
    were done (with their evidence) or marked not applicable with a reason."""
    entries = stage_entries(client, period, Stage.CLIENT_REVIEW)
    if not entries:
        return CheckResult(Status.NOT_APPLICABLE, _("No video of the client went to client review in the period."))
    steps = list(PostProductionStep.objects.filter(project_id__in={e.project_id for e in entries}).order_by("position"))
    failures, evidence = [], []
    for entry in entries:
        title = entry.project.title
        own = {step.kind: copy.copy(step) for step in steps if step.project_id == entry.project_id}
        # 5.3: each step as it stood when the cut went; a step finished later and dated back, or
        # its evidence added later, does not count.
        for pk, values in values_as_they_stood(own.values(), STEP_FIELDS, entry.at).items():
            step = next(step for step in own.values() if step.pk == pk)
            for name, value in values.items():
                setattr(step, name, value)
        recorded = {item["kind"]: item for item in entry.snapshot.get("steps", [])}
        problems = []
        for kind in PostStepKind:
            step = own.get(kind.value)
            if step is None:
                problems.append(_("%(step)s missing") % {"step": kind.label})
                continue
            problem = _step_finished(step, entry.at)
            then = recorded.get(kind.value)
            if (
                problem
                and then
                and then.get("status") in FINISHED_STEP_STATUSES
                and step.status not in FINISHED_STEP_STATUSES
            ):
                # The gate recorded it finished where the trail does not show it: its status is
                # taken from the gate's record; its evidence is still judged, the gate read none (5.3).
                problem = None
            status = (then or {}).get("status") or step.status
            evidence.append(
                Evidence(
                    _("%(title)s · %(step)s: %(status)s")
                    % {"title": title, "step": kind.label, "status": StepStatus(status).label},
                    "production.postproductionstep",
                    step.pk,
                    project_url(entry.project_id),
                )
            )
            if problem:
                problems.append(problem)
        if problems:
            failures.append(f"{title} ({'; '.join(str(p) for p in problems)})")
    if failures:
        return CheckResult(
            Status.NOT_MET,
            _("%(count)d cuts went to the client before post-production was finished: %(list)s")
            % {"count": len(failures), "list": ", ".join(failures)},
            evidence,
        )
    return CheckResult(
        Status.MET,
        _("%(count)d cuts went to the client after subtitles, sound, colour, cover and retouching were finished.")
        % {"count": len(entries)},
        evidence,
    )
