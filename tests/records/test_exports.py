"""Exports ("paper or electronic", clause 9): the files' contents, opened and read back."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from records.exports.datasets import DATASETS, EXPORT_INLINE_MAX_ROWS
from records.models import ExportJob, JobStatus, StatisticsReport
from records.services.exports import export_run
from records.services.reports import report_build
from tests.factories import PlatformAccountFactory
from tests.records.factories import AssetFactory, DailyInspectionFactory, StatisticsReportFactory


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def export(api, user, basename, file_format, **filters):
    return api(user).get(reverse(f"{basename}-export"), {"file_format": file_format, **filters})


@pytest.fixture
def assets(world):
    return [
        AssetFactory(
            agency=world.agency_a, client=world.client_a1, identifier="CAM-01", name="索尼摄像机", location="成都仓库"
        ),
        AssetFactory(agency=world.agency_a, client=world.client_a2, identifier="LGT-02", name="补光灯"),
        AssetFactory(agency=world.agency_b, client=world.client_b, identifier="B-01", name="别家的相机"),
    ]


def test_csv_export_is_utf8_for_spreadsheets_and_follows_the_filters(world, api, assets):
    response = export(api, world.staff_a, "asset", "csv", client=world.client_a1.pk)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Identifier", "Name"]
    assert rows[1][:2] == ["CAM-01", "索尼摄像机"] and len(rows) == 2


def test_xlsx_export_opens_with_the_records_of_the_agency_only(world, api, assets):
    response = export(api, world.staff_a, "asset", "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Identifier"
    names = {row[1] for row in values[1:]}
    assert names == {"索尼摄像机", "补光灯"}


def test_pdf_export_is_a4_and_its_chinese_text_reads_back(world, api, assets):
    response = export(api, world.staff_a, "asset", "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert sorted((round(width), round(height))) == [595, 842]  # A4 in points
    text = pdf_text(response.content)
    assert "索尼摄像机" in text and "成都仓库" in text and "补光灯" in text
    assert "别家的相机" not in text


def test_client_people_export_only_their_own_clients_records(world, api, assets):
    response = export(api, world.viewer_a1, "asset", "csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "索尼摄像机" in text and "补光灯" not in text


def test_every_record_list_exports_in_every_format(world, api):
    DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1, handle="laojie_hotpot"))
    for key, spec in DATASETS.items():
        basename = spec.model._meta.model_name
        for file_format in ("csv", "xlsx", "pdf"):
            response = export(api, world.staff_a, basename, file_format)
            assert response.status_code == 200, (key, file_format, response.content[:300])
    text = pdf_text(export(api, world.staff_a, "dailyinspection", "pdf").content)
    assert "laojie_hotpot" in text


def test_an_unknown_format_is_refused_with_the_field_named(world, api):
    response = export(api, world.staff_a, "asset", "docx")
    assert response.status_code == 400 and "file_format" in response.json()["error"]["fields"]


def test_a_long_list_is_sent_to_an_export_job(world, api, settings, monkeypatch):
    monkeypatch.setattr("records.exports.datasets.EXPORT_INLINE_MAX_ROWS", 1)
    AssetFactory(agency=world.agency_a)
    AssetFactory(agency=world.agency_a)
    response = export(api, world.staff_a, "asset", "csv")
    assert response.status_code == 400 and "export-jobs" in response.json()["error"]["message"]
    assert EXPORT_INLINE_MAX_ROWS > 1


def test_an_export_job_reports_progress_and_serves_its_file(world, api, assets, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = api(world.staff_a).post(
            reverse("exportjob-list"),
            {"dataset": "assets", "format": "xlsx", "query": {"client": str(world.client_a1.pk)}},
            format="json",
        )
    assert created.status_code == 201, created.content
    job = api(world.staff_a).get(reverse("exportjob-detail", args=[created.json()["id"]])).json()
    assert (job["status"], job["progress"], job["row_count"]) == ("done", 100, 1)
    download = api(world.staff_a).get(job["download_url"])
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["索尼摄像机"]


def test_an_export_job_with_a_bad_filter_is_refused(world, api):
    response = api(world.staff_a).post(
        reverse("exportjob-list"), {"dataset": "assets", "format": "csv", "query": {"client": "abc"}}, format="json"
    )
    assert response.status_code == 400 and "query.client" in response.json()["error"]["fields"]
    assert not ExportJob.dangerously_all_agencies.exists()


def test_an_export_job_made_by_someone_who_lost_access_fails_without_data(world, assets):
    from agency.models import Membership

    job = ExportJob.objects.create(agency=world.agency_a, dataset="assets", format="csv", requested_by=world.staff_a)
    Membership.objects.filter(user=world.staff_a).update(is_active=False)
    from agency.tenancy import tenant_context

    with tenant_context(world.agency_a):
        result = export_run(job_id=job.pk)
    assert result.status == JobStatus.FAILED and not result.file


# --- reports --------------------------------------------------------------------------------------


def built_report(world, client) -> StatisticsReport:
    from agency.tenancy import tenant_context

    report = StatisticsReportFactory(client=client)
    with tenant_context(world.agency_a):
        return report_build(kind="statistics", report_id=report.pk)


def test_report_files_carry_the_clients_chinese_name_and_the_no_data_notice(world, api):
    world.client_a1.name = "老街火锅"
    world.client_a1.save()
    PlatformAccountFactory(client=world.client_a1, handle="laojie", nickname="老街火锅官方", followers=186000)
    report = built_report(world, world.client_a1)
    url = reverse("statisticsreport-file", args=[report.pk])
    pdf = api(world.staff_a).get(url, {"file_format": "pdf"})
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "老街火锅" in text and "老街火锅官方" in text and "No data for this period" in text
    workbook = load_workbook(io.BytesIO(api(world.staff_a).get(url, {"file_format": "xlsx"}).content))
    summary = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert "老街火锅" in summary[0][0]
    assert any(sheet._charts for sheet in workbook.worksheets)
    csv_text = api(world.staff_a).get(url, {"file_format": "csv"}).content.decode("utf-8-sig")
    assert "老街火锅官方" in csv_text and "No data for this period" in csv_text


def test_a_report_still_building_cannot_be_exported(world, api):
    report = StatisticsReportFactory(client=world.client_a1)
    response = api(world.staff_a).get(reverse("statisticsreport-file", args=[report.pk]), {"file_format": "pdf"})
    assert response.status_code == 400 and "not ready" in response.json()["error"]["message"]
