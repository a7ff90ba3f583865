"""Clause 8.2, influencer store visits (达人探店): the agency's influencer registry, store-visit
campaigns for a client's store, and one booking per invited influencer.

    Influencer (agency-internal registry)
    StoreVisitCampaign (a client's store, date and window, deliverables, rights)
        └─ StoreVisitBooking (one influencer: fee, status, the posted video and its results)

The follower rule (only influencers within the agency's range, as read recently) is enforced
when a booking is made, in ``extensions.services.visits.store_visit_book``, and the figures it saw are
kept on the booking as the clause's evidence.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.local import PoiLink
from agency.constraints import on_field
from agency.db.indexes import TrigramIndex
from agency.models import SameClient, TenantModel
from clients.models import SAME_CLIENT_AS_ACCOUNT, Platform, PlatformAccount
from extensions.models.common import ClientOwned, money_field


class Influencer(TenantModel):
    """Clause 8.2: an influencer (达人) in the agency's registry, with the follower count as read
    on a date. The registry is the agency's own: client people see the influencers booked for
    them through their bookings, not the registry."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    followers = models.PositiveBigIntegerField(_("followers"))
    followers_read_on = models.DateField(_("followers read on"))
    category = models.CharField(_("category"), max_length=100, blank=True, help_text=_("Food, travel, family…"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True, help_text=_("Name, phone, WeChat or agent."))
    fee_per_video = money_field(_("rate per video (yuan)"), null=True, blank=True)
    fee_per_live_mention = money_field(_("rate per live mention (yuan)"), null=True, blank=True)
    rate_notes = models.TextField(_("rate card notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    tenant_client_path = None

    class Meta:
        ordering = ["handle"]
        verbose_name = _("influencer")
        verbose_name_plural = _("influencers")
        constraints = [
            on_field(
                "handle",
                models.UniqueConstraint(
                    fields=["agency", "platform", "handle"],
                    name="influencer_handle_unique_in_agency",
                ),
            ),
        ]
        indexes = [
            TrigramIndex(fields=["agency", "handle", "nickname", "notes"], name="influencer_agency_search"),
            models.Index(fields=["agency", "city", "category"], name="influencer_agency_city"),
            models.Index(fields=["agency", "followers"], name="influencer_agency_followers"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_platform_display()})"

    def get_absolute_url(self) -> str:
        return reverse("extensions:influencer-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.followers_read_on and self.followers_read_on > timezone.localdate():
            raise ValidationError({"followers_read_on": _("The follower count cannot be read in the future.")})


class Deliverable(models.TextChoices):
    VIDEO = "video", _("Store-visit video")
    LIVE_MENTION = "live_mention", _("Live mention")
    PHOTO_POST = "photo_post", _("Photo post")


def validate_deliverables(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Deliverables must be a list."))
    unknown = [item for item in value if item not in Deliverable.values]
    if unknown:
        raise ValidationError(
            _("Unknown deliverables: %(unknown)s. Choose from %(known)s."),
            params={"unknown": ", ".join(map(str, unknown)), "known": ", ".join(Deliverable.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A deliverable is listed twice."))


class StoreVisitCampaign(ClientOwned):
    """Clause 8.2: a store-visit campaign for one of the client's stores: when influencers come,
    what they deliver and what the client may do with it.

    ``poi_link`` links the store's POI record of clause 6.5 where the client has one; picking it fills
    in the store's name, address and platform POI id left blank. A store without a POI record is
    named by hand (``store_name``, and ``poi_id`` as free text)."""

    account = models.ForeignKey(
        PlatformAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client's account"),
        help_text=_("The client's own account the visits promote, if any."),
    )
    title = models.CharField(_("title"), max_length=200)
    poi_link = models.ForeignKey(
        PoiLink,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="store_visit_campaigns",
        verbose_name=_("store's POI (6.5)"),
        help_text=_("The client's POI record; fills in the store, address and POI id left blank."),
    )
    store_name = models.CharField(_("store"), max_length=200, blank=True)
    store_address = models.CharField(_("address"), max_length=300, blank=True)
    poi_id = models.CharField(_("platform POI id"), max_length=100, blank=True)
    visit_date = models.DateField(_("visit date"))
    window_start = models.TimeField(_("visits from"))
    window_end = models.TimeField(_("visits until"))
    deliverables = models.JSONField(_("deliverables"), default=list, blank=True, validators=[validate_deliverables])
    rights = models.TextField(
        _("rights"), blank=True, help_text=_("What the client may do with the content, where and for how long.")
    )
    budget = money_field(_("budget (yuan)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    same_client_as = (SAME_CLIENT_AS_ACCOUNT, SameClient("poi_link", _("The POI record belongs to another client.")))

    class Meta:
        ordering = ["-visit_date", "-id"]
        verbose_name = _("store-visit campaign")
        verbose_name_plural = _("store-visit campaigns")
        constraints = [
            on_field(
                "window_end",
                models.CheckConstraint(
                    condition=Q(window_end__gt=F("window_start")),
                    name="visit_window_end_after_start",
                    violation_error_code="visit_window_end_after_start",
                    violation_error_message=_("The visit window must end after it starts."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "visit_date"], name="visit_agency_client_date")]

    def __str__(self) -> str:
        return f"{self.title} · {self.store_name}"

    def get_absolute_url(self) -> str:
        return reverse("extensions:campaign-detail", args=[self.pk])

    def get_deliverables_display(self) -> list[str]:
        labels = dict(Deliverable.choices)
        return [str(labels.get(code, code)) for code in self.deliverables or []]

    def clean(self) -> None:
        super().clean()
        if self.poi_link_id:
            with self.within_own_agency():
                poi = PoiLink.objects.filter(pk=self.poi_link_id).first()
            if poi is not None:
                self.store_name = self.store_name.strip() or poi.store_name
                self.store_address = self.store_address.strip() or poi.address
                self.poi_id = self.poi_id.strip() or poi.platform_poi_id
        if not (self.store_name or "").strip():
            raise ValidationError({"store_name": _("Name the store or pick its POI record.")})
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            raise ValidationError({"window_end": _("The visit window must end after it starts.")})


class BookingStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    VISITED = "visited", _("Visited")
    POSTED = "posted", _("Posted")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


# A booking moves one step at a time along this path (or is cancelled before the visit).
BOOKING_PATH: tuple[str, ...] = (
    BookingStatus.INVITED,
    BookingStatus.CONFIRMED,
    BookingStatus.VISITED,
    BookingStatus.POSTED,
    BookingStatus.PAID,
)


class StoreVisitBooking(ClientOwned):
    """Clause 8.2: one influencer invited to a store-visit campaign, from invitation to payment,
    with the follower count and range seen at booking, and the posted video's results."""

    campaign = models.ForeignKey(
        StoreVisitCampaign, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("campaign")
    )
    influencer = models.ForeignKey(
        Influencer, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("influencer")
    )
    fee = money_field(_("fee (yuan)"))
    status = models.CharField(_("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.INVITED)
    # 8.2 evidence: who was booked and what the rule saw then. The handle is kept on the booking
    # because the registry is agency-internal: client people read their bookings, not the registry.
    influencer_handle = models.CharField(_("influencer's handle at booking"), max_length=100, editable=False)
    followers_at_booking = models.PositiveBigIntegerField(_("followers at booking"), editable=False)
    followers_read_on_at_booking = models.DateField(_("followers read on (at booking)"), editable=False)
    followers_min_at_booking = models.PositiveBigIntegerField(_("range minimum at booking"), editable=False)
    followers_max_at_booking = models.PositiveBigIntegerField(_("range maximum at booking"), editable=False)
    followers_max_age_days_at_booking = models.PositiveIntegerField(
        _("longest a follower count could be read before booking (days)"), editable=False
    )
    booked_at = models.DateTimeField(_("booked at"), editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    video_url = models.URLField(_("posted video"), max_length=500, blank=True)
    plays = models.PositiveBigIntegerField(_("plays"), null=True, blank=True)
    likes = models.PositiveBigIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("shares"), null=True, blank=True)
    coupon_redemptions = models.PositiveBigIntegerField(_("coupon redemptions attributed"), null=True, blank=True)
    results_read_at = models.DateTimeField(_("results read at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    same_client_as = ("campaign",)

    class Meta:
        ordering = ["-booked_at", "-id"]
        verbose_name = _("store-visit booking")
        verbose_name_plural = _("store-visit bookings")
        constraints = [
            on_field(
                "influencer",
                models.UniqueConstraint(
                    fields=["campaign", "influencer"],
                    name="booking_influencer_once_per_campaign",
                ),
            ),
            on_field(
                "video_url",
                models.CheckConstraint(
                    condition=~Q(status__in=["posted", "paid"]) | ~Q(video_url=""),
                    name="booking_posted_has_video",
                    violation_error_code="booking_posted_has_video",
                    violation_error_message=_("A posted visit needs its video's link."),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "client", "booked_at"], name="booking_agency_client_booked"),
            models.Index(fields=["agency", "influencer"], name="booking_agency_influencer"),
        ]

    name_related = ("influencer", "campaign")

    def __str__(self) -> str:
        return f"{self.influencer} · {self.campaign}"

    @property
    def followers_in_range_at_booking(self) -> bool:
        return self.followers_min_at_booking <= self.followers_at_booking <= self.followers_max_at_booking

    @property
    def followers_age_at_booking(self) -> int:
        """Days between the follower reading and the booking (in the agency's time zone)."""
        booked_on = timezone.localtime(self.booked_at, self.agency.tz).date()
        return (booked_on - self.followers_read_on_at_booking).days
