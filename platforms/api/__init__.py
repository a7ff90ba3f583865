"""API of the platform connectors; each module registers its viewsets on the shared router."""

from platforms.api import connections, deliveries  # noqa: F401
