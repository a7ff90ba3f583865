"""API of clause 9 l): image records, uploaded as multipart or base64, served to those who may see them."""

from __future__ import annotations

import base64
import binascii
import re

from django.core.files.base import ContentFile
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from agency.api.serializers import TenantModelSerializer
from agency.roles import VIEW
from records import filters
from records.api.common import STAMP_FIELDS, VOID_FIELDS, ExportMixin, RecordViewSet, VoidMixin
from records.models.images import ImageRecord
from records.services.images import image_record_create

DATA_URI = re.compile(r"^data:(?P<type>[\w/+.-]+);base64,(?P<data>.*)$", re.DOTALL)


@extend_schema_field(OpenApiTypes.BINARY)
class UploadOrBase64Field(serializers.FileField):
    """A file as a multipart upload, or (in a JSON body) as base64 text or a ``data:`` URI."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            match = DATA_URI.match(data)
            text = match.group("data") if match else data
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError("Send the image as a file upload or as base64 text.")
            data = ContentFile(raw, name="upload")
        return super().to_internal_value(data)


class ImageRecordSerializer(TenantModelSerializer):
    image = UploadOrBase64Field(write_only=True)
    linked_model = serializers.CharField(
        required=False, allow_blank=True, help_text="The linked record's type, e.g. records.asset."
    )
    linked_id = serializers.IntegerField(required=False, allow_null=True)
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ImageRecord
        fields = [
            "id",
            "image",
            "image_url",
            "thumbnail_url",
            "caption",
            "taken_on",
            "place",
            "client",
            "linked_model",
            "linked_id",
            "linked_label",
            "original_name",
            "width",
            "height",
            "byte_size",
            "sha256",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            for name in ("image", "linked_model", "linked_id", "client"):
                fields[name].read_only = True
        return fields

    def get_image_url(self, obj) -> str:
        return reverse("imagerecord-image", args=[obj.pk])

    def get_thumbnail_url(self, obj) -> str:
        return reverse("imagerecord-thumbnail", args=[obj.pk])

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["linked_model"] = instance.linked_model
        data["linked_id"] = instance.linked_id
        return data


class ImageRecordViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 l). POST a photo (multipart, or base64 in JSON) with caption, date, place and the record it
    documents (``linked_model`` + ``linked_id``). The stored picture is re-encoded without its
    metadata; ``image`` and ``thumbnail`` serve the files to those who may see the record."""

    model = ImageRecord
    resource = "image_record"
    serializer_class = ImageRecordSerializer
    filterset_class = filters.ImageRecordFilterSet
    search_fields = ["caption", "place", "linked_label"]
    ordering_fields = ["taken_on", "created_at"]
    ordering = ("-taken_on", "-id")
    export_dataset = "image_records"
    updatable_fields = ("caption", "taken_on", "place")

    def scope_queryset(self, queryset):
        return queryset.select_related("linked_type")

    def create_row(self, data):
        return image_record_create(
            actor=self.actor,
            upload=data["image"],
            caption=data["caption"],
            taken_on=data["taken_on"],
            place=data.get("place", ""),
            client=data.get("client"),
            linked_model=data.get("linked_model", ""),
            linked_id=data.get("linked_id"),
        )

    def _serve(self, field: str):
        record = self.get_object()
        stored = getattr(record, field)
        return FileResponse(stored.open("rb"), filename=stored.name.rsplit("/", 1)[-1])

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def image(self, request, pk=None):
        return self._serve("image")

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def thumbnail(self, request, pk=None):
        return self._serve("thumbnail")
