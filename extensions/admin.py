"""Admin of extension services (chapter 8): the platform operator's view across agencies."""

from django.contrib import admin

from agency.admin import TenantAdmin
from extensions.models import (
    AccountValuation,
    AdverseEvent,
    Influencer,
    LiveProduct,
    LiveSession,
    LiveSessionResult,
    LiveTeamAssignment,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
    ValuationFactor,
)


@admin.register(LiveSession)
class LiveSessionAdmin(TenantAdmin):
    list_display = ("theme", "account", "client", "agency", "planned_start", "status")
    list_filter = ("status",)
    search_fields = ("theme",)
    list_select_related = ("agency", "client", "account")


@admin.register(LiveProduct)
class LiveProductAdmin(TenantAdmin):
    list_display = ("name", "session", "agency", "price", "stock", "position")
    search_fields = ("name",)


@admin.register(RunSheetSegment)
class RunSheetSegmentAdmin(TenantAdmin):
    list_display = ("session", "kind", "start_minute", "duration_minutes", "agency")
    list_filter = ("kind",)


@admin.register(LiveTeamAssignment)
class LiveTeamAssignmentAdmin(TenantAdmin):
    list_display = ("session", "role", "person", "external_name", "agency")
    list_filter = ("role",)
    search_fields = ("person__username", "external_name")


@admin.register(LiveSessionResult)
class LiveSessionResultAdmin(TenantAdmin):
    list_display = ("session", "agency", "total_viewers", "orders", "gmv", "source")
    list_filter = ("source",)


@admin.register(Influencer)
class InfluencerAdmin(TenantAdmin):
    list_display = ("handle", "platform", "agency", "followers", "followers_read_on", "city", "is_active")
    list_filter = ("platform", "is_active")
    search_fields = ("handle", "nickname", "city")


@admin.register(StoreVisitCampaign)
class StoreVisitCampaignAdmin(TenantAdmin):
    list_display = ("title", "client", "agency", "store_name", "visit_date")
    search_fields = ("title", "store_name")


@admin.register(StoreVisitBooking)
class StoreVisitBookingAdmin(TenantAdmin):
    list_display = ("influencer", "campaign", "agency", "status", "followers_at_booking", "fee")
    list_filter = ("status",)
    search_fields = ("influencer__handle", "campaign__title")


@admin.register(AdverseEvent)
class AdverseEventAdmin(TenantAdmin):
    list_display = ("account", "kind", "severity", "occurred_on", "agency")
    list_filter = ("kind", "severity")


@admin.register(AccountValuation)
class AccountValuationAdmin(TenantAdmin):
    list_display = ("account", "valued_on", "agency", "method", "value_low", "value_high")
    list_filter = ("method",)

    def get_readonly_fields(self, request, obj=None):
        # A valuation is a dated record computed from its inputs: the admin may read, not rewrite, it.
        return [field.name for field in self.model._meta.fields]


@admin.register(ValuationFactor)
class ValuationFactorAdmin(TenantAdmin):
    list_display = ("valuation", "factor", "value", "source", "weight", "effect", "agency")
    list_filter = ("factor", "source")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
