"""Chapter 6, basic account operations: direction (6.1), profile (6.2), pinned videos and boosts
(6.3), private-message auto-replies (6.4), group-buy and POI (6.5), promotion (6.6) and
advertising (6.7).

Rows carry their agency and client; the rules that span rows live in ``accounts_ops.services``.
Money is decimal yuan, never a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.models import TenantModel
from clients.models import PlatformAccount, Video

# --- money -----------------------------------------------------------------------------------
MONEY_DIGITS = 12  # up to 9,999,999,999.99 yuan
MONEY_PLACES = 2
ZERO = Decimal("0.00")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """A non-negative amount of yuan (6.3 boosts, 6.5 deals, 6.7 ads)."""
    kwargs.setdefault("validators", [MinValueValidator(ZERO)])
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def yuan(amount: Decimal | None) -> str:
    """``¥1,234.50``: how amounts are named in messages."""
    return f"¥{(amount or ZERO):,.2f}"


class AccountScoped(TenantModel):
    """A row about one platform account; it carries the account's client too."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform account")
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.account_id and self.client_id:
            owner = (
                PlatformAccount.dangerously_all_agencies.filter(pk=self.account_id)
                .values_list("client_id", flat=True)
                .first()
            )
            if owner is not None and owner != self.client_id:
                raise ValidationError({"account": _("The account belongs to another client.")})


# --- 6.1 direction ---------------------------------------------------------------------------


class AccountDirection(AccountScoped):
    """Clause 6.1: one dated version of an account's content and direction, chosen from the
    platform's current rules and the operating goals. The newest version is the current one."""

    version = models.PositiveIntegerField(_("version"), editable=False)
    effective_from = models.DateField(_("effective from"))
    positioning = models.TextField(_("positioning"))
    target_audience = models.TextField(_("target audience"))
    content_pillars = models.JSONField(_("content pillars"), default=list)
    platform_rules = models.TextField(_("platform rules considered"))
    operating_goals = models.TextField(_("operating goals"))
    is_current = models.BooleanField(_("current"), default=True, editable=False)

    class Meta:
        ordering = ["account_id", "-version"]
        verbose_name = _("account direction")
        verbose_name_plural = _("account directions")
        constraints = [
            on_field(
                "version",
                models.UniqueConstraint(
                    fields=["account", "version"],
                    name="direction_version_unique",
                ),
            ),
            on_field(
                "is_current",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(is_current=True),
                    name="direction_one_current_per_account",
                    violation_error_code="direction_one_current_per_account",
                    violation_error_message=_("The account already has a current direction."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "is_current"], name="direction_agency_current")]

    def __str__(self) -> str:
        return f"{self.account_id} v{self.version}"

    def clean(self) -> None:
        super().clean()
        pillars = self.content_pillars
        if not isinstance(pillars, list) or not all(isinstance(p, str) and p.strip() for p in pillars):
            raise ValidationError({"content_pillars": _("Content pillars are a list of non-empty texts.")})
        if not pillars:
            raise ValidationError({"content_pillars": _("Name at least one content pillar.")})


# --- 6.2 profile -----------------------------------------------------------------------------


class ProfileField(models.TextChoices):
    """Clause 6.2 a)-d): the four parts of an account's personalisation."""

    AVATAR = "avatar", _("Avatar")
    BANNER = "banner", _("Banner image")
    BIO = "bio", _("Signature / bio")
    NICKNAME = "nickname", _("Nickname")


IMAGE_PROFILE_FIELDS = frozenset({ProfileField.AVATAR, ProfileField.BANNER})


class ProfileChangeStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPLIED = "applied", _("Applied on the platform")


OPEN_PROFILE_STATUSES = (ProfileChangeStatus.REQUESTED, ProfileChangeStatus.APPROVED)


class ProfileChange(AccountScoped):
    """Clause 6.2: a change of an account's avatar, banner, bio or nickname, with the value before
    and after, who asked for it, its approval and the date it was applied on the platform.
    The account's current profile is the latest applied change of each part."""

    field = models.CharField(_("part of the profile"), max_length=20, choices=ProfileField.choices)
    before_text = models.TextField(_("before"), blank=True, editable=False)
    after_text = models.TextField(_("after"), blank=True)
    before_image = models.ImageField(_("image before"), upload_to="profile/%Y/%m/", blank=True, editable=False)
    after_image = models.ImageField(_("image after"), upload_to="profile/%Y/%m/", blank=True)
    reason = models.TextField(_("reason"), blank=True)
    is_baseline = models.BooleanField(
        _("recorded as found"),
        default=False,
        editable=False,
        help_text=_("The profile as it stood when the agency took the account over."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    requested_by_name = models.CharField(
        _("asked by (name)"), max_length=100, blank=True, help_text=_("When the client asked by phone or chat.")
    )
    requested_at = models.DateTimeField(_("asked at"), editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProfileChangeStatus.choices,
        default=ProfileChangeStatus.REQUESTED,
        editable=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True, editable=False)
    applied_on = models.DateField(_("applied on the platform"), null=True, blank=True, editable=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        constraints = [
            on_field(
                "field",
                models.UniqueConstraint(
                    fields=["account", "field"],
                    condition=Q(status__in=["requested", "approved"]),
                    name="profile_change_one_open_per_part",
                    violation_error_code="profile_change_one_open_per_part",
                    violation_error_message=_("This part of the profile already has a change waiting."),
                ),
            ),
            on_field(
                "applied_on",
                models.CheckConstraint(
                    condition=~Q(status="applied") | Q(applied_on__isnull=False),
                    name="profile_change_applied_has_date",
                    violation_error_code="profile_change_applied_has_date",
                    violation_error_message=_("An applied change needs the day it was applied."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "field", "status"], name="profile_agency_account_part")]

    def __str__(self) -> str:
        return f"{self.get_field_display()} · {self.account_id}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:profile-detail", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.field in IMAGE_PROFILE_FIELDS

    def clean(self) -> None:
        super().clean()
        if self.field in IMAGE_PROFILE_FIELDS:
            if self.after_text:
                raise ValidationError({"after_text": _("An image part takes an image, not text.")})
        elif self.field:
            if not (self.after_text or "").strip():
                raise ValidationError({"after_text": _("Give the new %(part)s.") % {"part": self.get_field_display()}})
            if self.after_image:
                raise ValidationError({"after_image": _("A text part takes text, not an image.")})


# --- 6.3 pinned videos and boosts ------------------------------------------------------------

# 6.3: an account keeps 1 to 3 pinned videos. Pinning a fourth is refused; an account with none
# is flagged.
PINNED_SLOTS_MIN = 1  # 6.3
PINNED_SLOTS_MAX = 3  # 6.3
BOOST_INTERVAL_DAYS_MAX = 365  # a plan longer than a year is no plan


class BoostChannel(models.TextChoices):
    """How a pinned video is re-boosted (二次加热)."""

    DOU_PLUS = "dou_plus", _("DOU+ (paid)")
    PAID_OTHER = "paid_other", _("Other paid promotion")
    ORGANIC_REPOST = "organic_repost", _("Organic re-post")


class PinnedVideo(AccountScoped):
    """Clause 6.3: a video pinned to one of the account's 1-3 slots, with its boost plan
    (interval in days, budget per boost, channel). ``unpinned_on`` closes the pin."""

    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="+", verbose_name=_("video"))
    slot = models.PositiveSmallIntegerField(
        _("slot"), validators=[MinValueValidator(PINNED_SLOTS_MIN), MaxValueValidator(PINNED_SLOTS_MAX)]
    )
    pinned_on = models.DateField(_("pinned on"))
    unpinned_on = models.DateField(_("unpinned on"), null=True, blank=True, editable=False)
    boost_interval_days = models.PositiveSmallIntegerField(
        _("boost every (days)"), validators=[MinValueValidator(1), MaxValueValidator(BOOST_INTERVAL_DAYS_MAX)]
    )
    boost_budget = money_field(_("budget per boost (yuan)"))
    boost_channel = models.CharField(
        _("boost channel"), max_length=20, choices=BoostChannel.choices, default=BoostChannel.DOU_PLUS
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["account_id", "slot", "-pinned_on"]
        verbose_name = _("pinned video")
        verbose_name_plural = _("pinned videos")
        constraints = [
            on_field(
                "slot",
                models.UniqueConstraint(
                    fields=["account", "slot"],
                    condition=Q(unpinned_on__isnull=True),
                    name="pinned_slot_taken_once",
                    violation_error_code="pinned_slot_taken_once",
                    violation_error_message=_("This slot already holds a pinned video."),
                ),
            ),
            on_field(
                "video",
                models.UniqueConstraint(
                    fields=["account", "video"],
                    condition=Q(unpinned_on__isnull=True),
                    name="pinned_video_pinned_once",
                    violation_error_code="pinned_video_pinned_once",
                    violation_error_message=_("This video is already pinned."),
                ),
            ),
            on_field(
                "slot",
                models.CheckConstraint(
                    condition=Q(slot__gte=PINNED_SLOTS_MIN, slot__lte=PINNED_SLOTS_MAX),
                    name="pinned_slot_in_range",
                    violation_error_code="pinned_slot_in_range",
                    violation_error_message=_("The slot is 1, 2 or 3."),
                ),
            ),
            on_field(
                "boost_budget",
                models.CheckConstraint(
                    condition=Q(boost_budget__gte=0),
                    name="pinned_budget_not_negative",
                    violation_error_code="pinned_budget_not_negative",
                    violation_error_message=_("The boost budget cannot be negative."),
                ),
            ),
            on_field(
                "unpinned_on",
                models.CheckConstraint(
                    condition=Q(unpinned_on__isnull=True) | Q(unpinned_on__gte=F("pinned_on")),
                    name="pinned_unpinned_after_pinned",
                    violation_error_code="pinned_unpinned_after_pinned",
                    violation_error_message=_("A video cannot be unpinned before it was pinned."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "unpinned_on"], name="pinned_agency_account_open")]

    def __str__(self) -> str:
        return f"#{self.slot} {self.video_id}"

    @property
    def is_pinned(self) -> bool:
        return self.unpinned_on is None

    def clean(self) -> None:
        super().clean()
        if self.video_id and self.account_id:
            video_account = (
                Video.dangerously_all_agencies.filter(pk=self.video_id).values_list("account_id", flat=True).first()
            )
            if video_account is not None and video_account != self.account_id:
                raise ValidationError(
                    {"video": _("Video %(video)s is not a video of this account.") % {"video": self.video_id}}
                )


class BoostTaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class BoostTask(AccountScoped):
    """Clause 6.3: a pinned video's boost falls due on ``due_on``; the operator does it and records
    a ``BoostRecord``. Made by the daily beat task, never twice for one due date."""

    pinned_video = models.ForeignKey(
        PinnedVideo, on_delete=models.CASCADE, related_name="boost_tasks", verbose_name=_("pinned video")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=BoostTaskStatus.choices, default=BoostTaskStatus.OPEN, editable=False
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("boost task")
        verbose_name_plural = _("boost tasks")
        constraints = [
            on_field(
                "due_on",
                models.UniqueConstraint(
                    fields=["pinned_video", "due_on"],
                    name="boost_task_once_per_due_date",
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="boost_task_agency_status_due")]

    def __str__(self) -> str:
        return f"{self.pinned_video_id} @ {self.due_on}"


class BoostRecord(AccountScoped):
    """Clause 6.3: one re-boost of a pinned video: date, channel, spend, the platform's order id and
    what it brought (plays and followers gained)."""

    pinned_video = models.ForeignKey(
        PinnedVideo, on_delete=models.PROTECT, related_name="boosts", verbose_name=_("pinned video")
    )
    boost_task = models.ForeignKey(
        BoostTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("boost task"),
        editable=False,
    )
    boosted_on = models.DateField(_("boosted on"))
    channel = models.CharField(_("channel"), max_length=20, choices=BoostChannel.choices)
    spend = money_field(_("spend (yuan)"), default=ZERO)
    platform_order_id = models.CharField(_("platform order id"), max_length=100, blank=True)
    plays_gained = models.PositiveBigIntegerField(_("plays gained"), null=True, blank=True)
    followers_gained = models.BigIntegerField(_("followers gained (net)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-boosted_on", "-id"]
        verbose_name = _("boost record")
        verbose_name_plural = _("boost records")
        constraints = [
            on_field(
                "spend",
                models.CheckConstraint(
                    condition=Q(spend__gte=0),
                    name="boost_spend_not_negative",
                    violation_error_code="boost_spend_not_negative",
                    violation_error_message=_("Spend cannot be negative."),
                ),
            ),
            on_field(
                "platform_order_id",
                models.UniqueConstraint(
                    fields=["agency", "platform_order_id"],
                    condition=~Q(platform_order_id=""),
                    name="boost_order_id_unique",
                    violation_error_code="boost_order_id_unique",
                    violation_error_message=_("This platform order is already recorded."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "pinned_video", "boosted_on"], name="boost_agency_pinned_date")]

    def __str__(self) -> str:
        return f"{self.pinned_video_id} {self.boosted_on}"


# --- 6.4 private-message auto-replies ---------------------------------------------------------

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


# --- 6.5 group-buy and POI -------------------------------------------------------------------


class PoiStatus(models.TextChoices):
    TO_CLAIM = "to_claim", _("To claim")
    CLAIMED = "claimed", _("Claimed")
    LINKED = "linked", _("Linked to the account")
    REJECTED = "rejected", _("Rejected by the platform")


class PoiLink(AccountScoped):
    """Clause 6.5: the client's store as a local-life POI on the platform, linked to an account."""

    store_name = models.CharField(_("store name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    platform_poi_id = models.CharField(_("platform POI id"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PoiStatus.choices, default=PoiStatus.TO_CLAIM)

    class Meta:
        ordering = ["store_name", "id"]
        verbose_name = _("POI link")
        verbose_name_plural = _("POI links")
        constraints = [
            on_field(
                "platform_poi_id",
                models.UniqueConstraint(
                    fields=["account", "platform_poi_id"],
                    condition=~Q(platform_poi_id=""),
                    name="poi_id_once_per_account",
                    violation_error_code="poi_id_once_per_account",
                    violation_error_message=_("This POI is already linked to the account."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "status"], name="poi_agency_client_status")]

    def __str__(self) -> str:
        return self.store_name


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In platform review")
    LIVE = "live", _("Live")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")
    REJECTED = "rejected", _("Rejected by the platform")


class GroupBuyDeal(AccountScoped):
    """Clause 6.5: a local group-buy deal (团购券) on the platform."""

    poi = models.ForeignKey(
        PoiLink, on_delete=models.PROTECT, null=True, blank=True, related_name="deals", verbose_name=_("POI")
    )
    title = models.CharField(_("title"), max_length=200)
    price = money_field(_("price (yuan)"))
    list_price = money_field(_("list price (yuan)"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    platform_status = models.CharField(
        _("platform status"), max_length=20, choices=DealStatus.choices, default=DealStatus.DRAFT
    )
    platform_deal_id = models.CharField(_("platform deal id"), max_length=100, blank=True)
    first_live_on = models.DateField(_("first live on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("group-buy deal")
        verbose_name_plural = _("group-buy deals")
        constraints = [
            on_field(
                "price",
                models.CheckConstraint(
                    condition=Q(price__gte=0) & Q(list_price__gte=0),
                    name="deal_prices_not_negative",
                    violation_error_code="deal_prices_not_negative",
                    violation_error_message=_("Prices cannot be negative."),
                ),
            ),
            on_field(
                "price",
                models.CheckConstraint(
                    condition=Q(price__lte=F("list_price")),
                    name="deal_price_within_list_price",
                    violation_error_code="deal_price_within_list_price",
                    violation_error_message=_("The deal price cannot be above the list price."),
                ),
            ),
            on_field(
                "valid_until",
                models.CheckConstraint(
                    condition=Q(valid_until__gte=F("valid_from")),
                    name="deal_valid_until_after_from",
                    violation_error_code="deal_valid_until_after_from",
                    violation_error_message=_("The deal cannot end before it starts."),
                ),
            ),
            on_field(
                "platform_deal_id",
                models.UniqueConstraint(
                    fields=["agency", "platform_deal_id"],
                    condition=~Q(platform_deal_id=""),
                    name="deal_platform_id_once",
                    violation_error_code="deal_platform_id_once",
                    violation_error_message=_("This platform deal is already recorded."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "platform_status"], name="deal_agency_client_status")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.price is not None and self.list_price is not None and self.price > self.list_price:
            errors["price"] = _("The price %(price)s is above the list price %(list)s.") % {
                "price": yuan(self.price),
                "list": yuan(self.list_price),
            }
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The deal cannot end before it starts.")
        if self.poi_id and self.client_id:
            poi_client = PoiLink.dangerously_all_agencies.filter(pk=self.poi_id).values_list("client_id", flat=True)
            if poi_client.first() not in (None, self.client_id):
                errors["poi"] = _("The POI belongs to another client.")
        if errors:
            raise ValidationError(errors)


class LocalLifeEnablement(TenantModel):
    """Clause 6.5: a client's checklist for opening group-buy and POI on the platform:
    qualification submitted, POI claimed, first deal live. The last two are ticked by the POI and
    deal services when they happen."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    qualification_submitted_on = models.DateField(_("qualification submitted on"), null=True, blank=True)
    qualification_note = models.TextField(_("qualification note"), blank=True)
    poi_claimed_on = models.DateField(_("POI claimed on"), null=True, blank=True, editable=False)
    first_deal_live_on = models.DateField(_("first deal live on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["client_id"]
        verbose_name = _("local-life enablement")
        verbose_name_plural = _("local-life enablements")
        constraints = [
            on_field(
                "client",
                models.UniqueConstraint(
                    fields=["client"],
                    name="enablement_one_per_client",
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.client_id)

    @property
    def steps(self) -> list[tuple[str, dt.date | None]]:
        return [
            (str(_("Qualification submitted")), self.qualification_submitted_on),
            (str(_("POI claimed")), self.poi_claimed_on),
            (str(_("First deal live")), self.first_deal_live_on),
        ]

    @property
    def is_complete(self) -> bool:
        return all(done for _label, done in self.steps)


# --- 6.6 promotion ---------------------------------------------------------------------------


class PromotionChannel(models.TextChoices):
    """Clause 6.6: the three ways the standard names."""

    OWN_MATERIAL = "own_material", _("The account's own material")
    COMMENT_SECTIONS = "comment_sections", _("Other accounts' comment sections")
    SEARCH_KEYWORDS = "search_keywords", _("Search keywords")


class PromotionTarget(models.TextChoices):
    PERSON = "person", _("A person")
    CLIP = "clip", _("A clip")
    PRODUCT = "product", _("A product")


class PromotionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PromotionTask(AccountScoped):
    """Clause 6.6: one promotion of a person, clip or product through one channel, planned and
    done on given dates, with its outcome."""

    channel = models.CharField(_("channel"), max_length=20, choices=PromotionChannel.choices)
    target_kind = models.CharField(_("what is promoted"), max_length=10, choices=PromotionTarget.choices)
    target = models.CharField(_("target"), max_length=200)
    target_video = models.ForeignKey(
        Video, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clip")
    )
    content = models.TextField(_("content"))
    search_keywords = models.JSONField(_("search keywords"), default=list, blank=True)
    planned_on = models.DateField(_("planned on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PromotionStatus.choices, default=PromotionStatus.PLANNED
    )
    outcome = models.TextField(_("outcome"), blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True, help_text=_("Views or impressions."))

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("promotion task")
        verbose_name_plural = _("promotion tasks")
        constraints = [
            on_field(
                "done_on",
                models.CheckConstraint(
                    condition=~Q(status="done") | Q(done_on__isnull=False),
                    name="promotion_done_has_date",
                    violation_error_code="promotion_done_has_date",
                    violation_error_message=_("A done promotion needs the day it was done."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "done_on"], name="promotion_agency_account_done")]

    def __str__(self) -> str:
        return self.target

    def clean(self) -> None:
        super().clean()
        errors = {}
        keywords = self.search_keywords
        if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
            errors["search_keywords"] = _("Search keywords are a list of non-empty texts.")
        elif self.channel == PromotionChannel.SEARCH_KEYWORDS and not keywords:
            errors["search_keywords"] = _("A search-keyword promotion names its keywords.")
        if self.status == PromotionStatus.DONE:
            if self.done_on is None:
                errors["done_on"] = _("Give the date the promotion was done.")
            if not (self.outcome or "").strip():
                errors["outcome"] = _("Record the outcome of a done promotion.")
        if self.target_video_id and self.account_id:
            video_account = Video.dangerously_all_agencies.filter(pk=self.target_video_id).values_list(
                "account__client_id", flat=True
            )
            if video_account.first() not in (None, self.client_id):
                errors["target_video"] = _("The clip belongs to another client.")
        if errors:
            raise ValidationError(errors)


# --- 6.7 advertising -------------------------------------------------------------------------


class AdKind(models.TextChoices):
    PLATFORM_ADS = "platform_ads", _("Platform ads")
    CREATOR_COLLABORATION = "creator_collaboration", _("Collaboration with a high-follower account")


class AdProduct(models.TextChoices):
    DOU_PLUS = "dou_plus", _("DOU+")
    QIANCHUAN = "qianchuan", _("Qianchuan (巨量千川)")
    OTHER = "other", _("Other platform ads")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


def campaign_roi(*, sales: Decimal | None, spend: Decimal | None) -> Decimal | None:
    """6.7 ROI, the one place it is computed: sales per yuan spent (the platforms' 支付 ROI),
    to two places; none before any spend."""
    if not spend:
        return None
    return (Decimal(sales or 0) / Decimal(spend)).quantize(Decimal("0.01"))


class AdCampaign(AccountScoped):
    """Clause 6.7: advertising for a client who wants more sales, with the platform (DOU+,
    Qianchuan) or with a high-follower account; budget, period, KPIs. Spend is recorded in
    ``AdSpend`` entries and may pass the budget only with an ``AdBudgetApproval``."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=AdKind.choices)
    ad_product = models.CharField(_("ad product"), max_length=20, choices=AdProduct.choices, blank=True)
    partner_platform = models.CharField(_("partner platform"), max_length=20, blank=True)
    partner_handle = models.CharField(_("partner account"), max_length=100, blank=True)
    partner_followers = models.PositiveBigIntegerField(_("partner followers"), null=True, blank=True)
    budget = money_field(_("budget (yuan)"), validators=[MinValueValidator(Decimal("0.01"))])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    impressions = models.PositiveBigIntegerField(_("impressions"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    orders = models.PositiveBigIntegerField(_("orders"), default=0)
    sales = money_field(_("sales (yuan)"), default=ZERO)
    results_recorded_on = models.DateField(_("results recorded on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("ad campaign")
        verbose_name_plural = _("ad campaigns")
        constraints = [
            on_field(
                "budget",
                models.CheckConstraint(
                    condition=Q(budget__gt=0),
                    name="campaign_budget_positive",
                    violation_error_code="campaign_budget_positive",
                    violation_error_message=_("The budget must be more than zero."),
                ),
            ),
            on_field(
                "sales",
                models.CheckConstraint(
                    condition=Q(sales__gte=0),
                    name="campaign_sales_not_negative",
                    violation_error_code="campaign_sales_not_negative",
                    violation_error_message=_("Sales cannot be negative."),
                ),
            ),
            on_field(
                "ends_on",
                models.CheckConstraint(
                    condition=Q(ends_on__gte=F("starts_on")),
                    name="campaign_ends_after_start",
                    violation_error_code="campaign_ends_after_start",
                    violation_error_message=_("The campaign cannot end before it starts."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "starts_on"], name="campaign_agency_client_start")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:campaign-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The campaign cannot end before it starts.")
        if self.kind == AdKind.PLATFORM_ADS and not self.ad_product:
            errors["ad_product"] = _("Name the platform's ad product (DOU+, Qianchuan, ...).")
        if self.kind == AdKind.CREATOR_COLLABORATION:
            if not self.partner_handle:
                errors["partner_handle"] = _("Name the high-follower account you work with.")
            if self.partner_followers is None:
                errors["partner_followers"] = _("Record the partner account's followers.")
        if self.clicks and self.impressions is not None and self.clicks > self.impressions:
            errors["clicks"] = _("%(clicks)s clicks is more than %(impressions)s impressions.") % {
                "clicks": self.clicks,
                "impressions": self.impressions,
            }
        if errors:
            raise ValidationError(errors)


class AdBudgetApproval(AccountScoped):
    """Clause 6.7: an agency admin's recorded approval to spend ``extra_amount`` beyond a
    campaign's budget, with the reason. Approvals add up; they are never edited."""

    campaign = models.ForeignKey(
        AdCampaign, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("campaign")
    )
    extra_amount = money_field(_("extra amount approved (yuan)"), validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(_("approved at"), editable=False)

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("ad budget approval")
        verbose_name_plural = _("ad budget approvals")
        constraints = [
            on_field(
                "extra_amount",
                models.CheckConstraint(
                    condition=Q(extra_amount__gt=0),
                    name="approval_amount_positive",
                    violation_error_code="approval_amount_positive",
                    violation_error_message=_("The extra amount must be more than zero."),
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} +{yuan(self.extra_amount)}"


class AdSpend(AccountScoped):
    """Clause 6.7: money spent on a campaign on one day."""

    campaign = models.ForeignKey(
        AdCampaign, on_delete=models.PROTECT, related_name="spends", verbose_name=_("campaign")
    )
    spent_on = models.DateField(_("spent on"))
    amount = money_field(_("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))])
    platform_order_id = models.CharField(_("platform order id"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("ad spend")
        verbose_name_plural = _("ad spend")
        constraints = [
            on_field(
                "amount",
                models.CheckConstraint(
                    condition=Q(amount__gt=0),
                    name="spend_amount_positive",
                    violation_error_code="spend_amount_positive",
                    violation_error_message=_("The amount must be more than zero."),
                ),
            )
        ]
        indexes = [models.Index(fields=["agency", "campaign", "spent_on"], name="spend_agency_campaign_date")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {yuan(self.amount)}"
