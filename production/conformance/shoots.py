"""Clause 5.2: the clips accepted when shooting ended (8-20 per shoot, 4K, 7-60 s)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client
from production.conformance.common import project_url, stage_entries
from production.models.projects import Stage, StageTransition
from production.models.shoots import Clip, ClipVerdict, Shoot
from production.rules import clip_rule_failures, shoot_clip_count_problem


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


@clause_check("5.2", reads=("production.VideoProject", StageTransition, Shoot, Clip))
def shoots_meet_the_clip_rules(client: Client, period: Period) -> CheckResult:
    """Every video whose shooting ended in the period had, in each shoot, 8-20 accepted clips,
    each 4K and 7-60 s as read from its file; rejected clips are listed with their failed rules.

    A month is judged on the evidence the gate kept when shooting ended (the accepted clips it
    counted), not on today's clips: a clip removed after the project went back to shooting is a
    later event, judged when shooting ends again."""
    entries = stage_entries(client, period, Stage.POST_PRODUCTION, from_stage=Stage.SHOOTING)
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
                    f"{title}: no clips", "production.videoproject", entry.project_id, project_url(entry.project_id)
                )
            )
            continue
        for shoot_label, shoot, accepted, refused, total in found:
            shoot_url = reverse("production:shoot-detail", args=[shoot.pk]) if shoot else project_url(entry.project_id)
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
