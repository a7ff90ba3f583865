"""Forms of the 8.3 pages: record an adverse event, value an account. Both are written by
``extensions.services.valuation``; these forms only collect and type the input."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import TenantModelForm
from clients.models import PlatformAccount
from extensions.forms.common import date_widget
from extensions.models import AdverseEvent, StylePositioning
from extensions.rules import ADJUSTMENT_FACTORS, OTHER_MULTIPLIER_BOUNDS
from extensions.selectors.valuation import (
    METRIC_DAILY_ACTIVE_FANS,
    METRIC_ENGAGEMENT_RATE,
    METRIC_RETURNING_VIEWER_SHARE,
    METRICS,
)
from extensions.selectors.valuation_inputs import EnteredValue, agency_weights


class AdverseEventForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = AdverseEvent
        fields = ["account", "kind", "severity", "occurred_on", "resolved_on", "description"]
        widgets = {
            "occurred_on": date_widget(),
            "resolved_on": date_widget(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class ValuationForm(forms.Form):
    """What a valuation needs: the account, the style positioning, and optionally entered metrics
    (otherwise computed from the window's metrics), other factors and the weights."""

    account = forms.ModelChoiceField(label=_("Platform account"), queryset=PlatformAccount.objects.none())
    valued_on = forms.DateField(label=_("Valued on"), required=False, widget=date_widget())
    window_start = forms.DateField(label=_("Metrics from"), required=False, widget=date_widget())
    window_end = forms.DateField(label=_("Metrics until"), required=False, widget=date_widget())
    style = forms.ChoiceField(label=_("Style positioning"), choices=StylePositioning.choices)
    style_note = forms.CharField(label=_("Why this style positioning"), required=False)
    daily_active_fans = forms.DecimalField(
        label=_("Average daily active fans (entered)"), required=False, min_value=0, decimal_places=2
    )
    daily_active_fans_note = forms.CharField(label=_("Where the fans figure comes from"), required=False)
    engagement_rate = forms.DecimalField(
        label=_("Engagement rate (entered, 0-1)"), required=False, min_value=0, max_value=1, decimal_places=6
    )
    engagement_rate_note = forms.CharField(label=_("Where the engagement rate comes from"), required=False)
    returning_viewer_share = forms.DecimalField(
        label=_("Returning-viewer share (entered, 0-1)"), required=False, min_value=0, max_value=1, decimal_places=6
    )
    returning_viewer_share_note = forms.CharField(label=_("Where the returning share comes from"), required=False)
    other_multiplier = forms.DecimalField(
        label=_("Other factors (multiplier)"),
        initial=Decimal("1"),
        min_value=OTHER_MULTIPLIER_BOUNDS[0],
        max_value=OTHER_MULTIPLIER_BOUNDS[1],
        decimal_places=4,
    )
    other_note = forms.CharField(label=_("What the other factors are"), required=False)
    weight_stickiness = forms.DecimalField(label=_("Weight: user stickiness"), decimal_places=4, min_value=0)
    weight_style = forms.DecimalField(label=_("Weight: style positioning"), decimal_places=4, min_value=0)
    weight_adverse_events = forms.DecimalField(label=_("Weight: adverse events"), decimal_places=4, min_value=0)
    weight_other = forms.DecimalField(label=_("Weight: other factors"), decimal_places=4, min_value=0)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    METRIC_FIELDS = (METRIC_DAILY_ACTIVE_FANS, METRIC_ENGAGEMENT_RATE, METRIC_RETURNING_VIEWER_SHARE)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["account"].queryset = PlatformAccount.objects.visible_to(actor).select_related("client")
        self.agency_weights = {name: Decimal(value) for name, value in agency_weights(actor.agency).items()}
        for name, value in self.agency_weights.items():
            self.fields[f"weight_{name}"].initial = value

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        entered = {}
        for name in METRICS:
            value = data.pop(name, None)
            note = data.pop(f"{name}_note", "")
            if value is not None:
                entered[name] = EnteredValue(value=value, note=note)
        weights = {name: data.pop(f"weight_{name}") for name in ADJUSTMENT_FACTORS}
        return {
            **data,
            "entered": entered,
            # The agency's own weights are recorded as such; changed ones as entered for this valuation.
            "weights": None if weights == self.agency_weights else weights,
        }
