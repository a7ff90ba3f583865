"""Forms of the 8.1 pages: plan a live session, and the session page's forms (start, end, cancel,
team, products, run sheet, results). Rows with rules are written by ``extensions.services.live``;
these forms only collect and type the input."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.forms import TenantModelForm
from agency.roles import STAFF_ROLES
from extensions.forms.common import ReasonForm, datetime_widget
from extensions.models import LiveProduct, LiveRole, LiveSession, SegmentKind


def agency_staff(agency):
    """The agency's active staff people (never client people)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__agency=agency, memberships__is_active=True, memberships__role__in=list(STAFF_ROLES)
        )
        .order_by("username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class LiveSessionForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = LiveSession
        fields = ["account", "theme", "planned_start", "planned_end", "goal_gmv", "goal_viewers", "notes"]
        widgets = {
            "planned_start": datetime_widget(),
            "planned_end": datetime_widget(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class LiveTeamForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=LiveRole.choices)
    person = PersonChoiceField(label=_("Person"), queryset=get_user_model().objects.none(), required=False)
    external_name = forms.CharField(
        label=_("Host from outside the agency"),
        max_length=100,
        required=False,
        help_text=_("Only for a host who is not on the agency's staff."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, session: LiveSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = agency_staff(session.agency)


class LiveProductForm(forms.Form):
    name = forms.CharField(label=_("Product"), max_length=200)
    price = forms.DecimalField(label=_("Price (yuan)"), max_digits=14, decimal_places=2)
    stock = forms.IntegerField(label=_("Stock"), initial=0)
    commission_rate = forms.DecimalField(label=_("Commission (%)"), max_digits=5, decimal_places=2, initial=0)
    selected_by = PersonChoiceField(label=_("Picked by"), queryset=get_user_model().objects.none(), required=False)
    notes = forms.CharField(label=_("Notes"), required=False)

    def __init__(self, *args, session: LiveSession, **kwargs):
        super().__init__(*args, **kwargs)
        selectors = session.team.filter(role=LiveRole.PRODUCT_SELECTOR, person__isnull=False).values("person")
        self.fields["selected_by"].queryset = get_user_model().objects.filter(pk__in=selectors)


class RunSheetSegmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SegmentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    start_minute = forms.IntegerField(label=_("Starts at minute"), min_value=0)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1)
    product = forms.ModelChoiceField(label=_("Product"), queryset=LiveProduct.objects.none(), required=False)
    notes = forms.CharField(label=_("Notes"), required=False)

    def __init__(self, *args, session: LiveSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = session.products.all()


class LiveStartForm(forms.Form):
    started_at = forms.DateTimeField(
        label=_("Started at"), required=False, widget=datetime_widget(), help_text=_("Leave empty for now.")
    )


class LiveEndForm(forms.Form):
    ended_at = forms.DateTimeField(
        label=_("Ended at"), required=False, widget=datetime_widget(), help_text=_("Leave empty for now.")
    )


class LiveResultForm(forms.Form):
    peak_concurrent_viewers = forms.IntegerField(label=_("Peak concurrent viewers"))
    average_concurrent_viewers = forms.IntegerField(label=_("Average concurrent viewers"))
    total_viewers = forms.IntegerField(label=_("Viewers"))
    views = forms.IntegerField(label=_("Views"))
    average_watch_seconds = forms.IntegerField(label=_("Average watch time (s)"))
    comments = forms.IntegerField(label=pgettext_lazy("count", "Comments"))
    new_followers = forms.IntegerField(label=_("New followers"))
    orders = forms.IntegerField(label=_("Orders"))
    gmv = forms.DecimalField(label=_("GMV (yuan)"), max_digits=14, decimal_places=2)
    refund_orders = forms.IntegerField(label=_("Refunded orders"), initial=0)
    refund_amount = forms.DecimalField(label=_("Refunds (yuan)"), max_digits=14, decimal_places=2, initial=0)
    review = forms.CharField(label=_("Review"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, session: LiveSession, **kwargs):
        result = getattr(session, "result", None) if hasattr(session, "result") else None
        if result is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(result, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)


LIVE_ACTION_FORMS = {
    "start": LiveStartForm,
    "end": LiveEndForm,
    "cancel": ReasonForm,
    "team": LiveTeamForm,
    "product": LiveProductForm,
    "segment": RunSheetSegmentForm,
    "results": LiveResultForm,
}
LIVE_FORMS_WITH_SESSION = {"team", "product", "segment", "results"}
