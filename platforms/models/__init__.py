"""Models of the platform connectors: connections (``connections``), sync runs (``syncs``) and
deliveries (``deliveries``). Django finds them here."""

from platforms.models.connections import AuthorisationRequest, Connection, ConnectionSecret, ConnectionStatus
from platforms.models.deliveries import Delivery, DeliveryKind, DeliveryStatus
from platforms.models.syncs import SyncRun, SyncStatus, SyncTrigger

__all__ = [
    "AuthorisationRequest",
    "Connection",
    "ConnectionSecret",
    "ConnectionStatus",
    "Delivery",
    "DeliveryKind",
    "DeliveryStatus",
    "SyncRun",
    "SyncStatus",
    "SyncTrigger",
]
