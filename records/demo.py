"""Demo records of chapter 9 (part of ``manage.py seed_demo``): the agency's kit with one item out,
a week of daily inspections (one with a problem and its follow-up, today's still to do), and last
month's scheduled reports built from the other chapters' demo data. Made through the services,
idempotent: an agency that has assets is left as it is."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import tenant_context
from clients.models import Client
from records.models.assets import Asset, AssetKind
from records.models.inspections import DailyInspection
from records.rules import INSPECTION_ITEMS
from records.selectors.inspections import inspections_to_do
from records.services.assets import asset_check_out, asset_register
from records.services.inspections import follow_up_open, inspection_lists_create, inspection_record
from records.services.reports import monthly_reports_create

INSPECTION_DAYS = 7

ASSETS = [
    # identifier, kind, name (zh, en), location (zh, en), purchase value
    ("CAM-01", AssetKind.CAMERA, ("索尼 FX3 摄像机", "Sony FX3 camera"), ("器材柜 A", "Kit cabinet A"), "26999"),
    ("LENS-02", AssetKind.LENS, ("24-70mm F2.8 镜头", "24-70mm F2.8 lens"), ("器材柜 A", "Kit cabinet A"), "13999"),
    ("LIGHT-03", AssetKind.LIGHT, ("爱图仕 300d 补光灯", "Aputure 300d light"), ("摄影棚", "Studio"), "4599"),
    ("PHONE-04", AssetKind.PHONE, ("直播用 iPhone 15", "iPhone 15 for live streams"), ("直播间", "Live room"), "5999"),
]


def _actor(agency: Agency, role: str, people: dict):
    return Membership.objects.select_related("agency", "user").get(user=people[role], agency=agency).as_actor()


def seed(*, agency: Agency, clients: list[Client], people: dict) -> Counter:
    made: Counter = Counter()
    if Asset.objects.exists():
        return made
    operator = _actor(agency, Role.OPERATOR, people)
    producer = _actor(agency, Role.PRODUCER, people)
    today = agency.today()
    zh = agency.language.startswith("zh")
    with tenant_context(agency, actor=operator, channel="command"), override(agency.language):
        for identifier, kind, names, places, value in ASSETS:
            asset = asset_register(
                actor=operator,
                identifier=identifier,
                kind=kind,
                name=names[0 if zh else 1],
                location=places[0 if zh else 1],
                purchase_date=today - dt.timedelta(days=400),
                purchase_value=Decimal(value),
            )
            made["assets"] += 1
            if kind == AssetKind.CAMERA:
                asset_check_out(
                    actor=operator,
                    asset=asset,
                    taken_by=producer.user,
                    purpose=_("Shoot of the spring menu video"),
                    due_back=today + dt.timedelta(days=1),
                    at=timezone.now() - dt.timedelta(hours=3),
                )
                made["check-outs"] += 1

        for back in range(INSPECTION_DAYS, -1, -1):
            made["inspection lists"] += inspection_lists_create(day=today - dt.timedelta(days=back))
        items = {name: True for name, _label in INSPECTION_ITEMS}
        past = DailyInspection.objects.filter(inspections_to_do(before=today))
        for index, inspection in enumerate(past.order_by("inspection_date", "pk")):
            if index % 5 == 4:
                continue  # a missed inspection, shown as such
            problem = index == 2
            inspection_record(
                actor=operator,
                inspection=inspection,
                items={**items, "pinned_videos_in_place": not problem},
                problems=_("The pinned launch video was unpinned by the platform.") if problem else "",
                complete=True,
            )
            made["inspections done"] += 1
            if problem:
                follow_up_open(
                    actor=operator,
                    inspection=inspection,
                    title=_("Pin the launch video again"),
                    detail=_("Ask the platform why it was removed."),
                    assignee=operator.user,
                    due_date=today + dt.timedelta(days=2),
                )
                made["follow-ups"] += 1

        last_month = today.replace(day=1) - dt.timedelta(days=1)
        built = monthly_reports_create(year=last_month.year, month=last_month.month)
        made["monthly reports"] += sum(built.values())
    return made
