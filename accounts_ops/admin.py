"""Admin of account operations (the platform operator's view, across agencies)."""

from django.contrib import admin

from accounts_ops.models.ads import AdBudgetApproval, AdCampaign, AdSpend
from accounts_ops.models.direction import AccountDirection
from accounts_ops.models.inbox import AutoReplySettings, InboxMessage, OutboxReply, ReplyRule
from accounts_ops.models.local import GroupBuyDeal, LocalLifeEnablement, PoiLink
from accounts_ops.models.pinned import BoostRecord, BoostTask, PinnedVideo
from accounts_ops.models.profile import ProfileChange
from accounts_ops.models.promotion import PromotionTask
from agency.admin import TenantAdmin


@admin.register(AccountDirection)
class AccountDirectionAdmin(TenantAdmin):
    list_display = ("account", "version", "effective_from", "is_current", "agency")
    list_filter = ("is_current",)
    search_fields = ("positioning",)


@admin.register(ProfileChange)
class ProfileChangeAdmin(TenantAdmin):
    list_display = ("account", "field", "status", "requested_at", "applied_on", "agency")
    list_filter = ("field", "status")


@admin.register(PinnedVideo)
class PinnedVideoAdmin(TenantAdmin):
    list_display = ("account", "slot", "video", "pinned_on", "unpinned_on", "boost_interval_days", "agency")


@admin.register(BoostTask)
class BoostTaskAdmin(TenantAdmin):
    list_display = ("pinned_video", "due_on", "status", "agency")
    list_filter = ("status",)


@admin.register(BoostRecord)
class BoostRecordAdmin(TenantAdmin):
    list_display = ("pinned_video", "boosted_on", "channel", "spend", "plays_gained", "agency")


@admin.register(AutoReplySettings)
class AutoReplySettingsAdmin(TenantAdmin):
    list_display = ("account", "opens_at", "closes_at", "agency")
    exclude = ("webhook_secret",)


@admin.register(ReplyRule)
class ReplyRuleAdmin(TenantAdmin):
    list_display = ("name", "account", "trigger", "priority", "is_active", "agency")
    list_filter = ("trigger", "is_active")
    search_fields = ("name", "reply_text")


@admin.register(InboxMessage)
class InboxMessageAdmin(TenantAdmin):
    list_display = ("account", "sender_nickname", "received_at", "status", "matched_rule", "agency")
    list_filter = ("status", "source")
    search_fields = ("text", "platform_message_id")


@admin.register(OutboxReply)
class OutboxReplyAdmin(TenantAdmin):
    list_display = ("message", "source", "status", "sent_at", "agency")
    list_filter = ("status", "source")


@admin.register(PoiLink)
class PoiLinkAdmin(TenantAdmin):
    list_display = ("store_name", "account", "status", "platform_poi_id", "agency")
    list_filter = ("status",)
    search_fields = ("store_name", "address")


@admin.register(GroupBuyDeal)
class GroupBuyDealAdmin(TenantAdmin):
    list_display = ("title", "account", "price", "list_price", "platform_status", "valid_until", "agency")
    list_filter = ("platform_status",)
    search_fields = ("title",)


@admin.register(LocalLifeEnablement)
class LocalLifeEnablementAdmin(TenantAdmin):
    list_display = ("client", "qualification_submitted_on", "poi_claimed_on", "first_deal_live_on", "agency")


@admin.register(PromotionTask)
class PromotionTaskAdmin(TenantAdmin):
    list_display = ("target", "account", "channel", "status", "planned_on", "done_on", "agency")
    list_filter = ("channel", "status")


@admin.register(AdCampaign)
class AdCampaignAdmin(TenantAdmin):
    list_display = ("name", "account", "kind", "budget", "starts_on", "ends_on", "status", "agency")
    list_filter = ("kind", "status")
    search_fields = ("name",)


@admin.register(AdSpend)
class AdSpendAdmin(TenantAdmin):
    list_display = ("campaign", "spent_on", "amount", "agency")


@admin.register(AdBudgetApproval)
class AdBudgetApprovalAdmin(TenantAdmin):
    list_display = ("campaign", "extra_amount", "approved_by", "approved_at", "agency")


# --- chapter 7 and platform data ---------------------------------------------------------------
from accounts_ops.models import (  # noqa: E402
    AccountDailyMetric,
    AudiencePersonaReport,
    AudienceSnapshot,
    CommentAction,
    ContentPlan,
    ContentPlanTopic,
    DataImport,
    HotTopic,
    IpPersona,
    OpinionAlert,
    VideoComment,
    VideoDailyMetric,
)


@admin.register(AccountDailyMetric)
class AccountDailyMetricAdmin(TenantAdmin):
    list_display = ("account", "date", "followers_total", "plays", "likes", "agency")
    date_hierarchy = "date"


@admin.register(VideoDailyMetric)
class VideoDailyMetricAdmin(TenantAdmin):
    list_display = ("video", "date", "plays", "likes", "completion_rate", "agency")
    date_hierarchy = "date"


@admin.register(DataImport)
class DataImportAdmin(TenantAdmin):
    list_display = ("kind", "original_name", "status", "rows_accepted", "rows_rejected", "agency")
    list_filter = ("kind", "status")


@admin.register(VideoComment)
class VideoCommentAdmin(TenantAdmin):
    list_display = ("account", "posted_at", "sentiment", "status", "is_guide", "agency")
    list_filter = ("sentiment", "status", "is_guide")
    search_fields = ("text",)


@admin.register(CommentAction)
class CommentActionAdmin(TenantAdmin):
    list_display = ("comment", "kind", "status", "agency")
    list_filter = ("kind", "status")


@admin.register(OpinionAlert)
class OpinionAlertAdmin(TenantAdmin):
    list_display = ("account", "raised_at", "negative_share", "status", "episode_ended_at", "agency")
    list_filter = ("status",)


@admin.register(HotTopic)
class HotTopicAdmin(TenantAdmin):
    list_display = ("title", "platform", "heat", "rank", "seen_at", "agency")
    list_filter = ("platform",)
    search_fields = ("title",)


@admin.register(ContentPlan)
class ContentPlanAdmin(TenantAdmin):
    list_display = ("title", "account", "planned_on", "status", "agency")
    list_filter = ("status",)


@admin.register(ContentPlanTopic)
class ContentPlanTopicAdmin(TenantAdmin):
    list_display = ("plan", "topic", "agency")


@admin.register(AudienceSnapshot)
class AudienceSnapshotAdmin(TenantAdmin):
    list_display = ("account", "date", "fans_total", "agency")


@admin.register(AudiencePersonaReport)
class AudiencePersonaReportAdmin(TenantAdmin):
    list_display = ("account", "period_start", "period_end", "trigger", "agency")


@admin.register(IpPersona)
class IpPersonaAdmin(TenantAdmin):
    list_display = ("account", "name", "version", "is_current", "effective_from", "agency")
