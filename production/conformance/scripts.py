"""Clause 5.1: the script approved, with its four parts, before shooting began."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client
from production.conformance.common import local_day, project_url, stage_entries
from production.models.projects import Stage
from production.models.scripts import Script, ScriptStatus
from production.rules import script_missing_parts
from records.selectors.audit import values_as_they_stood


@clause_check(
    "5.1",
    reads=("auth.User", "production.VideoProject", "production.StageTransition", Script, "production.StoryboardShot"),
)
def scripts_before_shooting(client: Client, period: Period) -> CheckResult:
    """Every video that entered shooting in the period had its four script parts and an
    approved current script version at that moment."""
    entries = stage_entries(client, period, Stage.SHOOTING)
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
                    f"{title}: no script", "production.videoproject", entry.project_id, project_url(entry.project_id)
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
                _("approved %(day)s by %(who)s")
                % {"day": local_day(decided_at, client), "who": script.decided_by or "—"}
                if approved
                else "; ".join(problems)
            ),
            "day": local_day(entry.at, client),
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
