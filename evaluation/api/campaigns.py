"""API of evaluation campaigns (10.1) and follow-up surveys (10.2), their invitations, and the
responses and answers they collected (read-only: answers come in through the public survey)."""

from __future__ import annotations

import django_filters
from django.db.models import Count
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, TenantViewSet, service_action
from agency.roles import CHANGE, DECIDE, VIEW
from evaluation.api.common import EvaluationViewSet, NoBodySerializer
from evaluation.models import EvaluationCampaign, SurveyAnswer, SurveyInvitation, SurveyResponse
from evaluation.notifications import public_url
from evaluation.qr import qr_svg
from evaluation.selectors.campaigns import campaign_results
from evaluation.services import campaigns as services
from evaluation.services.followups import campaign_close_and_decide, follow_up_reschedule

READ_ONLY_METHODS = ["get", "head", "options"]


class EvaluationCampaignSerializer(TenantModelSerializer):
    response_count = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField(help_text="The link platform users answer at, without logging in.")
    qr_url = serializers.SerializerMethodField(help_text="An SVG QR code of the public link.")

    class Meta:
        model = EvaluationCampaign
        fields = [
            "id",
            "client",
            "kind",
            "year",
            "template",
            "status",
            "opens_on",
            "closes_on",
            "opened_at",
            "closed_at",
            "public_url",
            "qr_url",
            "response_count",
            "reminded_at",
            "flagged_at",
            "flag_reason",
            "cycle",
            "round",
            "due_by",
            "client_satisfaction",
            "users_satisfaction",
            "outcome_met",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "kind",
            "status",
            "opened_at",
            "closed_at",
            "reminded_at",
            "flagged_at",
            "flag_reason",
            "cycle",
            "round",
            "due_by",
            "client_satisfaction",
            "users_satisfaction",
            "outcome_met",
        ]
        extra_kwargs = {
            "template": {"required": False, "help_text": "A published questionnaire; the agency's default if omitted."},
            "opens_on": {"required": False},
            "closes_on": {"required": False},
        }

    def get_public_url(self, obj) -> str:
        return public_url(obj.public_path, self.context.get("request"))

    def get_qr_url(self, obj) -> str:
        request = self.context.get("request")
        path = reverse("evaluationcampaign-qr", args=[obj.pk])
        return request.build_absolute_uri(path) if request is not None else path

    def get_response_count(self, obj) -> int:
        # The list annotates the count; a row a service just wrote is counted here.
        annotated = getattr(obj, "response_count", None)
        return annotated if annotated is not None else obj.responses.count()


class EvaluationCampaignFilterSet(TenantFilterSet):
    flagged = django_filters.BooleanFilter(
        field_name="flagged_at", lookup_expr="isnull", exclude=True, label=gettext_lazy("Flagged")
    )

    class Meta:
        model = EvaluationCampaign
        fields = ["client", "kind", "year", "status", "template", "cycle", "outcome_met"]


class FollowUpRescheduleSerializer(serializers.Serializer):
    opens_on = serializers.DateField()


class EvaluationCampaignViewSet(EvaluationViewSet):
    """10.1 yearly evaluations and 10.2 follow-ups. ``launch`` sends one (invitations by email,
    public link open); ``close`` ends it (a follow-up then decides its cycle); ``results`` gives
    NPS, CSAT and each question's answers; ``qr`` the public link's QR code."""

    model = EvaluationCampaign
    resource = "evaluation_campaign"
    serializer_class = EvaluationCampaignSerializer
    filterset_class = EvaluationCampaignFilterSet
    search_fields = ["client__name"]
    ordering_fields = ["year", "opens_on", "closes_on", "due_by", "status"]
    ordering = ("-year", "-opens_on", "-id")
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_service = services.campaign_create
    update_service = services.campaign_change
    service_row = "campaign"
    fixed_fields = ("client", "year")
    fixed_message = "This cannot change once the campaign exists."

    def scope_queryset(self, queryset):
        return queryset.annotate(response_count=Count("responses"))

    @extend_schema(request=NoBodySerializer, responses=EvaluationCampaignSerializer)
    @service_action(services.campaign_launch, body=NoBodySerializer, required_action=DECIDE)
    def launch(self, request, pk=None):
        pass

    @extend_schema(request=NoBodySerializer, responses=EvaluationCampaignSerializer)
    @service_action(campaign_close_and_decide, body=NoBodySerializer, required_action=DECIDE)
    def close(self, request, pk=None):
        pass

    @extend_schema(request=FollowUpRescheduleSerializer, responses=EvaluationCampaignSerializer)
    @service_action(follow_up_reschedule, body=FollowUpRescheduleSerializer, required_action=CHANGE)
    def reschedule(self, request, pk=None):
        """Move a follow-up survey's sending day (never past its 10.2 deadline)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], required_action=VIEW)
    def results(self, request, pk=None):
        return Response(campaign_results(self.get_object()))

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def qr(self, request, pk=None):
        campaign = self.get_object()
        svg = qr_svg(public_url(campaign.public_path, request), title=str(campaign))
        return HttpResponse(svg, content_type="image/svg+xml")


class SurveyInvitationSerializer(TenantModelSerializer):
    """An invitation as staff see it: whether it went out and whether it was answered.
    Its personal link is a secret of the invited person, sent to them alone by email, and never
    answered here (whoever holds it answers as them)."""

    client = serializers.PrimaryKeyRelatedField(read_only=True)
    answered = serializers.SerializerMethodField(help_text="Whether the invited person has answered.")

    class Meta:
        model = SurveyInvitation
        fields = ["id", "campaign", "client", "name", "email", "sent_at", "answered", "responded_at", "created_at"]
        read_only_fields = ["sent_at", "responded_at"]

    def get_answered(self, obj) -> bool:
        return obj.responded_at is not None


class SurveyInvitationFilterSet(TenantFilterSet):
    answered = django_filters.BooleanFilter(
        field_name="responded_at", lookup_expr="isnull", exclude=True, label=gettext_lazy("Answered")
    )

    class Meta:
        model = SurveyInvitation
        fields = ["campaign", "client", "email"]


class SurveyInvitationViewSet(ServiceViewSet):
    """Personal invitations of the client's people. Add one with POST; it is emailed when the
    campaign is open."""

    model = SurveyInvitation
    resource = "survey_invitation"
    serializer_class = SurveyInvitationSerializer
    filterset_class = SurveyInvitationFilterSet
    search_fields = ["email", "name"]
    ordering_fields = ["email", "sent_at", "responded_at"]
    ordering = ("campaign_id", "email")
    http_method_names = ["get", "post", "head", "options"]
    create_service = services.invitation_add
    changeable_fields = ("campaign", "email", "name")


class SurveyResponseSerializer(TenantModelSerializer):
    class Meta:
        model = SurveyResponse
        fields = ["id", "campaign", "client", "audience", "invitation", "language", "submitted_at"]


class SurveyResponseFilterSet(TenantFilterSet):
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")

    class Meta:
        model = SurveyResponse
        fields = ["campaign", "client", "audience", "invitation"]


class SurveyResponseViewSet(TenantViewSet):
    """Responses, read-only: they come in through the public survey page and its API."""

    model = SurveyResponse
    resource = "survey_response"
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilterSet
    search_fields = ["answers__text"]
    ordering_fields = ["submitted_at", "audience"]
    ordering = ("-submitted_at", "-id")
    http_method_names = READ_ONLY_METHODS


class SurveyAnswerSerializer(TenantModelSerializer):
    class Meta:
        model = SurveyAnswer
        fields = ["id", "response", "client", "question", "score", "choices", "text", "sentiment", "created_at"]


class SurveyAnswerFilterSet(TenantFilterSet):
    campaign = django_filters.NumberFilter(field_name="response__campaign_id")

    class Meta:
        model = SurveyAnswer
        fields = ["response", "client", "question", "sentiment"]


class SurveyAnswerViewSet(TenantViewSet):
    """Each answer of each response, read-only; filter by ``campaign`` or ``question``."""

    model = SurveyAnswer
    resource = "survey_response"
    serializer_class = SurveyAnswerSerializer
    filterset_class = SurveyAnswerFilterSet
    search_fields = ["text"]
    ordering_fields = ["score", "created_at"]
    ordering = ("-id",)
    http_method_names = READ_ONLY_METHODS


register("campaigns", EvaluationCampaignViewSet)
register("survey-invitations", SurveyInvitationViewSet)
register("survey-responses", SurveyResponseViewSet)
register("survey-answers", SurveyAnswerViewSet)
