"""API of questionnaire templates and their questions (10.1): drafts are edited, published
versions never change, a new version copies the last."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import TenantViewSet
from agency.roles import ADD, CHANGE
from evaluation.api.common import NoBodySerializer, TransitionMixin, changes
from evaluation.models import Question, QuestionnaireTemplate
from evaluation.services import questionnaires as services


class QuestionnaireTemplateSerializer(TenantModelSerializer):
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


class QuestionnaireTemplateViewSet(TransitionMixin, TenantViewSet):
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

    def perform_create(self, serializer):
        serializer.instance = services.questionnaire_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.questionnaire_change(
            actor=self.actor, template=serializer.instance, **changes(serializer)
        )

    def perform_destroy(self, instance):
        services.questionnaire_delete(actor=self.actor, template=instance)

    @extend_schema(request=QuestionnairePublishSerializer, responses=QuestionnaireTemplateSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def publish(self, request, pk=None):
        return self.transition(request, QuestionnairePublishSerializer, services.questionnaire_publish, "template")

    @extend_schema(request=NoBodySerializer, responses=QuestionnaireTemplateSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def retire(self, request, pk=None):
        return self.transition(request, NoBodySerializer, services.questionnaire_retire, "template")

    @extend_schema(request=NoBodySerializer, responses={201: QuestionnaireTemplateSerializer})
    @action(detail=True, methods=["post"], url_path="new-version", required_action=ADD)
    def new_version(self, request, pk=None):
        copy = services.questionnaire_new_version(actor=self.actor, template=self.get_object())
        row = self.scope_queryset(QuestionnaireTemplate.objects.filter(pk=copy.pk)).get()
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class QuestionSerializer(TenantModelSerializer):
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


class QuestionViewSet(TenantViewSet):
    """Questions of a draft questionnaire; a published version's questions never change."""

    model = Question
    resource = "questionnaire"
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilterSet
    search_fields = ["text_zh", "text_en", "code"]
    ordering_fields = ["position", "kind"]
    ordering = ("template_id", "position")

    def perform_create(self, serializer):
        serializer.instance = services.question_add(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer):
        data = changes(serializer)
        if "template" in data:
            raise serializers.ValidationError({"template": ["A question cannot move to another questionnaire."]})
        serializer.instance = services.question_change(actor=self.actor, question=serializer.instance, **data)

    def perform_destroy(self, instance):
        services.question_remove(actor=self.actor, question=instance)


register("questionnaires", QuestionnaireTemplateViewSet, basename="questionnairetemplate")
register("questions", QuestionViewSet)
