"""Forms of the chapter 8 pages. Rows with rules are written by ``extensions.services``; these
forms only collect and type the input."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.forms import DateInput, DateTimeInput, TenantModelForm
from agency.roles import STAFF_ROLES
from clients.models import PlatformAccount
from extensions.models import (
    AdverseEvent,
    BookingStatus,
    Deliverable,
    Influencer,
    LiveProduct,
    LiveRole,
    LiveSession,
    SegmentKind,
    StoreVisitCampaign,
    StylePositioning,
)
from extensions.valuation import (
    ADJUSTMENT_FACTORS,
    METRIC_DAILY_ACTIVE_FANS,
    METRIC_ENGAGEMENT_RATE,
    METRIC_RETURNING_VIEWER_SHARE,
    METRICS,
    OTHER_MULTIPLIER_BOUNDS,
    EnteredValue,
    agency_weights,
)


def datetime_widget():
    return DateTimeInput()


def date_widget():
    return DateInput()


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


# --- 8.1 ---------------------------------------------------------------------------------------


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
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=LiveProduct.dangerously_all_agencies.none(), required=False
    )
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


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


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


# --- 8.2 ---------------------------------------------------------------------------------------


class InfluencerForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = Influencer
        fields = [
            "platform",
            "handle",
            "nickname",
            "followers",
            "followers_read_on",
            "category",
            "city",
            "contact",
            "fee_per_video",
            "fee_per_live_mention",
            "rate_notes",
            "is_active",
            "notes",
        ]
        widgets = {"followers_read_on": date_widget(), "rate_notes": forms.Textarea(attrs={"rows": 2})}


class StoreVisitCampaignForm(TenantModelForm):
    deliverables = forms.MultipleChoiceField(
        label=_("Deliverables"), choices=Deliverable.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["client"].disabled = True  # its bookings belong to that client

    class Meta(TenantModelForm.Meta):
        model = StoreVisitCampaign
        fields = [
            "client",
            "account",
            "title",
            "poi_link",
            "store_name",
            "store_address",
            "poi_id",
            "visit_date",
            "window_start",
            "window_end",
            "deliverables",
            "rights",
            "budget",
            "notes",
        ]
        widgets = {
            "visit_date": date_widget(),
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "rights": forms.Textarea(attrs={"rows": 2}),
        }


class BookingForm(forms.Form):
    influencer = forms.ModelChoiceField(label=_("Influencer"), queryset=Influencer.dangerously_all_agencies.none())
    fee = forms.DecimalField(label=_("Fee (yuan)"), max_digits=14, decimal_places=2)
    notes = forms.CharField(label=_("Notes"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["influencer"].queryset = Influencer.objects.visible_to(actor).filter(is_active=True)


class BookingAdvanceForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Next step"),
        choices=[c for c in BookingStatus.choices if c[0] not in (BookingStatus.INVITED, BookingStatus.CANCELLED)],
    )
    video_url = forms.URLField(label=_("Posted video"), required=False, assume_scheme="https")


class BookingResultsForm(forms.Form):
    plays = forms.IntegerField(label=_("Plays"), required=False)
    likes = forms.IntegerField(label=_("Likes"), required=False)
    comments = forms.IntegerField(label=pgettext_lazy("count", "Comments"), required=False)
    shares = forms.IntegerField(label=_("Shares"), required=False)
    coupon_redemptions = forms.IntegerField(label=_("Coupon redemptions attributed"), required=False)


BOOKING_ACTION_FORMS = {"advance": BookingAdvanceForm, "results": BookingResultsForm, "cancel": ReasonForm}


# --- 8.3 ---------------------------------------------------------------------------------------


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

    account = forms.ModelChoiceField(
        label=_("Platform account"), queryset=PlatformAccount.dangerously_all_agencies.none()
    )
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


def add_service_errors(form, exc) -> None:
    """Put a service's ValidationError on the form, on the field it names where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field == "weights" and "weight_stickiness" in form.fields:
                form.add_error(None, errors)
                continue
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
