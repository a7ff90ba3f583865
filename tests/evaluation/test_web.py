"""The staff pages of chapter 10 and the client area's view of it, through Django's test client."""

from __future__ import annotations

import datetime as dt

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from evaluation.models import (
    ActionStatus,
    CampaignKind,
    CampaignStatus,
    Complaint,
    ComplaintStatus,
    EvaluationCampaign,
    ImprovementAction,
)
from evaluation.rules import FOLLOW_UP_WITHIN_DAYS
from tests.evaluation.factories import (
    ComplaintFactory,
    EvaluationCampaignFactory,
    ImprovementActionFactory,
    ImprovementCycleFactory,
    QuestionnaireTemplateFactory,
    ServiceGuaranteeFactory,
    published_template,
)
from tests.factories import MembershipFactory, UserFactory


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def test_staff_pages_render(world):
    campaign = EvaluationCampaignFactory(client=world.client_a1)
    complaint = ComplaintFactory(client=world.client_a1, campaign=campaign)
    action = ImprovementActionFactory(cycle=ImprovementCycleFactory(client=world.client_a1, campaign=campaign))
    guarantee = ServiceGuaranteeFactory(agency=world.agency_a)
    draft = QuestionnaireTemplateFactory(agency=world.agency_a)
    b = browser(world.staff_a)
    for name, args in [
        ("evaluation:index", []),
        ("evaluation:chapter", []),
        ("evaluation:campaign-list", []),
        ("evaluation:campaign-create", []),
        ("evaluation:campaign-detail", [campaign.pk]),
        ("evaluation:questionnaire-list", []),
        ("evaluation:questionnaire-create", []),
        ("evaluation:questionnaire-detail", [draft.pk]),
        ("evaluation:questionnaire-detail", [campaign.template_id]),
        ("evaluation:complaint-list", []),
        ("evaluation:complaint-create", []),
        ("evaluation:complaint-detail", [complaint.pk]),
        ("evaluation:guarantee-list", []),
        ("evaluation:guarantee-create", []),
        ("evaluation:guarantee-update", [guarantee.pk]),
        ("evaluation:cycle-list", []),
        ("evaluation:cycle-create", []),
        ("evaluation:cycle-detail", [action.cycle_id]),
    ]:
        response = b.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    page = b.get(reverse("evaluation:campaign-detail", args=[campaign.pk])).content.decode()
    assert campaign.public_path in page and "<svg" in page


def test_other_agencys_pages_are_404(world):
    campaign = EvaluationCampaignFactory(client=world.client_b)
    complaint = ComplaintFactory(client=world.client_b)
    b = browser(world.staff_a)
    assert b.get(reverse("evaluation:campaign-detail", args=[campaign.pk])).status_code == 404
    assert b.get(reverse("evaluation:campaign-qr", args=[campaign.pk])).status_code == 404
    assert b.get(reverse("evaluation:complaint-detail", args=[complaint.pk])).status_code == 404
    assert b.post(reverse("evaluation:campaign-step", args=[campaign.pk, "close"])).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


def test_the_overview_lists_this_years_evaluation_per_client(world):
    year = timezone.localdate(timezone=world.agency_a.tz).year
    EvaluationCampaignFactory(client=world.client_a1, year=year)
    page = browser(world.staff_a).get(reverse("evaluation:index")).content.decode()
    assert "A1 hotpot" in page and "A2 tea" in page and "B1 coffee" not in page
    assert reverse("evaluation:campaign-create") + f"?client={world.client_a2.pk}" in page


def test_creating_a_campaign_in_the_page_refuses_a_second_one_for_the_year(world):
    template = published_template(world.agency_a, default=True)
    b = browser(world.staff_a)
    body = {"client": world.client_a1.pk, "year": 2031, "template": template.pk}
    assert b.post(reverse("evaluation:campaign-create"), body).status_code == 302
    again = b.post(reverse("evaluation:campaign-create"), body)
    assert again.status_code == 200 and "already has its 2031 evaluation" in again.content.decode()
    assert EvaluationCampaign.dangerously_all_agencies.filter(client=world.client_a1, year=2031).count() == 1


def test_a_follow_up_moved_past_thirty_days_is_refused_in_the_page(world):
    cycle = ImprovementCycleFactory(client=world.client_a1)
    today = timezone.localdate()
    follow_up = EvaluationCampaignFactory(
        client=world.client_a1,
        kind=CampaignKind.FOLLOW_UP,
        cycle=cycle,
        round=1,
        status=CampaignStatus.DRAFT,
        opened_at=None,
        opens_on=today + dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=20),
        due_by=today + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS - 10),
    )
    late = (follow_up.due_by + dt.timedelta(days=1)).isoformat()
    response = browser(world.staff_a).post(
        reverse("evaluation:campaign-step", args=[follow_up.pk, "reschedule"]), {"reschedule-opens_on": late}
    )
    assert response.status_code == 400
    assert f"within {FOLLOW_UP_WITHIN_DAYS} days" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.opens_on == today + dt.timedelta(days=5)


def test_completing_an_action_in_the_page_schedules_the_follow_up(world):
    action = ImprovementActionFactory(cycle=ImprovementCycleFactory(client=world.client_a1))
    b = browser(world.staff_a)
    url = reverse("evaluation:action-step", args=[action.pk, "complete"])
    missing = b.post(url, {"complete-evidence": ""})
    assert missing.status_code == 400
    done = b.post(url, {"complete-evidence": "Roster on the wall", "complete-evidence_url": ""})
    assert done.status_code == 302 and done.url == reverse("evaluation:cycle-detail", args=[action.cycle_id])
    action = ImprovementAction.dangerously_all_agencies.get(pk=action.pk)
    assert action.status == ActionStatus.DONE and action.follow_up.kind == CampaignKind.FOLLOW_UP


def test_the_complaint_workflow_in_the_pages(world):
    complaint = ComplaintFactory(client=world.client_a1)
    b = browser(world.staff_a)
    empty = b.post(reverse("evaluation:complaint-step", args=[complaint.pk, "resolve"]), {"resolve-resolution": ""})
    assert empty.status_code == 400
    b.post(
        reverse("evaluation:complaint-step", args=[complaint.pk, "resolve"]),
        {"resolve-resolution": "Reposted with apologies", "resolve-compensation": "One free video"},
    )
    client_side = browser(world.approver_a1)
    page = client_side.get(reverse("evaluation:complaint-detail", args=[complaint.pk])).content.decode()
    assert "Reposted with apologies" in page
    client_side.post(reverse("evaluation:complaint-step", args=[complaint.pk, "confirm"]), {"confirm-accepted": "1"})
    assert Complaint.dangerously_all_agencies.get(pk=complaint.pk).status == ComplaintStatus.CLOSED


def test_an_analyst_reads_but_cannot_send_a_campaign(world):
    analyst = MembershipFactory(agency=world.agency_a, role="analyst", user=UserFactory()).user
    campaign = EvaluationCampaignFactory(client=world.client_a1, status=CampaignStatus.DRAFT, opened_at=None)
    b = browser(analyst)
    assert b.get(reverse("evaluation:campaign-detail", args=[campaign.pk])).status_code == 200
    assert b.post(reverse("evaluation:campaign-step", args=[campaign.pk, "launch"])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


# --- the client area --------------------------------------------------------------------------


def test_client_people_see_their_evaluations_complaints_and_improvements_only(world):
    own = EvaluationCampaignFactory(client=world.client_a1, year=2026)
    other = EvaluationCampaignFactory(client=world.client_a2, year=2026)
    ComplaintFactory(client=world.client_a1, subject="Own complaint")
    ComplaintFactory(client=world.client_a2, subject="Other complaint")
    cycle = ImprovementCycleFactory(client=world.client_a1, finding="Own finding")
    ImprovementCycleFactory(client=world.client_a2, finding="Other finding")
    b = browser(world.viewer_a1)
    assert b.get(reverse("evaluation:index")).url == reverse("evaluation:client-home")
    page = b.get(reverse("evaluation:client-home")).content.decode()
    assert "Own complaint" in page and "Own finding" in page and "A1 hotpot" in page
    assert "Other complaint" not in page and "Other finding" not in page and "A2 tea" not in page
    assert b.get(reverse("evaluation:campaign-detail", args=[own.pk])).status_code == 200
    assert b.get(reverse("evaluation:campaign-detail", args=[other.pk])).status_code == 404
    assert b.get(reverse("evaluation:cycle-detail", args=[cycle.pk])).status_code == 200
    assert b.get(reverse("evaluation:campaign-qr", args=[own.pk])).status_code == 200
    assert b.get(reverse("evaluation:complaint-list")).status_code == 302  # staff list: back to their dashboard


def test_a_client_person_files_a_complaint_in_the_client_area(world):
    b = browser(world.viewer_a1)
    assert b.get(reverse("evaluation:complaint-create")).status_code == 200
    sneaky = b.post(
        reverse("evaluation:complaint-create"),
        {"client": world.client_a2.pk, "category": "content", "severity": "low", "subject": "x", "description": "y"},
    )
    assert sneaky.status_code == 200 and not Complaint.dangerously_all_agencies.exists()
    ok = b.post(
        reverse("evaluation:complaint-create"),
        {
            "client": world.client_a1.pk,
            "category": "content",
            "severity": "high",
            "subject": "Wrong price in video",
            "description": "The video shows last year's price.",
        },
    )
    assert ok.status_code == 302
    complaint = Complaint.dangerously_all_agencies.get()
    assert complaint.client_id == world.client_a1.pk and complaint.source == "client"
    assert complaint.channel == "client_area" and complaint.created_by_id == world.viewer_a1.pk
