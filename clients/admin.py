from django.contrib import admin

from agency.admin import TenantAdmin
from clients.models import Client, ClientRequirement, PlatformAccount, Video


@admin.register(Client)
class ClientAdmin(TenantAdmin):
    list_display = ("name", "agency", "kind", "status", "contract_end")
    list_filter = ("status", "kind")
    search_fields = ("name",)


@admin.register(PlatformAccount)
class PlatformAccountAdmin(TenantAdmin):
    list_display = ("handle", "platform", "client", "agency", "status", "followers")
    list_filter = ("platform", "status")
    search_fields = ("handle", "nickname")


@admin.register(Video)
class VideoAdmin(TenantAdmin):
    list_display = ("platform_item_id", "title", "account", "agency", "published_at")
    search_fields = ("title", "platform_item_id")


@admin.register(ClientRequirement)
class ClientRequirementAdmin(TenantAdmin):
    list_display = ("title", "client", "agency", "status", "due_date")
    list_filter = ("status",)
    search_fields = ("title", "text")
