"""API of 7.2, hot topics and content plans. Writes go through the services."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts_ops.api.common import (
    NO_PUT,
    AccountRowSerializer,
    IngestResultSerializer,
    OpsViewSet,
    bulk_body,
    ingest_counts,
)
from accounts_ops.api.imports_rows import HotTopicsBulkSerializer
from accounts_ops.models.hot_topics import ContentPlan, ContentPlanTopic, HotTopic
from accounts_ops.services.hot_topics import (
    check_hot_topic_rows,
    content_plan_create,
    content_plan_link_topic,
    content_plan_unlink_topic,
    content_plan_update,
    hot_topic_save,
    hot_topics_ingest,
)
from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.roles import ADD


class HotTopicSerializer(TenantModelSerializer):
    class Meta:
        model = HotTopic
        fields = [
            "id",
            "platform",
            "title",
            "heat",
            "peak_heat",
            "rank",
            "seen_at",
            "first_seen_at",
            "source",
            "url",
            "created_at",
        ]
        read_only_fields = ["peak_heat", "first_seen_at"]
        extra_kwargs = {"seen_at": {"required": False}}

    def get_validators(self):
        return []  # the service checks the topic is new on its platform


class HotTopicFilterSet(TenantFilterSet):
    seen_after = django_filters.IsoDateTimeFilter(field_name="seen_at", lookup_expr="gte")

    class Meta:
        model = HotTopic
        fields = ["platform", "source"]


class HotTopicViewSet(OpsViewSet):
    """7.2: hot topics (platform, title, heat, rank, seen at, source). POST enters one by hand;
    ``bulk`` imports a hot list (all or none; one row per platform and title, kept at its latest
    heat: the same list twice changes nothing). Files go through ``data-imports``."""

    model = HotTopic
    resource = "hot_topic"
    serializer_class = HotTopicSerializer
    filterset_class = HotTopicFilterSet
    http_method_names = NO_PUT
    search_fields = ["title", "source"]
    ordering_fields = ["seen_at", "heat", "rank", "title"]
    ordering = ("-seen_at", "rank")

    create_service = hot_topic_save
    update_service = hot_topic_save
    service_row = "topic"
    derived_fields = ()

    @extend_schema(
        request=HotTopicsBulkSerializer,
        responses={200: IngestResultSerializer, 201: IngestResultSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        body = bulk_body(request, HotTopicsBulkSerializer, self.actor, check_hot_topic_rows)
        platform = body.get("platform") or ""
        return ingest_counts(hot_topics_ingest(actor=self.actor, rows=body["rows"], platform=platform))


class ContentPlanSerializer(AccountRowSerializer):
    topics = serializers.PrimaryKeyRelatedField(
        many=True, queryset=HotTopic.objects.none(), required=False, source="linked_topics"
    )

    class Meta:
        model = ContentPlan
        fields = [
            "id",
            "client",
            "account",
            "title",
            "angle",
            "planned_on",
            "status",
            "video_project",
            "topics",
            "notes",
            "created_at",
        ]


class ContentPlanFilterSet(TenantFilterSet):
    planned_from = django_filters.DateFilter(field_name="planned_on", lookup_expr="gte")
    planned_to = django_filters.DateFilter(field_name="planned_on", lookup_expr="lte")

    class Meta:
        model = ContentPlan
        fields = ["client", "account", "status", "video_project"]


class ContentPlanViewSet(OpsViewSet):
    """7.2: content plans: what an account will post, riding which hot topics (``topics``), made
    by which video project in production. Linking a project moves a plan into production."""

    model = ContentPlan
    resource = "content_plan"
    serializer_class = ContentPlanSerializer
    filterset_class = ContentPlanFilterSet
    http_method_names = NO_PUT
    search_fields = ["title", "angle"]
    ordering_fields = ["planned_on", "status", "title"]
    ordering = ("-planned_on", "-id")

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("plan_topics__topic")

    create_service = content_plan_create

    def service_values(self, serializer) -> dict:
        values = super().service_values(serializer)
        if "linked_topics" in values:
            values["topics"] = values.pop("linked_topics")
        return values

    def update_row(self, row, values):
        data = dict(values)
        topics = data.pop("topics", None)
        plan = content_plan_update(actor=self.actor, plan=row, **data)  # (the account is fixed)
        if topics is not None:
            wanted = {topic.pk for topic in topics}
            for link in ContentPlanTopic.objects.filter(plan=plan).exclude(topic_id__in=wanted):
                content_plan_unlink_topic(actor=self.actor, link=link)
            for topic in topics:
                content_plan_link_topic(actor=self.actor, plan=plan, topic=topic)
        return plan


class ContentPlanTopicSerializer(AccountRowSerializer):
    fixed_after_create = ("plan", "topic")

    class Meta:
        model = ContentPlanTopic
        fields = ["id", "client", "plan", "topic", "note", "created_at"]

    def validate(self, attrs):
        plan = attrs.get("plan")
        if plan is not None:
            attrs["client"] = plan.client
        elif self.instance is None:
            raise DRFValidationError({"plan": ["This field is required."]})
        return TenantModelSerializer.validate(self, attrs)


class ContentPlanTopicFilterSet(TenantFilterSet):
    class Meta:
        model = ContentPlanTopic
        fields = ["client", "plan", "topic"]


class ContentPlanTopicViewSet(OpsViewSet):
    """7.2: the hot topics a plan rides, one link each (with how it rides it)."""

    model = ContentPlanTopic
    resource = "content_plan"
    serializer_class = ContentPlanTopicSerializer
    filterset_class = ContentPlanTopicFilterSet
    http_method_names = NO_PUT
    search_fields = ["note"]
    ordering_fields = ["id"]
    ordering = ("plan_id", "id")

    create_service = content_plan_link_topic
    changeable_fields = ("plan", "topic", "note")

    def perform_destroy(self, instance):
        content_plan_unlink_topic(actor=self.actor, link=instance)


register("hot-topics", HotTopicViewSet)
register("content-plans", ContentPlanViewSet)
register("content-plan-topics", ContentPlanTopicViewSet)
