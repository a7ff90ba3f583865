"""What the chapter 8 models share: money in decimal yuan, and rows that carry their client."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.models import TenantModel

MONEY_DIGITS = 14  # up to 999,999,999,999.99 yuan
MONEY_PLACES = 2
ZERO = Decimal("0.00")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """A non-negative amount of yuan (8.1 prices, GMV, refunds; 8.2 fees; 8.3 values)."""
    kwargs.setdefault("validators", [MinValueValidator(ZERO)])
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def yuan(amount: Decimal | None) -> str:
    """``¥1,234.50``: how amounts are named in messages and pages."""
    return f"¥{(amount if amount is not None else ZERO):,.2f}"


class ClientOwned(TenantModel):
    """A row of one client. Child rows carry their parent's client too, named in ``same_client_as``."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))

    class Meta:
        abstract = True
