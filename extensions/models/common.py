"""What the chapter 8 models share: money in decimal yuan, and rows that carry their client."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
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
    """A row of one client. Child rows carry their parent's client too; ``parent_field`` names
    the parent whose client must match (checked in ``clean``)."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))

    parent_field: str | None = None

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.parent_field is None or not self.client_id:
            return
        field = self._meta.get_field(self.parent_field)
        parent_id = getattr(self, field.attname)
        if parent_id is None:
            return
        owner = field.related_model.dangerously_all_agencies.filter(pk=parent_id).values_list("client_id", flat=True)
        if owner.first() not in (None, self.client_id):
            raise ValidationError(
                {self.parent_field: _("The %(parent)s belongs to another client.") % {"parent": field.verbose_name}}
            )
