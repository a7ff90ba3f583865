"""Writes sent to a platform through the outbox: each with an idempotency key, its attempts and
the platform's answer (its time, its id, or its refusal)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.models import TenantModel
from clients.models import Client, PlatformAccount
from platforms.models.connections import Connection


class DeliveryKind(models.TextChoices):
    MESSAGE_REPLY = "message_reply", _("Private-message reply")
    COMMENT_REPLY = "comment_reply", _("Comment reply")
    COMMENT_TOP = "comment_top", _("Pin a comment")
    COMMENT_UNTOP = "comment_untop", _("Unpin a comment")
    COMMENT_HIDE = "comment_hide", _("Hide a comment")
    COMMENT_UNHIDE = "comment_unhide", _("Show a comment again")
    PUBLISH = "publish", _("Publish a video")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    UNCERTAIN = "uncertain", _("Sent, answer lost: checking")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(TenantModel):
    """One write to the platform. ``key`` is unique: asking twice for the same write (a task
    delivered twice, a retry after a timeout) finds this row instead of sending again. An attempt
    whose answer was lost leaves the row ``uncertain``, and the next attempt first asks the platform
    whether the write is there."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform account")
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries", editable=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeliveryKind.choices, editable=False)
    key = models.CharField(_("idempotency key"), max_length=100, unique=True, editable=False)
    # What is delivered: the row of the chapter app it carries out ("accounts_ops.OutboxReply", pk).
    subject_type = models.CharField(max_length=60, editable=False)
    subject_id = models.BigIntegerField(editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED, editable=False
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted by the platform at"), null=True, blank=True, editable=False)
    platform_id = models.CharField(_("platform id"), max_length=128, blank=True, editable=False)
    error_code = models.CharField(_("error code"), max_length=40, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["agency", "status", "next_attempt_at"], name="delivery_agency_status_next"),
            models.Index(fields=["agency", "subject_type", "subject_id"], name="delivery_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
