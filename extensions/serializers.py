"""Serializers of chapter 8. Rows that hang off a parent take their client from it; the parent
cannot change once the row exists. Writes with rules go through ``extensions.services``."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agency.api.filters import scoped_choices
from agency.api.serializers import TenantModelSerializer
from clients.models import PlatformAccount
from extensions.models import (
    AccountValuation,
    AdverseEvent,
    BookingStatus,
    Deliverable,
    Influencer,
    LiveProduct,
    LiveSession,
    LiveSessionResult,
    LiveTeamAssignment,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
    StylePositioning,
    ValuationFactor,
)
from extensions.rules import follower_rule_refusal
from extensions.valuation import (
    ADJUSTMENT_FACTORS,
    COUNT_PLACES,
    METHOD_DESCRIPTION,
    METRICS,
    SHARE_PLACES,
    render_step,
)

# Figures given as decimal strings (exact, as DRF's DecimalField gives them), null when undefined.
DECIMAL_OR_NULL = {"type": "string", "format": "decimal", "nullable": True}


class ChildSerializer(TenantModelSerializer):
    """A row of a parent (``parent``: the field naming it): the client comes from the parent, and
    the parent is fixed once the row exists."""

    parent = ""
    client = serializers.PrimaryKeyRelatedField(read_only=True, help_text="Taken from the parent row.")

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and self.parent in fields:
            fields[self.parent].read_only = True
        return fields

    def validate(self, attrs):
        parent = attrs.get(self.parent)
        if parent is not None:
            attrs["client"] = parent.client
        return super().validate(attrs)


# --- 8.1 ---------------------------------------------------------------------------------------


class LiveSessionSerializer(ChildSerializer):
    parent = "account"

    class Meta:
        model = LiveSession
        fields = [
            "id",
            "client",
            "account",
            "theme",
            "planned_start",
            "planned_end",
            "goal_gmv",
            "goal_viewers",
            "status",
            "started_at",
            "ended_at",
            "team_at_start",
            "cancel_reason",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "started_at", "ended_at", "team_at_start", "cancel_reason"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["account"].read_only = False  # a planned session may move to another account of its client
        return fields


class LiveSessionStartSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class LiveSessionEndSerializer(serializers.Serializer):
    ended_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class ExtensionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class LiveProductSerializer(ChildSerializer):
    parent = "session"

    class Meta:
        model = LiveProduct
        fields = [
            "id",
            "client",
            "session",
            "name",
            "price",
            "stock",
            "commission_rate",
            "selected_by",
            "position",
            "notes",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"position": {"required": False}}


class RunSheetSegmentSerializer(ChildSerializer):
    parent = "session"
    end_minute = serializers.IntegerField(read_only=True)

    class Meta:
        model = RunSheetSegment
        fields = [
            "id",
            "client",
            "session",
            "kind",
            "title",
            "start_minute",
            "duration_minutes",
            "end_minute",
            "product",
            "notes",
            "created_at",
            "updated_at",
        ]


class LiveTeamAssignmentSerializer(ChildSerializer):
    parent = "session"
    person_name = serializers.CharField(read_only=True)

    class Meta:
        model = LiveTeamAssignment
        fields = [
            "id",
            "client",
            "session",
            "role",
            "person",
            "person_name",
            "external_name",
            "notes",
            "created_at",
            "updated_at",
        ]


class LiveSessionResultSerializer(ChildSerializer):
    parent = "session"
    uv_value = serializers.SerializerMethodField(help_text="GMV ÷ viewers (yuan); null with no viewers.")
    gpm = serializers.SerializerMethodField(help_text="GMV × 1000 ÷ views (yuan); null with no views.")
    conversion_rate = serializers.SerializerMethodField(help_text="Orders ÷ viewers; null with no viewers.")

    class Meta:
        model = LiveSessionResult
        fields = [
            "id",
            "client",
            "session",
            "peak_concurrent_viewers",
            "average_concurrent_viewers",
            "total_viewers",
            "views",
            "average_watch_seconds",
            "comments",
            "new_followers",
            "orders",
            "gmv",
            "refund_orders",
            "refund_amount",
            "uv_value",
            "gpm",
            "conversion_rate",
            "review",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source"]

    @extend_schema_field(DECIMAL_OR_NULL)
    def get_uv_value(self, obj) -> str | None:
        value = obj.figures.uv_value
        return None if value is None else str(value)

    @extend_schema_field(DECIMAL_OR_NULL)
    def get_gpm(self, obj) -> str | None:
        value = obj.figures.gpm
        return None if value is None else str(value)

    @extend_schema_field(DECIMAL_OR_NULL)
    def get_conversion_rate(self, obj) -> str | None:
        value = obj.figures.conversion_rate
        return None if value is None else str(value)


# --- 8.2 ---------------------------------------------------------------------------------------


class InfluencerSerializer(TenantModelSerializer):
    booking_refusal = serializers.SerializerMethodField(
        help_text="Why the influencer cannot be booked today under clause 8.2 (empty when it can)."
    )

    class Meta:
        model = Influencer
        fields = [
            "id",
            "platform",
            "handle",
            "nickname",
            "followers",
            "followers_read_on",
            "category",
            "city",
            "contact",
            "fee_per_video",
            "fee_per_live_mention",
            "rate_notes",
            "is_active",
            "notes",
            "booking_refusal",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_booking_refusal(self, obj) -> str:
        actor = self.actor
        if actor is None:
            return ""
        return follower_rule_refusal(obj, actor.agency, timezone.localdate(timezone=actor.agency.tz)) or ""


class StoreVisitCampaignSerializer(TenantModelSerializer):
    deliverables = serializers.ListField(child=serializers.ChoiceField(choices=Deliverable.choices), required=False)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["client"].read_only = True  # its bookings belong to that client
        return fields

    class Meta:
        model = StoreVisitCampaign
        fields = [
            "id",
            "client",
            "account",
            "title",
            "poi_link",
            "store_name",
            "store_address",
            "poi_id",
            "visit_date",
            "window_start",
            "window_end",
            "deliverables",
            "rights",
            "budget",
            "notes",
            "created_at",
            "updated_at",
        ]


class StoreVisitBookingSerializer(ChildSerializer):
    parent = "campaign"

    class Meta:
        model = StoreVisitBooking
        fields = [
            "id",
            "client",
            "campaign",
            "influencer",
            "influencer_handle",
            "fee",
            "status",
            "followers_at_booking",
            "followers_read_on_at_booking",
            "followers_min_at_booking",
            "followers_max_at_booking",
            "booked_at",
            "confirmed_at",
            "visited_at",
            "posted_at",
            "paid_at",
            "cancelled_at",
            "video_url",
            "plays",
            "likes",
            "comments",
            "shares",
            "coupon_redemptions",
            "results_read_at",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "influencer_handle",
            "status",
            "confirmed_at",
            "visited_at",
            "posted_at",
            "paid_at",
            "cancelled_at",
            "video_url",
            "plays",
            "likes",
            "comments",
            "shares",
            "coupon_redemptions",
            "results_read_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["influencer"].read_only = True
        return fields


class BookingAdvanceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[c for c in BookingStatus.choices if c[0] not in (BookingStatus.INVITED, BookingStatus.CANCELLED)]
    )
    video_url = serializers.URLField(required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, help_text="When it happened; defaults to now.")


class BookingResultsSerializer(serializers.Serializer):
    plays = serializers.IntegerField(min_value=0, required=False)
    likes = serializers.IntegerField(min_value=0, required=False)
    comments = serializers.IntegerField(min_value=0, required=False)
    shares = serializers.IntegerField(min_value=0, required=False)
    coupon_redemptions = serializers.IntegerField(min_value=0, required=False)
    video_url = serializers.URLField(required=False, allow_blank=True)


# --- 8.3 ---------------------------------------------------------------------------------------


class AdverseEventSerializer(ChildSerializer):
    parent = "account"

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

    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.dangerously_all_agencies.none())
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
        self.fields["account"].queryset = (
            scoped if scoped is not None else PlatformAccount.dangerously_all_agencies.none()
        )

    def service_kwargs(self) -> dict:
        from extensions.valuation import EnteredValue

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
