"""Reads of clause 6.7, advertising: campaigns, budget approvals, spend and results. Fixed numbers
of queries."""

from __future__ import annotations

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts_ops.models.ads import AdBudgetApproval, AdSpend
from accounts_ops.models.common import MONEY_DIGITS, MONEY_PLACES, ZERO


def with_money(queryset):
    """Campaigns with ``spent`` and ``approved_extra`` (6.7), as subqueries: no join fan-out."""
    money = DecimalField(max_digits=MONEY_DIGITS + 4, decimal_places=MONEY_PLACES)
    spent = (
        AdSpend.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    extra = (
        AdBudgetApproval.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum("extra_amount"))
        .values("total")
    )
    return queryset.annotate(
        spent=Coalesce(Subquery(spent, output_field=money), Value(ZERO), output_field=money),
        approved_extra=Coalesce(Subquery(extra, output_field=money), Value(ZERO), output_field=money),
    )
