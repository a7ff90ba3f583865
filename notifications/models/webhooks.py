"""The agency's group-bot webhooks and each message sent to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.models import TenantModel
from notifications.rules import Kind


class Provider(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    FEISHU = "feishu", _("Feishu custom bot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")


class Webhook(TenantModel):
    """A group bot of the agency. Its address and signing secret are stored encrypted
    (``platforms.crypto``) and never shown back: pages show the host and the address's last
    characters (``url_hint``)."""

    # Holds a secret (the address is the bot's credential): served by no endpoint, and not carried by an
    # agency's archive (sealed with this installation's keys, like a platform connection's tokens: an
    # imported agency registers its bots again).
    api_exposed = False
    agency_export = False
    tenant_client_path = None  # the agency's own: no client person sees it

    name = models.CharField(_("name"), max_length=100)
    provider = models.CharField(_("kind of bot"), max_length=20, choices=Provider.choices)
    url_sealed = models.TextField(editable=False)
    secret_sealed = models.TextField(blank=True, editable=False)
    url_hint = models.CharField(_("address"), max_length=120, editable=False)
    kinds = models.JSONField(_("kinds sent"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_ok_at = models.DateTimeField(_("last sent at"), null=True, blank=True, editable=False)
    last_failed_at = models.DateTimeField(_("last failed at"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("group-bot webhook")
        verbose_name_plural = _("group-bot webhooks")

    def __str__(self) -> str:
        return self.name

    def sends(self, kind: str) -> bool:
        return self.is_active and kind in (self.kinds or [])


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    RETRYING = "retrying", _("Failed, will be tried again")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WebhookDelivery(TenantModel):
    """One event's message to one bot: sent once (``key`` names the event), tried again with
    growing waits when the bot fails (``rules.WEBHOOK_RETRY_DELAYS``), then left failed."""

    api_exposed = False
    agency_export = False  # its bot is not carried either
    tenant_client_path = None

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=120)
    text = models.TextField()
    status = models.CharField(
        max_length=10, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["webhook", "key"], name="webhook_delivery_once_per_event")]
        indexes = [models.Index(fields=["agency", "status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.webhook_id} · {self.key} · {self.status}"
