"""Writes of 7.3, the audience persona: audience snapshots coming in, and the persona reports built
from them each period (scheduled, or on request)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts_ops import persona
from accounts_ops import rows as read
from accounts_ops.bulk import UpsertResult, upsert
from accounts_ops.models.audience import AudiencePersonaReport, AudienceSnapshot, PersonaTrigger
from accounts_ops.portrait import DIMENSION_NAMES, PortraitError, from_platform, normalise
from accounts_ops.rules import PERSONA_PERIOD_DAYS
from accounts_ops.services.common import (
    AccountResolver,
    Checked,
    RowProblem,
    account_scope,
    ensure_batch,
    past_day,
    refusal,
)
from agency.models import Agency
from agency.services import validated_save
from agency.tenancy import Actor, require_agency
from clients.models import AccountStatus, PlatformAccount

SNAPSHOTS_BULK_MAX = 2_000


def check_snapshot_rows(
    rows: Sequence, *, agency: Agency, actor: Actor | None, default_account: PlatformAccount | None = None
) -> Checked:
    """Check fan-portrait rows: the account in scope, the date not in the future, ``fans_total``
    a count, every distribution within the rules of ``accounts_ops.portrait``."""
    today = agency.today()
    accounts = AccountResolver(account_scope(actor), default_account)
    problems: list[RowProblem] = []
    pending = []
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            problems.append(RowProblem(index, "row", _("a row is an object of field → value")))
            continue
        row = from_platform(raw)
        values: dict = {}
        ok = True
        try:
            reference = accounts.reference(row)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "account", str(exc)))
            ok = False
        try:
            values["date"] = past_day(row.get("date"), today)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "date", str(exc)))
            ok = False
        try:
            values["fans_total"] = read.count(
                row.get("fans_total", row.get("total_fans")), maximum=read.count_limit(AudienceSnapshot, "fans_total")
            )
        except read.BadValue as exc:
            problems.append(RowProblem(index, "fans_total", str(exc)))
            ok = False
        given = 0
        for name in DIMENSION_NAMES:
            if name not in row or row[name] is None:
                values[name] = None
                continue
            try:
                _portrait_names(row[name])
                values[name] = normalise(name, row[name])
                given += 1
            except (PortraitError, read.BadValue) as exc:
                problems.append(RowProblem(index, name, str(exc)))
                ok = False
        if ok and not given and values["fans_total"] is None:
            problems.append(RowProblem(index, "row", _("the row gives no portrait")))
            ok = False
        if ok:
            pending.append((index, reference, values))
    accounts.load(
        {ref[1] for _i, ref, _v in pending if ref[0] == "account"},
        {ref[1] for _i, ref, _v in pending if ref[0] == "handle"},
    )
    checked = Checked(problems=problems)
    seen: dict[tuple[int, dt.date], int] = {}
    for index, reference, values in pending:
        try:
            account_id, client_id = accounts.resolve(reference)
        except read.BadValue as exc:
            problems.append(RowProblem(index, reference[0], str(exc)))
            continue
        first = seen.setdefault((account_id, values["date"]), index)
        if first != index:
            problems.append(
                RowProblem(index, "date", _("row %(first)d already gives this account and date") % {"first": first})
            )
            continue
        values.update(agency_id=agency.pk, client_id=client_id, account_id=account_id)
        checked.rows.append(values)
        checked.positions.append(index)
    problems.sort(key=lambda p: p.index)
    return checked


def _portrait_names(raw) -> None:
    """The names of a distribution (its keys, or its entries' ``item``) hold no control character
    and no lone surrogate: they are stored as JSON keys, which PostgreSQL refuses with a NUL (and
    no encoding carries a lone surrogate)."""
    if isinstance(raw, dict):
        names = raw.keys()
    elif isinstance(raw, list):
        names = [entry.get("item") for entry in raw if isinstance(entry, dict)]
    else:
        return
    for name in names:
        if isinstance(name, str) and not name.isprintable():
            raise read.BadValue(f"{name!r}: a name holds no control characters")


def store_snapshots(rows: Sequence[dict], *, user_id: int | None) -> UpsertResult:
    return upsert(
        AudienceSnapshot,
        rows,
        key=("account_id", "date"),
        fixed=("agency_id", "client_id"),
        values=("fans_total", *DIMENSION_NAMES),
        user_id=user_id,
        defaults=dict.fromkeys(DIMENSION_NAMES, {}),
    )


@transaction.atomic
def audience_snapshots_ingest(
    *, actor: Actor | None, rows: list, account: PlatformAccount | None = None, prefix: str = "rows"
) -> UpsertResult:
    """Upsert fan portraits keyed by (account, date) (7.3): all rows or none. A dimension left
    out keeps what is stored; one given replaces it."""
    agency = require_agency()
    ensure_batch(rows, prefix=prefix, maximum=SNAPSHOTS_BULK_MAX)
    checked = check_snapshot_rows(rows, agency=agency, actor=actor, default_account=account)
    if checked.problems:
        if prefix == "":
            raise ValidationError({p.field: p.message for p in checked.problems})
        raise refusal(checked.problems, prefix)
    return store_snapshots(checked.rows, user_id=actor.user.pk if actor is not None else None)


PERSONA_BATCH = 500  # accounts per batch task


# Periods are counted from this Monday, so weekly periods run Monday to Sunday in every agency.
PERSONA_EPOCH = dt.date(2024, 1, 1)


def persona_period(agency: Agency, today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest whole period before ``today`` (the agency's period length, counted from
    ``PERSONA_EPOCH``): the period the scheduled job reports on."""
    days = agency.setting(PERSONA_PERIOD_DAYS)
    index = (today - PERSONA_EPOCH).days // days
    start = PERSONA_EPOCH + dt.timedelta(days=(index - 1) * days)
    return start, start + dt.timedelta(days=days - 1)


def active_account_ids() -> list[int]:
    return list(PlatformAccount.objects.filter(status=AccountStatus.ACTIVE).order_by("pk").values_list("pk", flat=True))


def _latest_snapshots(account_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, AudienceSnapshot]:
    """Each account's latest snapshot dated within the period: one query."""
    queryset = AudienceSnapshot.objects.filter(account_id__in=account_ids, date__gte=start, date__lte=end)
    if connection.vendor == "postgresql":
        return {s.account_id: s for s in queryset.order_by("account_id", "-date").distinct("account_id")}
    latest: dict[int, AudienceSnapshot] = {}
    for snapshot in queryset.order_by("account_id", "-date"):
        latest.setdefault(snapshot.account_id, snapshot)
    return latest


def _previous_reports(account_ids: Sequence[int], before: dt.date) -> dict[int, AudiencePersonaReport]:
    """Each account's latest report ending before ``before``, with its snapshot: one query."""
    queryset = AudiencePersonaReport.objects.filter(account_id__in=account_ids, period_end__lt=before).select_related(
        "snapshot"
    )
    if connection.vendor == "postgresql":
        return {r.account_id: r for r in queryset.order_by("account_id", "-period_end", "-id").distinct("account_id")}
    previous: dict[int, AudiencePersonaReport] = {}
    for report in queryset.order_by("account_id", "-period_end", "-id"):
        previous.setdefault(report.account_id, report)
    return previous


def _distributions(snapshot: AudienceSnapshot) -> dict[str, dict]:
    return {name: getattr(snapshot, name) or {} for name in DIMENSION_NAMES}


def _report(snapshot, previous, start, end, trigger, agency) -> AudiencePersonaReport:
    analysis = persona.analyse(_distributions(snapshot), _distributions(previous.snapshot) if previous else None)
    return AudiencePersonaReport(
        agency=agency,
        client_id=snapshot.client_id,
        account_id=snapshot.account_id,
        period_start=start,
        period_end=end,
        snapshot=snapshot,
        previous=previous,
        dominant=analysis.dominant,
        shifts=analysis.shifts,
        summary_zh=analysis.summary_zh,
        summary_en=analysis.summary_en,
        trigger=trigger,
    )


@transaction.atomic
def persona_reports_build(
    *, account_ids: Sequence[int], period_start: dt.date, period_end: dt.date, trigger: str = PersonaTrigger.SCHEDULE
) -> int:
    """Build the persona report of each account for the period (7.3), from its latest snapshot in
    the period compared with its previous report's. Idempotent per (account, period): accounts
    already reported are skipped, and a second run creates nothing. Accounts without a snapshot
    in the period get no report. A fixed number of queries for any number of accounts."""
    agency = require_agency()
    ids = list(
        PlatformAccount.objects.filter(pk__in=account_ids, status=AccountStatus.ACTIVE).values_list("pk", flat=True)
    )
    done = set(
        AudiencePersonaReport.objects.filter(
            account_id__in=ids, period_start=period_start, period_end=period_end
        ).values_list("account_id", flat=True)
    )
    todo = [pk for pk in ids if pk not in done]
    if not todo:
        return 0
    snapshots = _latest_snapshots(todo, period_start, period_end)
    previous = _previous_reports(list(snapshots), period_start)
    reports = [
        _report(snapshot, previous.get(account_id), period_start, period_end, trigger, agency)
        for account_id, snapshot in snapshots.items()
    ]
    created = AudiencePersonaReport.objects.bulk_create(reports, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def persona_report_request(*, actor: Actor, account: PlatformAccount) -> AudiencePersonaReport:
    """A report on demand (7.3): the period is the agency's period length ending today; asked
    again the same day, the same report is rebuilt from the latest snapshot."""
    today = actor.agency.today()
    days = actor.agency.setting(PERSONA_PERIOD_DAYS)
    start = today - dt.timedelta(days=days - 1)
    snapshot = _latest_snapshots([account.pk], start, today).get(account.pk)
    if snapshot is None:
        raise ValidationError(
            {
                "account": _("@%(handle)s has no audience snapshot between %(start)s and %(end)s; import one first.")
                % {"handle": account.handle, "start": start.isoformat(), "end": today.isoformat()}
            }
        )
    previous = _previous_reports([account.pk], start).get(account.pk)
    fresh = _report(snapshot, previous, start, today, PersonaTrigger.ON_DEMAND, actor.agency)
    report = AudiencePersonaReport.objects.filter(account=account, period_start=start, period_end=today).first()
    if report is None:
        report = fresh
    else:
        for name in ("snapshot", "previous", "dominant", "shifts", "summary_zh", "summary_en", "trigger"):
            setattr(report, name, getattr(fresh, name))
    return validated_save(report)
