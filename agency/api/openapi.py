"""The schema class of the API (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Leaves out the operations a viewset declares it does not offer (``offered_actions``), so
    the schema lists exactly what the API answers."""

    def is_excluded(self) -> bool:
        offered = getattr(self.view, "offered_actions", None)
        return offered is not None and getattr(self.view, "action", None) not in offered
