"""Clients (委托方, clause 3.2), their platform accounts and videos, and their requirements (4.1).

These are the objects every chapter shares: a video project (ch.5) is for a platform account, an
account's operations (ch.6-7) and live sessions (ch.8) hang off it, records (ch.9) and evaluations
(ch.10) are per client.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.db.indexes import TrigramIndex
from agency.models import Membership, SameClient, TenantModel


class ClientKind(models.TextChoices):
    """Clause 3.2: the kinds of business that hire an operator."""

    BRAND = "brand", _("Brand")
    DESIGN = "design", _("Design")
    PRODUCTION = "production", _("Production")
    DISTRIBUTION = "distribution", _("Distribution")
    RETAIL = "retail", _("Retail")


class ClientStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Service(models.TextChoices):
    """The services a client buys; they decide which clauses apply (``agency.standard``)."""

    VIDEO_PRODUCTION = "video_production", _("Video production (ch.5)")
    BASIC_OPERATIONS = "basic_operations", _("Basic account operations (ch.6)")
    LOCAL_LIFE = "local_life", _("Group-buy and POI (6.5)")
    ADVERTISING = "advertising", _("Advertising (6.7)")
    ADVANCED_OPERATIONS = "advanced_operations", _("Advanced account operations (ch.7)")
    LIVE_STREAMING = "live_streaming", _("Live streaming (8.1)")
    STORE_VISITS = "store_visits", _("Influencer store visits (8.2)")
    ACCOUNT_VALUATION = "account_valuation", _("Account valuation (8.3)")


def validate_services(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Services must be a list."))
    unknown = [item for item in value if item not in Service.values]
    if unknown:
        raise ValidationError(
            _("Unknown services: %(unknown)s. Choose from %(known)s."),
            params={"unknown": ", ".join(map(str, unknown)), "known": ", ".join(Service.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A service is listed twice."))


class Client(TenantModel):
    """A client (委托方) of the agency."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ClientKind.choices)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    services = models.JSONField(_("services in scope"), default=list, blank=True, validators=[validate_services])
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account manager"),
    )
    notes = models.TextField(_("notes"), blank=True)

    tenant_client_path = "pk"
    name_fields = ("name",)  # __str__

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            on_field(
                "name",
                models.UniqueConstraint(
                    fields=["agency", "name"],
                    name="client_name_unique_in_agency",
                ),
            ),
            on_field(
                "contract_end",
                models.CheckConstraint(
                    condition=Q(contract_end__isnull=True)
                    | Q(contract_start__isnull=True)
                    | Q(contract_end__gte=models.F("contract_start")),
                    name="client_contract_end_after_start",
                    violation_error_code="client_contract_end_after_start",
                    violation_error_message=_("The contract cannot end before it starts."),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="client_agency_status"),
            TrigramIndex(fields=["agency", "name", "contact_name"], name="client_agency_search"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clients:client-detail", args=[self.pk])

    def get_services_display(self) -> list[str]:
        labels = dict(Service.choices)
        return [str(labels.get(code, code)) for code in self.services or []]

    def clean(self) -> None:
        super().clean()
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            raise ValidationError({"contract_end": _("The contract cannot end before it starts.")})


def delete_people_of_client(sender, instance: Client, **kwargs) -> None:
    """A client's people go with the client (a client person's membership names the client by its
    id, ``agency.models.Membership.client_id``; connected at ready())."""
    Membership.objects.filter(client_id=instance.pk).delete()


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    BILIBILI = "bilibili", _("Bilibili")
    TIKTOK = "tiktok", _("TikTok")


PLATFORM_LABELS = dict(Platform.choices)


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class PlatformAccount(TenantModel):
    """A client's account on a short-video platform, run by the agency."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("client"))
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100, help_text=_("The account id people search for."))
    platform_uid = models.CharField(_("platform user id"), max_length=100, blank=True)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    followers = models.PositiveBigIntegerField(_("followers"), default=0)
    followers_updated_at = models.DateTimeField(_("followers read at"), null=True, blank=True)

    name_fields = ("platform", "handle")  # __str__

    class Meta:
        ordering = ["client__name", "platform", "handle"]
        verbose_name = _("platform account")
        verbose_name_plural = _("platform accounts")
        constraints = [
            on_field(
                "handle",
                models.UniqueConstraint(
                    fields=["agency", "platform", "handle"],
                    name="account_handle_unique_in_agency",
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "client", "status"], name="account_agency_client_status"),
            TrigramIndex(fields=["agency", "handle", "nickname"], name="account_agency_search"),
        ]

    def __str__(self) -> str:
        # The label from a dict made once: get_platform_display() makes one of every choice per call,
        # and a picker names 150 accounts.
        return f"{PLATFORM_LABELS.get(self.platform, self.platform)} @{self.handle}"

    def get_absolute_url(self) -> str:
        return reverse("clients:account-update", args=[self.pk])


# A row about one platform account that carries the account's client too.
SAME_CLIENT_AS_ACCOUNT = SameClient("account", _("The account belongs to another client."))


class VideoOrigin(models.TextChoices):
    PRODUCED = "produced", _("Produced by us")
    IMPORTED = "imported", _("Imported")


class Video(TenantModel):
    """A video published on a platform account, produced by the agency or imported."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="videos", verbose_name=_("client"))
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="videos", verbose_name=_("platform account")
    )
    platform_item_id = models.CharField(_("platform item id"), max_length=100)
    title = models.CharField(_("title"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    duration_seconds = models.DecimalField(
        _("duration (s)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    origin = models.CharField(_("origin"), max_length=20, choices=VideoOrigin.choices, default=VideoOrigin.IMPORTED)

    same_client_as = (SAME_CLIENT_AS_ACCOUNT,)
    name_fields = ("title", "platform_item_id")  # a picker offers thousands (__str__)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        constraints = [
            on_field(
                "platform_item_id",
                models.UniqueConstraint(
                    fields=["agency", "account", "platform_item_id"],
                    name="video_item_unique_on_account",
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "client", "published_at"], name="video_agency_client_published"),
            TrigramIndex(fields=["agency", "title"], name="video_agency_search"),
        ]

    def __str__(self) -> str:
        return self.title or self.platform_item_id


class RequirementStatus(models.TextChoices):
    OPEN = "open", _("Awaiting decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    FULFILLED = "fulfilled", _("Fulfilled")


class ClientRequirement(TenantModel):
    """Clause 4.1: a requirement the client raised, the agency's decision, and its fulfilment."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("client"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("requirement"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_by_name = models.CharField(
        _("raised by (name)"), max_length=100, blank=True, help_text=_("When the client raised it by phone or chat.")
    )
    raised_at = models.DateTimeField(_("raised at"))
    status = models.CharField(
        _("status"), max_length=20, choices=RequirementStatus.choices, default=RequirementStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fulfilled by"),
    )
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilment_note = models.TextField(_("how it was fulfilled"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="requirements/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("client requirement")
        verbose_name_plural = _("client requirements")
        constraints = [
            on_field(
                "decline_reason",
                models.CheckConstraint(
                    condition=~Q(status="declined") | ~Q(decline_reason=""),
                    name="requirement_declined_has_reason",
                    violation_error_code="requirement_declined_has_reason",
                    violation_error_message=_("Say why the requirement is declined."),
                ),
            ),
            on_field(
                "due_date",
                models.CheckConstraint(
                    condition=~Q(status="accepted") | Q(due_date__isnull=False),
                    name="requirement_accepted_has_due_date",
                    violation_error_code="requirement_accepted_has_due_date",
                    violation_error_message=_("An accepted requirement needs a due date."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "status"], name="requirement_agency_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("clients:requirement-detail", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return self.status != RequirementStatus.OPEN
