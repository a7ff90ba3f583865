"""Models of clause 6.2, profile changes (avatar, banner, bio, nickname)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from agency.constraints import on_field


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
