"""Platform data in: account and video daily metrics (file imports are in ``imports``).

No platform is ever called live: metrics arrive through the bulk API (what a platform connector
delivers) or a file (what a creator-centre export gives). Both are idempotent upserts keyed by
(account, date) and (video, date): the same data sent twice changes nothing, a corrected row
replaces the old values. A count left out of a row (``None``) means "not reported": it keeps the
value already stored, so a connector may send the platform's separate calls (fans, plays, likes)
one after another. Field names are mapped from the platform's in ``accounts_ops.platform_fields``.

These are the tables the dashboards, the 8.3 valuation and the reports read; a year of daily
account metrics for every account is tens of millions of rows, so ingest uses PostgreSQL's bulk
paths (``accounts_ops.services.metrics``) and every index starts with ``agency``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped, clean_video_of_account
from agency.constraints import on_field
from agency.models import Agency
from clients.models import PlatformAccount, Video


def lean_key(to, verbose_name, **kwargs) -> models.ForeignKey:
    """A relation that the metric tables keep without its own index or database check. Each index
    and each deferred foreign-key check costs every one of the millions of rows ingested; instead
    the ingest service finds every account and video among the agency's rows in the same
    transaction and copies their agency and client, and deleting an account or video that has
    metrics is still refused (``PROTECT`` is the application's rule, not the database's). The
    unique (account, date) / (video, date) keys and the composite indexes starting with
    ``agency`` serve the queries."""
    kwargs.setdefault("on_delete", models.PROTECT)
    return models.ForeignKey(
        to, related_name="+", db_index=False, db_constraint=False, verbose_name=verbose_name, **kwargs
    )


class MetricRow(AccountScoped):
    """The base of the metric tables: lean relations (see ``lean_key``). Metric rows are the
    platform's figures, not records of anyone's work: ``audit_trail = False`` asks the audit
    trail to leave them out (a trigger per row would cost more than the ingest itself; what was
    imported, when and by whom is kept by the ingest's own rows and the data imports)."""

    audit_trail = False
    # PostgreSQL keeps each table in monthly partitions of its date, between two open-ended edges
    # that take any other date (agency.partitions; docs/scaling.md, "Partitioning"): the primary
    # key in the database is (agency_id, id, date); ``id`` stays the model's.
    monthly_partitions = "date"

    agency = lean_key(Agency, _("agency"), on_delete=models.CASCADE, editable=False)
    client = lean_key("clients.Client", _("client"))
    account = lean_key(PlatformAccount, _("platform account"))
    created_by = lean_key(
        settings.AUTH_USER_MODEL, None, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    updated_by = lean_key(
        settings.AUTH_USER_MODEL, None, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True


def count_field(verbose_name, help_text="") -> models.PositiveBigIntegerField:
    """A daily count as the platform reports it; empty when the platform did not report it."""
    return models.PositiveBigIntegerField(verbose_name, null=True, blank=True, help_text=help_text)


class AccountDailyMetric(MetricRow):
    """An account's figures for one day, as the platform reports them (the data 7.3 analyses and
    8.3 values): followers, new followers, daily active fans, profile visits, plays, likes,
    comments, shares and videos posted. One row per account and date."""

    date = models.DateField(_("date"))
    followers_total = count_field(_("followers (total)"))
    followers_gained = count_field(_("new followers"))
    active_fans = count_field(_("daily active fans"))
    profile_visits = count_field(_("profile visits"))
    plays = count_field(_("plays"))
    likes = count_field(_("likes"))
    comments = count_field(_("comments"))
    shares = count_field(_("shares"))
    videos_posted = count_field(_("videos posted"))

    COUNTS = (
        "followers_total",
        "followers_gained",
        "active_fans",
        "profile_visits",
        "plays",
        "likes",
        "comments",
        "shares",
        "videos_posted",
    )

    class Meta:
        ordering = ["-date", "account_id"]
        verbose_name = _("account daily metric")
        verbose_name_plural = _("account daily metrics")
        constraints = [
            on_field(
                "date",
                models.UniqueConstraint(
                    fields=["account", "date"],
                    name="account_metric_once_per_day",
                ),
            )
        ]
        indexes = [
            models.Index(fields=["agency", "client", "date"], name="account_metric_agency_client"),
            # The list's newest-first pages (cursor on date, id) and the agency-wide daily series.
            models.Index(fields=["agency", "date", "id"], name="account_metric_agency_date"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date}"


class VideoDailyMetric(MetricRow):
    """A video's figures for one day: plays, likes, comments, shares, average watch time and
    completion rate. One row per video and date; it carries the video's account and client."""

    video = lean_key(Video, _("video"))
    date = models.DateField(_("date"))
    plays = count_field(_("plays"))
    likes = count_field(_("likes"))
    comments = count_field(_("comments"))
    shares = count_field(_("shares"))
    avg_watch_seconds = models.DecimalField(
        _("average watch time (s)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    completion_rate = models.DecimalField(
        _("completion rate"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of plays watched to the end, 0 to 1."),
    )

    COUNTS = ("plays", "likes", "comments", "shares")

    class Meta:
        ordering = ["-date", "video_id"]
        verbose_name = _("video daily metric")
        verbose_name_plural = _("video daily metrics")
        constraints = [
            on_field(
                "date",
                models.UniqueConstraint(
                    fields=["video", "date"],
                    name="video_metric_once_per_day",
                ),
            ),
            on_field(
                "completion_rate",
                models.CheckConstraint(
                    condition=Q(completion_rate__isnull=True) | Q(completion_rate__gte=0, completion_rate__lte=1),
                    name="video_metric_completion_is_share",
                    violation_error_code="video_metric_completion_is_share",
                    violation_error_message=_("The completion rate is between 0 and 1."),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "account", "date"], name="video_metric_agency_account"),
            models.Index(fields=["agency", "date", "id"], name="video_metric_agency_date"),  # the list's pages
        ]

    def __str__(self) -> str:
        return f"{self.video_id} {self.date}"

    def clean(self) -> None:
        super().clean()
        clean_video_of_account(self)
