"""Clause 9 g): assets, handed out and taken back (check-outs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import validated_save
from agency.tenancy import Actor
from clients.models import Client, PlatformAccount
from records.models.assets import Asset, AssetCheckout, AssetCondition
from records.services.common import check_people, ensure_live

# Conditions in which an asset cannot be handed out.
UNAVAILABLE_CONDITIONS = (AssetCondition.LOST, AssetCondition.RETIRED)


@transaction.atomic
def asset_register(
    *,
    actor: Actor,
    identifier: str,
    name: str,
    kind: str,
    client: Client | None = None,
    account: PlatformAccount | None = None,
    custodian=None,
    location: str = "",
    condition: str = AssetCondition.GOOD,
    purchase_date: dt.date | None = None,
    purchase_value: Decimal | None = None,
    notes: str = "",
) -> Asset:
    """Register an asset. A login device or SIM card names its account; its owner client is then
    the account's client unless given."""
    asset = Asset(
        agency=actor.agency,
        identifier=identifier,
        name=name,
        kind=kind,
        client=client,
        account=account,
        custodian=custodian,
        location=location,
        condition=condition,
        purchase_date=purchase_date,
        purchase_value=purchase_value,
        notes=notes,
    )
    if asset.account_id and not asset.client_id:
        asset.client_id = asset.account.client_id
    check_people(asset)
    return validated_save(asset)


@transaction.atomic
def asset_check_out(
    *,
    actor: Actor,
    asset: Asset,
    taken_by=None,
    purpose: str = "",
    due_back: dt.date | None = None,
    at: dt.datetime | None = None,
) -> AssetCheckout:
    """Hand an asset out (9 g). An asset is out to one person at a time."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    ensure_live(asset)
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("A check-out cannot be recorded in the future.")})
    if asset.condition in UNAVAILABLE_CONDITIONS:
        raise ValidationError(
            {
                "asset": _("%(asset)s is %(condition)s and cannot be checked out.")
                % {"asset": asset, "condition": asset.get_condition_display()}
            }
        )
    current = (
        asset.checkouts.filter(checked_in_at__isnull=True, voided_at__isnull=True)
        .select_related("checked_out_by")
        .first()
    )
    if current is not None:
        raise ValidationError(
            {
                "asset": _("%(asset)s is already checked out to %(person)s since %(since)s.")
                % {
                    "asset": asset,
                    "person": current.checked_out_by or "—",
                    "since": timezone.localtime(current.checked_out_at, actor.agency.tz).strftime("%Y-%m-%d %H:%M"),
                }
            }
        )
    if due_back is not None and due_back < timezone.localtime(at, actor.agency.tz).date():
        raise ValidationError({"due_back": _("The asset cannot be due back before it goes out.")})
    checkout = AssetCheckout(
        agency=actor.agency,
        asset=asset,
        checked_out_by=taken_by or actor.user,
        checked_out_at=at,
        purpose=(purpose or "").strip(),
        due_back=due_back,
    )
    check_people(checkout)
    return validated_save(checkout)


@transaction.atomic
def asset_check_in(
    *,
    actor: Actor,
    asset: Asset,
    condition: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> AssetCheckout:
    """Take an asset back (9 g), with the condition it came back in."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    ensure_live(asset)
    checkout = (
        AssetCheckout.objects.select_for_update()
        .filter(asset=asset, checked_in_at__isnull=True, voided_at__isnull=True)
        .first()
    )
    if checkout is None:
        raise ValidationError({"asset": _("%(asset)s is not checked out.") % {"asset": asset}})
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("A check-in cannot be recorded in the future.")})
    if at < checkout.checked_out_at:
        raise ValidationError({"at": _("The asset cannot come back before it went out.")})
    if condition and condition not in AssetCondition.values:
        raise ValidationError({"condition": _("Unknown condition %(value)s.") % {"value": condition}})
    checkout.checked_in_at = at
    checkout.checked_in_by = actor.user
    checkout.condition_on_return = condition
    checkout.return_note = (note or "").strip()
    validated_save(checkout)
    if condition and condition != asset.condition:
        asset.condition = condition
        validated_save(asset)
    return checkout
