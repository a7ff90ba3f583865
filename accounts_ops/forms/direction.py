"""Forms of the pages of clause 6.1, the account's content and direction."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import DATE, LinesField, ServiceForm
from accounts_ops.models.direction import AccountDirection


class DirectionForm(ServiceForm):
    model = AccountDirection
    field_names = (
        "account",
        "effective_from",
        "positioning",
        "target_audience",
        "content_pillars",
        "platform_rules",
        "operating_goals",
    )
    widgets = {"effective_from": DATE}
    content_pillars = LinesField(label=_("Content pillars"), help_text=_("One per line."))
