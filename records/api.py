"""API of the records app (clause 9 and the audit trail of 4.2).

Records are never deleted: no endpoint offers DELETE; ``POST .../{id}/void/`` voids one with a
reason (the role's delete right). Every record list exports with ``GET .../export/?file_format=``
(csv, xlsx or pdf, the list's filters apply) up to ``EXPORT_INLINE_MAX_ROWS`` rows; longer lists go
through ``POST /export-jobs/``, whose progress shows until the file is ready to download.
Reports are asked for with POST and built by a task (``status``/``progress`` show how far it is).
"""

from __future__ import annotations

import base64
import binascii
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from agency.api.filters import refuse_unknown_filters
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import TenantViewSet
from agency.people import choices_for
from agency.roles import CHANGE, DELETE, VIEW
from records import exports, filters, services
from records.models import (
    INSPECTION_ITEMS,
    Asset,
    AssetCheckout,
    AssetCondition,
    AuditEvent,
    DailyInspection,
    ExportFormat,
    ExportJob,
    ImageRecord,
    InspectionFollowUp,
    JobStatus,
    StatisticsReport,
    UsageRecord,
    WorkAssessmentReport,
)

VOID_FIELDS = ["voided_at", "voided_by", "void_reason"]
STAMP_FIELDS = ["created_at", "updated_at", "created_by", "updated_by"]
FILE_FORMAT = OpenApiParameter(
    "file_format", str, enum=ExportFormat.values, required=True, description="csv, xlsx or pdf"
)


def rescope(fields: dict, actor) -> dict:
    """Limit the relation choices of a plain serializer to what ``actor`` may pick."""
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        scoped = choices_for(queryset.model, actor) if actor is not None else None
        field.queryset = scoped if scoped is not None else queryset.none()
    return fields


class ScopedSerializer(serializers.Serializer):
    """A plain serializer (an action's body) whose relations are re-scoped to the actor."""

    def get_fields(self):
        return rescope(super().get_fields(), self.context.get("actor"))


def person_field(**kwargs):
    from django.contrib.auth import get_user_model

    return serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none(), **kwargs)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RecordViewSet(TenantViewSet):
    """The base of the records endpoints. A method or action the endpoint does not offer answers
    405 for everyone, before the role is looked at; DELETE is never offered (records are voided)."""

    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    offered_actions: frozenset[str] | None = None  # None: all the viewset defines
    updatable_fields: tuple[str, ...] = ()
    export_dataset = ""

    def check_permissions(self, request):
        if not (request.user and request.user.is_authenticated):
            return super().check_permissions(request)  # anonymous: 401 before anything else
        method = request.method.lower()
        offered = self.offered_actions
        if method not in self.http_method_names or (offered is not None and self.action not in offered):
            raise exceptions.MethodNotAllowed(request.method)
        super().check_permissions(request)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self._today()}

    def _today(self):
        if self.actor is None:
            return timezone.localdate()
        return timezone.localdate(timezone=self.actor.agency.tz)

    def perform_update(self, serializer):
        changes = {k: v for k, v in serializer.validated_data.items() if k in self.updatable_fields}
        serializer.instance = services.record_update(actor=self.actor, record=serializer.instance, changes=changes)

    def _body(self, serializer_class, request):
        payload = serializer_class(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def _respond(self, instance, code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=code)


class VoidMixin:
    @extend_schema(request=VoidSerializer)
    @action(detail=True, methods=["post"], required_action=DELETE)
    def void(self, request, pk=None):
        """Void the record, saying why (clause 9: records are never deleted)."""
        data = self._body(VoidSerializer, request)
        return self._respond(services.record_void(actor=self.actor, record=self.get_object(), reason=data["reason"]))


# What an export's query string may hold besides the list's filters: the file's format, and
# DRF's format override, which content negotiation reads.
EXPORT_PARAMS = ("file_format", api_settings.URL_FORMAT_OVERRIDE)


class ExportMixin:
    @extend_schema(parameters=[FILE_FORMAT], responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], required_action=VIEW)
    def export(self, request):
        """The list, with the same filters, as CSV, XLSX or PDF (A4)."""
        spec = exports.DATASETS[self.export_dataset]
        fmt = request.query_params.get("file_format", "")
        if fmt not in ExportFormat.values:
            raise DjangoValidationError({"file_format": "Choose csv, xlsx or pdf."})
        refuse_unknown_filters(spec.filterset, request.query_params, allowed=EXPORT_PARAMS)
        query = {k: v for k, v in request.query_params.items() if k not in EXPORT_PARAMS}
        total = exports.dataset_queryset(spec, exports.validated_filters(spec, query, self.actor), self.actor).count()
        if total > exports.EXPORT_INLINE_MAX_ROWS:
            raise DjangoValidationError(
                {
                    "file_format": f"{total} rows are more than {exports.EXPORT_INLINE_MAX_ROWS} for a direct "
                    f"download: POST /api/v1/export-jobs/ with dataset={spec.key} and the same filters."
                }
            )
        content, _rows = exports.render_dataset(spec, fmt, query, self.actor)
        return file_response(content, f"{spec.key}.{fmt}", fmt)


def file_response(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- 9 g) assets ---------------------------------------------------------------------------------


class AssetSerializer(TenantModelSerializer):
    @extend_schema_field(OpenApiTypes.BOOL)
    def get_checked_out(self, obj) -> bool:
        annotated = getattr(obj, "checked_out", None)  # the list and detail querysets annotate it
        if annotated is not None:
            return annotated
        return obj.checkouts.filter(checked_in_at__isnull=True, voided_at__isnull=True).exists()

    checked_out = serializers.SerializerMethodField(help_text="Out with someone now.")

    class Meta:
        model = Asset
        fields = [
            "id",
            "identifier",
            "name",
            "kind",
            "client",
            "account",
            "custodian",
            "location",
            "condition",
            "purchase_date",
            "purchase_value",
            "notes",
            "checked_out",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]


class CheckOutSerializer(ScopedSerializer):
    taken_by = person_field(required=False, help_text="Who takes it (default: you).")
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=200)
    due_back = serializers.DateField(required=False, allow_null=True)
    at = serializers.DateTimeField(required=False, help_text="When it went out (default: now).")


class CheckInSerializer(serializers.Serializer):
    condition = serializers.ChoiceField(choices=AssetCondition.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    at = serializers.DateTimeField(required=False)


class AssetCheckoutSerializer(TenantModelSerializer):
    condition_on_return = serializers.CharField(read_only=True)

    class Meta:
        model = AssetCheckout
        fields = [
            "id",
            "asset",
            "checked_out_by",
            "checked_out_at",
            "purpose",
            "due_back",
            "checked_in_at",
            "checked_in_by",
            "condition_on_return",
            "return_note",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]
        read_only_fields = fields


class AssetViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 g). Register with POST; hand out with ``check_out``, take back with ``check_in``."""

    model = Asset
    resource = "asset"
    serializer_class = AssetSerializer
    filterset_class = filters.AssetFilterSet
    search_fields = ["identifier", "name", "location", "notes"]
    ordering_fields = ["identifier", "name", "kind", "purchase_date", "created_at"]
    ordering = ("identifier",)
    export_dataset = "assets"
    updatable_fields = (
        "identifier",
        "name",
        "kind",
        "client",
        "account",
        "custodian",
        "location",
        "condition",
        "purchase_date",
        "purchase_value",
        "notes",
    )

    def scope_queryset(self, queryset):
        open_checkout = AssetCheckout.objects.filter(
            asset=OuterRef("pk"), checked_in_at__isnull=True, voided_at__isnull=True
        )
        return queryset.annotate(checked_out=Exists(open_checkout))

    def perform_create(self, serializer):
        serializer.instance = services.asset_register(actor=self.actor, **serializer.validated_data)

    @extend_schema(request=CheckOutSerializer, responses={201: AssetCheckoutSerializer})  # a new checkout row
    @action(detail=True, methods=["post"], required_action=CHANGE, url_path="check-out")
    def check_out(self, request, pk=None):
        data = self._body(CheckOutSerializer, request)
        checkout = services.asset_check_out(actor=self.actor, asset=self.get_object(), **data)
        return Response(AssetCheckoutSerializer(checkout, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=CheckInSerializer, responses=AssetCheckoutSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE, url_path="check-in")
    def check_in(self, request, pk=None):
        data = self._body(CheckInSerializer, request)
        checkout = services.asset_check_in(actor=self.actor, asset=self.get_object(), **data)
        return Response(AssetCheckoutSerializer(checkout, context=self.get_serializer_context()).data)


class AssetCheckoutViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 g): the check-out history (made by the asset's ``check-out``/``check-in`` actions)."""

    model = AssetCheckout
    resource = "asset"
    serializer_class = AssetCheckoutSerializer
    filterset_class = filters.AssetCheckoutFilterSet
    http_method_names = ["get", "post", "head", "options"]
    offered_actions = frozenset({"list", "retrieve", "void", "export"})
    search_fields = ["purpose", "return_note", "asset__identifier", "asset__name"]
    ordering_fields = ["checked_out_at", "checked_in_at", "due_back"]
    ordering = ("-checked_out_at", "-id")
    export_dataset = "asset_checkouts"


# --- 9 h) daily inspections ----------------------------------------------------------------------


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

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.inspection_list_create(
            actor=self.actor, account=data["account"], inspection_date=data["inspection_date"]
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        items = {name: data[name] for name, _label in INSPECTION_ITEMS if name in data}
        serializer.instance = services.inspection_record(
            actor=self.actor, inspection=serializer.instance, items=items, problems=data.get("problems")
        )

    @extend_schema(request=InspectionCompleteSerializer, responses=DailyInspectionSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def complete(self, request, pk=None):
        data = self._body(InspectionCompleteSerializer, request)
        problems = data.pop("problems", None)
        inspection = services.inspection_record(
            actor=self.actor, inspection=self.get_object(), items=data, problems=problems, complete=True
        )
        return self._respond(inspection)


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

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("client", None)
        serializer.instance = services.follow_up_open(actor=self.actor, **data)

    @extend_schema(request=FollowUpResolveSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def resolve(self, request, pk=None):
        data = self._body(FollowUpResolveSerializer, request)
        return self._respond(services.follow_up_resolve(actor=self.actor, follow_up=self.get_object(), **data))


# --- 9 i) usage records --------------------------------------------------------------------------


class UsageRecordSerializer(TenantModelSerializer):
    class Meta:
        model = UsageRecord
        fields = [
            "id",
            "user",
            "asset",
            "account",
            "client",
            "purpose",
            "started_at",
            "ended_at",
            "note",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]
        read_only_fields = ["client"]
        extra_kwargs = {"user": {"required": False, "help_text": "Who used it (default: you)."}}

    def validate(self, attrs):
        if self.instance is None:
            account, asset = attrs.get("account"), attrs.get("asset")
            if account is not None:
                attrs["client"] = account.client
            elif asset is not None:
                attrs["client"] = asset.client
        return super().validate(attrs)


class UsageRecordViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 i): who used which asset or account, when, for what."""

    model = UsageRecord
    resource = "usage_record"
    serializer_class = UsageRecordSerializer
    filterset_class = filters.UsageRecordFilterSet
    search_fields = ["note"]
    ordering_fields = ["started_at", "ended_at", "purpose"]
    ordering = ("-started_at", "-id")
    export_dataset = "usage_records"
    updatable_fields = ("purpose", "ended_at", "note")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("client", None)
        serializer.instance = services.usage_record_create(actor=self.actor, **data)


# --- 9 j), 9 k) reports --------------------------------------------------------------------------

REPORT_READ_ONLY = ["cadence", "status", "progress", "has_data", "data", "error", "generated_at", "requested_by"]


def report_status_field():
    return serializers.CharField(read_only=True, help_text="pending, building, ready or failed")


class StatisticsReportSerializer(TenantModelSerializer):
    status = report_status_field()

    class Meta:
        model = StatisticsReport
        fields = ["id", "client", "period_start", "period_end", *REPORT_READ_ONLY, *VOID_FIELDS, *STAMP_FIELDS]
        read_only_fields = REPORT_READ_ONLY


class WorkAssessmentReportSerializer(TenantModelSerializer):
    status = report_status_field()

    class Meta:
        model = WorkAssessmentReport
        fields = [
            "id",
            "client",
            "staff",
            "period_start",
            "period_end",
            *REPORT_READ_ONLY,
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]
        read_only_fields = REPORT_READ_ONLY


class ReportExportMixin:
    @extend_schema(parameters=[FILE_FORMAT], responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW, url_path="file")
    def file(self, request, pk=None):
        """The report as CSV, XLSX or PDF (A4, with charts)."""
        fmt = request.query_params.get("file_format", "")
        if fmt not in ExportFormat.values:
            raise DjangoValidationError({"file_format": "Choose csv, xlsx or pdf."})
        report = self.get_object()
        return file_response(exports.render_report(report, fmt), exports.report_filename(report, fmt), fmt)


class StatisticsReportViewSet(VoidMixin, ExportMixin, ReportExportMixin, RecordViewSet):
    """9 j). POST asks for a report (client, period); a task builds it: watch ``status`` and
    ``progress``. A period with no data gives a report that says so. Monthly reports are made on
    the 1st for the month before."""

    model = StatisticsReport
    resource = "statistics_report"
    serializer_class = StatisticsReportSerializer
    filterset_class = filters.StatisticsReportFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["client__name"]
    ordering_fields = ["period_start", "generated_at", "status"]
    ordering = ("-period_start", "client_id", "-id")
    export_dataset = "statistics_reports"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.statistics_report_request(
            actor=self.actor, client=data["client"], period_start=data["period_start"], period_end=data["period_end"]
        )


class WorkAssessmentReportViewSet(VoidMixin, ExportMixin, ReportExportMixin, RecordViewSet):
    """9 k). POST asks for a report about a client or a staff member for a period; a task builds it."""

    model = WorkAssessmentReport
    resource = "assessment_report"
    serializer_class = WorkAssessmentReportSerializer
    filterset_class = filters.WorkAssessmentReportFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["client__name", "staff__username"]
    ordering_fields = ["period_start", "generated_at", "status"]
    ordering = ("-period_start", "-id")
    export_dataset = "assessment_reports"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.assessment_report_request(
            actor=self.actor,
            client=data.get("client"),
            staff=data.get("staff"),
            period_start=data["period_start"],
            period_end=data["period_end"],
        )


# --- 9 l) image records --------------------------------------------------------------------------

DATA_URI = re.compile(r"^data:(?P<type>[\w/+.-]+);base64,(?P<data>.*)$", re.DOTALL)


@extend_schema_field(OpenApiTypes.BINARY)
class UploadOrBase64Field(serializers.FileField):
    """A file as a multipart upload, or (in a JSON body) as base64 text or a ``data:`` URI."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            match = DATA_URI.match(data)
            text = match.group("data") if match else data
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError("Send the image as a file upload or as base64 text.")
            data = ContentFile(raw, name="upload")
        return super().to_internal_value(data)


class ImageRecordSerializer(TenantModelSerializer):
    image = UploadOrBase64Field(write_only=True)
    linked_model = serializers.CharField(
        required=False, allow_blank=True, help_text="The linked record's type, e.g. records.asset."
    )
    linked_id = serializers.IntegerField(required=False, allow_null=True)
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ImageRecord
        fields = [
            "id",
            "image",
            "image_url",
            "thumbnail_url",
            "caption",
            "taken_on",
            "place",
            "client",
            "linked_model",
            "linked_id",
            "linked_label",
            "original_name",
            "width",
            "height",
            "byte_size",
            "sha256",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            for name in ("image", "linked_model", "linked_id", "client"):
                fields[name].read_only = True
        return fields

    def get_image_url(self, obj) -> str:
        return reverse("imagerecord-image", args=[obj.pk])

    def get_thumbnail_url(self, obj) -> str:
        return reverse("imagerecord-thumbnail", args=[obj.pk])

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["linked_model"] = instance.linked_model
        data["linked_id"] = instance.linked_id
        return data


class ImageRecordViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 l). POST a photo (multipart, or base64 in JSON) with caption, date, place and the record it
    documents (``linked_model`` + ``linked_id``). The stored picture is re-encoded without its
    metadata; ``image`` and ``thumbnail`` serve the files to those who may see the record."""

    model = ImageRecord
    resource = "image_record"
    serializer_class = ImageRecordSerializer
    filterset_class = filters.ImageRecordFilterSet
    search_fields = ["caption", "place", "linked_label"]
    ordering_fields = ["taken_on", "created_at"]
    ordering = ("-taken_on", "-id")
    export_dataset = "image_records"
    updatable_fields = ("caption", "taken_on", "place")

    def scope_queryset(self, queryset):
        return queryset.select_related("linked_type")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.image_record_create(
            actor=self.actor,
            upload=data["image"],
            caption=data["caption"],
            taken_on=data["taken_on"],
            place=data.get("place", ""),
            client=data.get("client"),
            linked_model=data.get("linked_model", ""),
            linked_id=data.get("linked_id"),
        )

    def _serve(self, field: str):
        record = self.get_object()
        stored = getattr(record, field)
        return FileResponse(stored.open("rb"), filename=stored.name.rsplit("/", 1)[-1])

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def image(self, request, pk=None):
        return self._serve("image")

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def thumbnail(self, request, pk=None):
        return self._serve("thumbnail")


# --- 4.2 the audit trail -------------------------------------------------------------------------


class AuditEventSerializer(TenantModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "model_label",
            "table_name",
            "object_pk",
            "action",
            "changes",
            "user",
            "channel",
            "client",
            "transaction_id",
        ]
        read_only_fields = fields


class AuditEventViewSet(ExportMixin, RecordViewSet):
    """4.2: the append-only audit trail — every create, change and delete of tenant data, with who,
    when, the fields from what to what, and the channel. Client people see their own client's."""

    model = AuditEvent
    resource = "audit_event"
    serializer_class = AuditEventSerializer
    filterset_class = filters.AuditEventFilterSet
    http_method_names = ["get", "head", "options"]
    search_fields = ["model_label", "object_pk"]
    ordering_fields = ["occurred_at", "id"]
    ordering = ("-occurred_at", "-id")
    export_dataset = "audit_events"


# --- exports --------------------------------------------------------------------------------------


class ExportJobSerializer(TenantModelSerializer):
    dataset = serializers.ChoiceField(choices=sorted(exports.DATASETS))
    query = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="The list's filters, as in its query string."
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "dataset",
            "format",
            "query",
            "client",
            "requested_by",
            "status",
            "progress",
            "row_count",
            "error",
            "started_at",
            "finished_at",
            "download_url",
            "created_at",
        ]
        read_only_fields = [
            "client",
            "requested_by",
            "status",
            "progress",
            "row_count",
            "error",
            "started_at",
            "finished_at",
        ]

    def get_download_url(self, obj) -> str | None:
        return reverse("exportjob-download", args=[obj.pk]) if obj.status == JobStatus.DONE else None

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "query" in attrs and attrs.get("dataset") in exports.DATASETS:
            refuse_unknown_filters(exports.DATASETS[attrs["dataset"]].filterset, attrs["query"], prefix="query.")
        return attrs


class ExportJobViewSet(RecordViewSet):
    """Exports of record lists, made by a task. POST ``{dataset, format, query}``; follow ``status``
    and ``progress``; ``download`` when done. You may export a list you may read (``VIEW``)."""

    model = ExportJob
    resource = "export_job"
    # Asking for an export is reading: the record list's own VIEW right is checked by the service.
    required_action = VIEW
    serializer_class = ExportJobSerializer
    filterset_class = filters.ExportJobFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["dataset"]
    ordering_fields = ["id", "status", "finished_at"]
    ordering = ("-id",)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.export_request(
            actor=self.actor, dataset=data["dataset"], format=data["format"], query=data.get("query") or {}
        )

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status != JobStatus.DONE or not job.file:
            raise DjangoValidationError(
                {"status": f"The export is not ready ({job.get_status_display()}, {job.progress}%)."}
            )
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])


register("assets", AssetViewSet)
register("asset-checkouts", AssetCheckoutViewSet)
register("inspections", DailyInspectionViewSet)
register("inspection-follow-ups", InspectionFollowUpViewSet)
register("usage-records", UsageRecordViewSet)
register("statistics-reports", StatisticsReportViewSet)
register("assessment-reports", WorkAssessmentReportViewSet)
register("image-records", ImageRecordViewSet)
register("audit-events", AuditEventViewSet)
register("export-jobs", ExportJobViewSet)
