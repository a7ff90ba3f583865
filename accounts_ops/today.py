"""What the account operations app contributes to today's work (chapter 6)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts_ops.models import InboxMessage, InboxStatus
from accounts_ops.selectors import flagged_accounts, open_boost_tasks
from agency.today import WorkRow, WorkSection, first_rows, today_section


@today_section(resource="boost", order=30)
def boosts_due(actor, today):
    queryset = open_boost_tasks(actor).filter(due_on__lte=today)
    count, rows = first_rows(
        queryset,
        lambda t: WorkRow(f"{t.account} · {t.pinned_video.video}", "", f"{t.due_on:%Y-%m-%d}", t.due_on < today),
    )
    return WorkSection(_("Pinned videos due a boost (6.3)"), count, reverse("accounts_ops:boost-list"), rows)


@today_section(resource="inbox", order=31)
def messages_waiting(actor, today):
    queryset = (
        InboxMessage.objects.visible_to(actor)
        .filter(status=InboxStatus.OPEN)
        .select_related("account")
        .order_by("received_at", "id")
    )
    count, rows = first_rows(
        queryset,
        lambda m: WorkRow(
            f"{m.account} · {m.sender_nickname or m.sender_uid}: {m.text[:40]}",
            m.get_absolute_url(),
            f"{m.received_at:%m-%d %H:%M}",
        ),
    )
    return WorkSection(_("Private messages waiting for a reply (6.4)"), count, reverse("accounts_ops:inbox-list"), rows)


@today_section(resource="pinned_video", order=32)
def accounts_without_pins(actor, today):
    count, rows = first_rows(
        flagged_accounts(actor), lambda a: WorkRow(f"{a.client} · {a}", reverse("accounts_ops:account", args=[a.pk]))
    )
    return WorkSection(_("Active accounts with no pinned video (6.3)"), count, reverse("accounts_ops:pin-list"), rows)
