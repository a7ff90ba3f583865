"""Long jobs show their progress in the page without reloading it: each job's page names the JSON
it is polled from (an API detail endpoint, or a small status view), the JSON answers its status
and progress to those who may see the job and to no one else, and the page still says everything
when rendered (a manual reload brings it up to date)."""

from __future__ import annotations

import re

from django.test import Client as Browser
from django.urls import reverse

from production.models import ProbeState
from records.models import JobStatus
from records.models import ReportStatus as RecordReportStatus
from reports.models import ConformanceReport, ReportStatus
from tests.accounts_ops.factories import DataImportFactory
from tests.factories import PlatformAccountFactory
from tests.production.factories import ClipFactory, CutFactory, ShootFactory, VideoProjectFactory
from tests.records.factories import ExportJobFactory, StatisticsReportFactory


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def job_url(page: bytes) -> str:
    """The URL the page's job is polled from."""
    found = re.findall(r'data-job-url="([^"]+)"', page.decode())
    assert len(found) == 1, found
    return found[0]


def polled(b: Browser, page) -> dict:
    assert page.status_code == 200
    assert b"agency/progress.js" in page.content
    answer = b.get(job_url(page.content), HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    return answer.json()


def test_an_exports_page_polls_its_progress_and_shows_the_download_when_done(world):
    job = ExportJobFactory(agency=world.agency_a, status=JobStatus.RUNNING, progress=40, requested_by=world.staff_a)
    b = browser(world.staff_a)
    page = b.get(reverse("records:export-detail", args=[job.pk]))
    content = page.content.decode()
    assert '<progress max="100" value="40"' in content
    assert re.search(r'<p data-job-when="done" hidden><a class="button" href="[^"]+/download/">', content)
    data = polled(b, page)
    assert (data["status"], data["progress"]) == ("running", 40)

    job.status, job.progress = JobStatus.DONE, 100
    job.save()
    assert b.get(job_url(page.content)).json()["status"] == "done"
    done = b.get(reverse("records:export-detail", args=[job.pk])).content.decode()
    assert "agency/progress.js" not in done  # finished: nothing to poll
    assert re.search(r'<p data-job-when="done"><a class="button"', done)


def test_client_people_follow_their_own_exports_only(world):
    own = ExportJobFactory(agency=world.agency_a, client=world.client_a1, status=JobStatus.QUEUED)
    other = ExportJobFactory(agency=world.agency_a, client=world.client_a2, status=JobStatus.QUEUED)
    b = browser(world.viewer_a1)
    page = b.get(reverse("records:export-detail", args=[own.pk]))
    assert polled(b, page)["status"] == "queued"
    assert b.get(reverse("records:export-detail", args=[other.pk])).status_code == 404
    assert b.get(reverse("exportjob-detail", args=[other.pk])).status_code == 404


def test_a_job_of_another_agency_answers_404(world):
    job = ExportJobFactory(agency=world.agency_a, status=JobStatus.RUNNING)
    b = browser(world.staff_b)
    assert b.get(reverse("records:export-detail", args=[job.pk])).status_code == 404
    assert b.get(reverse("exportjob-detail", args=[job.pk])).status_code == 404


def test_a_report_being_built_reloads_once_ready(world):
    report = StatisticsReportFactory(client=world.client_a1, status=RecordReportStatus.BUILDING, progress=60)
    b = browser(world.staff_a)
    page = b.get(reverse("records:statistics-detail", args=[report.pk]))
    assert b'data-job-finished="ready failed"' in page.content and b"data-job-reload" in page.content
    data = polled(b, page)
    assert (data["status"], data["progress"]) == ("building", 60)


def test_a_data_imports_page_polls_its_progress(world):
    job = DataImportFactory(account=PlatformAccountFactory(client=world.client_a1), status="importing", progress=25)
    b = browser(world.staff_a)
    page = b.get(reverse("accounts_ops:import-detail", args=[job.pk]))
    data = polled(b, page)
    assert (data["status"], data["progress"]) == ("importing", 25)
    assert browser(world.staff_b).get(job_url(page.content)).status_code == 404


def test_a_shoots_page_polls_the_reading_of_its_clips(world):
    shoot = ShootFactory(project=VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1)))
    read = ClipFactory(shoot=shoot, probe_state=ProbeState.DONE, original_name="the-one-read.mp4")
    waiting = [ClipFactory(shoot=shoot, probe_state=state) for state in (ProbeState.PENDING, ProbeState.PROBING)]
    ClipFactory(shoot=shoot, probe_state=ProbeState.FAILED)
    b = browser(world.staff_a)
    page = b.get(reverse("production:shoot-detail", args=[shoot.pk]))
    assert polled(b, page) == {"status": "probing", "progress": 50, "unread": 2, "total": 4}

    for clip in waiting:
        clip.probe_state = ProbeState.DONE
        clip.save()
    assert b.get(job_url(page.content)).json() == {"status": "done", "progress": 100, "unread": 0, "total": 4}
    after = b.get(reverse("production:shoot-detail", args=[shoot.pk]))
    assert b"data-job-url" not in after.content and read.original_name.encode() in after.content
    # Another agency cannot follow it.
    assert browser(world.staff_b).get(reverse("production:shoot-probing", args=[shoot.pk])).status_code == 404


def test_a_projects_page_polls_the_reading_of_its_cut(world):
    project = VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1))
    cut = CutFactory(project=project, probe_state=ProbeState.PENDING)
    b = browser(world.staff_a)
    page = b.get(reverse("production:project-detail", args=[project.pk]))
    assert polled(b, page) == {"status": "probing", "progress": 0, "unread": 1, "total": 1}
    cut.probe_state = ProbeState.DONE
    cut.save()
    assert b.get(job_url(page.content)).json()["status"] == "done"
    assert b"data-job-url" not in b.get(reverse("production:project-detail", args=[project.pk])).content
    assert browser(world.staff_b).get(reverse("production:cut-probing", args=[project.pk])).status_code == 404


def test_conformance_reports_being_built_poll_their_progress_row_by_row(world):
    building = ConformanceReport.dangerously_all_agencies.create(
        agency=world.agency_a,
        client=world.client_a1,
        period_start="2026-01-01",
        period_end="2026-01-31",
        status=ReportStatus.BUILDING,
        progress=30,
        for_client=True,  # a client person sees only the reports built for the client
    )
    b = browser(world.viewer_a1)
    page = b.get(reverse("conformance-client", args=[world.client_a1.pk]))
    content = page.content.decode()
    assert "data-job-scope" in content
    assert re.search(r'href="[^"]+/download/" data-job-when="done" hidden', content)
    data = polled(b, page)
    assert (data["status"], data["progress"]) == ("building", 30)
    assert browser(world.staff_b).get(reverse("conformancereport-detail", args=[building.pk])).status_code == 404
