"""API of chapter 8, one module per topic: ``live`` (8.1 live sessions with their products, run
sheet, team and results), ``visits`` (8.2 influencers, store-visit campaigns and bookings) and
``valuation`` (8.3 adverse events, valuations and their factors); each holds its serializers,
filtersets and viewsets. Writes with rules go through ``extensions.services``.

The routes are registered here, in this order.
"""

from __future__ import annotations

from agency.api.routers import register
from extensions.api.live import (
    LiveProductViewSet,
    LiveSessionResultViewSet,
    LiveSessionViewSet,
    LiveTeamAssignmentViewSet,
    RunSheetSegmentViewSet,
)
from extensions.api.valuation import AccountValuationViewSet, AdverseEventViewSet, ValuationFactorViewSet
from extensions.api.visits import InfluencerViewSet, StoreVisitBookingViewSet, StoreVisitCampaignViewSet

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
