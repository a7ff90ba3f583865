"""Rollups of the account daily metrics: the figures the dashboards read, summed per account, per
client and per agency over a day, an ISO week and a calendar month.

A dashboard's period (the last N days) is read as whole months, whole weeks and single days
(``accounts_ops.selectors.metrics_rollups.period_parts``), so it reads a handful of rows whatever
the period, instead of every daily row of every account. The rollups are derived rows: they are
refreshed in the same transaction as the daily rows they sum, by the one function every write of
daily account metrics goes through (``accounts_ops.services.metrics_rollups.refresh_rollups``), and
``rebuild_metric_rollups`` recomputes them from the daily rows. An account's day is its daily row
itself, so account rollups hold weeks and months only.

Each rollup row keeps, beside the sums, how many daily rows it sums (``days``; a period without
any is no row at all) and how many of them reported plays (``plays_reported``): a sum over daily
rows that all left plays out is unknown, not zero, where a reader tells the two apart (the top
clients of the overview list only clients with plays). The API does not serve these rows (the
daily rows are served; the dashboards serve the figures); like the daily rows they keep no audit
trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.metrics import lean_key
from agency.models import Agency, TenantModel
from clients.models import Client, PlatformAccount

# The summed daily figures (the dashboards' ``SERIES_COUNTS``).
ROLLUP_COUNTS = ("plays", "likes", "comments", "shares", "followers_gained")


class Grain(models.TextChoices):
    DAY = "d", _("day")
    WEEK = "w", _("week")
    MONTH = "m", _("month")


class MetricRollup(TenantModel):
    """Summed daily account figures over one period (``grain`` starting on ``starts_on``)."""

    audit_trail = False
    api_exposed = False  # derived figures: the dashboards serve them

    agency = lean_key(Agency, _("agency"), on_delete=models.CASCADE, editable=False)
    created_by = lean_key(
        settings.AUTH_USER_MODEL, None, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    updated_by = lean_key(
        settings.AUTH_USER_MODEL, None, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    grain = models.CharField(_("period"), max_length=1, choices=Grain.choices)
    starts_on = models.DateField(_("starts on"))
    days = models.PositiveIntegerField(_("daily rows"), default=0)
    plays_reported = models.PositiveIntegerField(_("daily rows with plays"), default=0)
    plays = models.PositiveBigIntegerField(_("plays"), default=0)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    comments = models.PositiveBigIntegerField(_("comments"), default=0)
    shares = models.PositiveBigIntegerField(_("shares"), default=0)
    followers_gained = models.PositiveBigIntegerField(_("new followers"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain} {self.starts_on}"


class AccountMetricRollup(MetricRollup):
    """One account's figures over a week or a month (per client its daily rows were stored under:
    an account moved to another client keeps its earlier rows with the earlier client)."""

    client = lean_key(Client, _("client"))
    account = lean_key(PlatformAccount, _("platform account"))

    class Meta:
        verbose_name = _("account metric rollup")
        verbose_name_plural = _("account metric rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "account", "client", "grain", "starts_on"], name="account_rollup_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["agency", "client", "grain", "starts_on"], name="account_rollup_client")]


class ClientMetricRollup(MetricRollup):
    """One client's figures (every account's daily rows of that client) over a day, week or month."""

    client = lean_key(Client, _("client"))

    class Meta:
        verbose_name = _("client metric rollup")
        verbose_name_plural = _("client metric rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "grain", "starts_on"], name="client_rollup_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["agency", "grain", "starts_on"], name="client_rollup_period")]


class AgencyMetricRollup(MetricRollup):
    """The whole agency's figures over a day, week or month (agency staff only)."""

    tenant_client_path = None

    class Meta:
        verbose_name = _("agency metric rollup")
        verbose_name_plural = _("agency metric rollups")
        constraints = [
            models.UniqueConstraint(fields=["agency", "grain", "starts_on"], name="agency_rollup_once_per_period")
        ]
