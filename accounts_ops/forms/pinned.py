"""Forms of the pages of clause 6.3, pinned videos and their boosts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import DATE, ServiceForm
from accounts_ops.models.pinned import BoostRecord, PinnedVideo


class PinForm(ServiceForm):
    model = PinnedVideo
    field_names = (
        "account",
        "video",
        "slot",
        "pinned_on",
        "boost_interval_days",
        "boost_budget",
        "boost_channel",
        "note",
    )
    widgets = {"pinned_on": DATE}
    slot = forms.IntegerField(label=_("Slot"), required=False, help_text=_("Empty: the first free slot."))


class PlanForm(ServiceForm):
    model = PinnedVideo
    field_names = ("boost_interval_days", "boost_budget", "boost_channel", "note")


class UnpinForm(forms.Form):
    unpinned_on = forms.DateField(label=_("Unpinned on"), required=False, widget=DATE)


class BoostRecordForm(ServiceForm):
    model = BoostRecord
    field_names = (
        "pinned_video",
        "boosted_on",
        "channel",
        "spend",
        "platform_order_id",
        "plays_gained",
        "followers_gained",
        "note",
    )
    widgets = {"boosted_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].required = False
        self.fields["pinned_video"].queryset = (
            self.fields["pinned_video"].queryset.filter(unpinned_on__isnull=True).select_related("video", "account")
        )
