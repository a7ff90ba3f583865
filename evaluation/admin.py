"""Admin of chapter 10 (the platform operator's view, across agencies)."""

from django.contrib import admin

from agency.admin import TenantAdmin
from evaluation.models import (
    Complaint,
    EvaluationCampaign,
    ImprovementAction,
    ImprovementCycle,
    Question,
    QuestionnaireTemplate,
    ServiceGuarantee,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(TenantAdmin):
    list_display = ("family", "version", "title_zh", "agency", "status", "is_default")
    list_filter = ("status", "is_default")
    search_fields = ("family", "title_zh", "title_en")


@admin.register(Question)
class QuestionAdmin(TenantAdmin):
    list_display = ("template", "position", "code", "kind", "required", "agency")
    list_filter = ("kind",)
    search_fields = ("text_zh", "text_en", "code")


@admin.register(EvaluationCampaign)
class EvaluationCampaignAdmin(TenantAdmin):
    list_display = ("client", "kind", "year", "status", "opens_on", "closes_on", "due_by", "agency")
    list_filter = ("kind", "status", "year")
    search_fields = ("client__name",)
    list_select_related = ("agency", "client")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(TenantAdmin):
    list_display = ("email", "campaign", "sent_at", "responded_at", "agency")
    search_fields = ("email", "name")
    list_select_related = ("agency", "campaign", "campaign__client")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(TenantAdmin):
    list_display = ("campaign", "audience", "submitted_at", "agency")
    list_filter = ("audience",)
    list_select_related = ("agency", "campaign", "campaign__client")


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(TenantAdmin):
    list_display = ("response", "question", "score", "sentiment", "agency")
    list_filter = ("sentiment",)
    search_fields = ("text",)


@admin.register(ServiceGuarantee)
class ServiceGuaranteeAdmin(TenantAdmin):
    list_display = ("title_zh", "title_en", "response_hours", "is_active", "agency")
    list_filter = ("is_active",)
    search_fields = ("title_zh", "title_en")


@admin.register(Complaint)
class ComplaintAdmin(TenantAdmin):
    list_display = ("subject", "client", "severity", "status", "resolve_by", "escalation_level", "agency")
    list_filter = ("status", "severity", "source", "category")
    search_fields = ("subject", "description", "complainant_name")
    list_select_related = ("agency", "client")


@admin.register(ImprovementCycle)
class ImprovementCycleAdmin(TenantAdmin):
    list_display = ("finding", "client", "round", "status", "opened_at", "closed_at", "agency")
    list_filter = ("status", "source")
    search_fields = ("finding", "description")
    list_select_related = ("agency", "client")


@admin.register(ImprovementAction)
class ImprovementActionAdmin(TenantAdmin):
    list_display = ("action", "cycle", "round", "status", "due_date", "completed_at", "agency")
    list_filter = ("status",)
    search_fields = ("action", "root_cause")
