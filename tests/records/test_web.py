"""The records pages, through Django's test client: staff work, client people read their own."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from records.models import AssetCheckout, DailyInspection, ExportJob, ImageRecord, StatisticsReport
from tests.factories import PlatformAccountFactory
from tests.records.factories import (
    AssetFactory,
    DailyInspectionFactory,
    ImageRecordFactory,
    StatisticsReportFactory,
    UsageRecordFactory,
    WorkAssessmentReportFactory,
    png_bytes,
)


def browser(user=None) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        b.force_login(user)
    return b


def test_staff_pages_render(world):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1, name="索尼摄像机")
    inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1))
    UsageRecordFactory(account=inspection.account)
    statistics = StatisticsReportFactory(client=world.client_a1)
    assessment = WorkAssessmentReportFactory(client=world.client_a1)
    image = ImageRecordFactory(client=world.client_a1)
    b = browser(world.staff_a)
    pages = [
        ("records:index", []),
        ("records:asset-list", []),
        ("records:asset-create", []),
        ("records:asset-detail", [asset.pk]),
        ("records:asset-update", [asset.pk]),
        ("records:inspection-list", []),
        ("records:inspection-detail", [inspection.pk]),
        ("records:follow-up-list", []),
        ("records:usage-list", []),
        ("records:usage-create", []),
        ("records:statistics-list", []),
        ("records:statistics-create", []),
        ("records:statistics-detail", [statistics.pk]),
        ("records:assessment-list", []),
        ("records:assessment-create", []),
        ("records:assessment-detail", [assessment.pk]),
        ("records:image-list", []),
        ("records:image-create", []),
        ("records:image-detail", [image.pk]),
        ("records:audit-list", []),
        ("records:export-list", []),
    ]
    for name, args in pages:
        response = b.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    assert "索尼摄像机" in b.get(reverse("records:asset-list")).content.decode()
    assert b.get(reverse("records:image-file", args=[image.pk, "thumbnail"])).status_code == 200


def test_other_agencys_record_pages_are_404(world):
    theirs = AssetFactory(agency=world.agency_b, client=world.client_b)
    image = ImageRecordFactory(client=world.client_b)
    b = browser(world.staff_a)
    assert b.get(reverse("records:asset-detail", args=[theirs.pk])).status_code == 404
    assert b.get(reverse("records:image-file", args=[image.pk, "image"])).status_code == 404
    report = StatisticsReportFactory(client=world.client_b)
    assert b.get(reverse("records:statistics-file", args=[report.pk, "pdf"])).status_code == 404


def test_check_out_and_in_from_the_asset_page(world):
    asset = AssetFactory(agency=world.agency_a)
    b = browser(world.staff_a)
    b.post(reverse("records:asset-action", args=[asset.pk, "check-out"]), {"out-purpose": "门店拍摄"})
    assert AssetCheckout.dangerously_all_agencies.get(asset=asset).purpose == "门店拍摄"
    page = b.post(reverse("records:asset-action", args=[asset.pk, "check-out"]), {}, follow=True).content.decode()
    assert "already checked out" in page
    b.post(reverse("records:asset-action", args=[asset.pk, "check-in"]), {"in-condition": "good"})
    assert AssetCheckout.dangerously_all_agencies.get(asset=asset).checked_in_at is not None
    page = b.post(reverse("records:asset-action", args=[asset.pk, "check-in"]), {}, follow=True).content.decode()
    assert "is not checked out" in page


def test_ticking_and_completing_an_inspection_from_its_page(world):
    inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1))
    items = {
        f"tick-{name}": "yes"
        for name in (
            "profile_intact",
            "pinned_videos_in_place",
            "interactions_handled",
            "no_violation_notice",
            "metrics_arrived",
        )
    }
    browser(world.staff_a).post(
        reverse("records:inspection-action", args=[inspection.pk, "tick"]), {**items, "tick-complete": "on"}
    )
    inspection.refresh_from_db()
    assert inspection.status == "done" and inspection.inspected_by == world.staff_a


def test_uploading_a_photo_from_the_page(world):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    response = browser(world.staff_a).post(
        reverse("records:image-create"),
        {
            "image": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
            "caption": "入库照片",
            "taken_on": timezone.localdate().isoformat(),
            "linked_model": "records.asset",
            "linked_id": asset.pk,
        },
    )
    assert response.status_code == 302
    image = ImageRecord.dangerously_all_agencies.get()
    assert image.linked == asset and image.client_id == world.client_a1.pk


def test_a_malformed_photo_is_refused_on_the_page_with_its_message(world):
    response = browser(world.staff_a).post(
        reverse("records:image-create"),
        {
            "image": SimpleUploadedFile("a.png", b"not a picture", content_type="image/png"),
            "caption": "x",
            "taken_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400 and "not a picture this product accepts" in response.content.decode()
    assert not ImageRecord.dangerously_all_agencies.exists()


def test_exporting_a_list_from_its_page_ends_in_a_download(world, django_capture_on_commit_callbacks):
    AssetFactory(agency=world.agency_a, client=world.client_a1, name="补光灯")
    AssetFactory(agency=world.agency_a, client=world.client_a2, name="三脚架")
    b = browser(world.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = b.post(
            reverse("records:export-create"),
            {"dataset": "assets", "format": "xlsx", "query": f"client={world.client_a1.pk}"},
        )
    job = ExportJob.dangerously_all_agencies.get()
    assert response.status_code == 302 and response["Location"] == reverse("records:export-detail", args=[job.pk])
    assert "Download" in b.get(response["Location"]).content.decode()
    download = b.get(reverse("records:export-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["补光灯"]


def test_asking_for_a_report_from_the_page_builds_it(world, django_capture_on_commit_callbacks):
    from tests.records.factories import last_month

    start, end = last_month()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(world.staff_a).post(
            reverse("records:statistics-create"),
            {"client": world.client_a1.pk, "period_start": start.isoformat(), "period_end": end.isoformat()},
        )
    report = StatisticsReport.dangerously_all_agencies.get()
    assert response.status_code == 302 and report.status == "ready"
    page = browser(world.staff_a).get(reverse("records:statistics-detail", args=[report.pk])).content.decode()
    assert "No data for this period" in page


def test_client_people_read_their_own_trail_and_reports_only(world):
    mine = PlatformAccountFactory(client=world.client_a1, handle="mine_handle")
    theirs = PlatformAccountFactory(client=world.client_a2, handle="theirs_handle")
    b = browser(world.viewer_a1)
    page = b.get(reverse("records:audit-list"), {"model_label": "clients.platformaccount"}).content.decode()
    assert f"@{mine.handle}" in page and theirs.handle not in page
    other = StatisticsReportFactory(client=world.client_a2)
    assert b.get(reverse("records:statistics-detail", args=[other.pk])).status_code == 404
    assert b.get(reverse("records:asset-create")).status_code in (302, 403)


def test_voiding_from_a_page_keeps_the_record_listed(world):
    inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1))
    b = browser(world.staff_a)
    b.post(reverse("records:void", args=["inspection", inspection.pk]), {"void-reason": "账号已停用"})
    inspection = DailyInspection.dangerously_all_agencies.get(pk=inspection.pk)
    assert inspection.void_reason == "账号已停用"
    assert "void" in b.get(reverse("records:inspection-list")).content.decode()


def test_the_admin_shows_records_but_never_deletes_them_nor_touches_the_trail(world):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("platform", "p@example.com", "test-pass-123")
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    b = browser(admin_user)
    assert b.get(reverse("admin:records_auditevent_changelist")).status_code == 200
    assert b.get(reverse("admin:records_asset_change", args=[asset.pk])).status_code == 200
    assert b.get(reverse("admin:records_asset_delete", args=[asset.pk])).status_code == 403
    from records.models import AuditEvent

    event = AuditEvent.dangerously_all_agencies.filter(model_label="records.asset", object_pk=str(asset.pk)).first()
    assert event is not None
    assert b.post(reverse("admin:records_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
