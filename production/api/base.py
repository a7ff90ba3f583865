"""What every viewset of the production API shares."""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.response import Response

from agency.api.viewsets import TenantViewSet

READ_ONLY = ["get", "head", "options"]
NO_PUT = ["get", "post", "patch", "delete", "head", "options"]


class ServiceViewSet(TenantViewSet):
    """Writes go to the services; the row answered is re-read through the scoped queryset."""

    http_method_names = NO_PUT

    def fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def respond(self, obj, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.fresh(obj)).data, status=status_code)


class ProductionDecisionSerializer(serializers.Serializer):
    """A decision on a script or a review round, with an optional comment."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")
