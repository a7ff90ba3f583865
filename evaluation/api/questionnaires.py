"""API of questionnaire templates and their questions (10.1): drafts are edited, published
versions never change, a new version copies the last."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import FixedAfterCreate, TenantModelSerializer
from agency.api.viewsets import service_action
from agency.roles import ADD, CHANGE
from evaluation.api.common import EvaluationViewSet, NoBodySerializer
from evaluation.models import Question, QuestionnaireTemplate
from evaluation.services import questionnaires as services


class QuestionnaireTemplateSerializer(FixedAfterCreate, TenantModelSerializer):
    fixed_after_create = ("family",)  # a family's versions share it
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = QuestionnaireTemplate
        fields = [
            "id",
            "family",
            "version",
            "title_zh",
            "title_en",
            "intro_zh",
            "intro_en",
            "status",
            "published_at",
            "is_default",
            "question_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "status", "published_at", "is_default"]

    def get_question_count(self, obj) -> int:
        # The list annotates the count; a row a service just wrote is counted here.
        annotated = getattr(obj, "question_count", None)
        return annotated if annotated is not None else obj.questions.count()


class QuestionnaireTemplateFilterSet(TenantFilterSet):
    class Meta:
        model = QuestionnaireTemplate
        fields = ["family", "status", "is_default"]


class QuestionnairePublishSerializer(serializers.Serializer):
    make_default = serializers.BooleanField(default=False)


class QuestionnaireTemplateViewSet(EvaluationViewSet):
    """10.1 questionnaires. Create a draft, add questions, ``publish``; ``new_version`` to edit a
    published one; ``retire`` to stop offering it."""

    model = QuestionnaireTemplate
    resource = "questionnaire"
    serializer_class = QuestionnaireTemplateSerializer
    filterset_class = QuestionnaireTemplateFilterSet
    search_fields = ["family", "title_zh", "title_en"]
    ordering_fields = ["family", "version", "published_at", "created_at"]
    ordering = ("family", "-version")

    def scope_queryset(self, queryset):
        return queryset.annotate(question_count=Count("questions"))

    create_service = services.questionnaire_create
    update_service = services.questionnaire_change
    service_row = "template"

    def perform_destroy(self, instance):
        services.questionnaire_delete(actor=self.actor, template=instance)

    @extend_schema(request=QuestionnairePublishSerializer, responses=QuestionnaireTemplateSerializer)
    @service_action(services.questionnaire_publish, body=QuestionnairePublishSerializer, required_action=CHANGE)
    def publish(self, request, pk=None):
        pass

    @extend_schema(request=NoBodySerializer, responses=QuestionnaireTemplateSerializer)
    @service_action(services.questionnaire_retire, body=NoBodySerializer, required_action=CHANGE)
    def retire(self, request, pk=None):
        pass

    @extend_schema(request=NoBodySerializer, responses={201: QuestionnaireTemplateSerializer})
    @service_action(
        services.questionnaire_new_version,
        status_code=status.HTTP_201_CREATED,
        url_path="new-version",
        required_action=ADD,
    )
    def new_version(self, request, pk=None):
        pass


class QuestionSerializer(FixedAfterCreate, TenantModelSerializer):
    fixed_after_create = ("template",)  # a question never moves to another questionnaire
    choices = serializers.JSONField(
        required=False, help_text='For choice questions: [{"value": "...", "zh": "...", "en": "..."}, ...]'
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "template",
            "position",
            "code",
            "kind",
            "text_zh",
            "text_en",
            "required",
            "choices",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["position"]
        extra_kwargs = {"code": {"required": False}}


class QuestionFilterSet(TenantFilterSet):
    class Meta:
        model = Question
        fields = ["template", "kind", "code"]


class QuestionViewSet(EvaluationViewSet):
    """Questions of a draft questionnaire; a published version's questions never change."""

    model = Question
    resource = "questionnaire"
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilterSet
    search_fields = ["text_zh", "text_en", "code"]
    ordering_fields = ["position", "kind"]
    ordering = ("template_id", "position")

    create_service = services.question_add
    update_service = services.question_change
    service_row = "question"
    fixed_fields = ("template",)
    fixed_message = "A question cannot move to another questionnaire."

    def perform_destroy(self, instance):
        services.question_remove(actor=self.actor, question=instance)


register("questionnaires", QuestionnaireTemplateViewSet, basename="questionnairetemplate")
register("questions", QuestionViewSet)
