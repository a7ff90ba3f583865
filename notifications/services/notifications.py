"""Raising notifications from events, marking them read, the person's channels, e-mail and the
daily digest."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agency.models import Agency, Membership, PersonPreferences
from agency.roles import STAFF_ROLES, Role, role_can
from agency.tasks import enqueue
from evaluation.notifications import public_url
from notifications.models import Notification, NotificationPreference
from notifications.rules import Channel, Kind
from notifications.services.webhooks import deliveries_for_event

logger = logging.getLogger(__name__)

# The text of each message, said in the reader's language when shown; ``params`` fill it.
MESSAGES = {
    "script_waiting": _("A script of “%(subject)s” waits for your approval."),
    "cut_waiting": _("A cut of “%(subject)s” waits for your review."),
    "opinion_alert": _("Opinion alert on %(subject)s: the share of negative comments passed the threshold."),
    "complaint_answer": _("Complaint “%(subject)s” must be answered by %(when)s."),
    "complaint_resolve": _("Complaint “%(subject)s” must be resolved by %(when)s."),
    "boost_due": _("A boost of the pinned video “%(subject)s” is due on %(when)s."),
    "connection_reconnect": _("The platform connection of %(subject)s needs reconnecting: %(reason)s"),
    "publication_refused": _("The platform refused the publication “%(subject)s”: %(reason)s"),
}


def message_text(message: str, params: dict) -> str:
    """A message in the active language."""
    template = MESSAGES.get(message)
    if template is None:
        return message
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notification_text(notification: Notification) -> str:
    return message_text(notification.message, notification.params)


@dataclass
class Event:
    """Something to tell: its kind, the key that names it once, the message and where to look."""

    kind: str
    key: str
    message: str
    params: dict
    url: str = ""
    client_id: int | None = None
    recipients: list = field(default_factory=list)  # users


# --- who is told ---------------------------------------------------------------------------


def staff_who_can(agency_id: int, resource: str, action: str) -> list:
    """The active staff of the agency whose role may do ``action`` on ``resource``."""
    roles = [role for role in STAFF_ROLES if role_can(role, resource, action)]
    memberships = Membership.objects.filter(agency_id=agency_id, is_active=True, role__in=roles, user__is_active=True)
    return [m.user for m in memberships.select_related("user").order_by("user_id")]


def client_approvers(agency_id: int, client_id: int) -> list:
    memberships = Membership.objects.filter(
        agency_id=agency_id, client_id=client_id, role=Role.CLIENT_APPROVER, is_active=True, user__is_active=True
    )
    return [m.user for m in memberships.select_related("user").order_by("user_id")]


# --- preferences ---------------------------------------------------------------------------


def preferences_of(user, agency: Agency) -> NotificationPreference:
    """The person's choices in ``agency`` (unsaved defaults when they chose nothing)."""
    found = NotificationPreference.objects.filter(agency=agency, user=user).first()
    return found or NotificationPreference(agency=agency, user=user)


def preferences_save(*, actor, channels: dict[str, list[str]], digest: bool) -> NotificationPreference:
    """Save the actor's channels per kind and the digest choice."""
    clean = {kind: [c for c in channels.get(kind, []) if c in Channel.values] for kind in Kind.values}
    prefs, _created = NotificationPreference.objects.get_or_create(
        agency=actor.agency, user=actor.user, defaults={"client_id": actor.client_id}
    )
    prefs.channels = clean
    prefs.digest = digest
    prefs.save()
    return prefs


# --- raising -------------------------------------------------------------------------------


def raise_event(agency: Agency, event: Event) -> list[Notification]:
    """Tell ``event`` to its recipients on the channels each chose, and to the agency's bots that
    take its kind; once per event (a second call with the same key changes nothing). Delivery by
    e-mail and to the bots is the worker's (enqueued through the outbox)."""
    created = []
    users = {u.pk: u for u in event.recipients}
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(agency=agency, user_id__in=list(users))}
    already = set(
        Notification.objects.filter(
            agency=agency, kind=event.kind, key=event.key, recipient_id__in=list(users)
        ).values_list("recipient_id", flat=True)
    )
    for user_id, user in users.items():
        if user_id in already:
            continue
        pref = prefs.get(user_id) or NotificationPreference(agency=agency, user_id=user_id)
        channels = pref.channels_of(event.kind)
        if not channels and not pref.digest:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    agency=agency,
                    recipient=user,
                    client_id=event.client_id,
                    kind=event.kind,
                    key=event.key,
                    message=event.message,
                    params=event.params,
                    url=event.url,
                    in_app=Channel.IN_APP in channels,
                )
        except IntegrityError:  # raised meanwhile by another process
            continue
        created.append(notification)
        if Channel.EMAIL in channels and user.email:
            enqueue("notifications.tasks.notification_email_task", agency_id=agency.pk, notification_id=notification.pk)
    for delivery in deliveries_for_event(agency, event.kind, event.key, _bot_text(agency, event)):
        enqueue("notifications.tasks.webhook_delivery_task", agency_id=agency.pk, delivery_id=delivery.pk)
    return created


def _bot_text(agency: Agency, event: Event) -> str:
    with translation.override(agency.language):
        text = message_text(event.message, event.params)
        return f"{agency.name} · {text}" + (f"\n{_absolute(event.url)}" if event.url else "")


def _absolute(url: str) -> str:
    """A link for an e-mail or a bot: the product's public address (as evaluation's e-mails have it)."""
    return public_url(url) if url.startswith("/") else url


# --- reading -------------------------------------------------------------------------------


def mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.user.pk:
        raise PermissionError("Only the recipient marks a notification read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at", "updated_by"])
    return notification


def mark_all_read(*, actor) -> int:
    return Notification.objects.filter(agency=actor.agency, recipient=actor.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- e-mail --------------------------------------------------------------------------------


def language_of(user, agency: Agency) -> str:
    chosen = PersonPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or agency.language


def notification_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient, once. True when sent now."""
    notification = (
        Notification.objects.select_for_update()
        .select_related("recipient", "agency")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at is not None or not notification.recipient.email:
        return False
    agency = notification.agency
    with translation.override(language_of(notification.recipient, agency)):
        text = notification_text(notification)
        subject = f"[{agency.name}] {notification.get_kind_display()}"
        body = text + (f"\n\n{_absolute(notification.url)}" if notification.url else "")
    try:
        send_mail(subject, body, None, [notification.recipient.email])
    except Exception as exc:  # the mail server refused: kept on the row, the task does not fail the event
        notification.email_error = str(exc)[:300]
        notification.save(update_fields=["email_error", "updated_at"])
        logger.warning("Notification %s not e-mailed: %r", notification.pk, exc)
        return False
    notification.emailed_at = timezone.now()
    notification.email_error = ""
    notification.save(update_fields=["emailed_at", "email_error", "updated_at"])
    return True


def digest_send(agency: Agency, *, today: dt.date | None = None) -> int:
    """One e-mail per person of ``agency`` who chose the daily digest: their notifications since
    the previous digest (the last day at most, nothing when there are none). Once per day."""
    today = today or agency.today()
    sent = 0
    since_default = timezone.now() - dt.timedelta(days=1)
    for pref in NotificationPreference.objects.filter(agency=agency, digest=True).select_related("user"):
        if pref.digest_sent_on == today or not pref.user.email:
            continue
        since = since_default
        rows = list(Notification.objects.filter(agency=agency, recipient=pref.user, created_at__gte=since)[:100])
        pref.digest_sent_on = today
        pref.save(update_fields=["digest_sent_on", "updated_at"])
        if not rows:
            continue
        with translation.override(language_of(pref.user, agency)):
            subject = f"[{agency.name}] " + gettext("Your notifications of the day (%(count)d)") % {"count": len(rows)}
            lines = [f"· {notification_text(n)}" + (f" {_absolute(n.url)}" if n.url else "") for n in rows]
        send_mail(subject, "\n".join(lines), None, [pref.user.email])
        sent += 1
    return sent
