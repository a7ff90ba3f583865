"""Clause 9 l): image records — photos of the work, linked to the record they document."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.db.indexes import TrigramIndex
from records.models.common import VoidableRecord, void_constraint


class ImageRecord(VoidableRecord):
    """Clause 9 l): a photo with caption, date and place, linked to any record of the agency (a
    shoot, an asset, a store visit, an inspection). The stored file is the validated, re-encoded
    picture without its metadata; a thumbnail is made with it."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="images",
        verbose_name=_("client"),
    )
    image = models.FileField(_("image"), upload_to="records/images/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="records/thumbnails/%Y/%m/", editable=False)
    caption = models.CharField(_("caption"), max_length=300)
    taken_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    linked_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("linked record type"),
    )
    linked_id = models.PositiveBigIntegerField(_("linked record id"), null=True, blank=True, editable=False)
    linked = GenericForeignKey("linked_type", "linked_id")
    linked_label = models.CharField(_("linked record"), max_length=300, blank=True, editable=False)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    width = models.PositiveIntegerField(_("width (px)"), editable=False)
    height = models.PositiveIntegerField(_("height (px)"), editable=False)
    byte_size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("image record")
        verbose_name_plural = _("image records")
        constraints = [void_constraint("image")]
        indexes = [
            TrigramIndex(fields=["agency", "caption", "place"], name="image_agency_search"),
            models.Index(fields=["agency", "taken_on"], name="image_agency_taken"),
            models.Index(fields=["agency", "linked_type", "linked_id"], name="image_agency_linked"),
        ]

    def __str__(self) -> str:
        return self.caption

    def get_absolute_url(self) -> str:
        return reverse("records:image-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        agency = self.agency if self.agency_id else None
        if self.taken_on and agency is not None and self.taken_on > agency.today():
            raise ValidationError({"taken_on": _("A photo cannot be dated in the future.")})

    @property
    def linked_model(self) -> str:
        return f"{self.linked_type.app_label}.{self.linked_type.model}" if self.linked_type_id else ""
