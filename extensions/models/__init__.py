"""Models of extension services (chapter 8): live sessions (8.1), influencer store visits (8.2)
and account valuation (8.3). Every concrete model derives from ``agency.models.TenantModel``."""

from extensions.models.common import ZERO, ClientOwned, money_field, yuan
from extensions.models.live import (
    LiveFigures,
    LiveProduct,
    LiveRole,
    LiveSession,
    LiveSessionResult,
    LiveSessionStatus,
    LiveTeamAssignment,
    ResultSource,
    RunSheetSegment,
    SegmentKind,
    derive_live_figures,
)
from extensions.models.valuation import (
    AccountValuation,
    AdverseEvent,
    AdverseEventKind,
    FactorSource,
    Severity,
    StylePositioning,
    ValuationFactor,
    ValuationFactorKind,
)
from extensions.models.visits import (
    BOOKING_PATH,
    BookingStatus,
    Deliverable,
    Influencer,
    StoreVisitBooking,
    StoreVisitCampaign,
)

__all__ = [
    "BOOKING_PATH",
    "ZERO",
    "AccountValuation",
    "AdverseEvent",
    "AdverseEventKind",
    "BookingStatus",
    "ClientOwned",
    "Deliverable",
    "FactorSource",
    "Influencer",
    "LiveFigures",
    "LiveProduct",
    "LiveRole",
    "LiveSession",
    "LiveSessionResult",
    "LiveSessionStatus",
    "LiveTeamAssignment",
    "ResultSource",
    "RunSheetSegment",
    "SegmentKind",
    "Severity",
    "StoreVisitBooking",
    "StoreVisitCampaign",
    "StylePositioning",
    "ValuationFactor",
    "ValuationFactorKind",
    "derive_live_figures",
    "money_field",
    "yuan",
]
