"""The agency chooses which conformance results its clients see (issue 22): its admin sets the
clauses on the settings page or through the API; client people read only those on their dashboard,
their conformance page and through the API; staff always read every clause."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as Browser
from django.urls import reverse

from agency.conformance import Period
from agency.conformance_shown import CLIENT_CONFORMANCE_CLAUSES, clauses_shown_to_clients, conformance_shown_to
from agency.services import agency_settings_change
from agency.standard import CLAUSES
from agency.tenancy import tenant_context
from reports.models import ConformanceReport
from reports.services import conformance_snapshot_take

ALL = [clause.id for clause in CLAUSES]
CHOSEN = ["4.1", "5.1"]
PAST = Period.month(2025, 3)


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def rows(html: str) -> list[str]:
    """The clause ids of a conformance table's rows."""
    return [clause for clause in ALL if f"<tr><td>{clause}</td>" in html]


def choose(world, clauses) -> None:
    agency_settings_change(actor=world.staff_a_actor, client_conformance_clauses=clauses)
    world.agency_a.refresh_from_db()


@pytest.fixture
def world(world):
    from agency.models import Membership

    world.staff_a_actor = Membership.objects.get(user=world.staff_a, agency=world.agency_a).as_actor()
    return world


def test_until_the_agency_chooses_its_clients_see_every_clause(world):
    assert clauses_shown_to_clients(world.agency_a) == ALL
    assert CLIENT_CONFORMANCE_CLAUSES.key not in world.agency_a.settings


def test_the_admin_chooses_the_clauses_and_choosing_all_returns_to_every_clause(world):
    choose(world, ["5.1", "4.1", "5.1"])
    assert world.agency_a.settings[CLIENT_CONFORMANCE_CLAUSES.key] == CHOSEN  # the standard's order, once each
    assert clauses_shown_to_clients(world.agency_a) == CHOSEN
    world.agency_b.refresh_from_db()
    assert clauses_shown_to_clients(world.agency_b) == ALL
    choose(world, [])
    assert clauses_shown_to_clients(world.agency_a) == []
    choose(world, ALL)
    assert CLIENT_CONFORMANCE_CLAUSES.key not in world.agency_a.settings  # clauses added later show too


def test_an_unknown_clause_is_refused_by_name_and_nothing_changes(world):
    choose(world, CHOSEN)
    with pytest.raises(ValidationError) as refused:
        choose(world, ["4.1", "9.9"])
    assert "9.9" in str(refused.value) and "client_conformance_clauses" in refused.value.message_dict
    world.agency_a.refresh_from_db()
    assert clauses_shown_to_clients(world.agency_a) == CHOSEN


def test_only_the_agency_admin_chooses(world):
    from tests.factories import MembershipFactory, UserFactory

    manager = MembershipFactory(agency=world.agency_a, role="account_manager", user=UserFactory()).as_actor()
    with pytest.raises(PermissionDenied):
        agency_settings_change(actor=manager, client_conformance_clauses=CHOSEN)


def test_the_filter_keeps_every_clause_for_staff_and_the_chosen_ones_for_client_people(world):
    from agency.models import Membership

    choose(world, CHOSEN)
    results = [{"clause_id": clause} for clause in ALL]
    viewer = Membership.objects.get(user=world.viewer_a1).as_actor()
    assert conformance_shown_to(world.staff_a_actor, results) == results
    assert [row["clause_id"] for row in conformance_shown_to(viewer, results)] == CHOSEN


def test_the_settings_page_ticks_the_shown_clauses_and_saves_the_choice(world):
    admin = browser(world.staff_a)
    url = reverse("agency-settings")
    text = admin.get(url).content.decode()
    assert text.count('name="client_conformance_clauses"') == len(ALL)
    assert text.count("checked>") >= len(ALL)
    saved = admin.post(url, {"client_conformance_form": "1", "client_conformance_clauses": CHOSEN})
    assert saved.status_code == 302
    world.agency_a.refresh_from_db()
    assert clauses_shown_to_clients(world.agency_a) == CHOSEN
    assert admin.get(url).content.decode().count("checked>") == len(CHOSEN)
    bad = admin.post(url, {"client_conformance_form": "1", "client_conformance_clauses": ["4.1", "11.7"]})
    assert bad.status_code == 400 and "11.7: not clauses of the standard" in bad.content.decode()
    # A post of the page without the clauses (another form) leaves them as they are.
    admin.post(url, {"require_two_step_for_staff": "on"})
    world.agency_a.refresh_from_db()
    assert clauses_shown_to_clients(world.agency_a) == CHOSEN and world.agency_a.require_two_step_for_staff


def test_the_settings_api_reads_and_changes_the_shown_clauses(world, api):
    url = reverse("api-agency-settings")
    admin = api(world.staff_a)
    assert admin.get(url).json()["client_conformance_clauses"] == ALL
    changed = admin.patch(url, {"client_conformance_clauses": CHOSEN}, format="json")
    assert changed.status_code == 200 and changed.json()["client_conformance_clauses"] == CHOSEN
    assert changed.json()["require_two_step_for_staff"] is False  # the other setting stays
    bad = admin.patch(url, {"client_conformance_clauses": ["4.1", "x"]}, format="json")
    assert bad.status_code == 400 and "client_conformance_clauses" in bad.json()["error"]["fields"]
    not_a_list = admin.patch(url, {"client_conformance_clauses": "4.1"}, format="json")
    assert not_a_list.status_code == 400
    world.agency_a.refresh_from_db()
    assert clauses_shown_to_clients(world.agency_a) == CHOSEN


def test_client_people_see_the_chosen_clauses_on_their_dashboard_and_conformance_page(world):
    choose(world, CHOSEN)
    for person in (world.viewer_a1, world.approver_a1):
        b = browser(person)
        assert rows(b.get(reverse("client-area:dashboard")).content.decode()) == CHOSEN
        page = b.get(reverse("conformance-client", args=[world.client_a1.pk]), {"period": "2025-03"})
        assert rows(page.content.decode()) == CHOSEN
    staff = browser(world.staff_a)
    assert rows(staff.get(reverse("conformance-client", args=[world.client_a1.pk])).content.decode()) == ALL
    assert rows(staff.get(reverse("clients:client-detail", args=[world.client_a1.pk])).content.decode()) == ALL


def test_none_chosen_leaves_the_client_a_plain_note(world):
    choose(world, [])
    text = browser(world.viewer_a1).get(reverse("client-area:dashboard")).content.decode()
    assert rows(text) == [] and "No clause results to show." in text


def test_client_people_read_the_chosen_clauses_through_the_api(world, api):
    choose(world, CHOSEN)
    with tenant_context(world.agency_a):
        conformance_snapshot_take(client=world.client_a1, period=PAST)
    evaluate = reverse("conformancesnapshot-evaluate")
    query = {"client": world.client_a1.pk, "period": "2025-04"}
    viewer, staff = api(world.viewer_a1), api(world.staff_a)
    assert [row["clause_id"] for row in viewer.get(evaluate, query).json()] == CHOSEN
    assert [row["clause_id"] for row in staff.get(evaluate, query).json()] == ALL
    (mine,) = viewer.get(reverse("conformancesnapshot-list")).json()["results"]
    assert [row["clause_id"] for row in mine["results"]] == CHOSEN
    assert mine["met"] + mine["not_met"] <= len(CHOSEN)
    assert mine["met"] == sum(row["status"] == "met" for row in mine["results"])
    (full,) = staff.get(reverse("conformancesnapshot-list")).json()["results"]
    assert [row["clause_id"] for row in full["results"]] == ALL


def pdf_clauses(report_id: int) -> list[str]:
    """The clauses whose rows a built report's PDF holds."""
    from agency.standard import CLAUSES_BY_ID
    from tests.agency.test_conformance_reports import pdf_text

    text = pdf_text(ConformanceReport.dangerously_all_agencies.get(pk=report_id))
    return [c for c in ALL if re.search(rf"{re.escape(c)}\s+{re.escape(CLAUSES_BY_ID[c].title_en[:8])}", text)]


def test_a_pdf_report_a_client_person_asks_for_holds_the_chosen_clauses_and_the_staffs_holds_all(
    world, api, django_capture_on_commit_callbacks
):
    choose(world, CHOSEN)
    body = {"client": world.client_a1.pk, "period": "2025-03", "language": "en"}
    with django_capture_on_commit_callbacks(execute=True):
        theirs = api(world.viewer_a1).post(reverse("conformancereport-list"), body, format="json")
        ours = api(world.staff_a).post(reverse("conformancereport-list"), body, format="json")
        for_them = api(world.staff_a).post(
            reverse("conformancereport-list"), {**body, "for_client": True}, format="json"
        )
    for response, expected, for_client in ((theirs, CHOSEN, True), (ours, ALL, False), (for_them, CHOSEN, True)):
        assert pdf_clauses(response.json()["id"]) == expected
        report = ConformanceReport.dangerously_all_agencies.get(pk=response.json()["id"])
        assert report.for_client is for_client and report.clauses == expected  # what it holds, recorded
    # A client person asking for the staff's report is still given the client's.
    with django_capture_on_commit_callbacks(execute=True):
        forced = api(world.viewer_a1).post(
            reverse("conformancereport-list"), {**body, "for_client": False}, format="json"
        )
    assert forced.json()["for_client"] is True and pdf_clauses(forced.json()["id"]) == CHOSEN


def test_a_client_person_never_receives_a_hidden_clause_by_page_api_or_pdf(
    world, api, django_capture_on_commit_callbacks
):
    """The staff's report (every clause) never reaches client people; a report built for the
    client reaches them while it holds no clause the agency hides, and not after it hides one."""
    choose(world, CHOSEN)
    staff_page = browser(world.staff_a)
    url = reverse("conformance-client", args=[world.client_a1.pk])
    with django_capture_on_commit_callbacks(execute=True):
        staff_page.post(url, {"period": "2025-03", "language": "en"})
        staff_page.post(url, {"period": "2025-03", "language": "en", "for_client": "1"})
    with tenant_context(world.agency_a):
        everything, for_client = (
            ConformanceReport.objects.get(for_client=False),
            ConformanceReport.objects.get(for_client=True),
        )
    assert pdf_clauses(everything.pk) == ALL and pdf_clauses(for_client.pk) == CHOSEN
    download = reverse("conformance-report-download", args=[everything.pk])
    download_theirs = reverse("conformance-report-download", args=[for_client.pk])
    # Staff read and download both, and see which one was built for the client.
    staff_view = staff_page.get(url).content.decode()
    assert download in staff_view and download_theirs in staff_view and "for the client" in staff_view
    assert staff_page.get(download).status_code == 200

    viewer = browser(world.viewer_a1)
    page = viewer.get(url).content.decode()
    assert rows(page) == CHOSEN  # the page's results
    assert download_theirs in page and download not in page  # the reports listed
    assert viewer.get(download).status_code == 404  # the staff's PDF, asked for by its address
    pdf = viewer.get(download_theirs)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    listed = api(world.viewer_a1).get(reverse("conformancereport-list")).json()["results"]
    assert [r["id"] for r in listed] == [for_client.pk] and listed[0]["clauses"] == CHOSEN
    assert api(world.viewer_a1).get(reverse("conformancereport-detail", args=[everything.pk])).status_code == 404
    evaluated = (
        api(world.viewer_a1)
        .get(reverse("conformancesnapshot-evaluate"), {"client": world.client_a1.pk, "period": "2025-03"})
        .json()
    )
    assert [row["clause_id"] for row in evaluated] == CHOSEN

    # The agency hides 5.1: the report holding it is withheld from then on, the staff keep it.
    choose(world, ["4.1"])
    assert viewer.get(download_theirs).status_code == 404
    assert download_theirs not in viewer.get(url).content.decode()
    assert api(world.viewer_a1).get(reverse("conformancereport-list")).json()["results"] == []
    assert staff_page.get(download_theirs).status_code == 200
