"""Rows of notifications for the isolation tests (``tests.factories.ROW_MAKERS``)."""

from __future__ import annotations

from agency.models import Membership
from agency.tenancy import tenant_context
from notifications.models import Notification, NotificationPreference
from notifications.rules import Kind
from tests.factories import ROW_MAKERS, MembershipFactory, UserFactory


def make_notification(agency, client, recipient=None) -> Notification:
    """A notification for ``client`` addressed to ``recipient`` (by default the agency's first admin)."""
    if recipient is None:
        admin = Membership.objects.filter(agency=agency, role="agency_admin", is_active=True).order_by("pk").first()
        recipient = admin.user if admin else MembershipFactory(agency=agency, user=UserFactory()).user
    with tenant_context(agency):
        count = Notification.objects.count()
        return Notification.objects.create(
            recipient=recipient,
            client=client,
            kind=Kind.OPINION_ALERT,
            key=f"test:{count}:{client.pk}",
            message="opinion_alert",
            params={"subject": str(client)},
        )


def make_preference(agency, client) -> NotificationPreference:
    """A person of ``client`` who chose e-mail for approvals and the daily digest."""
    person = MembershipFactory(agency=agency, client=client, role="client_approver", user=UserFactory()).user
    with tenant_context(agency):
        return NotificationPreference.objects.create(
            user=person, client=client, channels={Kind.APPROVAL_WAITING: ["in_app", "email"]}, digest=True
        )


ROW_MAKERS[Notification] = make_notification
ROW_MAKERS[NotificationPreference] = make_preference
