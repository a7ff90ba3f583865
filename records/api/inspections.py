"""API of clause 9 h): daily inspection lists and the follow-ups of their problems."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import service_action
from agency.roles import CHANGE
from records import filters
from records.api.common import STAMP_FIELDS, VOID_FIELDS, ExportMixin, RecordViewSet, VoidMixin
from records.models.inspections import DailyInspection, InspectionFollowUp
from records.rules import INSPECTION_ITEMS
from records.services.inspections import follow_up_open, follow_up_resolve, inspection_list_create, inspection_record


class DailyInspectionSerializer(TenantModelSerializer):
    missed = serializers.SerializerMethodField(help_text="Still to do after its day.")

    class Meta:
        model = DailyInspection
        fields = [
            "id",
            "account",
            "client",
            "inspection_date",
            "status",
            *(name for name, _label in INSPECTION_ITEMS),
            "problems",
            "inspected_by",
            "completed_at",
            "missed",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]
        read_only_fields = ["client", "status", "inspected_by", "completed_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["account"].read_only = True
            fields["inspection_date"].read_only = True
        return fields

    def get_missed(self, obj) -> bool:
        return obj.is_missed(self.context.get("today") or timezone.localdate())

    def validate(self, attrs):
        if self.instance is None and attrs.get("account") is not None:
            attrs["client"] = attrs["account"].client
        return super().validate(attrs)


def inspection_complete(*, actor, inspection, problems=None, **items):
    """``complete``'s body (the ticked items and the problems) as ``inspection_record`` takes it."""
    return inspection_record(actor=actor, inspection=inspection, items=items, problems=problems, complete=True)


class InspectionCompleteSerializer(serializers.Serializer):
    problems = serializers.CharField(required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        for name, label in INSPECTION_ITEMS:
            fields[name] = serializers.BooleanField(required=False, allow_null=True, help_text=str(label))
        return fields


class DailyInspectionViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 h). The lists are made every day by a task; POST makes one by hand for a day the schedule
    missed (never a future day). PATCH ticks items and notes problems; ``complete`` closes it.
    ``?missed=true`` lists the missed inspections."""

    model = DailyInspection
    resource = "inspection"
    serializer_class = DailyInspectionSerializer
    filterset_class = filters.DailyInspectionFilterSet
    search_fields = ["problems", "account__handle", "client__name"]
    ordering_fields = ["inspection_date", "status", "completed_at"]
    ordering = ("-inspection_date", "account_id")
    export_dataset = "inspections"
    http_method_names = ["get", "post", "patch", "head", "options"]

    create_service = inspection_list_create
    changeable_fields = ("account", "inspection_date")
    service_row = "inspection"

    def update_row(self, row, values):
        items = {name: values[name] for name, _label in INSPECTION_ITEMS if name in values}
        return inspection_record(actor=self.actor, inspection=row, items=items, problems=values.get("problems"))

    @extend_schema(request=InspectionCompleteSerializer, responses=DailyInspectionSerializer)
    @service_action(inspection_complete, body=InspectionCompleteSerializer, required_action=CHANGE)
    def complete(self, request, pk=None):
        pass


class InspectionFollowUpSerializer(TenantModelSerializer):
    class Meta:
        model = InspectionFollowUp
        fields = [
            "id",
            "inspection",
            "client",
            "title",
            "detail",
            "assignee",
            "due_date",
            "status",
            "resolved_at",
            "resolution",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]
        read_only_fields = ["client", "status", "resolved_at", "resolution"]

    def validate(self, attrs):
        if self.instance is None and attrs.get("inspection") is not None:
            attrs["client"] = attrs["inspection"].client
        return super().validate(attrs)


class FollowUpResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class InspectionFollowUpViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 h): follow-up tasks opened from an inspection's problems; ``resolve`` closes one."""

    model = InspectionFollowUp
    resource = "inspection"
    serializer_class = InspectionFollowUpSerializer
    filterset_class = filters.InspectionFollowUpFilterSet
    search_fields = ["title", "detail", "resolution"]
    ordering_fields = ["due_date", "status", "created_at"]
    ordering = ("status", "due_date", "id")
    export_dataset = "inspection_follow_ups"
    updatable_fields = ("title", "detail", "assignee", "due_date")

    create_service = follow_up_open
    derived_fields = ("client",)

    @extend_schema(request=FollowUpResolveSerializer)
    @service_action(follow_up_resolve, body=FollowUpResolveSerializer, row="follow_up", required_action=CHANGE)
    def resolve(self, request, pk=None):
        pass
