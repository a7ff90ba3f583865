"""API of 8.2: the influencer registry, store-visit campaigns and bookings. Writes with rules go
through ``extensions.services.visits``."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from agency.api.filters import TenantFilterSet
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, TenantViewSet, service_action
from agency.roles import CHANGE
from extensions.api.common import ChildSerializer, ExtensionCancelSerializer
from extensions.models import BookingStatus, Deliverable, Influencer, StoreVisitBooking, StoreVisitCampaign
from extensions.rules import follower_rule_refusal
from extensions.services.visits import (
    store_visit_advance,
    store_visit_book,
    store_visit_cancel,
    store_visit_record_results,
)

# --- serializers -------------------------------------------------------------------------------


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
        return follower_rule_refusal(obj, actor.agency, actor.agency.today()) or ""


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
    parent_field = "campaign"

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


# --- filtersets --------------------------------------------------------------------------------


class InfluencerFilterSet(TenantFilterSet):
    handle = django_filters.CharFilter(lookup_expr="icontains")
    city = django_filters.CharFilter(lookup_expr="icontains")
    category = django_filters.CharFilter(lookup_expr="icontains")
    followers_min = django_filters.NumberFilter(field_name="followers", lookup_expr="gte")
    followers_max = django_filters.NumberFilter(field_name="followers", lookup_expr="lte")

    class Meta:
        model = Influencer
        fields = ["platform", "is_active"]


class StoreVisitCampaignFilterSet(TenantFilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains")
    visit_after = django_filters.DateFilter(field_name="visit_date", lookup_expr="gte")
    visit_before = django_filters.DateFilter(field_name="visit_date", lookup_expr="lte")

    class Meta:
        model = StoreVisitCampaign
        fields = ["client", "account"]


class StoreVisitBookingFilterSet(TenantFilterSet):
    class Meta:
        model = StoreVisitBooking
        fields = ["campaign", "influencer", "client", "status"]


# --- viewsets ----------------------------------------------------------------------------------


class InfluencerViewSet(TenantViewSet):
    """8.2 the agency's influencer registry; ``booking_refusal`` says why one cannot be booked today."""

    model = Influencer
    resource = "influencer"
    serializer_class = InfluencerSerializer
    filterset_class = InfluencerFilterSet
    search_fields = ["handle", "nickname", "category", "city"]
    ordering_fields = ["handle", "followers", "followers_read_on", "city"]
    ordering = ("handle",)


class StoreVisitCampaignViewSet(TenantViewSet):
    model = StoreVisitCampaign
    resource = "store_visit"
    serializer_class = StoreVisitCampaignSerializer
    filterset_class = StoreVisitCampaignFilterSet
    search_fields = ["title", "store_name", "store_address", "poi_id"]
    ordering_fields = ["visit_date", "title", "created_at"]
    ordering = ("-visit_date",)


class StoreVisitBookingViewSet(ServiceViewSet):
    """8.2 one influencer in a campaign. Book with POST (refused outside the follower range);
    ``advance`` moves it invited → confirmed → visited → posted → paid; ``results`` records the
    posted video's figures; ``cancel`` before the visit."""

    model = StoreVisitBooking
    resource = "store_visit"
    serializer_class = StoreVisitBookingSerializer
    filterset_class = StoreVisitBookingFilterSet
    search_fields = ["influencer_handle", "campaign__title", "notes"]
    ordering_fields = ["booked_at", "status", "fee"]
    ordering = ("-booked_at",)

    create_service = store_visit_book
    changeable_fields = ("campaign", "influencer", "fee", "notes")
    service_row = "booking"

    @extend_schema(request=BookingAdvanceSerializer, responses=StoreVisitBookingSerializer)
    @service_action(store_visit_advance, body=BookingAdvanceSerializer, required_action=CHANGE)
    def advance(self, request, pk=None):
        pass

    @extend_schema(request=BookingResultsSerializer, responses=StoreVisitBookingSerializer)
    @service_action(store_visit_record_results, body=BookingResultsSerializer, required_action=CHANGE)
    def results(self, request, pk=None):
        pass

    @extend_schema(request=ExtensionCancelSerializer, responses=StoreVisitBookingSerializer)
    @service_action(store_visit_cancel, body=ExtensionCancelSerializer, required_action=CHANGE)
    def cancel(self, request, pk=None):
        pass
