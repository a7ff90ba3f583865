"""Admin of video production (chapter 5): the platform operator's view across agencies."""

from django.contrib import admin

from agency.admin import TenantAdmin
from production.models.post import Cut, PostProductionStep
from production.models.projects import StageTransition, VideoProject
from production.models.publishing import Publication
from production.models.review import ReviewComment, ReviewRound
from production.models.scripts import Script, StoryboardShot
from production.models.shoots import Clip, Shoot


@admin.register(VideoProject)
class VideoProjectAdmin(TenantAdmin):
    list_display = ("title", "client", "agency", "stage", "due_date", "assignee")
    list_filter = ("stage",)
    search_fields = ("title",)
    date_hierarchy = "due_date"


@admin.register(Script)
class ScriptAdmin(TenantAdmin):
    list_display = ("project", "version", "status", "agency", "decided_at")
    list_filter = ("status",)
    search_fields = ("topic", "project__title")


@admin.register(StoryboardShot)
class StoryboardShotAdmin(TenantAdmin):
    list_display = ("script", "number", "shot_size", "camera_movement", "duration_seconds", "agency")


@admin.register(Shoot)
class ShootAdmin(TenantAdmin):
    list_display = ("project", "date", "location", "agency")
    search_fields = ("location", "project__title")


@admin.register(Clip)
class ClipAdmin(TenantAdmin):
    list_display = (
        "original_name",
        "shoot",
        "agency",
        "probe_state",
        "verdict",
        "display_width",
        "display_height",
        "duration_seconds",
    )
    list_filter = ("probe_state", "verdict")
    search_fields = ("original_name", "label")


@admin.register(Cut)
class CutAdmin(TenantAdmin):
    list_display = ("project", "version", "agency", "probe_state", "duration_seconds")
    list_filter = ("probe_state",)


@admin.register(PostProductionStep)
class PostProductionStepAdmin(TenantAdmin):
    list_display = ("project", "kind", "status", "assignee", "agency")
    list_filter = ("kind", "status")


@admin.register(ReviewRound)
class ReviewRoundAdmin(TenantAdmin):
    list_display = ("project", "number", "cut", "status", "agency", "decided_at")
    list_filter = ("status",)


@admin.register(ReviewComment)
class ReviewCommentAdmin(TenantAdmin):
    list_display = ("round", "timecode_seconds", "author", "agency", "resolved_at")
    search_fields = ("body",)


@admin.register(StageTransition)
class StageTransitionAdmin(TenantAdmin):
    list_display = ("project", "from_stage", "to_stage", "at", "by", "agency")
    list_filter = ("to_stage",)

    def has_change_permission(self, request, obj=None):
        return False  # the history is what happened


@admin.register(Publication)
class PublicationAdmin(TenantAdmin):
    list_display = ("project", "account", "scheduled_at", "status", "platform_item_id", "agency")
    list_filter = ("status",)
    search_fields = ("title", "platform_item_id")
