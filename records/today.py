"""What the operation records app contributes to today's work (chapter 9): inspections not done."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from agency.roles import CHANGE
from agency.today import WorkRow, WorkSection, first_rows, today_section
from records.models.inspections import DailyInspection
from records.selectors.inspections import inspections_to_do


@today_section(resource="inspection", order=50, action=CHANGE)
def inspections_not_done(actor, today):
    """9 h: today's inspection lists still to do, and earlier ones missed (oldest first)."""
    queryset = (
        DailyInspection.objects.visible_to(actor)
        .filter(inspections_to_do(through=today))
        .select_related("client", "account")
        .only("inspection_date", "client__name", "account__platform", "account__handle")
        .order_by("inspection_date", "id")
    )
    count, rows = first_rows(
        queryset,
        lambda i: WorkRow(
            f"{i.client} · {i.account}",
            i.get_absolute_url(),
            f"{i.inspection_date:%Y-%m-%d}",
            i.inspection_date < today,
        ),
    )
    url = reverse("records:inspection-list") + "?status=pending"
    return WorkSection(_("Daily inspections not done (9 h)"), count, url, rows)
