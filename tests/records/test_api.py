"""API of the records app: the isolation mixin on every endpoint, and the records' own rules."""

from __future__ import annotations

import base64
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from records.models import (
    Asset,
    AssetCheckout,
    AuditEvent,
    DailyInspection,
    ExportJob,
    ImageRecord,
    InspectionFollowUp,
    StatisticsReport,
    UsageRecord,
    WorkAssessmentReport,
)
from tests.factories import PlatformAccountFactory
from tests.isolation import TenantAPITestCases
from tests.records.factories import (
    AssetCheckoutFactory,
    AssetFactory,
    DailyInspectionFactory,
    UsageRecordFactory,
    last_month,
    png_bytes,
)


def png_data_uri() -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


class TestAssetAPI(TenantAPITestCases):
    basename = "asset"
    model = Asset

    def create_payload(self, world):
        return {"identifier": "CAM-NEW", "name": "Sony FX3", "kind": "camera", "client": world.client_a1.pk}

    def update_payload(self, world, obj):
        return {"location": "二号影棚"}


class TestAssetCheckoutAPI(TenantAPITestCases):
    basename = "assetcheckout"
    model = AssetCheckout

    def update_payload(self, world, obj):
        return {"purpose": "changed"}


class TestDailyInspectionAPI(TenantAPITestCases):
    basename = "dailyinspection"
    model = DailyInspection

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {"account": account.pk, "inspection_date": timezone.localdate().isoformat()}

    def update_payload(self, world, obj):
        return {"profile_intact": True}


class TestInspectionFollowUpAPI(TenantAPITestCases):
    basename = "inspectionfollowup"
    model = InspectionFollowUp

    def create_payload(self, world):
        inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"inspection": inspection.pk, "title": "置顶视频缺失"}

    def update_payload(self, world, obj):
        return {"title": "changed"}


class TestUsageRecordAPI(TenantAPITestCases):
    basename = "usagerecord"
    model = UsageRecord

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {"account": account.pk, "purpose": "posting", "started_at": timezone.now().isoformat()}

    def update_payload(self, world, obj):
        return {"note": "changed"}


class TestStatisticsReportAPI(TenantAPITestCases):
    basename = "statisticsreport"
    model = StatisticsReport

    def create_payload(self, world):
        start, end = last_month()
        return {"client": world.client_a1.pk, "period_start": start.isoformat(), "period_end": end.isoformat()}


class TestWorkAssessmentReportAPI(TenantAPITestCases):
    basename = "workassessmentreport"
    model = WorkAssessmentReport

    def create_payload(self, world):
        start, end = last_month()
        return {"client": world.client_a1.pk, "period_start": start.isoformat(), "period_end": end.isoformat()}


class TestImageRecordAPI(TenantAPITestCases):
    basename = "imagerecord"
    model = ImageRecord

    def create_payload(self, world):
        return {
            "image": png_data_uri(),
            "caption": "门店外景",
            "taken_on": timezone.localdate().isoformat(),
            "client": world.client_a1.pk,
        }

    def update_payload(self, world, obj):
        return {"caption": "changed"}


class TestAuditEventAPI(TenantAPITestCases):
    basename = "auditevent"
    model = AuditEvent


class TestExportJobAPI(TenantAPITestCases):
    basename = "exportjob"
    model = ExportJob

    def create_payload(self, world):
        return {"dataset": "assets", "format": "csv"}


# --- rules ----------------------------------------------------------------------------------------


def test_no_record_endpoint_offers_delete(world, api):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    response = api(world.staff_a).delete(reverse("asset-detail", args=[asset.pk]))
    assert response.status_code == 405
    assert Asset.dangerously_all_agencies.filter(pk=asset.pk).exists()


def test_void_needs_a_reason_and_keeps_the_record(world, api):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    url = reverse("asset-void", args=[asset.pk])
    missing = api(world.staff_a).post(url, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    done = api(world.staff_a).post(url, {"reason": "录入重复"}, format="json")
    assert done.status_code == 200 and done.json()["void_reason"] == "录入重复" and done.json()["voided_at"]
    again = api(world.staff_a).post(url, {"reason": "again"}, format="json")
    assert again.status_code == 400
    listed = api(world.staff_a).get(reverse("asset-list"), {"voided": "true"})
    assert [row["id"] for row in listed.json()["results"]] == [asset.pk]


def test_a_voided_record_no_longer_changes(world, api):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    api(world.staff_a).post(reverse("asset-void", args=[asset.pk]), {"reason": "lost"}, format="json")
    response = api(world.staff_a).patch(reverse("asset-detail", args=[asset.pk]), {"location": "x"}, format="json")
    assert response.status_code == 400 and "voided_at" in response.json()["error"]["fields"]


def test_check_in_of_an_asset_not_checked_out_is_refused(world, api):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1, identifier="CAM-0042")
    response = api(world.staff_a).post(reverse("asset-check-in", args=[asset.pk]), {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "asset: CAM-0042 Sony FX3 摄像机 is not checked out."
    assert not AssetCheckout.dangerously_all_agencies.filter(asset=asset).exists()


def test_check_out_then_in_records_the_history(world, api):
    asset = AssetFactory(agency=world.agency_a)
    out = api(world.staff_a).post(reverse("asset-check-out", args=[asset.pk]), {"purpose": "探店拍摄"}, format="json")
    assert out.status_code == 201, out.content
    assert out.json()["checked_out_by"] == world.staff_a.pk
    twice = api(world.staff_a).post(reverse("asset-check-out", args=[asset.pk]), {}, format="json")
    assert twice.status_code == 400 and "already checked out" in twice.json()["error"]["message"]
    assert api(world.staff_a).get(reverse("asset-detail", args=[asset.pk])).json()["checked_out"] is True
    back = api(world.staff_a).post(
        reverse("asset-check-in", args=[asset.pk]), {"condition": "worn", "note": "镜头有划痕"}, format="json"
    )
    assert back.status_code == 200 and back.json()["checked_in_at"]
    asset.refresh_from_db()
    assert asset.condition == "worn"
    history = api(world.staff_a).get(reverse("assetcheckout-list"), {"asset": asset.pk}).json()["results"]
    assert len(history) == 1 and history[0]["return_note"] == "镜头有划痕"


def test_client_people_cannot_check_assets_out(world, api):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    response = api(world.viewer_a1).post(reverse("asset-check-out", args=[asset.pk]), {}, format="json")
    assert response.status_code == 403


def test_inspection_for_a_future_day_is_refused(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api(world.staff_a).post(
        reverse("dailyinspection-list"), {"account": account.pk, "inspection_date": tomorrow}, format="json"
    )
    assert response.status_code == 400
    assert "inspection_date" in response.json()["error"]["fields"]
    assert "future" in response.json()["error"]["message"]
    assert not DailyInspection.dangerously_all_agencies.filter(account=account).exists()


def test_completing_an_inspection_needs_every_item_and_a_problem_note(world, api):
    inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1))
    url = reverse("dailyinspection-complete", args=[inspection.pk])
    partial = api(world.staff_a).post(url, {"profile_intact": True}, format="json")
    assert partial.status_code == 400 and "pinned_videos_in_place" in partial.json()["error"]["fields"]
    items = {
        "profile_intact": True,
        "pinned_videos_in_place": False,
        "interactions_handled": True,
        "no_violation_notice": True,
        "metrics_arrived": True,
    }
    no_note = api(world.staff_a).post(url, items, format="json")
    assert no_note.status_code == 400 and "problems" in no_note.json()["error"]["fields"]
    done = api(world.staff_a).post(url, {**items, "problems": "置顶视频被平台下架"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert done.json()["inspected_by"] == world.staff_a.pk


def test_missed_inspections_are_listed(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    missed = DailyInspectionFactory(account=account, inspection_date=timezone.localdate() - dt.timedelta(days=2))
    DailyInspectionFactory(account=account)  # today's: not missed yet
    response = api(world.staff_a).get(reverse("dailyinspection-list"), {"missed": "true"})
    assert [row["id"] for row in response.json()["results"]] == [missed.pk]
    assert response.json()["results"][0]["missed"] is True


def test_usage_record_takes_its_client_from_the_account(world, api):
    account = PlatformAccountFactory(client=world.client_a2)
    response = api(world.staff_a).post(
        reverse("usagerecord-list"),
        {"account": account.pk, "purpose": "live_session", "started_at": timezone.now().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["client"] == world.client_a2.pk and response.json()["user"] == world.staff_a.pk


def test_usage_record_names_an_asset_or_an_account(world, api):
    response = api(world.staff_a).post(
        reverse("usagerecord-list"), {"purpose": "shoot", "started_at": timezone.now().isoformat()}, format="json"
    )
    assert response.status_code == 400 and "asset" in response.json()["error"]["fields"]


def test_export_of_another_agencys_report_is_404(world, api):
    from tests.records.factories import StatisticsReportFactory

    theirs = StatisticsReportFactory(client=world.client_b)
    response = api(world.staff_a).get(reverse("statisticsreport-file", args=[theirs.pk]), {"file_format": "pdf"})
    assert response.status_code == 404


def test_download_of_another_agencys_export_is_404(world, api):
    from tests.records.factories import ExportJobFactory

    theirs = ExportJobFactory(agency=world.agency_b)
    assert api(world.staff_a).get(reverse("exportjob-download", args=[theirs.pk])).status_code == 404


def test_export_job_of_a_list_the_role_cannot_read_is_refused(world, api):
    response = api(world.staff_a).post(
        reverse("exportjob-list"), {"dataset": "no_such_list", "format": "csv"}, format="json"
    )
    assert response.status_code == 400 and "dataset" in response.json()["error"]["fields"]


def test_usage_list_filters_by_client(world, api):
    mine = UsageRecordFactory(account=PlatformAccountFactory(client=world.client_a1))
    UsageRecordFactory(account=PlatformAccountFactory(client=world.client_a2))
    response = api(world.staff_a).get(reverse("usagerecord-list"), {"client": world.client_a1.pk})
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_checkouts_are_read_only_through_their_own_endpoint(world, api):
    checkout = AssetCheckoutFactory(asset=AssetFactory(agency=world.agency_a))
    response = api(world.staff_a).patch(
        reverse("assetcheckout-detail", args=[checkout.pk]), {"purpose": "x"}, format="json"
    )
    assert response.status_code == 405
