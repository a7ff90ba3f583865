"""API of the connections: read-only, never a token; ``authorise`` starts connecting an account
and ``disconnect`` gives an authorisation back. Sync runs are read-only."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet, scoped_choices
from agency.api.openapi import error_response
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import TenantViewSet
from agency.roles import ADD, DELETE
from clients.models import PlatformAccount
from platforms.models import Connection, ConnectionStatus, SyncRun, SyncStatus, SyncTrigger
from platforms.services import connections as services

RESOURCE = "platform_connection"


def errors(*codes: int) -> dict:
    return {code: error_response(code) for code in codes}


class ConnectionSerializer(TenantModelSerializer):
    """A connection as the API shows it: status, scopes, times and the problem. Its tokens live
    in another table that no serializer names."""

    class Meta:
        model = Connection
        fields = [
            "id",
            "account",
            "client",
            "platform",
            "status",
            "scopes",
            "missing_scopes",
            "expires_at",
            "refresh_expires_at",
            "connected_at",
            "connected_by",
            "disconnected_at",
            "problem",
            "last_synced_at",
            "synced_through",
        ]
        read_only_fields = fields


class ConnectionFilterSet(TenantFilterSet):
    status = django_filters.ChoiceFilter(choices=ConnectionStatus.choices)

    class Meta:
        model = Connection
        fields = ["account", "client", "platform", "status"]


class AuthoriseSerializer(serializers.Serializer):
    account = PrimaryKeyRelatedField(
        queryset=PlatformAccount.objects.none(), help_text="The platform account to connect."
    )

    def get_fields(self):
        fields = super().get_fields()
        actor = self.context.get("actor")
        fields["account"].queryset = (
            scoped_choices(PlatformAccount, actor) if actor is not None else PlatformAccount.objects.none()
        )
        return fields


class AuthoriseAnswerSerializer(serializers.Serializer):
    authorize_url = serializers.URLField(help_text="Open it in the browser of someone signed in here as you.")


class ReadOnlyViewSet(TenantViewSet):
    """List and retrieve, plus the actions a subclass offers; any other method or action is 405 for
    everyone signed in, before the role is looked at (the base's ``offered_actions``)."""

    http_method_names = ["get", "head", "options"]
    offered_actions: frozenset[str] = frozenset({"list", "retrieve"})
    # Actions that call the platform: their route opens no transaction (the platform's answer is
    # stored in one of its own, see platforms.services.calls).
    outside_transaction: frozenset[str] = frozenset()


class ConnectionViewSet(ReadOnlyViewSet):
    """The platform accounts' connections (OAuth authorisations). ``authorise`` answers the
    platform's page where the account's owner authorises; ``disconnect`` revokes it and forgets its
    tokens. Tokens never appear in any answer."""

    model = Connection
    resource = RESOURCE
    serializer_class = ConnectionSerializer
    filterset_class = ConnectionFilterSet
    http_method_names = ["get", "post", "head", "options"]
    offered_actions = frozenset({"list", "retrieve", "authorise", "disconnect"})
    outside_transaction = frozenset({"disconnect"})
    search_fields = ["account__handle", "account__nickname"]
    ordering_fields = ["connected_at", "expires_at", "last_synced_at", "status"]
    ordering = ("-connected_at", "-id")

    def scope_queryset(self, queryset):
        return queryset.select_related("account")

    @extend_schema(
        request=AuthoriseSerializer, responses={200: AuthoriseAnswerSerializer, **errors(400, 403)}, filters=False
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def authorise(self, request):
        """Start connecting ``account``: open ``authorize_url``; the platform sends the browser back
        to this installation's callback, which finishes the connection."""
        body = AuthoriseSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        account = body.validated_data["account"]
        redirect_uri = request.build_absolute_uri(reverse("platforms:callback", args=[account.platform]))
        url = services.authorisation_start(actor=self.actor, account=account, redirect_uri=redirect_uri)
        return Response({"authorize_url": url})

    @extend_schema(request=None, responses={200: ConnectionSerializer, **errors(400, 403, 404)})
    @action(detail=True, methods=["post"], required_action=DELETE)
    def disconnect(self, request, pk=None):
        """Revoke the authorisation at the platform (best effort: a failure is kept as ``problem``)
        and forget the tokens."""
        connection = services.connection_disconnect(actor=self.actor, connection=self.checked_row)
        return Response(self.get_serializer(connection).data, status=status.HTTP_200_OK)


class SyncRunSerializer(TenantModelSerializer):
    class Meta:
        model = SyncRun
        fields = [
            "id",
            "account",
            "client",
            "connection",
            "trigger",
            "status",
            "period_start",
            "period_end",
            "started_at",
            "finished_at",
            "counts",
            "errors",
        ]
        read_only_fields = fields


class SyncRunFilterSet(TenantFilterSet):
    status = django_filters.ChoiceFilter(choices=SyncStatus.choices)
    trigger = django_filters.ChoiceFilter(choices=SyncTrigger.choices)

    class Meta:
        model = SyncRun
        fields = ["account", "client", "connection", "status", "trigger"]


class SyncRunViewSet(ReadOnlyViewSet):
    """What each sync pulled: the period, rows created and updated per stream, and its errors."""

    model = SyncRun
    resource = RESOURCE
    serializer_class = SyncRunSerializer
    filterset_class = SyncRunFilterSet
    ordering_fields = ["started_at", "finished_at", "status"]
    ordering = ("-started_at", "-id")


register("platform-connections", ConnectionViewSet, basename="connection")
register("sync-runs", SyncRunViewSet, basename="syncrun")
