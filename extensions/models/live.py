"""Clause 8.1, live streaming (生活直播): a live session for a client's platform account, its
products and run sheet, its team by role, and its results.

    LiveSession ─┬─ LiveProduct (picked by the product selector, in run-sheet order)
                 ├─ RunSheetSegment (timed: warm-up, product slots, giveaways, close)
                 ├─ LiveTeamAssignment (host and the four roles of 8.1)
                 └─ LiveSessionResult (figures after the session, and the written review)

The rules that span rows (the start gate, double-booking, the run sheet fitting the session)
are in ``extensions.services.live``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.constraints import on_field
from clients.models import SAME_CLIENT_AS_ACCOUNT, PlatformAccount
from extensions.models.common import ZERO, ClientOwned, money_field


class LiveSessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    LIVE = "live", pgettext_lazy("live session status", "Live")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class LiveSession(ClientOwned):
    """Clause 8.1: one live session (直播) on a client's platform account: when, what for, and
    what happened."""

    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="live_sessions", verbose_name=_("platform account")
    )
    theme = models.CharField(_("theme"), max_length=200)
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    goal_gmv = money_field(_("GMV goal (yuan)"), null=True, blank=True)
    goal_viewers = models.PositiveBigIntegerField(_("viewers goal"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LiveSessionStatus.choices, default=LiveSessionStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    team_at_start = models.JSONField(
        _("team at start"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Who held each role when the session started (the 8.1 gate's evidence)."),
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    same_client_as = (SAME_CLIENT_AS_ACCOUNT,)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        constraints = [
            on_field(
                "planned_end",
                models.CheckConstraint(
                    condition=Q(planned_end__gt=F("planned_start")),
                    name="live_session_end_after_start",
                    violation_error_code="live_session_end_after_start",
                    violation_error_message=_("The session must end after it starts."),
                ),
            ),
            on_field(
                "ended_at",
                models.CheckConstraint(
                    condition=Q(ended_at__isnull=True) | Q(started_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                    name="live_session_ended_after_started",
                    violation_error_code="live_session_ended_after_started",
                    violation_error_message=_("The session must end after it starts."),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "client", "planned_start"], name="live_agency_client_start"),
            models.Index(fields=["agency", "status", "planned_start"], name="live_agency_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.theme} ({self.planned_start:%Y-%m-%d %H:%M})" if self.planned_start else self.theme

    def get_absolute_url(self) -> str:
        return reverse("extensions:live-detail", args=[self.pk])

    @property
    def planned_minutes(self) -> int:
        return int((self.planned_end - self.planned_start).total_seconds() // 60)

    def clean(self) -> None:
        super().clean()
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            raise ValidationError({"planned_end": _("The session must end after it starts.")})
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValidationError(
                {
                    "ended_at": _("The session cannot end (%(end)s) before it started (%(start)s).")
                    % {"end": f"{self.ended_at:%Y-%m-%d %H:%M}", "start": f"{self.started_at:%Y-%m-%d %H:%M}"}
                }
            )


class LiveProduct(ClientOwned):
    """Clause 8.1: a product sold in a live session, picked by the session's product selector
    (选品员); ``position`` is its order in the run sheet."""

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="products", verbose_name=_("session")
    )
    name = models.CharField(_("product"), max_length=200)
    price = money_field(_("price (yuan)"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    commission_rate = models.DecimalField(
        _("commission (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("picked by"),
    )
    position = models.PositiveIntegerField(_("order in the run sheet"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    same_client_as = ("session",)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("live product")
        verbose_name_plural = _("live products")
        indexes = [models.Index(fields=["agency", "session", "position"], name="live_product_agency_session")]

    def __str__(self) -> str:
        return self.name


class SegmentKind(models.TextChoices):
    WARM_UP = "warm_up", _("Warm-up")
    PRODUCT_SLOT = "product_slot", _("Product slot")
    GIVEAWAY = "giveaway", _("Giveaway")
    INTERACTION = "interaction", _("Interaction")
    CLOSE = "close", _("Close")


class RunSheetSegment(ClientOwned):
    """Clause 8.1: one timed segment of a live session's run sheet (直播脚本), counted in minutes
    from the session's start so that a rescheduled session keeps its run sheet."""

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="segments", verbose_name=_("session")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SegmentKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_minute = models.PositiveIntegerField(_("starts at minute"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), validators=[MinValueValidator(1)])
    product = models.ForeignKey(
        LiveProduct,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="segments",
        verbose_name=_("product"),
    )
    notes = models.TextField(_("notes"), blank=True)

    same_client_as = ("session",)

    class Meta:
        ordering = ["session", "start_minute", "id"]
        verbose_name = _("run sheet segment")
        verbose_name_plural = _("run sheet segments")
        constraints = [
            on_field(
                "duration_minutes",
                models.CheckConstraint(
                    condition=Q(duration_minutes__gte=1),
                    name="segment_lasts_a_minute",
                    violation_error_code="segment_lasts_a_minute",
                    violation_error_message=_("A segment lasts at least one minute."),
                ),
            )
        ]
        indexes = [models.Index(fields=["agency", "session", "start_minute"], name="segment_agency_session")]

    def __str__(self) -> str:
        return f"{self.start_minute}′ {self.get_kind_display()} {self.title}".strip()

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.duration_minutes

    def clean(self) -> None:
        super().clean()
        if self.kind == SegmentKind.PRODUCT_SLOT and not self.product_id:
            raise ValidationError({"product": _("A product slot names the product it sells.")})
        if self.product_id and self.session_id:
            with self.within_own_agency():
                product_session = (
                    LiveProduct.objects.filter(pk=self.product_id).values_list("session_id", flat=True).first()
                )
            if product_session != self.session_id:
                raise ValidationError({"product": _("The product belongs to another session.")})


class LiveRole(models.TextChoices):
    """The live team's roles: the host, and the four roles clause 8.1 names."""

    HOST = "host", _("Host (主播)")
    HOST_ASSISTANT = "host_assistant", _("Host assistant (主播助理)")
    PRODUCT_SELECTOR = "product_selector", _("Product selector (选品员)")
    TRANSITION_ASSISTANT = "transition_assistant", _("Transition assistant (过场助理)")
    FIELD_CONTROLLER = "field_controller", _("Field controller (场控)")


class LiveTeamAssignment(ClientOwned):
    """Clause 8.1: one person in one role of a live session's team. The four roles of 8.1 are
    held by the agency's staff; the host may also be someone outside the agency (the client's
    own presenter, a hired host), named in ``external_name``."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="team", verbose_name=_("session"))
    role = models.CharField(_("role"), max_length=30, choices=LiveRole.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    external_name = models.CharField(
        _("host from outside the agency"),
        max_length=100,
        blank=True,
        help_text=_("Only for a host who is not on the agency's staff."),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    same_client_as = ("session",)

    class Meta:
        ordering = ["session", "role", "id"]
        verbose_name = _("live team assignment")
        verbose_name_plural = _("live team assignments")
        constraints = [
            on_field(
                "person",
                models.UniqueConstraint(
                    fields=["session", "person"],
                    condition=Q(person__isnull=False),
                    name="live_team_one_role_per_person",
                    violation_error_code="live_team_one_role_per_person",
                    violation_error_message=_("This person already has a role in this session's team."),
                ),
            ),
            on_field(
                "person",
                models.CheckConstraint(
                    condition=(Q(person__isnull=False) & Q(external_name=""))
                    | (Q(person__isnull=True) & Q(role="host") & ~Q(external_name="")),
                    name="live_team_staff_or_named_host",
                    violation_error_code="live_team_staff_or_named_host",
                    violation_error_message=_(
                        "Choose one of the agency's staff; only the host may instead be named from outside the agency."
                    ),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "person"], name="live_team_agency_person")]

    name_related = ("person",)

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person_name}"

    @property
    def person_name(self) -> str:
        if self.person_id is None:
            return self.external_name
        return self.person.get_full_name() or self.person.get_username()

    def clean(self) -> None:
        super().clean()
        if self.person_id and self.external_name:
            raise ValidationError({"external_name": _("Name an outside host only when no staff person is chosen.")})
        if self.person_id is None:
            if self.role != LiveRole.HOST:
                raise ValidationError(
                    {"person": _("%(role)s is held by one of the agency's staff.") % {"role": self.get_role_display()}}
                )
            if not self.external_name.strip():
                raise ValidationError({"person": _("Choose a staff person or name the outside host.")})


@dataclass(frozen=True)
class LiveFigures:
    """The figures derived from a session's results (None where the denominator is zero)."""

    uv_value: Decimal | None  # yuan of GMV per viewer (UV 价值)
    gpm: Decimal | None  # yuan of GMV per thousand views (GPM)
    conversion_rate: Decimal | None  # orders per viewer, a fraction

    @property
    def conversion_percent(self) -> Decimal | None:
        if self.conversion_rate is None:
            return None
        return (self.conversion_rate * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


def derive_live_figures(*, gmv: Decimal, viewers: int, views: int, orders: int) -> LiveFigures:
    """The one place the derived figures of 8.1 are computed: UV value = GMV / viewers,
    GPM = GMV × 1000 / views, conversion = orders / viewers."""
    cents, ratio = Decimal("0.01"), Decimal("0.0001")
    gmv = Decimal(gmv or 0)
    uv_value = (gmv / viewers).quantize(cents, ROUND_HALF_UP) if viewers else None
    gpm = (gmv * 1000 / views).quantize(cents, ROUND_HALF_UP) if views else None
    conversion = (Decimal(orders) / viewers).quantize(ratio, ROUND_HALF_UP) if viewers else None
    return LiveFigures(uv_value=uv_value, gpm=gpm, conversion_rate=conversion)


class ResultSource(models.TextChoices):
    ENTERED = "entered", _("Entered by hand")
    API = "api", _("Pushed through the API")


class LiveSessionResult(ClientOwned):
    """Clause 8.1: what a finished session achieved, and the team's written review."""

    session = models.OneToOneField(
        LiveSession, on_delete=models.CASCADE, related_name="result", verbose_name=_("session")
    )
    peak_concurrent_viewers = models.PositiveBigIntegerField(_("peak concurrent viewers"))
    average_concurrent_viewers = models.PositiveBigIntegerField(_("average concurrent viewers"))
    total_viewers = models.PositiveBigIntegerField(_("viewers"), help_text=_("People who watched (观看人数)."))
    views = models.PositiveBigIntegerField(_("views"), help_text=_("Times the session was watched (观看次数)."))
    average_watch_seconds = models.PositiveIntegerField(_("average watch time (s)"))
    comments = models.PositiveBigIntegerField(_("comments"))
    new_followers = models.PositiveBigIntegerField(_("new followers"))
    orders = models.PositiveBigIntegerField(_("orders"))
    gmv = money_field(_("GMV (yuan)"))
    refund_orders = models.PositiveBigIntegerField(_("refunded orders"), default=0)
    refund_amount = money_field(_("refunds (yuan)"), default=ZERO)
    review = models.TextField(_("review"), blank=True, help_text=_("What worked, what did not, what to change."))
    source = models.CharField(_("source"), max_length=20, choices=ResultSource.choices, default=ResultSource.ENTERED)

    same_client_as = ("session",)

    class Meta:
        ordering = ["-session__planned_start", "-id"]
        verbose_name = _("live session result")
        verbose_name_plural = _("live session results")
        constraints = [
            on_field(
                "gmv",
                models.CheckConstraint(
                    condition=Q(gmv__gte=0),
                    name="live_result_gmv_not_negative",
                    violation_error_code="live_result_gmv_not_negative",
                    violation_error_message=_("GMV cannot be negative."),
                ),
            ),
            on_field(
                "refund_amount",
                models.CheckConstraint(
                    condition=Q(refund_amount__gte=0),
                    name="live_result_refunds_not_negative",
                    violation_error_code="live_result_refunds_not_negative",
                    violation_error_message=_("Refunds cannot be negative."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client"], name="live_result_agency_client")]

    name_related = ("session",)

    def __str__(self) -> str:
        return str(_("Results of %(session)s") % {"session": self.session})

    @property
    def figures(self) -> LiveFigures:
        return derive_live_figures(gmv=self.gmv, viewers=self.total_viewers, views=self.views, orders=self.orders)

    def clean(self) -> None:
        super().clean()
        # (field named in the error, the figure that must not exceed, the figure it is bounded by)
        bounds = (
            (
                "average_concurrent_viewers",
                self.average_concurrent_viewers,
                self.peak_concurrent_viewers,
                _("Average concurrent viewers (%(small)s) cannot exceed the peak (%(big)s)."),
            ),
            (
                "peak_concurrent_viewers",
                self.peak_concurrent_viewers,
                self.total_viewers,
                _("Peak concurrent viewers (%(small)s) cannot exceed the viewers (%(big)s)."),
            ),
            ("views", self.total_viewers, self.views, _("Views (%(big)s) cannot be fewer than viewers (%(small)s).")),
            (
                "refund_orders",
                self.refund_orders,
                self.orders,
                _("Refunded orders (%(small)s) cannot exceed orders (%(big)s)."),
            ),
            ("refund_amount", self.refund_amount, self.gmv, _("Refunds (¥%(small)s) cannot exceed GMV (¥%(big)s).")),
        )
        errors = {
            field: message % {"small": f"{small:,}", "big": f"{big:,}"}
            for field, small, big, message in bounds
            if small is not None and big is not None and small > big
        }
        if errors:
            raise ValidationError(errors)
