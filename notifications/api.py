"""``/api/v1/notifications/``: a person's own notifications, and marking them read."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import TenantViewSet
from agency.roles import VIEW
from notifications.models import Notification
from notifications.services.notifications import mark_all_read, mark_read, notification_text


class NotificationSerializer(TenantModelSerializer):
    text = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "client", "is_read", "read_at", "created_at"]
        read_only_fields = fields

    def get_text(self, obj) -> str:
        return notification_text(obj)

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationFilterSet(TenantFilterSet):
    read = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", exclude=True, label="read")

    class Meta:
        model = Notification
        fields = ["kind"]


MARKED = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationViewSet(TenantViewSet):
    """The signed-in person's notifications (only theirs: nobody reads another person's), newest
    first; ``?read=false`` for the unread ones. ``POST .../{id}/read/`` marks one read,
    ``POST .../read-all/`` all of them."""

    model = Notification
    resource = "notification"
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering = ("-created_at", "-id")
    ordering_fields = ["created_at"]

    def scope_queryset(self, queryset):
        queryset = queryset.filter(recipient=self.actor.user, in_app=True)
        return queryset.order_by("-created_at", "-id")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], required_action=VIEW)
    def read(self, request, pk=None):
        notification = mark_read(actor=self.actor, notification=self.checked_row)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=MARKED)
    @action(detail=False, methods=["post"], url_path="read-all", required_action=VIEW)
    def read_all(self, request):
        return Response({"marked": mark_all_read(actor=self.actor)})


register("notifications", NotificationViewSet)
