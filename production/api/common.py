"""What the viewsets of the production API share: the decision body, and the fields of a video file
read by the probe (clips and cuts)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from production.models.common import ProbedMedia

READ_ONLY = ["get", "head", "options"]
NO_PUT = ["get", "post", "patch", "delete", "head", "options"]


class ProductionDecisionSerializer(serializers.Serializer):
    """A decision on a script or a review round, with an optional comment."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")


# What a stored clip or cut is, as read from its bytes.
MEDIA_FACTS = ["original_name", "size_bytes", "probe_state", "probe_error", "probed_at", *ProbedMedia.FACT_FIELDS]


class MediaSerializerMixin(serializers.Serializer):
    download_basename = ""
    file = serializers.FileField(write_only=True, help_text="The video file (multipart).")
    file_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)  # a path on this server, not an absolute URI
    def get_file_url(self, obj) -> str:
        return reverse(f"{self.download_basename}-download", args=[obj.pk])
