"""Publishing a video on its account's platform: a planned ``production.Publication`` becomes a
``Delivery`` of kind ``publish`` due at its time; sending it uploads the approved cut (in parts,
when large: the adapter's business) and creates the post with its text and POI; then the
platform's review is followed until the video is public (the project closes with it, as with a
publication recorded by hand) or refused (the producer sees why on Today).

Production does not know the platforms, so this module connects itself to it when it is imported
(``platforms.apps``): a receiver on ``Publication`` asks for the delivery, moves it when the
publication is re-planned and calls it off when the publication is cancelled; production asks
``register_publisher``'s check whether an account can be published to.

A retry after an answer that was lost never posts twice: before sending again, the engine asks
``find``, which looks for a post with the same text made since the sending started.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.tasks import enqueue
from platforms.adapters import adapter_for, has_adapter
from platforms.adapters.base import Capability, Delivered, PlatformError, PublishStatus, Refused
from platforms.models import Connection, ConnectionStatus, Delivery, DeliveryKind, DeliveryStatus
from platforms.services import calls, deliveries
from platforms.services.connections import live_connection
from production.models import Publication, PublicationStatus
from production.services import publishing as production_publishing

logger = logging.getLogger(__name__)

# The platform's clock and ours differ a little: a post found within this margin before the
# sending started is still ours.
FIND_MARGIN = dt.timedelta(minutes=2)
# How often a publication in the platform's review is asked about (the review task runs more often
# and skips the ones asked recently).
REVIEW_POLL_INTERVAL = dt.timedelta(minutes=5)
# How many publications in review one run of the review task asks about, per agency.
REVIEW_BATCH = 200
CANCELLED = "cancelled"


def delivery_key(publication: Publication) -> str:
    return deliveries.delivery_key(DeliveryKind.PUBLISH, publication)


# --- which accounts can be published to --------------------------------------------------------


def account_problem(account) -> str:
    """ "" when a publication of ``account`` can be sent through its connection, else why not."""
    if not has_adapter(account.platform):
        return _("No connector is configured for %(platform)s: record the publication by hand.") % {
            "platform": account.get_platform_display()
        }
    try:
        adapter = adapter_for(account.platform)
    except (LookupError, ImportError):
        logger.exception("The adapter of %s cannot be loaded", account.platform)
        return _("No connector is configured for %(platform)s: record the publication by hand.") % {
            "platform": account.get_platform_display()
        }
    if Capability.PUBLISH not in adapter.capabilities:
        return _("%(platform)s's open API does not publish videos: record the publication by hand.") % {
            "platform": account.get_platform_display()
        }
    connection = live_connection(account)
    if connection is None:
        return _("The account is not connected to its platform: connect it, or record the publication by hand.")
    if connection.status != ConnectionStatus.CONNECTED:
        return _("The account's connection needs reconnecting: %(problem)s") % {
            "problem": connection.problem or connection.get_status_display()
        }
    needed = set(adapter.scopes.get(Capability.PUBLISH, ()))
    missing = needed & set(connection.missing_scopes or ())
    if connection.scopes:
        missing |= needed - set(connection.scopes)
    if missing:
        return _("The account's authorisation lacks the publishing permission (%(scopes)s): connect it again.") % {
            "scopes": ", ".join(sorted(missing))
        }
    return ""


production_publishing.register_publisher(account_problem)


# --- the planned publication asks for its delivery ---------------------------------------------


def _publication_saved(sender, instance: Publication, created: bool = False, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if instance.status == PublicationStatus.PLANNED:
        delivery = deliveries.delivery_request(
            kind=DeliveryKind.PUBLISH, subject=instance, account=instance.account, not_before=instance.scheduled_at
        )
        moved = delivery.next_attempt_at != instance.scheduled_at
        if not created and delivery.status == DeliveryStatus.QUEUED and moved:
            _reschedule(delivery, instance.scheduled_at)
    elif instance.status == PublicationStatus.CANCELLED:
        Delivery.objects.filter(key=delivery_key(instance), status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.FAILED, error=CANCELLED, next_attempt_at=None, updated_at=timezone.now()
        )


def _reschedule(delivery: Delivery, when: dt.datetime) -> None:
    """Move a queued delivery to ``when``; one due now is sent straight away (the engine's send
    is idempotent, so a send already queued for it changes nothing)."""
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
        next_attempt_at=when, updated_at=timezone.now()
    )
    if when <= timezone.now():
        enqueue("platforms.tasks.deliver_task", agency_id=delivery.agency_id, delivery_id=delivery.pk)


post_save.connect(_publication_saved, sender=Publication, dispatch_uid="platforms.publishing.publication_saved")


# --- the delivery handler ---------------------------------------------------------------------


class PublishHandler:
    """Sends a ``Publication`` (see ``platforms.services.deliveries`` for the engine)."""

    capability = Capability.PUBLISH

    def subject(self, delivery: Delivery) -> Publication:
        return Publication.objects.select_related("project", "account").get(pk=delivery.subject_id)

    def obsolete(self, publication: Publication) -> str | None:
        if publication.status == PublicationStatus.CANCELLED:
            return CANCELLED
        if publication.status not in (PublicationStatus.PLANNED, PublicationStatus.SENDING):
            return publication.problem or publication.get_status_display()
        return None

    def send(self, connection: Connection, delivery: Delivery, subject: Publication) -> Delivered:
        publication = production_publishing.publication_sending(publication=subject)
        if publication is None:
            subject.refresh_from_db()
            raise Refused(subject.problem or _("The publication was cancelled before it was sent."), code=CANCELLED)
        cut = production_publishing.approved_cut(publication.project)
        if cut is None or not cut.file:
            raise Refused(_("The approved cut has no file to publish."))
        with cut.file.open("rb") as file:
            return calls.call(
                connection,
                "publish_video",
                file=file,
                size=cut.file.size,
                text=publication.text,
                poi_id=publication.poi_id,
            )

    def find(self, connection: Connection, delivery: Delivery, subject: Publication) -> Delivered | None:
        subject.refresh_from_db()
        if subject.send_started_at is None:
            return None  # never started: nothing can be on the platform
        return calls.call(connection, "find_post", text=subject.text, since=subject.send_started_at - FIND_MARGIN)

    def delivered(self, delivery: Delivery, subject: Publication, result: Delivered) -> None:
        production_publishing.publication_sent(
            publication=subject, platform_item_id=result.platform_id, accepted_at=result.accepted_at
        )

    def failed(self, delivery: Delivery, subject: Publication, error: str) -> None:
        production_publishing.publication_failed(publication=subject, reason=error)


deliveries.register_handler(DeliveryKind.PUBLISH, PublishHandler())


# --- following the platform's review ------------------------------------------------------------


def publications_review(*, now: dt.datetime | None = None) -> int:
    """Ask the platform about each publication of the current agency in its review (not asked
    within ``REVIEW_POLL_INTERVAL``): public closes the project with the video, refused shows the
    platform's reason on Today. Runs outside a transaction (platform calls). Returns how many
    were decided (public or refused)."""
    calls.require_outside_transaction("publications_review()")
    now = now or timezone.now()
    due = list(
        Publication.objects.filter(status=PublicationStatus.REVIEWING)
        .exclude(reviewed_at__gt=now - REVIEW_POLL_INTERVAL)
        .select_related("account")
        .order_by("reviewed_at", "id")[:REVIEW_BATCH]
    )
    decided = 0
    for publication in due:
        connection = live_connection(publication.account)
        if connection is None or connection.status != ConnectionStatus.CONNECTED:
            continue  # Today already says the account needs reconnecting
        try:
            answer = calls.call(connection, "publication", item_id=publication.platform_item_id)
        except (PlatformError, calls.NotConnected) as exc:
            logger.warning("Review of publication %s not read: %s", publication.pk, exc)
            continue
        if answer.status == PublishStatus.PUBLIC:
            public, reason = True, ""
        elif answer.status == PublishStatus.REFUSED:
            public, reason = False, answer.reason
        elif answer.status == PublishStatus.DELETED:
            public, reason = False, answer.reason or _("The video was deleted on the platform.")
        else:
            public, reason = None, ""
        with transaction.atomic():
            production_publishing.publication_reviewed(
                publication=publication, public=public, reason=reason, url=answer.url, now=now
            )
        decided += public is not None
    return decided
