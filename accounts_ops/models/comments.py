"""7.1 comments and public opinion: the comments of the accounts' videos, the actions staff take
on them (replies, pins, hides: written to the platform by the queue), and the opinion alerts raised
when the share of negative comments passes its threshold."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped, clean_video_of_account
from agency.constraints import on_field
from agency.db.indexes import TrigramIndex
from clients.models import Video

HANDLING_NOTE_MAX_CHARS = 300  # how a comment was handled, in a line or two


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class CommentStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    HANDLED = "handled", _("Handled")


class CommentSource(models.TextChoices):
    API = "api", _("API")
    WEBHOOK = "webhook", _("Platform webhook")
    FILE = "file", _("File import")
    STAFF = "staff", _("Written by staff")


class VideoComment(AccountScoped):
    """Clause 7.1: a comment under one of the account's videos, with its sentiment (positive,
    neutral, negative and a score from the classifier) and how staff worked it: replied, pinned,
    hidden, assigned, handled. A comment the account writes itself to start a discussion is a
    *guide* comment (``is_guide``), recorded as such."""

    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="+", verbose_name=_("video"))
    platform_comment_id = models.CharField(
        _("platform comment id"),
        max_length=128,
        help_text=_("A guide comment written here carries a local id until the connector reports the platform's."),
    )
    parent_comment_id = models.CharField(
        _("in reply to (platform id)"), max_length=128, blank=True, help_text=_("Empty for a top-level comment.")
    )
    author_uid = models.CharField(_("author id"), max_length=128, blank=True)
    author_nickname = models.CharField(_("author"), max_length=100, blank=True)
    text = models.TextField(_("comment"))
    posted_at = models.DateTimeField(_("posted at"))
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=CommentSource.choices, default=CommentSource.API)
    is_from_account = models.BooleanField(
        _("written by the account"), default=False, help_text=_("The account's own comment (a reply or a guide).")
    )
    is_guide = models.BooleanField(
        _("guide comment"), default=False, help_text=_("A seeded question that invites discussion (7.1).")
    )
    is_pinned = models.BooleanField(_("pinned"), default=False, editable=False)
    is_hidden = models.BooleanField(_("hidden"), default=False, editable=False)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True, editable=False)
    sentiment_score = models.FloatField(
        _("sentiment score"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("How positive the text reads, 0 (negative) to 1 (positive)."),
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.WAITING, editable=False
    )
    replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True, editable=False)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    handling_note = models.CharField(
        _("how it was handled"), max_length=HANDLING_NOTE_MAX_CHARS, blank=True, editable=False
    )

    name_fields = ("text",)  # __str__

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("video comment")
        verbose_name_plural = _("video comments")
        constraints = [
            on_field(
                "platform_comment_id",
                models.UniqueConstraint(
                    fields=["account", "platform_comment_id"],
                    name="comment_platform_id_once",
                ),
            ),
            # The platform keeps one pinned (置顶) comment per video.
            on_field(
                "is_pinned",
                models.UniqueConstraint(
                    fields=["video"],
                    condition=Q(is_pinned=True),
                    name="comment_one_pinned_per_video",
                    violation_error_code="comment_one_pinned_per_video",
                    violation_error_message=_("Another comment is already pinned on this video."),
                ),
            ),
            on_field(
                "sentiment_score",
                models.CheckConstraint(
                    condition=Q(sentiment_score__isnull=True) | Q(sentiment_score__gte=0, sentiment_score__lte=1),
                    name="comment_score_is_share",
                    violation_error_code="comment_score_is_share",
                    violation_error_message=_("The score is between 0 and 1."),
                ),
            ),
            on_field(
                "is_guide",
                models.CheckConstraint(
                    condition=Q(is_guide=False) | Q(is_from_account=True),
                    name="comment_guide_is_own",
                    violation_error_code="comment_guide_is_own",
                    violation_error_message=_("Only the account's own comment can guide."),
                ),
            ),
        ]
        indexes = [
            TrigramIndex(fields=["agency", "text", "author_nickname"], name="comment_agency_search"),
            models.Index(fields=["agency", "account", "posted_at"], name="comment_agency_account_posted"),
            models.Index(fields=["agency", "status", "posted_at"], name="comment_agency_status_posted"),
            # The one inbox reads a fan's comments on an account (accounts_ops.selectors.conversations).
            models.Index(fields=["agency", "account", "author_uid"], name="comment_agency_account_author"),
        ]

    def __str__(self) -> str:
        return (self.text or "")[:40]

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:comment-detail", args=[self.pk])

    @property
    def needs_answer(self) -> bool:
        return not self.is_from_account and self.status == CommentStatus.WAITING

    def clean(self) -> None:
        super().clean()
        clean_video_of_account(self)
        if self.is_guide and not self.is_from_account:
            raise ValidationError({"is_guide": _("A guide comment is written by the account itself.")})


class CommentActionKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    GUIDE = "guide", _("Guide comment")
    PIN = "pin", _("Pin")
    UNPIN = "unpin", _("Unpin")
    HIDE = "hide", _("Hide")
    UNHIDE = "unhide", _("Show again")


class CommentActionStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Done on the platform")
    FAILED = "failed", _("Failed")


class CommentAction(AccountScoped):
    """Clause 7.1: something staff did to a comment (reply, pin, hide, a guide comment), waiting
    for the platform connector to carry it out; the connector reports it done or failed. The
    platform is never called from here."""

    comment = models.ForeignKey(
        VideoComment, on_delete=models.PROTECT, related_name="actions", verbose_name=_("comment")
    )
    kind = models.CharField(_("action"), max_length=10, choices=CommentActionKind.choices)
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CommentActionStatus.choices,
        default=CommentActionStatus.QUEUED,
        editable=False,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    platform_comment_id = models.CharField(_("platform comment id"), max_length=128, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("comment action")
        verbose_name_plural = _("comment actions")
        constraints = [
            on_field(
                "text",
                models.CheckConstraint(
                    condition=~Q(kind__in=["reply", "guide"]) | ~Q(text=""),
                    name="comment_action_reply_has_text",
                    violation_error_code="comment_action_reply_has_text",
                    violation_error_message=_("A reply needs its text."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "kind"], name="comment_action_agency_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.comment_id}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")


class OpinionAlert(AccountScoped):
    """Clause 7.1: the share of negative comments on an account within the agency's window passed
    its threshold. Raised once per episode (an episode lasts while the share stays above the
    threshold); it stays open until someone records how it was handled."""

    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    comments_count = models.PositiveIntegerField(_("comments in the window"))
    negative_count = models.PositiveIntegerField(_("negative comments"))
    negative_share = models.DecimalField(_("negative share"), max_digits=5, decimal_places=4)
    threshold = models.DecimalField(_("threshold"), max_digits=5, decimal_places=4)
    peak_share = models.DecimalField(_("peak negative share"), max_digits=5, decimal_places=4)
    raised_at = models.DateTimeField(_("raised at"))
    episode_ended_at = models.DateTimeField(
        _("episode ended at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the negative share fell back below the threshold."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN, editable=False
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)
    handling_note = models.TextField(_("how it was handled"), blank=True, editable=False)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("opinion alert")
        verbose_name_plural = _("opinion alerts")
        constraints = [
            on_field(
                "status",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(status="open"),
                    name="opinion_alert_one_open",
                    violation_error_code="opinion_alert_one_open",
                    violation_error_message=_("The account already has an open opinion alert."),
                ),
            ),
            on_field(
                "episode_ended_at",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(episode_ended_at__isnull=True),
                    name="opinion_alert_one_episode",
                    violation_error_code="opinion_alert_one_episode",
                    violation_error_message=_("The account's current episode already has its alert."),
                ),
            ),
            on_field(
                "handling_note",
                models.CheckConstraint(
                    condition=~Q(status="handled") | (Q(handled_at__isnull=False) & ~Q(handling_note="")),
                    name="opinion_alert_handled_has_note",
                    violation_error_code="opinion_alert_handled_has_note",
                    violation_error_message=_("Say how the alert was handled."),
                ),
            ),
            on_field(
                "negative_count",
                models.CheckConstraint(
                    condition=Q(negative_count__lte=F("comments_count")),
                    name="opinion_alert_counts_consistent",
                    violation_error_code="opinion_alert_counts_consistent",
                    violation_error_message=_("Negative comments cannot outnumber all comments."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "raised_at"], name="opinion_alert_agency_status")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.raised_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:alert-detail", args=[self.pk])
