"""Clause checks owned by the records app: 9 (the six record types) and 4.2 (no concealment)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status, clause_check, served_from
from agency.models import TenantModel
from clients.models import AccountStatus, Client, ClientStatus, PlatformAccount
from records.audit import audited_models
from records.models.assets import Asset, AssetCheckout
from records.models.audit import AuditEvent
from records.models.images import ImageRecord
from records.models.inspections import DailyInspection, InspectionStatus
from records.models.reports import ReportStatus, StatisticsReport, WorkAssessmentReport
from records.models.usage import UsageRecord
from records.selectors.common import bounds

EVIDENCE_PER_TYPE = 5  # records named per record type in the evidence
# The tables of clause 9's records: a delete in them is a record removed without a trace of why.
RECORD_MODELS = (
    Asset,
    AssetCheckout,
    DailyInspection,
    UsageRecord,
    StatisticsReport,
    WorkAssessmentReport,
    ImageRecord,
)


def _live(queryset):
    return queryset.filter(voided_at__isnull=True)


def _evidence(rows, label) -> list[Evidence]:
    return [Evidence(label(row), row._meta.label_lower, row.pk) for row in rows[:EVIDENCE_PER_TYPE]]


def _not_served_reason(client: Client, period: Period, tz) -> str:
    """Clause 9 asks records of the clients being served: not of a prospect, nor for a period
    before the client was taken on or outside its contract."""
    if client.status == ClientStatus.PROSPECT:
        return _("The client is a prospect: no service, no records yet.")
    if served_from(client) > period.end:
        if client.contract_start is not None:
            return _("The client's contract starts after the period.")
        return _("The client was taken on after the period.")
    if client.contract_end and client.contract_end < period.start:
        return _("The client's contract ended before the period.")
    return ""


@clause_check("9", reads=(PlatformAccount, *RECORD_MODELS))
def operation_records_kept(client: Client, period: Period) -> CheckResult:
    """Clause 9: the client has each of the six record types for the period (asset management,
    daily inspection, usage, data statistics report, work assessment report, images), none of
    them voided, and no record of clause 9 was deleted. The two reports are due once the period
    has ended."""
    tz = client.agency.tz
    start, end = bounds(period, tz)
    today = client.agency.today()
    not_served = _not_served_reason(client, period, tz)
    if not_served:
        return CheckResult(Status.NOT_APPLICABLE, not_served)
    present: dict[str, list[Evidence]] = {}
    missing: list[str] = []

    assets = list(_live(Asset.objects.filter(client=client, created_at__lt=end)).order_by("identifier"))
    checkouts = list(
        _live(AssetCheckout.objects.filter(asset__client=client, checked_out_at__gte=start, checked_out_at__lt=end))
        .select_related("asset")
        .order_by("checked_out_at")
    )
    asset_usage = list(
        _live(UsageRecord.objects.filter(client=client, asset__isnull=False, started_at__gte=start, started_at__lt=end))
        .select_related("asset")
        .order_by("started_at")
    )
    evidence = _evidence(assets, lambda a: _("Asset %(asset)s") % {"asset": a})
    evidence += _evidence(checkouts, lambda c: _("Check-out of %(asset)s") % {"asset": c.asset})
    evidence += _evidence(asset_usage, lambda u: _("Use of %(asset)s") % {"asset": u.asset})
    present[_("asset management")] = evidence

    inspections = list(
        _live(DailyInspection.objects.filter(client=client, inspection_date__range=(period.start, period.end)))
        .select_related("account")
        .order_by("inspection_date", "account_id")
    )
    # A list counts as done when it was completed by the period's end (a list ticked off later
    # was still missed as the period stood); one still to do after its day is missed.
    done = [i for i in inspections if _done_by(i, end)]
    missed = [i for i in inspections if not _done_by(i, end) and i.inspection_date < today]
    present[_("daily inspection")] = _evidence(done, lambda i: _("Inspection %(inspection)s") % {"inspection": i})
    absent = _days_without_a_list(client, period, inspections, today)

    usage = list(
        _live(UsageRecord.objects.filter(client=client, started_at__gte=start, started_at__lt=end)).order_by(
            "started_at"
        )
    )
    present[_("usage records")] = _evidence(usage, lambda u: _("Usage: %(usage)s") % {"usage": u})

    overlapping = Q(period_start__lte=period.end, period_end__gte=period.start, status=ReportStatus.READY)
    statistics = list(_live(StatisticsReport.objects.filter(overlapping, client=client)).order_by("period_start"))
    assessments = list(_live(WorkAssessmentReport.objects.filter(overlapping, client=client)).order_by("period_start"))
    reports_due = period.end < today
    for label, reports, name in (
        (_("data statistics report"), statistics, _("Statistics report %(period)s")),
        (_("work assessment report"), assessments, _("Assessment report %(period)s")),
    ):
        found = _evidence(reports, lambda r, name=name: name % {"period": r.period_label})
        if found or reports_due:
            present[label] = found

    images = list(
        _live(ImageRecord.objects.filter(client=client, taken_on__range=(period.start, period.end))).order_by(
            "taken_on"
        )
    )
    present[_("images")] = _evidence(images, lambda i: _("Image: %(caption)s") % {"caption": i.caption})

    missing = [label for label, items in present.items() if not items]
    labels = {m._meta.label_lower for m in RECORD_MODELS}
    deleted = list(
        AuditEvent.objects.filter(
            client=client, action="delete", model_label__in=labels, occurred_at__gte=start, occurred_at__lt=end
        ).order_by("occurred_at")
    )
    all_evidence = [item for items in present.values() for item in items]
    all_evidence += [Evidence(_("Deleted: %(event)s") % {"event": e}, "records.auditevent", e.pk) for e in deleted]
    all_evidence += (
        _evidence(missed, lambda i: _("Missed inspection %(inspection)s") % {"inspection": i})
        + [Evidence(_("No inspection list: %(account)s · %(day)s") % {"account": a, "day": d}) for a, d in absent][
            :EVIDENCE_PER_TYPE
        ]
    )
    notes = []
    if not reports_due:
        notes.append(_("the period's reports are due after it ends"))
    if missing or deleted or missed or absent:
        parts = []
        if missing:
            parts.append(_("No %(types)s for the period") % {"types": ", ".join(missing)})
        if missed:
            parts.append(_("%(count)d inspections missed") % {"count": len(missed)})
        if absent:
            parts.append(_("%(count)d account-days without an inspection list") % {"count": len(absent)})
        if deleted:
            parts.append(_("%(count)d records of clause 9 were deleted instead of voided") % {"count": len(deleted)})
        return CheckResult(Status.NOT_MET, "; ".join(parts + notes), all_evidence)
    summary = _("Every record type is kept for the period (%(types)s).") % {"types": ", ".join(present)}
    if notes:
        summary = f"{summary} {'; '.join(notes)}."
    return CheckResult(Status.MET, summary, all_evidence)


def _done_by(inspection: DailyInspection, end) -> bool:
    """Done by the period's end (a list with no completion time is judged by its status alone)."""
    return inspection.status == InspectionStatus.DONE and (
        inspection.completed_at is None or inspection.completed_at < end
    )


def _days_without_a_list(client: Client, period: Period, inspections, today) -> list[tuple[PlatformAccount, object]]:
    """9 h) is a daily inspection: each day of the period before today, every account the schedule
    inspects (active accounts of an active client) needs its list, from the day the client was
    served and the account was entered. A day the schedule skipped is as missed as a list left
    undone."""
    if client.status != ClientStatus.ACTIVE:
        return []
    tz = client.agency.tz
    last = min(period.end, today - dt.timedelta(days=1))
    first_served = max(period.start, served_from(client))
    have = {(i.account_id, i.inspection_date) for i in inspections}
    absent = []
    accounts = PlatformAccount.objects.filter(client=client, status=AccountStatus.ACTIVE).order_by("pk")
    for account in accounts:
        day = max(first_served, timezone.localtime(account.created_at, tz).date())
        while day <= last:
            if (account.pk, day) not in have:
                absent.append((account, day))
            day += dt.timedelta(days=1)
    return absent


def _client_models() -> list[type[TenantModel]]:
    return [m for m in audited_models() if m.tenant_client_path is not None and hasattr(m, "updated_at")]


def _read_by_4_2() -> list[type]:
    """What 4.2 reads: every table about a client, and the parents it joins: through which a row
    without a client of its own finds it (``tenant_client_path``), by which rows are ordered."""
    models = _client_models()
    parents = []
    for model in models:
        for name in [model.tenant_client_path, *model._meta.ordering]:
            if isinstance(name, str) and "__" in name:
                parents.append(model._meta.get_field(name.lstrip("-").split("__")[0]).related_model)
    return [*models, *parents]


@clause_check("4.2", reads=_read_by_4_2)
def nothing_concealed(client: Client, period: Period) -> CheckResult:
    """4.2: every row about the client that was created or changed in the period has its entry in
    the audit trail, which the client's people can read (the trail of their own client)."""
    tz = client.agency.tz
    start, end = bounds(period, tz)
    gaps: list[Evidence] = []
    changed_total = untraced_total = 0
    evidence: list[Evidence] = []
    for model in _client_models():
        path = model.tenant_client_path
        rows = list(
            model.objects.filter(**{path: client.pk}, updated_at__gte=start, updated_at__lt=end).values_list(
                "pk", flat=True
            )
        )
        if not rows:
            continue
        changed_total += len(rows)
        traced = set(
            AuditEvent.objects.filter(
                model_label=model._meta.label_lower, object_pk__in=[str(pk) for pk in rows]
            ).values_list("object_pk", flat=True)
        )
        untraced = [pk for pk in rows if str(pk) not in traced]
        untraced_total += len(untraced)
        evidence.append(
            Evidence(
                _("%(model)s: %(count)d changed, %(traced)d in the trail")
                % {"model": model._meta.verbose_name, "count": len(rows), "traced": len(rows) - len(untraced)}
            )
        )
        gaps += [
            Evidence(
                _("No trail for %(model)s %(id)s") % {"model": model._meta.verbose_name, "id": pk},
                model._meta.label_lower,
                pk,
            )
            for pk in untraced[:EVIDENCE_PER_TYPE]
        ]
    if not changed_total:
        return CheckResult(Status.NOT_APPLICABLE, _("Nothing about the client was created or changed in the period."))
    if gaps:
        return CheckResult(
            Status.NOT_MET,
            _("%(count)d changed records about the client have no audit trail.") % {"count": untraced_total},
            evidence + gaps,
        )
    return CheckResult(
        Status.MET,
        _("All %(count)d records about the client changed in the period are in the audit trail, open to the client.")
        % {"count": changed_total},
        evidence,
    )
