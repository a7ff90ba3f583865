"""Pieces shared by the models of chapter 6 (and the rows of chapter 7): rows about one platform
account, and money as decimal yuan, never a float."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.models import TenantModel
from clients.models import SAME_CLIENT_AS_ACCOUNT, PlatformAccount, Video

MONEY_DIGITS = 12  # up to 9,999,999,999.99 yuan
MONEY_PLACES = 2
ZERO = Decimal("0.00")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """A non-negative amount of yuan (6.3 boosts, 6.5 deals, 6.7 ads)."""
    kwargs.setdefault("validators", [MinValueValidator(ZERO)])
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def yuan(amount: Decimal | None) -> str:
    """``¥1,234.50``: how amounts are named in messages."""
    return f"¥{(amount or ZERO):,.2f}"


class AccountScoped(TenantModel):
    """A row about one platform account; it carries the account's client too."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform account")
    )

    same_client_as = (SAME_CLIENT_AS_ACCOUNT,)

    class Meta:
        abstract = True


def clean_video_of_account(row) -> None:
    """A row about one video of its account (a comment, a day's figures, a pinned video) names a
    video of that account."""
    if row.video_id and row.account_id:
        with row.within_own_agency():
            owner = Video.objects.filter(pk=row.video_id).values_list("account_id", flat=True).first()
        if owner is not None and owner != row.account_id:
            raise ValidationError(
                {"video": _("Video %(video)s is not a video of this account.") % {"video": row.video_id}}
            )
