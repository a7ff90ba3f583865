"""Forms of the pages of clause 6.6, promotion tasks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import DATE, LinesField, ServiceForm
from accounts_ops.models.promotion import PromotionTask


class PromotionForm(ServiceForm):
    model = PromotionTask
    field_names = (
        "account",
        "channel",
        "target_kind",
        "target",
        "target_video",
        "content",
        "search_keywords",
        "planned_on",
    )
    widgets = {"planned_on": DATE}
    search_keywords = LinesField(label=_("Search keywords"), required=False, help_text=_("One per line."))


class PromotionCompleteForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    reach = forms.IntegerField(label=_("Reach"), min_value=0, required=False)
