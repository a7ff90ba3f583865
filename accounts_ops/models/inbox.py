"""Models of clause 6.4, private-message auto-replies: settings, rules, the inbox and the outbox."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from agency.constraints import on_field
from agency.db.indexes import TrigramIndex

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: Monday is 1


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or not all(isinstance(d, int) and d in WEEKDAYS for d in value):
        raise ValidationError(_("Business days are a list of ISO weekdays, 1 (Monday) to 7 (Sunday)."))
    if len(set(value)) != len(value):
        raise ValidationError(_("A business day is listed twice."))


class AutoReplySettings(AccountScoped):
    """Clause 6.4: an account's business hours (in the agency's time zone; a window may run past
    midnight), the values its reply placeholders use, and the secret its platform webhook signs
    with. No hours set means always open."""

    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(
        _("closes at"), null=True, blank=True, help_text=_("Earlier than the opening time: the window ends next day.")
    )
    business_days = models.JSONField(
        _("business days"),
        default=list,
        blank=True,
        validators=[validate_weekdays],
        help_text=_("ISO weekdays the window opens on, 1 = Monday; empty means every day."),
    )
    store_address = models.CharField(_("store address"), max_length=300, blank=True)
    coupon_link = models.URLField(_("coupon link"), max_length=500, blank=True)
    webhook_secret = models.CharField(
        _("webhook secret"),
        max_length=128,
        blank=True,
        help_text=_("The shared secret the platform signs its message events with (HMAC-SHA256)."),
    )

    class Meta:
        ordering = ["account_id"]
        verbose_name = _("auto-reply settings")
        verbose_name_plural = _("auto-reply settings")
        constraints = [
            on_field(
                "account",
                models.UniqueConstraint(
                    fields=["account"],
                    name="autoreply_settings_one_per_account",
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.account_id)

    def clean(self) -> None:
        super().clean()
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError({"closes_at": _("Set both the opening and the closing time, or neither.")})


class ReplyTrigger(models.TextChoices):
    KEYWORDS = "keywords", _("Keywords")
    REGEX = "regex", _("Regular expression")
    FIRST_CONTACT = "first_contact", _("First contact greeting")
    OUTSIDE_HOURS = "outside_hours", _("Outside business hours")
    ANY = "any", _("Any message (fallback)")


class KeywordMode(models.TextChoices):
    ANY = "any", _("any keyword")
    ALL = "all", _("all keywords")


class ReplyRule(AccountScoped):
    """Clause 6.4: a customised private-message reply. The active rule with the lowest priority
    number among those that match a message decides the reply (ties: the older rule).
    Keyword, pattern and placeholder rules are checked in ``accounts_ops.autoreply``."""

    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=20, choices=ReplyTrigger.choices)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    keyword_mode = models.CharField(_("keyword match"), max_length=5, choices=KeywordMode.choices, default="any")
    pattern = models.CharField(_("regular expression"), max_length=500, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )
    reply_text = models.TextField(_("reply"), help_text=_("Placeholders: {nickname}, {store_address}, {coupon_link}."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["account_id", "priority", "id"]
        verbose_name = _("reply rule")
        verbose_name_plural = _("reply rules")
        constraints = [
            on_field(
                "name",
                models.UniqueConstraint(
                    fields=["account", "name"],
                    name="reply_rule_name_unique",
                ),
            )
        ]
        indexes = [models.Index(fields=["agency", "account", "is_active"], name="reply_rule_agency_account")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from accounts_ops.autoreply import validate_rule

        super().clean()
        validate_rule(self)


class MessageSource(models.TextChoices):
    API = "api", _("API")
    WEBHOOK = "webhook", _("Platform webhook")


class InboxStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a reply")
    QUEUED = "queued", _("Reply queued")  # a reply waits in the outbox: nobody needs to write one
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed without reply")


class SentConfirmation(models.TextChoices):
    """Where a reply's sending time comes from (6.4). Only the platform's answer to the connector
    confirms delivery; a time reported through the API is measured from when the report arrived
    (a caller cannot date a reply back), and shown as reported."""

    PLATFORM = "platform", _("Confirmed by the platform")
    REPORTED = "reported", _("Reported")


class InboxMessage(AccountScoped):
    """Clause 6.4: a private message a platform user sent the account, the reply decision the
    engine took for it (which rule fired, or none) and its first-response time."""

    platform_message_id = models.CharField(_("platform message id"), max_length=128)
    conversation_id = models.CharField(_("conversation id"), max_length=200, blank=True)
    sender_uid = models.CharField(_("sender id"), max_length=128)
    sender_nickname = models.CharField(_("sender nickname"), max_length=100, blank=True)
    message_type = models.CharField(_("message type"), max_length=20, default="text")
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=10, choices=MessageSource.choices, default=MessageSource.API)
    is_first_contact = models.BooleanField(_("first contact"), default=False, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=InboxStatus.choices, default=InboxStatus.OPEN, editable=False
    )
    matched_rule = models.ForeignKey(
        ReplyRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule that fired"),
        editable=False,
    )
    decision = models.CharField(_("decision"), max_length=300, blank=True, editable=False)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True, editable=False)
    first_response_seconds = models.PositiveIntegerField(_("first response (s)"), null=True, blank=True, editable=False)
    first_response_confirmation = models.CharField(
        _("first response confirmed by"), max_length=10, choices=SentConfirmation.choices, blank=True, editable=False
    )

    name_fields = ("sender_nickname", "sender_uid", "text")  # __str__

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        constraints = [
            on_field(
                "platform_message_id",
                models.UniqueConstraint(
                    fields=["account", "platform_message_id"],
                    name="inbox_message_once",
                ),
            ),
        ]
        indexes = [
            TrigramIndex(fields=["agency", "text", "sender_nickname"], name="inbox_agency_search"),
            models.Index(fields=["agency", "account", "received_at"], name="inbox_agency_account_received"),
            models.Index(fields=["agency", "account", "sender_uid"], name="inbox_agency_account_sender"),
            models.Index(fields=["agency", "status", "received_at"], name="inbox_agency_status_received"),
        ]

    def __str__(self) -> str:
        return f"{self.sender_nickname or self.sender_uid}: {self.text[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:inbox-detail", args=[self.pk])


class ReplySource(models.TextChoices):
    AUTO = "auto", _("Auto-reply")
    MANUAL = "manual", _("Answered by hand")


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxReply(AccountScoped):
    """Clause 6.4: a reply waiting in the outbox for the platform connector to send (auto-reply
    or by hand). Marking it sent measures the message's first-response time."""

    message = models.ForeignKey(
        InboxMessage, on_delete=models.PROTECT, related_name="replies", verbose_name=_("message")
    )
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=10, choices=ReplySource.choices, editable=False)
    rule = models.ForeignKey(
        ReplyRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED, editable=False
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    sent_confirmation = models.CharField(
        _("sent time confirmed by"), max_length=10, choices=SentConfirmation.choices, blank=True, editable=False
    )
    reported_sent_at = models.DateTimeField(_("sending time reported"), null=True, blank=True, editable=False)
    platform_message_id = models.CharField(_("platform message id"), max_length=128, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outbox reply")
        verbose_name_plural = _("outbox replies")
        indexes = [models.Index(fields=["agency", "status", "account"], name="outbox_agency_status_account")]

    def __str__(self) -> str:
        return self.text[:40]
