"""Scheduled work of chapter 10 (thin wrappers over services). Every tenant task works out
"today" in the agency's own time zone, is idempotent, and is fanned out per agency by a beat
entry point."""

from __future__ import annotations

from django.utils import timezone

from agency.celery import app
from agency.models import Agency
from agency.tasks import TenantTask
from evaluation.models import EvaluationCampaign
from evaluation.services import campaigns, complaints, followups, questionnaires


@app.task(base=TenantTask)
def yearly_evaluation_task(*, agency_id: int) -> dict:
    """10.1, daily: every active client gets its yearly evaluation (created, sent, its account
    manager reminded) once the agency's month has come; clients with no answers are flagged as
    the year's end approaches."""
    today = Agency.objects.get(pk=agency_id).today()
    questionnaires.questionnaire_ensure_default()
    created = campaigns.evaluations_ensure_yearly(today=today)
    flagged = campaigns.evaluations_flag_year_end(today=today)
    return {"created": len(created), "flagged": len(flagged)}


@app.task(base=TenantTask)
def survey_schedule_task(*, agency_id: int) -> dict:
    """Daily: send the scheduled campaigns whose day has come (the 10.2 follow-ups among them),
    close the ones whose last day has passed (a follow-up then decides its cycle), and flag the
    follow-ups that would miss their month."""
    today = Agency.objects.get(pk=agency_id).today()
    sent = campaigns.campaigns_launch_due(today=today)
    closed = followups.campaigns_close_due(today=today)
    flagged = followups.follow_ups_flag_at_risk(today=today)
    return {"sent": len(sent), "closed": len(closed), "flagged": len(flagged)}


@app.task(base=TenantTask)
def complaints_escalate_task(*, agency_id: int) -> int:
    """Hourly: escalate the agency's overdue complaints (10.1 customer protection)."""
    return len(complaints.complaints_escalate_overdue(now=timezone.now()))


@app.task(base=TenantTask)
def campaign_send_invitations_task(*, agency_id: int, campaign_id: int) -> int:
    """Email a campaign's invitations that have not gone out yet."""
    campaign = EvaluationCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    return campaigns.campaign_send_invitations(campaign=campaign)


@app.task
def yearly_evaluation_all_agencies_task() -> int:
    """Beat entry point: one ``yearly_evaluation_task`` per active agency."""
    return yearly_evaluation_task.for_every_agency()


@app.task
def survey_schedule_all_agencies_task() -> int:
    """Beat entry point: one ``survey_schedule_task`` per active agency."""
    return survey_schedule_task.for_every_agency()


@app.task
def complaints_escalate_all_agencies_task() -> int:
    """Beat entry point: one ``complaints_escalate_task`` per active agency."""
    return complaints_escalate_task.for_every_agency()
