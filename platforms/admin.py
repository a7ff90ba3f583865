"""The platform admin's view of connections and sync runs: read-only, and never a token
(``ConnectionSecret`` and ``AuthorisationRequest`` are not registered)."""

from django.contrib import admin

from agency.admin import TenantAdmin
from platforms.models import Connection, SyncRun


class ReadOnlyTenantAdmin(TenantAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyTenantAdmin):
    list_display = ("account", "agency", "platform", "status", "expires_at", "last_synced_at")
    list_filter = ("platform", "status")
    search_fields = ("account__handle", "open_id")
    list_select_related = ("agency", "account")


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyTenantAdmin):
    list_display = ("account", "agency", "trigger", "status", "period_start", "period_end", "started_at")
    list_filter = ("status", "trigger")
    list_select_related = ("agency", "account")
