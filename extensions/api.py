"""API of chapter 8: live sessions with their products, run sheet, team and results (8.1);
influencers, store-visit campaigns and bookings (8.2); adverse events, valuations and their
factors (8.3). Writes with rules go through ``extensions.services``."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.routers import register
from agency.api.viewsets import TenantViewSet
from agency.roles import ADD, CHANGE, VIEW
from extensions import filters, services
from extensions import serializers as s
from extensions.models import (
    AccountValuation,
    AdverseEvent,
    Influencer,
    LiveProduct,
    LiveSession,
    LiveSessionResult,
    LiveTeamAssignment,
    ResultSource,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
    ValuationFactor,
)
from extensions.selectors import valuation_verify


def changed(serializer, allowed) -> dict:
    """The validated fields a service may change (the parent and derived client are not)."""
    return {name: value for name, value in serializer.validated_data.items() if name in allowed}


# --- 8.1 ---------------------------------------------------------------------------------------


class LiveSessionViewSet(TenantViewSet):
    """8.1 live sessions. Plan with POST; ``start`` (refused until the four roles are staffed),
    ``end`` and ``cancel`` move them on."""

    model = LiveSession
    resource = "live_session"
    serializer_class = s.LiveSessionSerializer
    filterset_class = filters.LiveSessionFilterSet
    search_fields = ["theme", "notes", "account__handle"]
    ordering_fields = ["planned_start", "status", "created_at"]
    ordering = ("-planned_start",)

    def perform_create(self, serializer):
        data = changed(serializer, services.SESSION_CHANGEABLE)
        serializer.instance = services.live_session_plan(actor=self.actor, **data)

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.instance = services.live_session_update(
            actor=self.actor, session=serializer.instance, **changed(serializer, services.SESSION_CHANGEABLE)
        )

    def _transition(self, request, payload_class, service, **extra):
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        session = service(actor=self.actor, session=self.get_object(), **payload.validated_data, **extra)
        return Response(self.get_serializer(session).data)

    @extend_schema(request=s.LiveSessionStartSerializer, responses=s.LiveSessionSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def start(self, request, pk=None):
        return self._transition(request, s.LiveSessionStartSerializer, services.live_session_start)

    @extend_schema(request=s.LiveSessionEndSerializer, responses=s.LiveSessionSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def end(self, request, pk=None):
        return self._transition(request, s.LiveSessionEndSerializer, services.live_session_end)

    @extend_schema(request=s.ExtensionCancelSerializer, responses=s.LiveSessionSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def cancel(self, request, pk=None):
        return self._transition(request, s.ExtensionCancelSerializer, services.live_session_cancel)


class LiveProductViewSet(TenantViewSet):
    model = LiveProduct
    resource = "live_session"
    serializer_class = s.LiveProductSerializer
    filterset_class = filters.LiveProductFilterSet
    search_fields = ["name", "notes"]
    ordering_fields = ["position", "price", "name"]
    ordering = ("session_id", "position")

    def perform_create(self, serializer):
        data = changed(serializer, services.PRODUCT_CHANGEABLE)
        serializer.instance = services.live_product_add(
            actor=self.actor, session=serializer.validated_data["session"], **data
        )

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.instance = services.live_product_update(
            actor=self.actor, product=serializer.instance, **changed(serializer, services.PRODUCT_CHANGEABLE)
        )

    def perform_destroy(self, instance):
        services.live_product_remove(actor=self.actor, product=instance)


class RunSheetSegmentViewSet(TenantViewSet):
    """8.1 run sheet: timed segments in minutes from the session's start."""

    model = RunSheetSegment
    resource = "live_session"
    serializer_class = s.RunSheetSegmentSerializer
    filterset_class = filters.RunSheetSegmentFilterSet
    search_fields = ["title", "notes"]
    ordering_fields = ["start_minute"]
    ordering = ("session_id", "start_minute")

    def perform_create(self, serializer):
        data = changed(serializer, services.SEGMENT_CHANGEABLE)
        serializer.instance = services.run_sheet_segment_add(
            actor=self.actor, session=serializer.validated_data["session"], **data
        )

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.instance = services.run_sheet_segment_update(
            actor=self.actor, segment=serializer.instance, **changed(serializer, services.SEGMENT_CHANGEABLE)
        )

    def perform_destroy(self, instance):
        services.run_sheet_segment_remove(actor=self.actor, segment=instance)


class LiveTeamAssignmentViewSet(TenantViewSet):
    """8.1 the team by role. Assign with POST (refused for people outside the agency's staff and
    for double-booking); change a role by removing and assigning again."""

    model = LiveTeamAssignment
    resource = "live_session"
    serializer_class = s.LiveTeamAssignmentSerializer
    filterset_class = filters.LiveTeamAssignmentFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]
    search_fields = ["external_name", "person__username", "person__first_name", "person__last_name"]
    ordering_fields = ["role", "created_at"]
    ordering = ("session_id", "role")

    def scope_queryset(self, queryset):
        return queryset.select_related("person")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.live_team_assign(
            actor=self.actor,
            session=data["session"],
            role=data["role"],
            person=data.get("person"),
            external_name=data.get("external_name", ""),
            notes=data.get("notes", ""),
        )

    def perform_destroy(self, instance):
        services.live_team_unassign(actor=self.actor, assignment=instance)


class LiveSessionResultViewSet(TenantViewSet):
    """8.1 results of an ended session, entered or pushed by an integration (POST once, PATCH to
    correct). UV value, GPM and conversion are derived, never stored."""

    model = LiveSessionResult
    resource = "live_session"
    serializer_class = s.LiveSessionResultSerializer
    filterset_class = filters.LiveSessionResultFilterSet
    search_fields = ["review"]
    ordering_fields = ["gmv", "total_viewers", "created_at"]
    ordering = ("-id",)

    def perform_create(self, serializer):
        data = changed(serializer, services.RESULT_FIGURES)
        serializer.instance = services.live_result_record(
            actor=self.actor, session=serializer.validated_data["session"], source=ResultSource.API, **data
        )

    @transaction.atomic
    def perform_update(self, serializer):
        figures = changed(serializer, services.RESULT_FIGURES)
        if not figures:
            return  # nothing sent, nothing corrected: the result keeps its source
        serializer.instance = services.live_result_record(
            actor=self.actor, session=serializer.instance.session, source=ResultSource.API, **figures
        )


# --- 8.2 ---------------------------------------------------------------------------------------


class InfluencerViewSet(TenantViewSet):
    """8.2 the agency's influencer registry; ``booking_refusal`` says why one cannot be booked today."""

    model = Influencer
    resource = "influencer"
    serializer_class = s.InfluencerSerializer
    filterset_class = filters.InfluencerFilterSet
    search_fields = ["handle", "nickname", "category", "city"]
    ordering_fields = ["handle", "followers", "followers_read_on", "city"]
    ordering = ("handle",)


class StoreVisitCampaignViewSet(TenantViewSet):
    model = StoreVisitCampaign
    resource = "store_visit"
    serializer_class = s.StoreVisitCampaignSerializer
    filterset_class = filters.StoreVisitCampaignFilterSet
    search_fields = ["title", "store_name", "store_address", "poi_id"]
    ordering_fields = ["visit_date", "title", "created_at"]
    ordering = ("-visit_date",)


class StoreVisitBookingViewSet(TenantViewSet):
    """8.2 one influencer in a campaign. Book with POST (refused outside the follower range);
    ``advance`` moves it invited → confirmed → visited → posted → paid; ``results`` records the
    posted video's figures; ``cancel`` before the visit."""

    model = StoreVisitBooking
    resource = "store_visit"
    serializer_class = s.StoreVisitBookingSerializer
    filterset_class = filters.StoreVisitBookingFilterSet
    search_fields = ["influencer_handle", "campaign__title", "notes"]
    ordering_fields = ["booked_at", "status", "fee"]
    ordering = ("-booked_at",)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.store_visit_book(
            actor=self.actor,
            campaign=data["campaign"],
            influencer=data["influencer"],
            fee=data["fee"],
            notes=data.get("notes", ""),
        )

    def _respond(self, booking):
        return Response(self.get_serializer(booking).data)

    @extend_schema(request=s.BookingAdvanceSerializer, responses=s.StoreVisitBookingSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def advance(self, request, pk=None):
        payload = s.BookingAdvanceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = services.store_visit_advance(actor=self.actor, booking=self.get_object(), **payload.validated_data)
        return self._respond(booking)

    @extend_schema(request=s.BookingResultsSerializer, responses=s.StoreVisitBookingSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def results(self, request, pk=None):
        payload = s.BookingResultsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = services.store_visit_record_results(
            actor=self.actor, booking=self.get_object(), **payload.validated_data
        )
        return self._respond(booking)

    @extend_schema(request=s.ExtensionCancelSerializer, responses=s.StoreVisitBookingSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def cancel(self, request, pk=None):
        payload = s.ExtensionCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = services.store_visit_cancel(actor=self.actor, booking=self.get_object(), **payload.validated_data)
        return self._respond(booking)


# --- 8.3 ---------------------------------------------------------------------------------------


class AdverseEventViewSet(TenantViewSet):
    """8.3 e) adverse events of an account; they count in its valuations."""

    model = AdverseEvent
    resource = "adverse_event"
    serializer_class = s.AdverseEventSerializer
    filterset_class = filters.AdverseEventFilterSet
    search_fields = ["description"]
    ordering_fields = ["occurred_on", "severity"]
    ordering = ("-occurred_on",)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("client", None)
        serializer.instance = services.adverse_event_record(actor=self.actor, **data)


class AccountValuationViewSet(TenantViewSet):
    """8.3 valuations: dated records with the method, every factor and the value range. Create
    with the inputs (metrics not given are computed from the window's metrics); ``recompute``
    values the account again as a new record; ``verify`` computes a record again from its stored
    inputs. Only the notes of a record change."""

    model = AccountValuation
    resource = "valuation"
    serializer_class = s.AccountValuationSerializer
    filterset_class = filters.AccountValuationFilterSet
    search_fields = ["notes", "account__handle"]
    ordering_fields = ["valued_on", "value_point", "created_at"]
    ordering = ("-valued_on", "-id")

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("factors")

    @extend_schema(request=s.AccountValuationRequestSerializer, responses={201: s.AccountValuationSerializer})
    def create(self, request, *args, **kwargs):
        payload = s.AccountValuationRequestSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        valuation = services.account_valuation_create(actor=self.actor, **payload.service_kwargs())
        return Response(self.get_serializer(valuation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.AccountValuationSerializer})
    @action(detail=True, methods=["post"], required_action=ADD)
    def recompute(self, request, pk=None):
        valuation = services.account_valuation_recompute(actor=self.actor, valuation=self.get_object())
        return Response(self.get_serializer(valuation).data, status=status.HTTP_201_CREATED)

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
    serializer_class = s.ValuationFactorSerializer
    filterset_class = filters.ValuationFactorFilterSet
    http_method_names = ["get", "head", "options"]
    search_fields = ["value", "source_detail"]
    ordering_fields = ["position", "factor"]
    ordering = ("valuation_id", "position")


register("live-sessions", LiveSessionViewSet)
register("live-products", LiveProductViewSet)
register("live-run-sheet-segments", RunSheetSegmentViewSet)
register("live-team", LiveTeamAssignmentViewSet)
register("live-results", LiveSessionResultViewSet)
register("influencers", InfluencerViewSet)
register("store-visit-campaigns", StoreVisitCampaignViewSet)
register("store-visits", StoreVisitBookingViewSet)
register("adverse-events", AdverseEventViewSet)
register("account-valuations", AccountValuationViewSet)
register("valuation-factors", ValuationFactorViewSet)
