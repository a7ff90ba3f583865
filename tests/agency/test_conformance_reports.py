"""The standard as evidence: live evaluation, frozen monthly snapshots, PDF reports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client as Browser
from django.urls import reverse
from pypdf import PdfReader

from agency.conformance import Period, Status
from agency.standard import CLAUSES
from agency.tenancy import tenant_context
from clients.models import RequirementStatus
from reports.models import ConformanceReport, ConformanceSnapshot, ReportStatus
from reports.services import conformance_snapshot_take, previous_month
from reports.tasks import conformance_snapshot_month_task
from tests.factories import ClientRequirementFactory
from tests.isolation import TenantAPITestCases

PAST = Period.month(2025, 3)


class TestConformanceSnapshotAPI(TenantAPITestCases):
    basename = "conformancesnapshot"
    model = ConformanceSnapshot


class TestConformanceReportAPI(TenantAPITestCases):
    basename = "conformancereport"
    model = ConformanceReport

    def make(self, agency, client):
        # Built for the client: the reports a client person may see at all (a staff report never
        # reaches them: tests/clients/test_conformance_shown.py).
        report = super().make(agency, client)
        ConformanceReport.dangerously_all_agencies.filter(pk=report.pk).update(for_client=True)
        report.for_client = True
        return report

    def create_payload(self, world):
        return {"client": world.client_a1.pk, "period": "2025-03", "language": "en"}


def overdue_requirement(client):
    return ClientRequirementFactory(
        client=client,
        raised_at=dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC),
        status=RequirementStatus.ACCEPTED,
        decided_at=dt.datetime(2025, 3, 2, tzinfo=dt.UTC),
        due_date=dt.date(2025, 3, 10),
    )


def test_live_evaluation_answers_every_clause(world, api):
    overdue_requirement(world.client_a1)
    response = api(world.staff_a).get(
        reverse("conformancesnapshot-evaluate"), {"client": world.client_a1.pk, "period": "2025-03"}
    )
    assert response.status_code == 200
    body = response.json()
    assert [row["clause_id"] for row in body] == [c.id for c in CLAUSES]
    assert body[0]["status"] == Status.NOT_MET and body[0]["evidence"][0]["url"]


def test_live_evaluation_of_another_client_is_404_for_client_people(world, api):
    url = reverse("conformancesnapshot-evaluate")
    assert api(world.viewer_a1).get(url, {"client": world.client_a2.pk, "period": "2025-03"}).status_code == 404
    assert api(world.viewer_a1).get(url, {"client": world.client_a1.pk, "period": "2025-03"}).status_code == 200
    assert api(world.staff_a).get(url, {"client": world.client_b.pk, "period": "2025-03"}).status_code == 404


def test_live_evaluation_names_a_bad_period(world, api):
    response = api(world.staff_a).get(
        reverse("conformancesnapshot-evaluate"), {"client": world.client_a1.pk, "period": "March"}
    )
    assert response.status_code == 400 and "period" in response.json()["error"]["fields"]


def test_snapshot_is_stable_and_frozen(world):
    requirement = overdue_requirement(world.client_a1)
    with tenant_context(world.agency_a):
        first, created = conformance_snapshot_take(client=world.client_a1, period=PAST)
        again, created_again = conformance_snapshot_take(client=world.client_a1, period=PAST)
    assert created and not created_again and first.pk == again.pk
    assert first.results[0]["status"] == Status.NOT_MET
    assert first.not_met == sum(row["status"] == Status.NOT_MET for row in first.results)
    # Fixing the record later does not rewrite the frozen month.
    requirement.status, requirement.fulfilled_at, requirement.fulfilment_note = (
        RequirementStatus.FULFILLED,
        dt.datetime(2025, 3, 5, tzinfo=dt.UTC),
        "done",
    )
    requirement.save()
    first.refresh_from_db()
    assert first.results[0]["status"] == Status.NOT_MET


def test_snapshot_built_twice_from_the_same_data_is_equal(world):
    overdue_requirement(world.client_a1)
    with tenant_context(world.agency_a):
        first, _ = conformance_snapshot_take(client=world.client_a1, period=PAST)
        results = first.results
        first.delete()
        second, _ = conformance_snapshot_take(client=world.client_a1, period=PAST)
    assert second.results == results


def test_an_open_period_cannot_be_frozen(world):
    with tenant_context(world.agency_a), pytest.raises(Exception, match="ended"):
        conformance_snapshot_take(client=world.client_a1, period=Period.year(2999))


def test_monthly_task_freezes_each_active_client_once(world):
    assert conformance_snapshot_month_task.delay(agency_id=world.agency_a.pk, year=2025, month=3).get() == 2
    assert conformance_snapshot_month_task.delay(agency_id=world.agency_a.pk, year=2025, month=3).get() == 0
    assert ConformanceSnapshot.dangerously_all_agencies.filter(agency=world.agency_a).count() == 2
    assert not ConformanceSnapshot.dangerously_all_agencies.filter(agency=world.agency_b).exists()


def test_previous_month_across_a_year():
    assert previous_month(dt.date(2027, 1, 1)) == Period.month(2026, 12)


def pdf_text(report) -> str:
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_report_is_built_with_every_clause_in_chinese(world, api, django_capture_on_commit_callbacks):
    overdue_requirement(world.client_a1)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.staff_a).post(
            reverse("conformancereport-list"),
            {"client": world.client_a1.pk, "period": "2025-03", "language": "zh-hans"},
            format="json",
        )
    assert response.status_code == 201, response.content
    report = ConformanceReport.dangerously_all_agencies.get(pk=response.json()["id"])
    assert report.status == ReportStatus.DONE and report.progress == 100
    text = pdf_text(report)
    for clause in CLAUSES:
        assert clause.id in text
    assert "短视频平台代运营服务规范" in text and "符合性报告" in text and "采纳要求" in text
    detail = api(world.staff_a).get(reverse("conformancereport-detail", args=[report.pk])).json()
    assert detail["download_url"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_report_asked_without_a_language_is_in_the_requesters(world, api, language):
    client = api(world.staff_a)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(
        reverse("conformancereport-list"), {"client": world.client_a1.pk, "period": "2025-03"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert ConformanceReport.dangerously_all_agencies.get(pk=response.json()["id"]).language == language


def test_report_in_english_on_request(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.staff_a).post(
            reverse("conformancereport-list"),
            {"client": world.client_a1.pk, "period": "2025-03", "language": "en"},
            format="json",
        )
    text = pdf_text(ConformanceReport.dangerously_all_agencies.get(pk=response.json()["id"]))
    assert "Conformance report" in text and "Gaps and what would close them" in text


def test_client_person_gets_only_own_clients_report(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        own = api(world.viewer_a1).post(
            reverse("conformancereport-list"), {"client": world.client_a1.pk, "period": "2025-03"}, format="json"
        )
        other = api(world.viewer_a1).post(
            reverse("conformancereport-list"), {"client": world.client_a2.pk, "period": "2025-03"}, format="json"
        )
    assert own.status_code == 201 and other.status_code == 400
    browser = Browser()
    browser.force_login(world.viewer_a1)
    download = browser.get(reverse("conformance-report-download", args=[own.json()["id"]]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    staff_report = ConformanceReport.objects.create(
        agency=world.agency_a,
        client=world.client_a2,
        period_start=PAST.start,
        period_end=PAST.end,
        status=ReportStatus.DONE,
    )
    assert browser.get(reverse("conformance-report-download", args=[staff_report.pk])).status_code == 404
    assert browser.get(reverse("conformance-client", args=[world.client_a2.pk])).status_code == 404


def test_analyst_reads_but_cannot_ask_for_reports(world, api):
    from tests.factories import MembershipFactory, UserFactory

    analyst = MembershipFactory(agency=world.agency_a, role="analyst", user=UserFactory()).user
    assert api(analyst).get(reverse("conformancereport-list")).status_code == 200
    response = api(analyst).post(
        reverse("conformancereport-list"), {"client": world.client_a1.pk, "period": "2025-03"}, format="json"
    )
    assert response.status_code == 403


def test_matrix_and_client_pages_render(world):
    overdue_requirement(world.client_a1)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("conformance-matrix"), {"period": "2025-03"}).content.decode()
    assert "A1 hotpot" in page and "B1 coffee" not in page and "✗" in page
    page = browser.get(reverse("conformance-client", args=[world.client_a1.pk]), {"period": "2025-03"})
    assert page.status_code == 200
    response = browser.post(reverse("conformance-client", args=[world.client_a1.pk]), {"period": "2025-03"})
    assert response.status_code == 302
    assert ConformanceReport.dangerously_all_agencies.filter(client=world.client_a1).exists()
