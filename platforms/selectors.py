"""Reads of the connectors for the pages: an account's connection panel, and the connections that
wait for their owner to authorise again (the account page, the client page and Today)."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.roles import ADD, CHANGE, DELETE
from agency.tenancy import Actor
from clients.models import PlatformAccount
from platforms.adapters import adapter_for, has_adapter
from platforms.models import Connection, ConnectionStatus, SyncRun

SYNC_RUNS_SHOWN = 5
RESOURCE = "platform_connection"


def reconnect_needed(actor: Actor, *, client_id: int | None = None) -> QuerySet[Connection]:
    """The connections ``actor`` may see whose authorisation is gone, oldest problem first."""
    queryset = Connection.objects.visible_to(actor).filter(status=ConnectionStatus.RECONNECT)
    if client_id is not None:
        queryset = queryset.filter(client_id=client_id)
    return queryset.select_related("account", "client").order_by("updated_at", "id")


def connection_panel(actor: Actor, account: PlatformAccount) -> dict:
    """What the account page's "Platform connection" panel shows (four queries)."""
    connection = (
        Connection.objects.visible_to(actor)
        .filter(account=account)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .select_related("connected_by")
        .order_by("-id")
        .first()
    )
    if connection is None:
        connection = Connection.objects.visible_to(actor).filter(account=account).select_related("connected_by").first()
    runs = list(SyncRun.objects.visible_to(actor).filter(account=account)[:SYNC_RUNS_SHOWN])
    available = has_adapter(account.platform)
    needed: tuple[str, ...] = ()
    if available:
        adapter = adapter_for(account.platform)
        needed = adapter.scopes_for(adapter.capabilities)
    staff = not actor.is_client_person
    live = connection is not None and connection.is_live
    return {
        "connection": connection,
        "connection_live": live,
        "sync_runs": [_run_row(run) for run in runs],
        "connector_available": available,
        "needed_scopes": needed,
        "can_connect": staff and available and actor.can(ADD, RESOURCE),
        "can_disconnect": staff and live and actor.can(DELETE, RESOURCE),
        "can_sync": staff
        and connection is not None
        and connection.status == ConnectionStatus.CONNECTED
        and actor.can(CHANGE, RESOURCE),
    }


def _run_row(run: SyncRun) -> dict:
    created = sum(int((stream or {}).get("created", 0) or 0) for stream in (run.counts or {}).values())
    updated = sum(int((stream or {}).get("updated", 0) or 0) for stream in (run.counts or {}).values())
    return {"run": run, "created": created, "updated": updated, "errors": list(run.errors or [])}


def client_panel(actor: Actor, client) -> dict:
    """What a client's page shows of its connections: the accounts to reconnect."""
    return {"reconnect_connections": list(reconnect_needed(actor, client_id=client.pk))}
