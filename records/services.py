"""Writes of the records app (clause 9). Views, the API, admin and tasks call these.

Every record of clause 9 is dated and attributed (``created_by``/``updated_by`` and the audit
trail), and none is deleted: ``record_void`` marks it void with a reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.conformance import Period
from agency.languages import requester_language
from agency.models import Agency, Membership, TenantModel
from agency.people import check_person_field
from agency.roles import STAFF_ROLES, VIEW
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from clients.models import AccountStatus, Client, ClientStatus, PlatformAccount
from records.audit import database_keeps_trail
from records.images import process_image
from records.models import (
    INSPECTION_ITEMS,
    Asset,
    AssetCheckout,
    AssetCondition,
    DailyInspection,
    ExportFormat,
    ExportJob,
    FollowUpStatus,
    ImageRecord,
    InspectionFollowUp,
    InspectionStatus,
    JobStatus,
    ReportCadence,
    ReportStatus,
    StatisticsReport,
    UsageRecord,
    VoidableRecord,
    WorkAssessmentReport,
)

logger = logging.getLogger(__name__)

# Clause 9 j)/k): the longest period one report may cover (a year, leap years included).
REPORT_MAX_DAYS = 366
# Conditions in which an asset cannot be handed out.
UNAVAILABLE_CONDITIONS = (AssetCondition.LOST, AssetCondition.RETIRED)


def _today(agency: Agency) -> dt.date:
    return timezone.localdate(timezone=agency.tz)


# --- every record: change and void -------------------------------------------------------------


def _ensure_live(record: VoidableRecord) -> None:
    if record.voided_at is not None:
        raise ValidationError(
            {
                "voided_at": _("This record was voided on %(date)s and can no longer change.")
                % {"date": record.voided_at.date().isoformat()}
            }
        )


@transaction.atomic
def record_update(*, actor: Actor, record: VoidableRecord, changes: dict) -> VoidableRecord:
    """Change the plain fields of a live record (the API's PATCH); the model's rules decide."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    _ensure_live(record)
    for name, value in changes.items():
        setattr(record, name, value)
    _check_people(record, only=set(changes))
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_void(*, actor: Actor, record: VoidableRecord, reason: str) -> VoidableRecord:
    """Clause 9: a record is never deleted; a wrong one is voided, saying why. It stays visible
    (marked void) in lists, exports and the audit trail."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if record.voided_at is not None:
        raise ValidationError({"reason": _("This record is already void.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is voided.")})
    record.voided_at = timezone.now()
    record.voided_by = actor.user
    record.void_reason = reason
    record.full_clean()
    record.save()
    return record


# The person fields of clause 9's records, with the resource whose permissions decide whether a
# person of the record's own client may be named in them (agency.people).
PERSON_FIELDS = {
    "records.asset": (("custodian", "asset"),),
    "records.assetcheckout": (("checked_out_by", "asset"),),
    "records.inspectionfollowup": (("assignee", "inspection"),),
    "records.usagerecord": (("user", "usage_record"),),
}


def _check_people(record, *, only: set[str] | None = None) -> None:
    """Every person named on ``record`` is staff, or of the record's own client where the role allows."""
    for field, resource in PERSON_FIELDS.get(record._meta.label_lower, ()):
        if only is not None and field not in only:
            continue
        client_id = getattr(record, "client_id", None)
        if client_id is None and hasattr(record, "asset_id"):
            client_id = record.asset.client_id
        check_person_field(
            agency=record.agency, client_id=client_id, user=getattr(record, field), field=field, resource=resource
        )


# --- 9 g) assets ---------------------------------------------------------------------------------


@transaction.atomic
def asset_register(*, actor: Actor, **fields) -> Asset:
    """Register an asset. A login device or SIM card names its account; its owner client is then
    the account's client unless given."""
    asset = Asset(agency=actor.agency, **fields)
    if asset.account_id and not asset.client_id:
        asset.client_id = asset.account.client_id
    _check_people(asset)
    asset.full_clean()
    asset.save()
    return asset


@transaction.atomic
def asset_check_out(
    *,
    actor: Actor,
    asset: Asset,
    taken_by=None,
    purpose: str = "",
    due_back: dt.date | None = None,
    at: dt.datetime | None = None,
) -> AssetCheckout:
    """Hand an asset out (9 g). An asset is out to one person at a time."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    _ensure_live(asset)
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("A check-out cannot be recorded in the future.")})
    if asset.condition in UNAVAILABLE_CONDITIONS:
        raise ValidationError(
            {
                "asset": _("%(asset)s is %(condition)s and cannot be checked out.")
                % {"asset": asset, "condition": asset.get_condition_display()}
            }
        )
    current = (
        asset.checkouts.filter(checked_in_at__isnull=True, voided_at__isnull=True)
        .select_related("checked_out_by")
        .first()
    )
    if current is not None:
        raise ValidationError(
            {
                "asset": _("%(asset)s is already checked out to %(person)s since %(since)s.")
                % {
                    "asset": asset,
                    "person": current.checked_out_by or "—",
                    "since": timezone.localtime(current.checked_out_at, actor.agency.tz).strftime("%Y-%m-%d %H:%M"),
                }
            }
        )
    if due_back is not None and due_back < timezone.localtime(at, actor.agency.tz).date():
        raise ValidationError({"due_back": _("The asset cannot be due back before it goes out.")})
    checkout = AssetCheckout(
        agency=actor.agency,
        asset=asset,
        checked_out_by=taken_by or actor.user,
        checked_out_at=at,
        purpose=(purpose or "").strip(),
        due_back=due_back,
    )
    _check_people(checkout)
    checkout.full_clean()
    checkout.save()
    return checkout


@transaction.atomic
def asset_check_in(
    *,
    actor: Actor,
    asset: Asset,
    condition: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> AssetCheckout:
    """Take an asset back (9 g), with the condition it came back in."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    _ensure_live(asset)
    checkout = (
        AssetCheckout.objects.select_for_update()
        .filter(asset=asset, checked_in_at__isnull=True, voided_at__isnull=True)
        .first()
    )
    if checkout is None:
        raise ValidationError({"asset": _("%(asset)s is not checked out.") % {"asset": asset}})
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("A check-in cannot be recorded in the future.")})
    if at < checkout.checked_out_at:
        raise ValidationError({"at": _("The asset cannot come back before it went out.")})
    if condition and condition not in AssetCondition.values:
        raise ValidationError({"condition": _("Unknown condition %(value)s.") % {"value": condition}})
    checkout.checked_in_at = at
    checkout.checked_in_by = actor.user
    checkout.condition_on_return = condition
    checkout.return_note = (note or "").strip()
    checkout.full_clean()
    checkout.save()
    if condition and condition != asset.condition:
        asset.condition = condition
        asset.full_clean()
        asset.save()
    return checkout


# --- 9 h) daily inspections ----------------------------------------------------------------------


def _refuse_future_day(day: dt.date, agency: Agency) -> None:
    today = _today(agency)
    if day > today:
        raise ValidationError(
            {
                "inspection_date": _(
                    "An inspection cannot be made for a day in the future (%(day)s is after today, %(today)s)."
                )
                % {"day": day.isoformat(), "today": today.isoformat()}
            }
        )


def inspection_accounts():
    """Clause 9 h): the accounts inspected every day — active accounts of active clients."""
    return PlatformAccount.objects.filter(status=AccountStatus.ACTIVE, client__status=ClientStatus.ACTIVE)


@transaction.atomic
def inspection_lists_create(*, day: dt.date) -> int:
    """Make the day's inspection list for every inspected account of the current agency.
    Idempotent: one list per account and day (a database constraint), so a second run, or two
    runs at once, make nothing more. Returns how many lists were made."""
    agency = require_agency()
    _refuse_future_day(day, agency)
    accounts = list(inspection_accounts().values_list("pk", "client_id"))
    have = set(DailyInspection.objects.filter(inspection_date=day).values_list("account_id", flat=True))
    missing = [
        DailyInspection(agency=agency, account_id=account_id, client_id=client_id, inspection_date=day)
        for account_id, client_id in accounts
        if account_id not in have
    ]
    if database_keeps_trail():
        DailyInspection.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    else:  # the application keeps the trail here, from each row's save
        for inspection in missing:
            inspection.save()
    return len(missing)


@transaction.atomic
def inspection_list_create(*, actor: Actor, account: PlatformAccount, inspection_date: dt.date) -> DailyInspection:
    """Make one account's list for a day by hand (a day the schedule missed). Never for a future day."""
    _refuse_future_day(inspection_date, actor.agency)
    if DailyInspection.objects.filter(account=account, inspection_date=inspection_date).exists():
        raise ValidationError(
            {
                "inspection_date": _("%(account)s already has its list for %(day)s.")
                % {"account": account, "day": inspection_date}
            }
        )
    inspection = DailyInspection(
        agency=actor.agency, account=account, client_id=account.client_id, inspection_date=inspection_date
    )
    inspection.full_clean()
    inspection.save()
    return inspection


@transaction.atomic
def inspection_record(
    *,
    actor: Actor,
    inspection: DailyInspection,
    items: dict[str, bool | None] | None = None,
    problems: str | None = None,
    complete: bool = False,
) -> DailyInspection:
    """Tick the checklist and note problems (9 h); ``complete`` closes the list, which needs every
    item answered and, for each "no", the problem described."""
    inspection = DailyInspection.objects.select_for_update().get(pk=inspection.pk)
    _ensure_live(inspection)
    if inspection.status == InspectionStatus.DONE:
        raise ValidationError({"status": _("This inspection is already completed.")})
    _refuse_future_day(inspection.inspection_date, actor.agency)
    known = dict(INSPECTION_ITEMS)
    for name, value in (items or {}).items():
        if name not in known:
            raise ValidationError({name: _("Unknown inspection item %(name)s.") % {"name": name}})
        setattr(inspection, name, value)
    if problems is not None:
        inspection.problems = problems.strip()
    if complete:
        unanswered = {
            name: _("Tick %(item)s: yes or no.") % {"item": label}
            for name, label in INSPECTION_ITEMS
            if getattr(inspection, name) is None
        }
        if unanswered:
            raise ValidationError(unanswered)
        failed = [str(label) for name, label in INSPECTION_ITEMS if getattr(inspection, name) is False]
        if failed and not inspection.problems:
            raise ValidationError(
                {"problems": _("Describe the problem found: %(items)s.") % {"items": "; ".join(failed)}}
            )
        inspection.status = InspectionStatus.DONE
        inspection.completed_at = timezone.now()
        inspection.inspected_by = actor.user
    inspection.full_clean()
    inspection.save()
    return inspection


@transaction.atomic
def follow_up_open(
    *,
    actor: Actor,
    inspection: DailyInspection,
    title: str,
    detail: str = "",
    assignee=None,
    due_date: dt.date | None = None,
) -> InspectionFollowUp:
    """Open a follow-up task for a problem an inspection found (9 h)."""
    _ensure_live(inspection)
    if due_date is not None and due_date < _today(actor.agency):
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    follow_up = InspectionFollowUp(
        agency=actor.agency,
        inspection=inspection,
        client_id=inspection.client_id,
        title=(title or "").strip(),
        detail=(detail or "").strip(),
        assignee=assignee,
        due_date=due_date,
    )
    _check_people(follow_up)
    follow_up.full_clean()
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_resolve(*, actor: Actor, follow_up: InspectionFollowUp, resolution: str) -> InspectionFollowUp:
    follow_up = InspectionFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    _ensure_live(follow_up)
    if follow_up.status == FollowUpStatus.DONE:
        raise ValidationError({"status": _("This follow-up is already resolved.")})
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Say how the problem was resolved.")})
    follow_up.status = FollowUpStatus.DONE
    follow_up.resolution = resolution.strip()
    follow_up.resolved_at = timezone.now()
    follow_up.full_clean()
    follow_up.save()
    return follow_up


# --- 9 i) usage records --------------------------------------------------------------------------


@transaction.atomic
def usage_record_create(
    *,
    actor: Actor,
    purpose: str,
    started_at: dt.datetime,
    user=None,
    asset: Asset | None = None,
    account: PlatformAccount | None = None,
    ended_at: dt.datetime | None = None,
    note: str = "",
) -> UsageRecord:
    """Record who used which asset or account, when and for what (9 i). The client is the
    account's, else the asset owner's."""
    if asset is None and account is None:
        raise ValidationError({"asset": _("Name the asset or the account that was used.")})
    if started_at > timezone.now():
        raise ValidationError({"started_at": _("A use cannot start in the future.")})
    if asset is not None:
        _ensure_live(asset)
    client_id = account.client_id if account is not None else asset.client_id
    if account is not None and asset is not None and asset.client_id and asset.client_id != account.client_id:
        raise ValidationError({"asset": _("The asset belongs to another client than the account.")})
    record = UsageRecord(
        agency=actor.agency,
        user=user or actor.user,
        asset=asset,
        account=account,
        client_id=client_id,
        purpose=purpose,
        started_at=started_at,
        ended_at=ended_at,
        note=(note or "").strip(),
    )
    if user is not None:
        _check_people(record)
    record.full_clean()
    record.save()
    return record


# --- 9 l) image records --------------------------------------------------------------------------


def resolve_link(actor: Actor, label: str, object_id) -> TenantModel:
    """The record an image is linked to, among the rows the actor may see."""
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise ValidationError({"linked_model": _("Unknown record type %(label)s.") % {"label": label}})
    if not issubclass(model, TenantModel) or model._meta.label_lower == "records.auditevent":
        raise ValidationError({"linked_model": _("Images can be linked to the agency's records only.")})
    target = model.objects.visible_to(actor).filter(pk=object_id).first() if object_id else None
    if target is None:
        raise ValidationError(
            {
                "linked_id": _("%(model)s %(id)s does not exist in this agency.")
                % {"model": model._meta.verbose_name, "id": object_id}
            }
        )
    return target


def _client_of(record) -> int | None:
    from records.audit import _client_of as client_of

    return client_of(record)


@transaction.atomic
def image_record_create(
    *,
    actor: Actor,
    upload,
    caption: str,
    taken_on: dt.date,
    place: str = "",
    client: Client | None = None,
    linked_model: str = "",
    linked_id: int | None = None,
) -> ImageRecord:
    """Keep a photo (9 l): validated, stripped of its metadata, with a thumbnail, linked to the
    record it documents. Either both the files and the row are kept, or neither."""
    from django.contrib.contenttypes.models import ContentType

    if taken_on > _today(actor.agency):
        raise ValidationError({"taken_on": _("A photo cannot be dated in the future.")})
    target = resolve_link(actor, linked_model, linked_id) if (linked_model or linked_id) else None
    if target is not None:
        target_client = _client_of(target)
        if client is not None and target_client not in (None, client.pk):
            raise ValidationError({"client": _("The linked record belongs to another client.")})
        if target_client is not None:
            client = Client.objects.get(pk=target_client)
    if actor.is_client_person:
        raise ValidationError({"image": _("Client people cannot add image records.")})
    processed = process_image(upload)
    image = ImageRecord(
        agency=actor.agency,
        client=client,
        caption=(caption or "").strip(),
        taken_on=taken_on,
        place=(place or "").strip(),
        original_name=(getattr(upload, "name", "") or "")[-255:],
        width=processed.width,
        height=processed.height,
        byte_size=len(processed.content),
        sha256=processed.sha256,
        linked_type=ContentType.objects.get_for_model(target) if target is not None else None,
        linked_id=target.pk if target is not None else None,
        linked_label=str(target)[:300] if target is not None else "",
    )
    stem = uuid.uuid4().hex
    written: list[str] = []
    try:
        image.image.save(f"{stem}.{processed.extension}", ContentFile(processed.content), save=False)
        written.append(image.image.name)
        image.thumbnail.save(f"{stem}.jpg", ContentFile(processed.thumbnail), save=False)
        written.append(image.thumbnail.name)
        image.full_clean()
        image.save()
    except Exception:
        for name in written:
            default_storage.delete(name)
        raise
    return image


# --- 9 j), 9 k) reports --------------------------------------------------------------------------


def _check_period(period_start: dt.date, period_end: dt.date, agency: Agency) -> Period:
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if period_start > _today(agency):
        raise ValidationError({"period_start": _("The period has not started yet.")})
    if (period_end - period_start).days + 1 > REPORT_MAX_DAYS:
        raise ValidationError({"period_end": _("A report covers at most %(days)d days.") % {"days": REPORT_MAX_DAYS}})
    return Period(period_start, period_end)


@transaction.atomic
def statistics_report_request(
    *, actor: Actor, client: Client, period_start: dt.date, period_end: dt.date
) -> StatisticsReport:
    """Ask for a data statistics report (9 j) for a client and period; a task builds it."""
    _check_period(period_start, period_end, actor.agency)
    report = StatisticsReport(
        agency=actor.agency,
        client=client,
        period_start=period_start,
        period_end=period_end,
        cadence=ReportCadence.ON_DEMAND,
        requested_by=actor.user,
        language=requester_language(),
    )
    report.full_clean()
    report.save()
    from records.tasks import report_build_task

    enqueue(report_build_task, agency_id=actor.agency.pk, kind="statistics", report_id=report.pk)
    return report


@transaction.atomic
def assessment_report_request(
    *, actor: Actor, period_start: dt.date, period_end: dt.date, client: Client | None = None, staff=None
) -> WorkAssessmentReport:
    """Ask for a work assessment report (9 k) about a client or a staff member; a task builds it."""
    if (client is None) == (staff is None):
        raise ValidationError({"client": _("Name either a client or a staff member.")})
    if (
        staff is not None
        and not Membership.objects.filter(
            user=staff, agency=actor.agency, role__in=list(STAFF_ROLES), is_active=True
        ).exists()
    ):
        raise ValidationError({"staff": _("%(user)s is not on this agency's staff.") % {"user": staff}})
    _check_period(period_start, period_end, actor.agency)
    report = WorkAssessmentReport(
        agency=actor.agency,
        client=client,
        staff=staff,
        period_start=period_start,
        period_end=period_end,
        cadence=ReportCadence.ON_DEMAND,
        requested_by=actor.user,
        language=requester_language(),
    )
    report.full_clean()
    report.save()
    from records.tasks import report_build_task

    enqueue(report_build_task, agency_id=actor.agency.pk, kind="assessment", report_id=report.pk)
    return report


REPORT_MODELS = {"statistics": StatisticsReport, "assessment": WorkAssessmentReport}


def report_build(*, kind: str, report_id: int) -> StatisticsReport | WorkAssessmentReport:
    """Build a report's figures (9 j, 9 k) and mark it ready, with visible progress. Idempotent:
    a ready report is left as it is. A period with no data gives a report that says so."""
    from django.utils import translation

    from records import selectors

    model = REPORT_MODELS[kind]
    report = model.objects.get(pk=report_id)
    if report.status == ReportStatus.READY or report.voided_at is not None:
        return report
    _report_progress(model, report_id, status=ReportStatus.BUILDING, progress=10)
    period = Period(report.period_start, report.period_end)
    try:
        with translation.override(report.language or report.agency.language):
            if kind == "statistics":
                data = selectors.statistics_for(report.client, period)
            else:
                data = selectors.assessment_for(report.client or report.staff, period)
    except Exception as exc:
        logger.exception("Building %s report %s failed", kind, report_id)
        _report_progress(model, report_id, status=ReportStatus.FAILED, progress=100, error=str(exc)[:2000])
        raise
    _report_progress(model, report_id, progress=90)
    with transaction.atomic():
        report = model.objects.select_for_update().get(pk=report_id)
        report.data = data
        report.has_data = data["has_data"]
        report.status = ReportStatus.READY
        report.progress = 100
        report.error = ""
        report.generated_at = timezone.now()
        report.full_clean()
        report.save()
    return report


def _report_progress(model, report_id: int, **values) -> None:
    with transaction.atomic():
        model.objects.filter(pk=report_id).update(updated_at=timezone.now(), **values)


def monthly_reports_create(*, year: int, month: int) -> dict[str, int]:
    """The scheduled reports of a month (9 j, 9 k) for the current agency: a statistics and an
    assessment report per active client, an assessment report per staff member. Idempotent: a
    report that exists is not made again (a database constraint), an unfinished one is rebuilt."""
    agency = require_agency()
    period = Period.month(year, month)
    made = {"statistics": 0, "assessment": 0}
    clients = list(Client.objects.filter(status=ClientStatus.ACTIVE).order_by("pk"))
    staff = list(
        get_user_model()
        .objects.filter(
            memberships__agency=agency, memberships__role__in=list(STAFF_ROLES), memberships__is_active=True
        )
        .distinct()
        .order_by("pk")
    )
    jobs: list[tuple[str, dict]] = [("statistics", {"client": c}) for c in clients]
    jobs += [("assessment", {"client": c}) for c in clients]
    jobs += [("assessment", {"staff": person}) for person in staff]
    for kind, subject in jobs:
        model = REPORT_MODELS[kind]
        with transaction.atomic():
            report, created = _scheduled_report(model, agency, period, subject)
        if created:
            made[kind] += 1
        try:
            report_build(kind=kind, report_id=report.pk)
        except Exception:  # marked failed with its error; the other reports are still built
            logger.exception("Monthly %s report %s failed", kind, report.pk)
    return made


def _scheduled_report(model, agency, period: Period, subject: dict):
    lookup = {"cadence": ReportCadence.MONTHLY, "period_start": period.start, "period_end": period.end, **subject}
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return model.objects.create(agency=agency, **lookup), True
    except IntegrityError:  # made by a concurrent run
        return model.objects.get(**lookup), False


# --- exports -------------------------------------------------------------------------------------


@transaction.atomic
def export_request(*, actor: Actor, dataset: str, format: str, query: dict | None = None) -> ExportJob:
    """Ask for an export of a record list (clause 9, "paper or electronic"); a task makes the file.
    It exports what the requester may see, with the filters given."""
    from records.exports import DATASETS, validated_filters

    spec = DATASETS.get(dataset)
    if spec is None:
        raise ValidationError({"dataset": _("Unknown record list %(name)s.") % {"name": dataset}})
    if not actor.can(VIEW, spec.resource):
        raise ValidationError({"dataset": _("Your role does not allow reading this record list.")})
    if format not in ExportFormat.values:
        raise ValidationError({"format": _("Choose CSV, XLSX or PDF.")})
    query = validated_filters(spec, query or {}, actor)
    job = ExportJob(
        agency=actor.agency,
        dataset=dataset,
        format=format,
        query=query,
        client_id=actor.client_id,
        requested_by=actor.user,
        language=requester_language(),
    )
    job.full_clean()
    job.save()
    from records.tasks import export_task

    enqueue(export_task, agency_id=actor.agency.pk, job_id=job.pk)
    return job


def export_run(*, job_id: int, progress_every: int = 10) -> ExportJob:
    """Make an export's file, reporting progress as it goes. Idempotent: a finished job is left
    as it is. The requester's current role and scope decide the rows (a person who lost access
    gets a failed job, not the data)."""
    from records.exports import DATASETS, render_dataset

    job = ExportJob.objects.get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job
    membership = (
        Membership.objects.filter(user_id=job.requested_by_id, agency_id=job.agency_id, is_active=True)
        .select_related("agency", "user", "client")
        .first()
    )
    spec = DATASETS.get(job.dataset)
    if membership is None or spec is None or not membership.as_actor().can(VIEW, spec.resource):
        _job_update(job_id, status=JobStatus.FAILED, error=_("The requester may no longer read this record list."))
        return ExportJob.objects.get(pk=job_id)
    actor = membership.as_actor()
    _job_update(job_id, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0)
    last = {"step": 0}

    def report(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        step = percent // progress_every
        if step > last["step"] and percent < 100:
            last["step"] = step
            _job_update(job_id, progress=percent)

    try:
        from django.utils import translation

        with translation.override(job.language or job.agency.language):
            content, rows = render_dataset(spec, job.format, job.query, actor, progress=report)
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        _job_update(job_id, status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    name = f"{job.dataset}-{timezone.localtime(timezone.now(), job.agency.tz):%Y%m%d-%H%M%S}.{job.format}"
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        job.file.save(name, ContentFile(content), save=False)
        job.status = JobStatus.DONE
        job.progress = 100
        job.row_count = rows
        job.finished_at = timezone.now()
        try:
            job.save()
        except Exception:
            default_storage.delete(job.file.name)
            raise
    return job


def _job_update(job_id: int, **values) -> None:
    with transaction.atomic():
        ExportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)
