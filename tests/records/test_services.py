"""The records' services: inspections, assets, images and reports, at their rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from agency.conformance import Period
from agency.models import Membership
from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import AccountStatus
from records.models import DailyInspection, ImageRecord, ReportStatus, StatisticsReport, WorkAssessmentReport
from records.rules import IMAGE_MAX_PIXELS, THUMBNAIL_SIZE
from records.selectors.common import previous_period
from records.services.assets import asset_check_in, asset_check_out
from records.services.common import record_void
from records.services.images import image_record_create
from records.services.inspections import follow_up_open, follow_up_resolve, inspection_lists_create, inspection_record
from records.services.reports import monthly_reports_create, report_build, statistics_report_request
from tests.factories import PlatformAccountFactory, VideoFactory
from tests.records.factories import AssetFactory, DailyInspectionFactory, last_month, png_bytes


def actor_of(user):
    return Membership.objects.select_related("agency", "user").get(user=user).as_actor()


@pytest.fixture
def staff(world):
    actor = actor_of(world.staff_a)
    with tenant_context(world.agency_a, actor):
        yield actor


# --- 9 h) inspections ----------------------------------------------------------------------------


def test_inspection_lists_are_made_once_per_active_account_and_day(world, staff):
    active = PlatformAccountFactory(client=world.client_a1)
    PlatformAccountFactory(client=world.client_a1, status=AccountStatus.PAUSED)
    with dangerously_all_agencies():
        PlatformAccountFactory(client=world.client_b)  # another agency
    today = timezone.localdate(timezone=world.agency_a.tz)
    assert inspection_lists_create(day=today) == 1
    assert inspection_lists_create(day=today) == 0
    lists = DailyInspection.dangerously_all_agencies.filter(inspection_date=today)
    assert [(i.account_id, i.client_id, i.agency_id) for i in lists] == [
        (active.pk, world.client_a1.pk, world.agency_a.pk)
    ]


def test_inspection_lists_for_a_future_day_are_refused(world, staff):
    PlatformAccountFactory(client=world.client_a1)
    tomorrow = timezone.localdate(timezone=world.agency_a.tz) + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        inspection_lists_create(day=tomorrow)
    assert "inspection_date" in error.value.message_dict
    assert not DailyInspection.dangerously_all_agencies.exists()


def test_a_completed_inspection_stays_completed(world, staff):
    inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1))
    items = dict.fromkeys(
        ["profile_intact", "pinned_videos_in_place", "interactions_handled", "no_violation_notice", "metrics_arrived"],
        True,
    )
    inspection_record(actor=staff, inspection=inspection, items=items, complete=True)
    with pytest.raises(ValidationError) as error:
        inspection_record(actor=staff, inspection=inspection, problems="later")
    assert "status" in error.value.message_dict


def test_a_problem_opens_a_follow_up_that_is_resolved_with_a_note(world, staff):
    inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1))
    follow_up = follow_up_open(actor=staff, inspection=inspection, title="私信未回复")
    assert follow_up.client_id == world.client_a1.pk
    with pytest.raises(ValidationError):
        follow_up_resolve(actor=staff, follow_up=follow_up, resolution=" ")
    assert follow_up_resolve(actor=staff, follow_up=follow_up, resolution="已回复").status == "done"


# --- 9 g) assets ---------------------------------------------------------------------------------


def test_a_lost_asset_cannot_be_checked_out(world, staff):
    asset = AssetFactory(agency=world.agency_a, condition="lost")
    with pytest.raises(ValidationError) as error:
        asset_check_out(actor=staff, asset=asset)
    assert "asset" in error.value.message_dict


def test_an_asset_cannot_come_back_before_it_went_out(world, staff):
    asset = AssetFactory(agency=world.agency_a)
    checkout = asset_check_out(actor=staff, asset=asset)
    with pytest.raises(ValidationError) as error:
        asset_check_in(actor=staff, asset=asset, at=checkout.checked_out_at - dt.timedelta(minutes=1))
    assert "at" in error.value.message_dict


def test_voiding_an_open_check_out_frees_the_asset(world, staff):
    asset = AssetFactory(agency=world.agency_a)
    checkout = asset_check_out(actor=staff, asset=asset)
    record_void(actor=staff, record=checkout, reason="登记错误")
    assert asset_check_out(actor=staff, asset=asset).pk != checkout.pk


def test_a_check_out_whose_taker_is_gone_can_still_be_voided(world, staff):
    """The taker's login deleted (SET_NULL), the checkout stays a valid record: voiding it was
    refused with "checked_out_by: This field cannot be blank"."""
    asset = AssetFactory(agency=world.agency_a)
    checkout = asset_check_out(actor=staff, asset=asset)
    type(checkout).dangerously_all_agencies.filter(pk=checkout.pk).update(checked_out_by=None)
    checkout.refresh_from_db()
    assert record_void(actor=staff, record=checkout, reason="登记错误").voided_at is not None


# --- 9 l) images ---------------------------------------------------------------------------------


def jpeg_with_exif() -> bytes:
    picture = Image.new("RGB", (800, 600), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Firmware 1.0"  # Software
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_an_image_is_stored_without_metadata_and_with_a_thumbnail(world, staff):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    upload = ContentFile(jpeg_with_exif(), name="IMG_0001.jpg")
    record = image_record_create(
        actor=staff,
        upload=upload,
        caption="设备入库",
        taken_on=timezone.localdate(),
        linked_model="records.asset",
        linked_id=asset.pk,
    )
    assert record.client_id == world.client_a1.pk and record.linked == asset
    with record.image.open("rb") as stored:
        data = stored.read()
    assert b"SecretCam" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.size == (800, 600) and not kept.getexif()
    with record.thumbnail.open("rb") as thumb, Image.open(thumb) as small:
        assert max(small.size) <= max(THUMBNAIL_SIZE)


def test_a_malformed_image_is_refused_and_nothing_is_kept(world, staff, settings):
    broken = png_bytes()[:60]
    with pytest.raises(ValidationError) as error:
        image_record_create(
            actor=staff, upload=ContentFile(broken, name="x.png"), caption="坏图", taken_on=timezone.localdate()
        )
    assert "image" in error.value.message_dict
    assert not ImageRecord.dangerously_all_agencies.exists()
    media = settings.MEDIA_ROOT
    assert not any(path.is_file() for path in media.rglob("*")) if media.exists() else True


def test_a_text_file_named_like_a_picture_is_refused(world, staff):
    with pytest.raises(ValidationError) as error:
        image_record_create(
            actor=staff,
            upload=ContentFile(b"GIF89a but not really", name="a.jpg"),
            caption="x",
            taken_on=timezone.localdate(),
        )
    assert "image" in error.value.message_dict


def test_an_oversized_image_is_refused_before_decoding(world, staff):
    side = int(IMAGE_MAX_PIXELS**0.5) + 10
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    with pytest.raises(ValidationError) as error:
        image_record_create(
            actor=staff, upload=ContentFile(out.getvalue(), name="big.png"), caption="x", taken_on=timezone.localdate()
        )
    assert "pixels" in error.value.message_dict["image"][0]


def test_an_image_cannot_link_to_another_agencys_record(world, staff):
    with dangerously_all_agencies():
        theirs = AssetFactory(agency=world.agency_b, client=world.client_b)
    with pytest.raises(ValidationError) as error:
        image_record_create(
            actor=staff,
            upload=ContentFile(png_bytes(), name="a.png"),
            caption="x",
            taken_on=timezone.localdate(),
            linked_model="records.asset",
            linked_id=theirs.pk,
        )
    assert "linked_id" in error.value.message_dict


# --- 9 j), 9 k) reports --------------------------------------------------------------------------


def test_previous_period_of_a_month_is_the_month_before():
    assert previous_period(Period.month(2026, 3)) == Period.month(2026, 2)
    assert previous_period(Period(dt.date(2026, 3, 10), dt.date(2026, 3, 19))) == Period(
        dt.date(2026, 2, 28), dt.date(2026, 3, 9)
    )


def test_a_report_for_a_period_without_data_says_so(world, staff, django_capture_on_commit_callbacks):
    start, end = last_month()
    with django_capture_on_commit_callbacks(execute=True):
        report = statistics_report_request(actor=staff, client=world.client_a2, period_start=start, period_end=end)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.progress == 100
    assert report.has_data is False and report.data["has_data"] is False


def test_statistics_report_counts_the_periods_videos_against_the_previous(world, staff):
    start, end = last_month()
    account = PlatformAccountFactory(client=world.client_a1, nickname="老街火锅官方", followers=5000)
    tz = world.agency_a.tz
    for day in (start, start + dt.timedelta(days=3)):
        VideoFactory(account=account, published_at=dt.datetime.combine(day, dt.time(12), tzinfo=tz))
    VideoFactory(
        account=account, published_at=dt.datetime.combine(start - dt.timedelta(days=2), dt.time(12), tzinfo=tz)
    )
    report = StatisticsReport.objects.create(client=world.client_a1, period_start=start, period_end=end)
    world.agency_a.language = "en"  # reports are written in the agency's language
    world.agency_a.save()
    report = report_build(kind="statistics", report_id=report.pk)
    assert report.has_data
    figures = {f["label"]: f for s in report.data["sections"] for f in s["figures"]}
    assert (figures["Videos published"]["value"], figures["Videos published"]["previous"]) == (2, 1)
    assert figures["Videos published"]["change_pct"] == 100.0
    charts = [c for s in report.data["sections"] for c in s["charts"]]
    assert sum(next(c for c in charts if c["title"] == "Videos published per day")["values"]) == 2


def test_a_report_cannot_start_in_the_future(world, staff):
    later = timezone.localdate(timezone=world.agency_a.tz) + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        statistics_report_request(actor=staff, client=world.client_a1, period_start=later, period_end=later)
    assert "period_start" in error.value.message_dict


def test_monthly_reports_are_made_once(world, staff):
    start, end = last_month()
    made = monthly_reports_create(year=start.year, month=start.month)
    # two active clients in agency A, each with both reports, and one staff member
    assert made == {"statistics": 2, "assessment": 3}
    assert monthly_reports_create(year=start.year, month=start.month) == {"statistics": 0, "assessment": 0}
    assert StatisticsReport.objects.filter(status=ReportStatus.READY).count() == 2
    assert WorkAssessmentReport.objects.filter(staff=world.staff_a, cadence="monthly").count() == 1
