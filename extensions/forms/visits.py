"""Forms of the 8.2 pages: influencers, store-visit campaigns, booking an influencer and moving the
booking on. Bookings are written by ``extensions.services.visits``; these forms only collect and
type the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.forms import TenantModelForm
from extensions.forms.common import ReasonForm, date_widget
from extensions.models import BookingStatus, Deliverable, Influencer, StoreVisitCampaign


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
    influencer = forms.ModelChoiceField(label=_("Influencer"), queryset=Influencer.objects.none())
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
