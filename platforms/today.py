"""What the connectors contribute to today's work: accounts whose owner must authorise again."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from agency.today import WorkRow, WorkSection, first_rows, today_section
from platforms.selectors import reconnect_needed


@today_section(resource="platform_connection", order=5)
def connections_to_reconnect(actor, today):
    count, rows = first_rows(
        reconnect_needed(actor),
        lambda c: WorkRow(
            f"{c.client} · {c.account}", reverse("accounts_ops:account", args=[c.account_id]) + "#connection", c.problem
        ),
    )
    url = reverse("clients:account-list")
    return WorkSection(_("Platform accounts to reconnect"), count, url, rows)
