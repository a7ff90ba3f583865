"""Clause 9 i): usage records, who used which asset or account, when and for what."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount
from records.models.assets import Asset
from records.models.usage import UsageRecord
from records.services.common import check_people, ensure_live


@transaction.atomic
def usage_record_create(
    *,
    actor: Actor,
    purpose: str,
    started_at: dt.datetime,
    user=None,
    asset: Asset | None = None,
    account: PlatformAccount | None = None,
    ended_at: dt.datetime | None = None,
    note: str = "",
) -> UsageRecord:
    """Record who used which asset or account, when and for what (9 i). The client is the
    account's, else the asset owner's."""
    if asset is None and account is None:
        raise ValidationError({"asset": _("Name the asset or the account that was used.")})
    if started_at > timezone.now():
        raise ValidationError({"started_at": _("A use cannot start in the future.")})
    if asset is not None:
        ensure_live(asset)
    client_id = account.client_id if account is not None else asset.client_id
    if account is not None and asset is not None and asset.client_id and asset.client_id != account.client_id:
        raise ValidationError({"asset": _("The asset belongs to another client than the account.")})
    record = UsageRecord(
        agency=actor.agency,
        user=user or actor.user,
        asset=asset,
        account=account,
        client_id=client_id,
        purpose=purpose,
        started_at=started_at,
        ended_at=ended_at,
        note=(note or "").strip(),
    )
    if user is not None:
        check_people(record)
    return validated_save(record)
