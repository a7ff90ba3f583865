"""Factories of the records app; each model is registered in ``tests.factories.ROW_MAKERS``."""

from __future__ import annotations

import datetime as dt
import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

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
from tests.factories import ROW_MAKERS, ClientFactory, PlatformAccountFactory, TenantFactory, UserFactory


def png_bytes(size=(40, 30), colour=(200, 30, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def last_month(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class AssetFactory(TenantFactory):
    class Meta:
        model = Asset

    agency = factory.LazyAttribute(lambda o: o.client.agency if o.client else ClientFactory().agency)
    client = None
    identifier = factory.Sequence(lambda n: f"CAM-{n:04d}")
    name = "Sony FX3 摄像机"
    kind = "camera"


class AssetCheckoutFactory(TenantFactory):
    class Meta:
        model = AssetCheckout

    asset = factory.SubFactory(AssetFactory)
    agency = factory.SelfAttribute("asset.agency")
    checked_out_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    purpose = "拍摄"


class DailyInspectionFactory(TenantFactory):
    class Meta:
        model = DailyInspection

    account = factory.SubFactory(PlatformAccountFactory)
    client = factory.SelfAttribute("account.client")
    agency = factory.SelfAttribute("account.agency")
    inspection_date = factory.LazyFunction(timezone.localdate)


class InspectionFollowUpFactory(TenantFactory):
    class Meta:
        model = InspectionFollowUp

    inspection = factory.SubFactory(DailyInspectionFactory)
    client = factory.SelfAttribute("inspection.client")
    agency = factory.SelfAttribute("inspection.agency")
    title = "修复简介"


class UsageRecordFactory(TenantFactory):
    class Meta:
        model = UsageRecord

    account = factory.SubFactory(PlatformAccountFactory)
    client = factory.SelfAttribute("account.client")
    agency = factory.SelfAttribute("account.agency")
    user = factory.SubFactory(UserFactory)
    purpose = "posting"
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))


class StatisticsReportFactory(TenantFactory):
    class Meta:
        model = StatisticsReport

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    period_start = factory.LazyFunction(lambda: last_month()[0])
    period_end = factory.LazyFunction(lambda: last_month()[1])


class WorkAssessmentReportFactory(TenantFactory):
    class Meta:
        model = WorkAssessmentReport

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    period_start = factory.LazyFunction(lambda: last_month()[0])
    period_end = factory.LazyFunction(lambda: last_month()[1])


class ImageRecordFactory(TenantFactory):
    class Meta:
        model = ImageRecord

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    caption = "门店外景"
    taken_on = factory.LazyFunction(timezone.localdate)
    image = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="photo.png"))
    thumbnail = factory.LazyFunction(lambda: ContentFile(png_bytes((20, 15)), name="thumb.jpg"))
    width = 40
    height = 30
    byte_size = 100
    sha256 = "0" * 64


class AuditEventFactory(TenantFactory):
    class Meta:
        model = AuditEvent

    client = None
    occurred_at = factory.LazyFunction(timezone.now)
    table_name = "clients_client"
    model_label = "clients.client"
    object_pk = factory.LazyAttribute(lambda o: str(o.client.pk) if o.client else "0")
    action = "update"
    changes = factory.LazyFunction(lambda: {"city": ["成都", "重庆"]})


class ExportJobFactory(TenantFactory):
    class Meta:
        model = ExportJob

    client = None
    dataset = "assets"
    format = "csv"


ROW_MAKERS.update(
    {
        Asset: lambda agency, client: AssetFactory(agency=agency, client=client),
        AssetCheckout: lambda agency, client: AssetCheckoutFactory(asset=AssetFactory(agency=agency, client=client)),
        DailyInspection: lambda agency, client: DailyInspectionFactory(account=PlatformAccountFactory(client=client)),
        InspectionFollowUp: lambda agency, client: InspectionFollowUpFactory(
            inspection=DailyInspectionFactory(account=PlatformAccountFactory(client=client))
        ),
        UsageRecord: lambda agency, client: UsageRecordFactory(account=PlatformAccountFactory(client=client)),
        StatisticsReport: lambda agency, client: StatisticsReportFactory(client=client),
        WorkAssessmentReport: lambda agency, client: WorkAssessmentReportFactory(client=client),
        ImageRecord: lambda agency, client: ImageRecordFactory(client=client),
        AuditEvent: lambda agency, client: AuditEventFactory(agency=agency, client=client),
        ExportJob: lambda agency, client: ExportJobFactory(agency=agency, client=client),
    }
)
