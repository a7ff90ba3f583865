"""Clause checks of chapter 5, judged from the stage changes recorded in the period.

Each gate passed in the period is looked at as it stood when it was passed: the script approved
before shooting began (5.1), the clips accepted when shooting ended (5.2), the five steps finished
when the cut went to the client (5.3). A period in which no video passed the gate gives "not
applicable" for that clause: there was nothing to judge.
"""

from __future__ import annotations

import copy
import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client
from production.models import (
    EVIDENCE_NOTE,
    FINISHED_STEP_STATUSES,
    POST_STEP_EVIDENCE,
    Clip,
    ClipVerdict,
    PostProductionStep,
    PostStepKind,
    Script,
    ScriptStatus,
    Shoot,
    Stage,
    StageTransition,
    StepStatus,
)
from production.rules import clip_rule_failures, script_missing_parts, shoot_clip_count_problem
from records.selectors import values_as_they_stood


def _bounds(client: Client, period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = client.agency.tz
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period.end, dt.time.max, tzinfo=tz),
    )


def _entries(client: Client, period: Period, stage: str, **extra) -> list[StageTransition]:
    start, end = _bounds(client, period)
    return list(
        StageTransition.objects.filter(client=client, to_stage=stage, at__range=(start, end), **extra)
        .select_related("project")
        .order_by("at", "id")
    )


def _project_url(project_id: int) -> str:
    return reverse("production:project-detail", args=[project_id])


def _day(moment: dt.datetime, client: Client) -> str:
    return moment.astimezone(client.agency.tz).strftime("%Y-%m-%d")


@clause_check("5.1")
def scripts_before_shooting(client: Client, period: Period) -> CheckResult:
    """Every video that entered shooting in the period had its four script parts and an
    approved current script version at that moment."""
    entries = _entries(client, period, Stage.SHOOTING)
    if not entries:
        return CheckResult(Status.NOT_APPLICABLE, _("No video of the client entered shooting in the period."))
    scripts = {
        s.pk: s
        for s in Script.objects.filter(project_id__in={e.project_id for e in entries})
        .select_related("decided_by")
        .annotate(shot_count=Count("shots"))
    }
    failures, evidence = [], []
    for entry in entries:
        title = entry.project.title
        candidates = sorted(
            (s for s in scripts.values() if s.project_id == entry.project_id and s.created_at <= entry.at),
            key=lambda s: s.version,
        )
        script = scripts.get((entry.snapshot.get("script") or {}).get("id")) or (candidates[-1] if candidates else None)
        if script is None:
            failures.append(_("%(title)s entered shooting without a script") % {"title": title})
            evidence.append(
                Evidence(
                    f"{title}: no script", "production.videoproject", entry.project_id, _project_url(entry.project_id)
                )
            )
            continue
        missing = script_missing_parts(script, shot_count=script.shot_count)
        # 5.1: the decision as it stood when shooting began; an approval recorded later and dated
        # back does not count.
        then = values_as_they_stood([script], ("status", "decided_at"), entry.at)[script.pk]
        decided_at = then["decided_at"]
        approved = then["status"] == ScriptStatus.APPROVED and decided_at is not None and decided_at <= entry.at
        problems = list(missing) + ([] if approved else [_("not approved before shooting")])
        label = _("%(title)s: script v%(version)d, %(state)s; entered shooting %(day)s") % {
            "title": title,
            "version": script.version,
            "state": (
                _("approved %(day)s by %(who)s") % {"day": _day(decided_at, client), "who": script.decided_by or "—"}
                if approved
                else "; ".join(problems)
            ),
            "day": _day(entry.at, client),
        }
        evidence.append(
            Evidence(label, "production.script", script.pk, reverse("production:script-detail", args=[script.pk]))
        )
        if problems:
            failures.append(f"{title} ({'; '.join(problems)})")
    if failures:
        return CheckResult(
            Status.NOT_MET,
            _("%(count)d videos entered shooting without a complete, approved script: %(list)s")
            % {"count": len(failures), "list": ", ".join(failures)},
            evidence,
        )
    return CheckResult(
        Status.MET,
        _("%(count)d videos entered shooting, each with topic, scene concept, screenplay and storyboard approved.")
        % {"count": len(entries)},
        evidence,
    )


def _clip_failures(clip: Clip) -> list | None:
    """The 5.2 rules ``clip`` fails by the facts read from its file, or None when it was not read."""
    if not clip.display_width or clip.duration_seconds is None:
        return None
    return clip_rule_failures(
        display_width=clip.display_width,
        display_height=clip.display_height,
        duration_seconds=clip.duration_seconds,
    )


def _shoots_as_recorded(entry: StageTransition, clips: dict[int, Clip], shoots: dict[int, Shoot]):
    """Each shoot as the gate found it when shooting ended: (label, shoot row or None, accepted
    clip ids, clip rows to list as not accepted, clips then). A clip the gate counted and that was
    removed later (the project went back to shooting) still counts: the gate kept its id. A clip
    that fails the rules by its own facts does not, whatever its verdict."""
    for recorded in entry.snapshot["shoots"]:
        shoot = shoots.get(recorded["id"])
        accepted_then = set(recorded.get("accepted_clips") or [])
        accepted, refused = [], []
        for clip_id in sorted(accepted_then):
            clip = clips.get(clip_id)
            if clip is not None and _clip_failures(clip) not in (None, []):
                refused.append(clip)
            else:
                accepted.append(clip_id)
        refused += [
            c
            for c in clips.values()
            if c.shoot_id == recorded["id"] and c.pk not in accepted_then and c.created_at <= entry.at
        ]
        total = len(accepted_then) + int(recorded.get("rejected") or 0)
        yield recorded.get("label") or str(shoot), shoot, accepted, refused, total


def _shoots_recounted(entry: StageTransition, clips: dict[int, Clip]):
    """For a stage change recorded without the gate's evidence: the clips that existed then."""
    by_shoot: dict[int, list[Clip]] = {}
    for clip in clips.values():
        if clip.project_id == entry.project_id and clip.created_at <= entry.at:
            by_shoot.setdefault(clip.shoot_id, []).append(clip)
    for shoot_clips in by_shoot.values():
        shoot = shoot_clips[0].shoot
        accepted = [c.pk for c in shoot_clips if c.verdict == ClipVerdict.ACCEPTED and _clip_failures(c) == []]
        refused = [c for c in shoot_clips if c.pk not in accepted]
        yield str(shoot), shoot, accepted, refused, len(shoot_clips)


@clause_check("5.2")
def shoots_meet_the_clip_rules(client: Client, period: Period) -> CheckResult:
    """Every video whose shooting ended in the period had, in each shoot, 8-20 accepted clips,
    each 4K and 7-60 s as read from its file; rejected clips are listed with their failed rules.

    A month is judged on the evidence the gate kept when shooting ended (the accepted clips it
    counted), not on today's clips: a clip removed after the project went back to shooting is a
    later event, judged when shooting ends again."""
    entries = _entries(client, period, Stage.POST_PRODUCTION, from_stage=Stage.SHOOTING)
    if not entries:
        return CheckResult(Status.NOT_APPLICABLE, _("No video of the client finished shooting in the period."))
    project_ids = {e.project_id for e in entries}
    recorded_ids = {
        clip_id
        for e in entries
        for shoot in e.snapshot.get("shoots", [])
        for clip_id in shoot.get("accepted_clips") or []
    }
    clips = {
        c.pk: c
        for c in Clip.objects.filter(Q(project_id__in=project_ids) | Q(pk__in=recorded_ids))
        .select_related("shoot")
        .order_by("shoot__date", "shoot_id", "id")
    }
    shoot_ids = {shoot["id"] for e in entries for shoot in e.snapshot.get("shoots", [])}
    shoots = {shoot.pk: shoot for shoot in Shoot.objects.filter(pk__in=shoot_ids)}
    failures, evidence = [], []
    for entry in entries:
        title = entry.project.title
        if "shoots" in entry.snapshot:
            found = list(_shoots_as_recorded(entry, clips, shoots))
        else:
            found = list(_shoots_recounted(entry, clips))
        if not found:
            failures.append(_("%(title)s: no clips") % {"title": title})
            evidence.append(
                Evidence(
                    f"{title}: no clips", "production.videoproject", entry.project_id, _project_url(entry.project_id)
                )
            )
            continue
        for shoot_label, shoot, accepted, refused, total in found:
            shoot_url = reverse("production:shoot-detail", args=[shoot.pk]) if shoot else _project_url(entry.project_id)
            for clip in refused:
                reasons = [f.message for f in _clip_failures(clip) or []] or clip.failure_messages or [_("not read")]
                text = f"{title} · {shoot_label} · {clip}: {'; '.join(str(r) for r in reasons)}"
                evidence.append(Evidence(text, "production.clip", clip.pk, shoot_url))
            label = _("shoot %(shoot)s") % {"shoot": shoot_label}
            problem = shoot_clip_count_problem(shoot_label=label, accepted=len(accepted))
            evidence.append(
                Evidence(
                    _("%(title)s · %(shoot)s: %(accepted)d accepted of %(total)d clips")
                    % {"title": title, "shoot": shoot_label, "accepted": len(accepted), "total": total},
                    "production.shoot" if shoot else "production.videoproject",
                    shoot.pk if shoot else entry.project_id,
                    shoot_url,
                )
            )
            if problem:
                failures.append(f"{title}: {problem}")
    if failures:
        return CheckResult(Status.NOT_MET, "; ".join(failures), evidence)
    return CheckResult(
        Status.MET,
        _("%(count)d videos finished shooting; every shoot had 8-20 accepted 4K clips of 7-60 s.")
        % {"count": len(entries)},
        evidence,
    )


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


@clause_check("5.3")
def post_production_before_review(client: Client, period: Period) -> CheckResult:
    """Every cut sent to the client in the period came after the five post-production steps
    were done (with their evidence) or marked not applicable with a reason."""
    entries = _entries(client, period, Stage.CLIENT_REVIEW)
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
                    _project_url(entry.project_id),
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
