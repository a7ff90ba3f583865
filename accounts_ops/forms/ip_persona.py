"""Forms of the 7.4 page (the IP persona)."""

from __future__ import annotations

from accounts_ops.forms.common import DATE, ServiceForm
from accounts_ops.models.ip_persona import IpPersona


class IpPersonaForm(ServiceForm):
    model = IpPersona
    field_names = (
        "account",
        "name",
        "age",
        "gender",
        "personality",
        "cultural_background",
        "specialty",
        "style",
        "effective_from",
        "note",
    )
    widgets = {"effective_from": DATE}
