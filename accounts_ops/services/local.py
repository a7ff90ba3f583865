"""Writes of clause 6.5, local life: POI links, group-buy deals and the client's enablement. Each
validates before it writes and raises ValidationError naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts_ops.models.common import yuan
from accounts_ops.models.local import DealStatus, GroupBuyDeal, LocalLifeEnablement, PoiLink, PoiStatus
from accounts_ops.services.common import _not_after_today
from agency.models import Agency
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor
from clients.models import Client, PlatformAccount


def _enablement(agency: Agency, client_id: int) -> LocalLifeEnablement:
    row = LocalLifeEnablement.objects.select_for_update().filter(client_id=client_id).first()
    return row or LocalLifeEnablement(agency=agency, client_id=client_id)


def _tick(agency: Agency, client_id: int, step: str, day: dt.date) -> None:
    row = _enablement(agency, client_id)
    if getattr(row, step) is None:
        setattr(row, step, day)
        row.save()


@transaction.atomic
def enablement_record_qualification(
    *, actor: Actor, client: Client, submitted_on: dt.date | None, note: str = ""
) -> LocalLifeEnablement:
    """Tick (or clear) the first step of the client's local-life checklist (6.5)."""
    _not_after_today(actor.agency, submitted_on, "qualification_submitted_on")
    row = _enablement(actor.agency, client.pk)
    row.qualification_submitted_on = submitted_on
    row.qualification_note = (note or "").strip()
    return validated_save(row)


@transaction.atomic
def poi_save(
    *,
    actor: Actor,
    poi: PoiLink | None = None,
    account: PlatformAccount | None = None,
    store_name: str = UNCHANGED,
    address: str = UNCHANGED,
    platform_poi_id: str = UNCHANGED,
    status: str = UNCHANGED,
) -> PoiLink:
    """Create or change a POI link (6.5; the fields given); claiming it ticks the client's
    checklist."""
    values = given(store_name=store_name, address=address, platform_poi_id=platform_poi_id, status=status)
    if poi is None:
        if account is None:
            raise ValidationError({"account": _("Choose the account the POI links to.")})
        poi = PoiLink(agency=actor.agency, account=account)
    else:
        poi = PoiLink.objects.select_for_update().get(pk=poi.pk)
        if account is not None and account.pk != poi.account_id:
            poi.account = account
            poi.client_id = account.client_id
    for name, value in values.items():
        setattr(poi, name, value)
    validated_save(poi)
    if poi.status in (PoiStatus.CLAIMED, PoiStatus.LINKED):
        _tick(actor.agency, poi.client_id, "poi_claimed_on", actor.agency.today())
    return poi


@transaction.atomic
def deal_save(
    *,
    actor: Actor,
    deal: GroupBuyDeal | None = None,
    account: PlatformAccount | None = None,
    poi: PoiLink | None = UNCHANGED,
    title: str = UNCHANGED,
    price: Decimal = UNCHANGED,
    list_price: Decimal = UNCHANGED,
    valid_from: dt.date = UNCHANGED,
    valid_until: dt.date = UNCHANGED,
    stock: int = UNCHANGED,
    platform_status: str = UNCHANGED,
    platform_deal_id: str = UNCHANGED,
) -> GroupBuyDeal:
    """Create or change a group-buy deal (6.5; the fields given). Prices are decimal yuan, never
    negative, and the price is not above the list price; going live ticks the client's checklist."""
    values = given(
        poi=poi,
        title=title,
        price=price,
        list_price=list_price,
        valid_from=valid_from,
        valid_until=valid_until,
        stock=stock,
        platform_status=platform_status,
        platform_deal_id=platform_deal_id,
    )
    if deal is None:
        if account is None:
            raise ValidationError({"account": _("Choose the account the deal is sold on.")})
        deal = GroupBuyDeal(agency=actor.agency, account=account)
    else:
        deal = GroupBuyDeal.objects.select_for_update().get(pk=deal.pk)
    for name, value in values.items():
        setattr(deal, name, value)
    for name in ("price", "list_price"):
        amount = getattr(deal, name)
        if amount is not None and amount < 0:
            raise ValidationError({name: _("%(amount)s is negative.") % {"amount": yuan(amount)}})
    if deal.platform_status == DealStatus.LIVE and deal.first_live_on is None:
        deal.first_live_on = actor.agency.today()
    validated_save(deal)
    if deal.first_live_on is not None:
        _tick(actor.agency, deal.client_id, "first_deal_live_on", deal.first_live_on)
    return deal
