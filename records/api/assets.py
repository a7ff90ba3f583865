"""API of clause 9 g): assets, handed out (``check-out``) and taken back (``check-in``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from agency.api.serializers import ScopedSerializer, TenantModelSerializer
from agency.api.viewsets import service_action
from agency.roles import CHANGE
from records import filters
from records.api.common import (
    STAMP_FIELDS,
    VOID_FIELDS,
    ExportMixin,
    RecordViewSet,
    VoidMixin,
    person_field,
)
from records.models.assets import Asset, AssetCheckout, AssetCondition
from records.services.assets import asset_check_in, asset_check_out, asset_register


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
    """A plain serializer (an action's body) whose relations are re-scoped to the actor."""

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

    create_service = asset_register
    service_row = "asset"

    @extend_schema(request=CheckOutSerializer, responses={201: AssetCheckoutSerializer})  # a new checkout row
    @service_action(
        asset_check_out,
        body=CheckOutSerializer,
        answer=AssetCheckoutSerializer,
        status_code=201,
        required_action=CHANGE,
        url_path="check-out",
    )
    def check_out(self, request, pk=None):
        pass

    @extend_schema(request=CheckInSerializer, responses=AssetCheckoutSerializer)
    @service_action(
        asset_check_in,
        body=CheckInSerializer,
        answer=AssetCheckoutSerializer,
        required_action=CHANGE,
        url_path="check-in",
    )
    def check_in(self, request, pk=None):
        pass


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
