"""Connections and sync runs never cross agencies or clients (the shared isolation mixin), and the
rows that hold secrets (tokens, authorisation states) are served by no serializer and no admin."""

from __future__ import annotations

import inspect

from django.apps import apps
from django.contrib import admin
from rest_framework import serializers

from accounts_ops.models import AccountMetricRollup, AgencyMetricRollup, ClientMetricRollup
from agency.api.routers import registered_viewsets
from agency.models import IntegrationWrite, TenantModel
from notifications.models.notifications import NotificationPreference
from notifications.models.webhooks import Webhook, WebhookDelivery
from platforms.models import AuthorisationRequest, Connection, ConnectionSecret, Delivery, SyncRun
from reports.models import ConformanceResult
from tests.isolation import TenantAPITestCases
from tests.platforms.factories import make_connection, make_delivery, make_sync_run


class TestConnectionAPI(TenantAPITestCases):
    basename = "connection"
    model = Connection

    def make(self, agency, client):
        return make_connection(agency, client)


class TestSyncRunAPI(TenantAPITestCases):
    basename = "syncrun"
    model = SyncRun

    def make(self, agency, client):
        return make_sync_run(agency, client)


class TestDeliveryAPI(TenantAPITestCases):
    basename = "delivery"
    model = Delivery

    def make(self, agency, client):
        return make_delivery(agency, client)


# (IntegrationWrite: the record of integrations' writes, shown on the Integrations page only; a group bot
# holds its address, a credential, and its deliveries and the notification preferences are pages only;
# a kept conformance result is served through the conformance pages, the snapshots and their evaluate
# action, never as a row of its own. The metric rollups are derived figures: the dashboards serve
# them, the daily rows are served.)
HIDDEN = (
    AccountMetricRollup,
    ClientMetricRollup,
    AgencyMetricRollup,
    ConnectionSecret,
    AuthorisationRequest,
    IntegrationWrite,
    Webhook,
    WebhookDelivery,
    NotificationPreference,
    ConformanceResult,
)


def test_the_secret_rows_declare_they_are_never_served():
    for model in HIDDEN:
        assert model.api_exposed is False
    hidden = {m for m in apps.get_models() if issubclass(m, TenantModel) and not getattr(m, "api_exposed", True)}
    assert hidden == set(HIDDEN)


def all_serializer_classes():
    seen = set()

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                yield sub
                yield from walk(sub)

    # Every serializer class the project defines, the registered viewsets' included.
    for viewset in registered_viewsets():
        if inspect.isclass(getattr(viewset, "serializer_class", None)):
            seen.add(viewset.serializer_class)
    yield from walk(serializers.Serializer)
    yield from (cls for cls in list(seen) if issubclass(cls, serializers.Serializer))


def test_no_serializer_anywhere_serves_the_secret_rows():
    import project.urls  # noqa: F401  (every app's api module registers its viewsets and serializers)

    offenders = set()
    for cls in all_serializer_classes():
        meta = getattr(cls, "Meta", None)
        model = getattr(meta, "model", None)
        if model in HIDDEN:
            offenders.add(f"{cls.__module__}.{cls.__qualname__}")
        declared = getattr(cls, "_declared_fields", {})
        for name, field in declared.items():
            queryset = getattr(field, "queryset", None) or getattr(
                getattr(field, "child_relation", None), "queryset", None
            )
            if queryset is not None and queryset.model in HIDDEN:
                offenders.add(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert not offenders, offenders


def test_no_viewset_serves_the_secret_rows():
    assert not [v for v in registered_viewsets() if v.model in HIDDEN]


def test_the_admin_shows_neither_tokens_nor_states():
    registered = admin.site._registry
    for model in HIDDEN:
        assert model not in registered
    connection_admin = registered[Connection]
    shown = set(connection_admin.list_display) | set(connection_admin.search_fields)
    assert not {"secret", "access_token", "refresh_token"} & shown
