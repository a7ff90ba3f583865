"""Deliveries: writes sent to a platform through the outbox, each once.

A chapter app's row that asks for a write (a private-message reply waiting in the 6.4 outbox, a
7.1 comment action, a publication) gets one ``Delivery`` row, keyed ``kind:app.model:pk``, in the
transaction that made it (``delivery_request``). The ``deliver_task`` sends it after that commit;
the per-minute fan-out (``deliveries_due``) sends the ones whose next attempt has come.

``deliver`` is the state machine, run outside a transaction so that nothing the platform accepted
is ever rolled back::

    queued ──send──▶ delivered
       │  ╲──refused / scope missing / too many attempts──▶ failed
       │   ╲─rate limited──▶ queued (at the platform's window)
       │    ╲─passing error──▶ queued (backing off)
       ╰─answer lost (timeout, 5xx)──▶ uncertain ──find──▶ delivered, or send again

An ``uncertain`` delivery (and a ``sending`` one whose worker vanished) is never sent again before
the platform was asked whether the write is already there (``handler.find``); where the platform
offers no way to ask, it fails with that reason, for a person to look, instead of posting twice.

Handlers carry a kind out for one chapter app's row (``register_handler``): the private-message
reply (6.4) and the comment actions (7.1) are here; publishing registers its own. A handler that
can tell a subject no longer needs sending (answered by hand meanwhile) defines ``obsolete``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.models import CommentAction, CommentActionStatus, OutboxReply, OutboxStatus
from accounts_ops.services.comments import comment_action_mark_done, comment_action_mark_failed
from accounts_ops.services.inbox import outbox_confirm_sent, outbox_mark_failed
from agency.tasks import enqueue
from agency.tenancy import require_agency
from platforms import rules
from platforms.adapters import adapter_for
from platforms.adapters.base import (
    Capability,
    Delivered,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    ReconnectNeeded,
    Refused,
    ScopeMissing,
    TokenExpired,
)
from platforms.models import Connection, ConnectionStatus, Delivery, DeliveryKind, DeliveryStatus
from platforms.services.calls import NotConnected, call, require_outside_transaction

logger = logging.getLogger(__name__)

ERROR_MAX_CHARS = 2_000
ERROR_CODE_MAX_CHARS = Delivery._meta.get_field("error_code").max_length


class CannotCheck(Exception):
    """The platform offers no way to find out whether a write whose answer was lost arrived."""


class Handler(Protocol):
    capability: str

    def subject(self, delivery: Delivery): ...

    def send(self, connection: Connection, delivery: Delivery, subject) -> Delivered: ...

    def find(self, connection: Connection, delivery: Delivery, subject) -> Delivered | None: ...

    def delivered(self, delivery: Delivery, subject, result: Delivered) -> None: ...

    def failed(self, delivery: Delivery, subject, error: str) -> None: ...


_handlers: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    """Carry deliveries of ``kind`` out with ``handler`` (one handler per kind)."""
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"No delivery handler is registered for {kind!r}.") from None


def live_connection(account_id: int) -> Connection | None:
    """The account's connection that is not disconnected (connected, or waiting for a reconnect)."""
    return (
        Connection.objects.filter(account_id=account_id)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .order_by("-connected_at", "-id")
        .first()
    )


def delivery_key(kind: str, subject) -> str:
    return f"{kind}:{subject._meta.label_lower}:{subject.pk}"


def delivery_request(*, kind: str, subject, account, not_before: dt.datetime | None = None) -> Delivery:
    """The delivery of ``subject`` (made once: asking again finds it), in the caller's transaction.
    Sent once that commits, or by the per-minute fan-out from ``not_before``."""
    key = delivery_key(kind, subject)
    found = Delivery.objects.filter(key=key).first()
    if found is not None:
        return found
    now = timezone.now()
    connection = live_connection(account.pk)
    delivery = Delivery(
        agency=require_agency(),
        client_id=account.client_id,
        account_id=account.pk,
        connection=connection,
        kind=kind,
        key=key,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        status=DeliveryStatus.QUEUED,
        next_attempt_at=not_before if not_before is not None and not_before > now else now,
    )
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:  # asked for at the same moment by another path
        return Delivery.objects.get(key=key)
    if not_before is None or not_before <= now:
        enqueue("platforms.tasks.deliver_task", agency_id=delivery.agency_id, delivery_id=delivery.pk)
    return delivery


# --- the state machine -----------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th attempt failed in passing (the last delay repeats)."""
    delays = rules.DELIVERY_RETRY_DELAYS
    return delays[min(max(attempts, 1), len(delays)) - 1]


def _reason(exc: BaseException) -> tuple[str, str]:
    """(code, message) of an error, in the platform's words where it gave them."""
    if isinstance(exc, PlatformError):
        code = "" if exc.code is None else str(exc.code)
        message = exc.message
        if exc.log_id:
            message = f"{message} (log id {exc.log_id})"
        if isinstance(exc, ScopeMissing) and exc.scope:
            message = _("%(message)s (missing permission: %(scope)s)") % {"message": message, "scope": exc.scope}
        return code, message
    if isinstance(exc, NotConnected):
        return "not_connected", str(exc) or _("The account is not connected.")
    if isinstance(exc, CannotCheck):
        return "cannot_check", str(exc)
    return type(exc).__name__, str(exc) or type(exc).__name__


def _save(delivery: Delivery, **values) -> Delivery:
    for name, value in values.items():
        setattr(delivery, name, value)
    delivery.error = (delivery.error or "")[:ERROR_MAX_CHARS]
    delivery.error_code = (delivery.error_code or "")[:ERROR_CODE_MAX_CHARS]
    delivery.save()
    return delivery


def _begin(delivery_id: int):
    """Lock the delivery and decide: ``(delivery, None)`` when there is nothing to do now, else
    ``(delivery, uncertain)`` with the row marked ``sending`` (committed before the platform call)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
            return delivery, None
        if delivery.status == DeliveryStatus.SENDING:
            if delivery.last_attempt_at and delivery.last_attempt_at > now - rules.DELIVERY_SENDING_STALE:
                return delivery, None  # another worker may be sending it right now
            uncertain = True  # its worker vanished mid-call: the write may be there
        else:
            if delivery.next_attempt_at and delivery.next_attempt_at > now:
                return delivery, None  # not due yet (a task delivered twice, or early)
            uncertain = delivery.status == DeliveryStatus.UNCERTAIN
        handler = handler_for(delivery.kind)
        try:
            subject = handler.subject(delivery)
        except ObjectDoesNotExist:
            _save(
                delivery,
                status=DeliveryStatus.FAILED,
                next_attempt_at=None,
                error_code="gone",
                error=_("What was to be sent no longer exists."),
            )
            return delivery, None
        obsolete = getattr(handler, "obsolete", None)
        reason = obsolete(subject) if obsolete is not None and not uncertain else None
        if reason:
            _save(delivery, status=DeliveryStatus.FAILED, next_attempt_at=None, error_code="obsolete", error=reason)
            return delivery, None
        if delivery.connection_id is None or not _is_live(delivery.connection_id):
            delivery.connection = live_connection(delivery.account_id)
        capability = getattr(handler, "capability", None)
        if delivery.connection is not None and capability and not _capable(delivery.connection, capability):
            _save(
                delivery,
                status=DeliveryStatus.FAILED,
                next_attempt_at=None,
                error_code="not_offered",
                error=_("The platform's open API offers no way to do this; do it on the platform by hand."),
            )
            _record_failure(handler, delivery, subject, delivery.error)
            return delivery, None
        _save(
            delivery,
            status=DeliveryStatus.SENDING,
            attempts=delivery.attempts + 1,
            last_attempt_at=now,
            next_attempt_at=None,
        )
    return delivery, uncertain


def _is_live(connection_id: int) -> bool:
    return Connection.objects.filter(pk=connection_id).exclude(status=ConnectionStatus.DISCONNECTED).exists()


def deliver(delivery_id: int) -> Delivery:
    """Send one delivery (see the module's diagram). Outside a transaction; a second run of a
    delivered or failed delivery changes nothing."""
    require_outside_transaction("deliver()")
    delivery, uncertain = _begin(delivery_id)
    if uncertain is None:
        return delivery
    handler = handler_for(delivery.kind)
    subject = handler.subject(delivery)
    connection = delivery.connection
    sent = False
    try:
        if connection is None:
            raise NotConnected(_("The account has no platform connection."))
        result = None
        if uncertain:
            result = handler.find(connection, delivery, subject)
        if result is None:
            sent = True
            result = handler.send(connection, delivery, subject)
        if not isinstance(result, Delivered):
            raise PlatformUnavailable(_("The platform's answer could not be read."), maybe_done=True)
    except RateLimited as exc:
        wait = dt.timedelta(seconds=max(exc.retry_after, 1))
        # A refusal to be called is no attempt: only the window counts.
        return _retry(delivery, exc, uncertain=uncertain, at=timezone.now() + wait, counted=False)
    except (Refused, ScopeMissing) as exc:
        return _fail(delivery, handler, subject, exc)
    except CannotCheck as exc:
        return _fail(delivery, handler, subject, exc)
    except (NotConnected, ReconnectNeeded) as exc:
        return _retry(delivery, exc, uncertain=uncertain, handler=handler, subject=subject)
    except PlatformUnavailable as exc:
        lost = uncertain or (sent and exc.maybe_done)
        return _retry(delivery, exc, uncertain=lost, handler=handler, subject=subject)
    except PlatformError as exc:
        if exc.retryable or isinstance(exc, TokenExpired):
            return _retry(delivery, exc, uncertain=uncertain, handler=handler, subject=subject)
        return _fail(delivery, handler, subject, exc)
    except Exception as exc:  # a timeout below the adapter, or an answer it could not parse
        logger.exception("Delivery %s: unexpected error while sending", delivery.pk)
        return _retry(delivery, exc, uncertain=uncertain or sent, handler=handler, subject=subject)
    return _delivered(delivery, handler, result)


def _retry(
    delivery: Delivery, exc: BaseException, *, uncertain: bool, at=None, counted=True, handler=None, subject=None
) -> Delivery:
    code, message = _reason(exc)
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        attempts = row.attempts if counted else max(row.attempts - 1, 0)
        if counted and attempts >= rules.DELIVERY_MAX_ATTEMPTS and handler is not None:
            if uncertain:
                message = _(
                    "%(reason)s The platform's answer to an attempt was lost: look on the platform before "
                    "sending again."
                ) % {"reason": message}
            _save(row, status=DeliveryStatus.FAILED, next_attempt_at=None, error_code=code, error=message)
            _record_failure(handler, row, subject, message)
            return row
        _save(
            row,
            status=DeliveryStatus.UNCERTAIN if uncertain else DeliveryStatus.QUEUED,
            attempts=attempts,
            next_attempt_at=at or timezone.now() + retry_delay(attempts),
            error_code=code,
            error=message,
        )
    logger.info("Delivery %s will be tried again at %s: %s %s", row.pk, row.next_attempt_at, code, message)
    return row


def _fail(delivery: Delivery, handler, subject, exc: BaseException) -> Delivery:
    code, message = _reason(exc)
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        _save(row, status=DeliveryStatus.FAILED, next_attempt_at=None, error_code=code, error=message)
        _record_failure(handler, row, subject, message)
    return row


def _record_failure(handler, delivery: Delivery, subject, message: str) -> None:
    try:
        with transaction.atomic():
            handler.failed(delivery, handler.subject(delivery), message)
    except (ValidationError, ObjectDoesNotExist) as exc:  # the row moved on meanwhile (answered by hand)
        logger.info("Delivery %s failed; its row was not marked: %s", delivery.pk, exc)


def _delivered(delivery: Delivery, handler, result: Delivered) -> Delivery:
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        _save(
            row,
            status=DeliveryStatus.DELIVERED,
            next_attempt_at=None,
            accepted_at=result.accepted_at,
            platform_id=(result.platform_id or "")[: Delivery._meta.get_field("platform_id").max_length],
            error_code="",
            error="",
        )
        try:
            with transaction.atomic():
                handler.delivered(row, handler.subject(row), result)
        except (ValidationError, ObjectDoesNotExist) as exc:
            # The platform has it: the delivery stays delivered, whatever the row says now.
            row.error = _("Delivered, but not recorded on its row: %(reason)s") % {"reason": _validation_text(exc)}
            _save(row)
    return row


def _validation_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(message) for message in exc.messages)
    return str(exc)


def deliveries_due(*, now: dt.datetime | None = None, limit: int = rules.DELIVERIES_DUE_BATCH) -> list[int]:
    """The current agency's deliveries whose attempt has come: queued or uncertain ones due, and
    ``sending`` ones abandoned by their worker. Oldest first."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        Q(status__in=(DeliveryStatus.QUEUED, DeliveryStatus.UNCERTAIN), next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, last_attempt_at__lte=now - rules.DELIVERY_SENDING_STALE)
    )
    return list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])


# --- 6.4: private-message replies ------------------------------------------------------------------


def _between(moment: dt.datetime, earliest: dt.datetime) -> dt.datetime:
    """The platform's time, kept within what the row accepts: not before ``earliest`` (clocks
    differ by a little) nor after now."""
    return min(max(moment, earliest), timezone.now())


class MessageReplyHandler:
    """A reply in the 6.4 outbox, sent to the conversation of the message it answers. Its
    first-response time is the time the platform accepted it."""

    capability = Capability.MESSAGES

    def subject(self, delivery: Delivery):

        return OutboxReply.objects.select_related("message").get(pk=delivery.subject_id)

    def obsolete(self, reply) -> str | None:

        if reply.status == OutboxStatus.SENT:
            return _("The reply was marked sent before the connector sent it.")
        if reply.status == OutboxStatus.FAILED:
            return reply.error or _("The reply was withdrawn.")
        return None

    def send(self, connection, delivery, reply) -> Delivered:
        message = reply.message
        return call(
            connection,
            "send_message",
            conversation_id=message.conversation_id,
            to_user_id=message.sender_uid,
            text=reply.text,
            reply_to=message.platform_message_id,
        )

    def find(self, connection, delivery, reply) -> Delivered | None:
        message = reply.message
        try:
            return call(
                connection,
                "find_message",
                conversation_id=message.conversation_id,
                to_user_id=message.sender_uid,
                text=reply.text,
                since=delivery.created_at,
            )
        except NotImplementedError:
            raise CannotCheck(
                _(
                    "The platform's answer was lost and it offers no way to check whether the reply arrived: "
                    "look in the conversation before sending it again."
                )
            ) from None

    def delivered(self, delivery, reply, result: Delivered) -> None:

        if reply.status == OutboxStatus.SENT:
            return
        outbox_confirm_sent(
            reply=reply,
            sent_at=_between(result.accepted_at, reply.message.received_at),
            platform_message_id=result.platform_id,
        )

    def failed(self, delivery, reply, error: str) -> None:

        if reply.status == OutboxStatus.QUEUED:
            outbox_mark_failed(actor=None, reply=reply, error=error)


# --- 7.1: comment actions --------------------------------------------------------------------------

# CommentAction kind → (delivery kind, capability)
COMMENT_KINDS = {
    "reply": (DeliveryKind.COMMENT_REPLY, Capability.COMMENT_REPLY),
    "guide": (DeliveryKind.COMMENT_REPLY, Capability.COMMENT_REPLY),
    "pin": (DeliveryKind.COMMENT_TOP, Capability.COMMENT_TOP),
    "unpin": (DeliveryKind.COMMENT_UNTOP, Capability.COMMENT_TOP),
    "hide": (DeliveryKind.COMMENT_HIDE, Capability.COMMENT_HIDE),
    "unhide": (DeliveryKind.COMMENT_UNHIDE, Capability.COMMENT_HIDE),
}


class CommentActionHandler:
    """A 7.1 comment action: a reply to a comment, a guide comment under the video, pinning,
    hiding, and undoing them. Pinning and hiding set a state, so sending them again is harmless; a
    reply whose answer was lost is looked for before it is sent again.

    A guide comment is sent as a reply with no comment id: Douyin's "回复视频评论" takes
    ``comment_id`` only "若需要对评论进行回复" and otherwise comments on the video itself
    (https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/enterprise-open-ability/comment-management-enterprise/video-comment-reply)."""

    def __init__(self, capability: str):
        self.capability = capability

    def subject(self, delivery: Delivery):

        return CommentAction.objects.select_related("comment", "comment__video").get(pk=delivery.subject_id)

    def obsolete(self, action) -> str | None:

        if action.status == CommentActionStatus.SENT:
            return _("The action was reported done before the connector carried it out.")
        if action.status == CommentActionStatus.FAILED:
            return action.error or _("The action was withdrawn.")
        return None

    @staticmethod
    def _target(action) -> tuple[str, str]:
        """(item id, comment id) on the platform; a guide comment answers no comment."""
        comment = action.comment
        comment_id = "" if action.kind == "guide" else comment.platform_comment_id
        return comment.video.platform_item_id, comment_id

    def send(self, connection, delivery, action) -> Delivered:
        item_id, comment_id = self._target(action)
        if action.kind in ("reply", "guide"):
            return call(connection, "reply_comment", item_id=item_id, comment_id=comment_id, text=action.text)
        if action.kind in ("pin", "unpin"):
            return call(connection, "top_comment", item_id=item_id, comment_id=comment_id, top=action.kind == "pin")
        return call(connection, "hide_comment", item_id=item_id, comment_id=comment_id, hidden=action.kind == "hide")

    def find(self, connection, delivery, action) -> Delivered | None:
        if action.kind not in ("reply", "guide"):
            return None  # a state set twice is the same state
        item_id, comment_id = self._target(action)
        return call(
            connection,
            "find_comment_reply",
            item_id=item_id,
            comment_id=comment_id,
            text=action.text,
            since=delivery.created_at,
        )

    def delivered(self, delivery, action, result: Delivered) -> None:

        if action.status == CommentActionStatus.SENT:
            return
        comment_action_mark_done(
            actor=None,
            action=action,
            done_at=_between(result.accepted_at, action.created_at),
            platform_comment_id=result.platform_id if action.kind in ("reply", "guide") else "",
        )

    def failed(self, delivery, action, error: str) -> None:

        if action.status == CommentActionStatus.QUEUED:
            comment_action_mark_failed(actor=None, action=action, error=error)


register_handler(DeliveryKind.MESSAGE_REPLY, MessageReplyHandler())
register_handler(DeliveryKind.COMMENT_REPLY, CommentActionHandler(Capability.COMMENT_REPLY))
register_handler(DeliveryKind.COMMENT_TOP, CommentActionHandler(Capability.COMMENT_TOP))
register_handler(DeliveryKind.COMMENT_UNTOP, CommentActionHandler(Capability.COMMENT_TOP))
register_handler(DeliveryKind.COMMENT_HIDE, CommentActionHandler(Capability.COMMENT_HIDE))
register_handler(DeliveryKind.COMMENT_UNHIDE, CommentActionHandler(Capability.COMMENT_HIDE))


# --- the chapter apps' rows that ask for a delivery ------------------------------------------------


def _capable(connection: Connection, capability: str) -> bool:
    try:
        return capability in adapter_for(connection.platform).capabilities
    except LookupError:
        return False


def _request_for(instance, kind: str, capability: str) -> None:
    connection = live_connection(instance.account_id)
    if connection is None or not _capable(connection, capability):
        return  # no connector for it: the row waits to be marked by hand or through the API, as before
    delivery_request(kind=kind, subject=instance, account=instance.account)


def outbox_reply_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A reply queued in the 6.4 outbox of a connected account is delivered by the connector."""
    if created and not raw and instance.status == "queued":
        _request_for(instance, DeliveryKind.MESSAGE_REPLY, Capability.MESSAGES)


def comment_action_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A 7.1 comment action of a connected account is carried out by the connector."""
    if created and not raw and instance.status == "queued" and instance.kind in COMMENT_KINDS:
        kind, capability = COMMENT_KINDS[instance.kind]
        _request_for(instance, kind, capability)


def _connect() -> None:

    post_save.connect(outbox_reply_saved, sender=OutboxReply, dispatch_uid="platforms.outbox_reply_delivery")
    post_save.connect(comment_action_saved, sender=CommentAction, dispatch_uid="platforms.comment_action_delivery")


_connect()
