"""API of 8.3: adverse events, account valuations and their factors. Writes go through
``extensions.services.valuation``; the method is ``extensions.selectors.valuation``."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet, scoped_choices
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, TenantViewSet, service_action
from agency.roles import ADD, VIEW
from clients.models import PlatformAccount
from extensions.api.common import ChildSerializer
from extensions.models import AccountValuation, AdverseEvent, StylePositioning, ValuationFactor
from extensions.rules import ADJUSTMENT_FACTORS, COUNT_PLACES, SHARE_PLACES
from extensions.selectors.valuation import METHOD_DESCRIPTION, METRICS, render_step, valuation_verify
from extensions.selectors.valuation_inputs import EnteredValue
from extensions.services.valuation import account_valuation_create, account_valuation_recompute, adverse_event_record

# --- serializers -------------------------------------------------------------------------------


class AdverseEventSerializer(ChildSerializer):
    parent_field = "account"

    class Meta:
        model = AdverseEvent
        fields = [
            "id",
            "client",
            "account",
            "kind",
            "severity",
            "occurred_on",
            "resolved_on",
            "description",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        fields["account"].read_only = False  # an event recorded on the wrong account may be moved
        return fields


class ValuationFactorSerializer(TenantModelSerializer):
    class Meta:
        model = ValuationFactor
        fields = [
            "id",
            "client",
            "valuation",
            "factor",
            "value",
            "value_number",
            "source",
            "source_detail",
            "weight",
            "effect",
            "effect_text",
            "position",
        ]
        read_only_fields = fields


class AccountValuationSerializer(TenantModelSerializer):
    factors = ValuationFactorSerializer(many=True, read_only=True)
    explanation = serializers.SerializerMethodField(help_text="Each step of the method, in words.")
    method_description = serializers.SerializerMethodField()

    class Meta:
        model = AccountValuation
        fields = [
            "id",
            "client",
            "account",
            "valued_on",
            "window_start",
            "window_end",
            "method",
            "method_description",
            "value_low",
            "value_point",
            "value_high",
            "factors",
            "explanation",
            "steps",
            "inputs",
            "recomputed_from",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "notes"]

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_explanation(self, obj) -> list[str]:
        return [render_step(step) for step in obj.steps]

    @extend_schema_field(OpenApiTypes.STR)
    def get_method_description(self, obj) -> str:
        return str(METHOD_DESCRIPTION)


class ValuationWeightsSerializer(serializers.Serializer):
    stickiness = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"))
    style = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"))
    adverse_events = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"))
    other = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"))


def _metric_field(name: str, is_share: bool) -> serializers.DecimalField:
    places = SHARE_PLACES if is_share else COUNT_PLACES
    return serializers.DecimalField(
        max_digits=20,
        decimal_places=-places.as_tuple().exponent,
        min_value=Decimal("0"),
        max_value=Decimal("1") if is_share else None,
        required=False,
        help_text=f"Enter {name} instead of computing it from metrics (then say where it came from in {name}_note).",
    )


class AccountValuationRequestSerializer(serializers.Serializer):
    """What a valuation is asked for with. Metrics left out are computed from the metric sources
    over the window; entered ones need a note."""

    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.objects.none())
    valued_on = serializers.DateField(required=False, help_text="Defaults to today.")
    window_start = serializers.DateField(required=False)
    window_end = serializers.DateField(required=False)
    style = serializers.ChoiceField(choices=StylePositioning.choices)
    style_note = serializers.CharField(required=False, allow_blank=True, default="")
    daily_active_fans = _metric_field("daily_active_fans", False)
    daily_active_fans_note = serializers.CharField(required=False, allow_blank=True, default="")
    engagement_rate = _metric_field("engagement_rate", True)
    engagement_rate_note = serializers.CharField(required=False, allow_blank=True, default="")
    returning_viewer_share = _metric_field("returning_viewer_share", True)
    returning_viewer_share_note = serializers.CharField(required=False, allow_blank=True, default="")
    other_multiplier = serializers.DecimalField(max_digits=6, decimal_places=4, default=Decimal("1"))
    other_note = serializers.CharField(required=False, allow_blank=True, default="")
    weights = ValuationWeightsSerializer(
        required=False, help_text="Defaults to the agency's weights; they must sum to 1."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = self.context.get("actor")
        scoped = scoped_choices(PlatformAccount, actor) if actor is not None else None
        self.fields["account"].queryset = scoped if scoped is not None else PlatformAccount.objects.none()

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        entered = {}
        for name in METRICS:
            value = data.pop(name, None)
            note = data.pop(f"{name}_note", "")
            if value is not None:
                entered[name] = EnteredValue(value=value, note=note)
        weights = data.pop("weights", None)
        if weights is not None:
            weights = {name: weights[name] for name in ADJUSTMENT_FACTORS}
        return {**data, "entered": entered, "weights": weights}


# --- filtersets --------------------------------------------------------------------------------


class AdverseEventFilterSet(TenantFilterSet):
    occurred_after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = AdverseEvent
        fields = ["client", "account", "kind", "severity"]


class AccountValuationFilterSet(TenantFilterSet):
    valued_after = django_filters.DateFilter(field_name="valued_on", lookup_expr="gte")
    valued_before = django_filters.DateFilter(field_name="valued_on", lookup_expr="lte")

    class Meta:
        model = AccountValuation
        fields = ["client", "account", "method"]


class ValuationFactorFilterSet(TenantFilterSet):
    class Meta:
        model = ValuationFactor
        fields = ["valuation", "factor", "source"]


# --- viewsets ----------------------------------------------------------------------------------


class AdverseEventViewSet(ServiceViewSet):
    """8.3 e) adverse events of an account; they count in its valuations."""

    model = AdverseEvent
    resource = "adverse_event"
    serializer_class = AdverseEventSerializer
    filterset_class = AdverseEventFilterSet
    search_fields = ["description"]
    ordering_fields = ["occurred_on", "severity"]
    ordering = ("-occurred_on",)

    create_service = adverse_event_record
    derived_fields = ("client",)


class AccountValuationViewSet(ServiceViewSet):
    """8.3 valuations: dated records with the method, every factor and the value range. Create
    with the inputs (metrics not given are computed from the window's metrics); ``recompute``
    values the account again as a new record; ``verify`` computes a record again from its stored
    inputs. Only the notes of a record change."""

    model = AccountValuation
    resource = "valuation"
    serializer_class = AccountValuationSerializer
    filterset_class = AccountValuationFilterSet
    search_fields = ["notes", "account__handle"]
    ordering_fields = ["valued_on", "value_point", "created_at"]
    ordering = ("-valued_on", "-id")

    service_row = "valuation"

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("factors")

    @extend_schema(request=AccountValuationRequestSerializer, responses={201: AccountValuationSerializer})
    def create(self, request, *args, **kwargs):
        payload = AccountValuationRequestSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        valuation = account_valuation_create(actor=self.actor, **payload.service_kwargs())
        return self.answer_row(valuation, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: AccountValuationSerializer})
    @service_action(account_valuation_recompute, status_code=status.HTTP_201_CREATED, required_action=ADD)
    def recompute(self, request, pk=None):
        pass

    @extend_schema(
        responses=inline_serializer(
            "ValuationVerification",
            {
                "reproducible": serializers.BooleanField(),
                "differences": serializers.ListField(child=serializers.CharField()),
                "recomputed": serializers.DictField(child=serializers.CharField()),
            },
        )
    )
    @action(detail=True, methods=["get"], required_action=VIEW)
    def verify(self, request, pk=None):
        check = valuation_verify(self.get_object())
        return Response(
            {"reproducible": check.reproducible, "differences": check.differences, "recomputed": check.recomputed}
        )


class ValuationFactorViewSet(TenantViewSet):
    """8.3 the factors of valuations (read-only: a valuation writes its factors)."""

    model = ValuationFactor
    resource = "valuation"
    serializer_class = ValuationFactorSerializer
    filterset_class = ValuationFactorFilterSet
    http_method_names = ["get", "head", "options"]
    search_fields = ["value", "source_detail"]
    ordering_fields = ["position", "factor"]
    ordering = ("valuation_id", "position")
