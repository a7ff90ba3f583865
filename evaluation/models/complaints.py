"""Customer protection (客户保障机制, clause 10.1): the agency's service guarantees, and the
complaints and guarantee claims of clients and platform users, each with a deadline by severity,
an owner, a resolution, any compensation and the complainant's confirmation."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.constraints import on_field
from agency.models import SameClient, TenantModel
from evaluation.models.questionnaires import localized


class ServiceGuarantee(TenantModel):
    """Clause 10.1 (customer protection): a promise the agency makes to its clients and their
    users, such as "a response within 4 hours" or a compensation rule."""

    title_zh = models.CharField(_("guarantee (Chinese)"), max_length=200)
    title_en = models.CharField(_("guarantee (English)"), max_length=200)
    description = models.TextField(_("what is promised"), blank=True)
    response_hours = models.PositiveIntegerField(
        _("response within (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty when the guarantee promises no response time."),
    )
    compensation_rule = models.TextField(_("compensation rule"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # The agency's own list: a complaint keeps what was promised in ``promised``, which its
    # client's people read there.
    tenant_client_path = None

    class Meta:
        ordering = ["title_zh"]
        verbose_name = _("service guarantee")
        verbose_name_plural = _("service guarantees")
        constraints = [
            on_field(
                "title_zh",
                models.UniqueConstraint(
                    fields=["agency", "title_zh"],
                    name="guarantee_title_unique",
                ),
            )
        ]

    def __str__(self) -> str:
        return localized(self.title_zh, self.title_en)

    def get_absolute_url(self) -> str:
        return reverse("evaluation:guarantee-update", args=[self.pk])


class ComplaintSource(models.TextChoices):
    CLIENT = "client", _("Client")
    USER = "user", _("Platform user")


class ComplaintChannel(models.TextChoices):
    CLIENT_AREA = "client_area", _("Client area")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    PLATFORM_MESSAGE = "platform_message", _("Platform private message")
    PLATFORM_COMMENT = "platform_comment", _("Platform comment")
    SURVEY = "survey", _("Survey answer")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class ComplaintCategory(models.TextChoices):
    SERVICE_QUALITY = "service_quality", _("Service quality")
    CONTENT = "content", _("Content")
    RESPONSE_TIME = "response_time", _("Response time")
    DELIVERY = "delivery", _("Late or missing delivery")
    BILLING = "billing", _("Billing")
    PRIVACY = "privacy", _("Data and privacy")
    PRODUCT = "product", _("Product or store experience")
    GUARANTEE_CLAIM = "guarantee_claim", _("Guarantee claim")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", pgettext_lazy("severity", "Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")
    CLOSED = "closed", _("Closed, confirmed")


class Complaint(TenantModel):
    """Clause 10.1 (customer protection): a complaint or guarantee claim of a client or a platform
    user. ``resolve_by`` follows from the severity (the agency's deadlines); overdue complaints are
    escalated by a scheduled task, one level at a time."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("client")
    )
    source = models.CharField(_("from"), max_length=20, choices=ComplaintSource.choices)
    channel = models.CharField(_("channel"), max_length=30, choices=ComplaintChannel.choices)
    category = models.CharField(_("category"), max_length=30, choices=ComplaintCategory.choices)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.MEDIUM)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    complainant_name = models.CharField(_("complainant"), max_length=100, blank=True)
    complainant_contact = models.CharField(_("complainant's contact"), max_length=200, blank=True)
    guarantee = models.ForeignKey(
        ServiceGuarantee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("guarantee claimed"),
    )
    promised = models.TextField(_("what was promised"), blank=True)
    campaign = models.ForeignKey(
        "evaluation.EvaluationCampaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("found in campaign"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    received_at = models.DateTimeField(_("received at"))
    respond_by = models.DateTimeField(_("respond by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    first_response = models.TextField(_("first response"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    compensation = models.TextField(_("compensation given"), blank=True)
    compensation_amount = models.DecimalField(
        _("compensation amount (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    confirmed_at = models.DateTimeField(_("confirmed by the complainant at"), null=True, blank=True)
    confirmation_note = models.TextField(_("complainant's words"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    same_client_as = (SameClient("campaign", _("The campaign belongs to another client.")),)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            on_field(
                "resolve_by",
                models.CheckConstraint(
                    condition=models.Q(resolve_by__gte=models.F("received_at")),
                    name="complaint_deadline_after_receipt",
                    violation_error_code="complaint_deadline_after_receipt",
                    violation_error_message=_("The deadline cannot be before the complaint was received."),
                ),
            ),
            on_field(
                "resolution",
                models.CheckConstraint(
                    condition=models.Q(status="open") | ~models.Q(resolution=""),
                    name="complaint_resolved_has_resolution",
                    violation_error_code="complaint_resolved_has_resolution",
                    violation_error_message=_("Say how the complaint was resolved."),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "resolve_by"], name="complaint_agency_status_due"),
            models.Index(fields=["agency", "client", "received_at"], name="complaint_agency_client"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("evaluation:complaint-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.received_at and self.resolve_by and self.resolve_by < self.received_at:
            raise ValidationError({"resolve_by": _("The deadline cannot be before the complaint was received.")})
        if self.status != ComplaintStatus.OPEN and not (self.resolution or "").strip():
            raise ValidationError({"resolution": _("Say how the complaint was resolved.")})
