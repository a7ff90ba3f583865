"""Forms of the records pages. Writes go through ``records.services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.forms import DateInput, DateTimeInput, TenantModelForm
from agency.people import choices_for, name_choices
from clients.models import Client, PlatformAccount
from records.models.assets import Asset, AssetCondition
from records.models.exports import ExportFormat
from records.models.usage import UsagePurpose
from records.rules import INSPECTION_ITEMS


class ScopedForm(forms.Form):
    """A plain form whose choices among rows and people are the actor's."""

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                scoped = choices_for(field.queryset.model, actor)
                field.queryset = scoped if scoped is not None else field.queryset.none()
                name_choices(field)


def person_choice(label, required=False):
    return forms.ModelChoiceField(label=label, queryset=get_user_model().objects.none(), required=required)


class AssetForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = Asset
        fields = [
            "identifier",
            "name",
            "kind",
            "client",
            "account",
            "custodian",
            "location",
            "condition",
            "purchase_date",
            "purchase_value",
            "notes",
        ]
        widgets = {"purchase_date": DateInput()}


class CheckOutForm(ScopedForm):
    taken_by = person_choice(_("Taken by"))
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    due_back = forms.DateField(label=_("Due back"), required=False, widget=DateInput())


class CheckInForm(forms.Form):
    condition = forms.ChoiceField(
        label=_("Condition on return"), choices=[("", "—"), *AssetCondition.choices], required=False
    )
    note = forms.CharField(label=_("Return note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), widget=forms.Textarea(attrs={"rows": 2}))


TICK_CHOICES = [("", _("not ticked")), ("yes", _("yes")), ("no", _("no, a problem"))]


class InspectionForm(forms.Form):
    problems = forms.CharField(label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    complete = forms.BooleanField(label=_("Complete the inspection"), required=False)

    def __init__(self, *args, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in reversed(INSPECTION_ITEMS):
            initial = {True: "yes", False: "no"}.get(getattr(inspection, name, None), "")
            self.fields = {
                name: forms.ChoiceField(
                    label=label, choices=TICK_CHOICES, required=False, initial=initial, widget=forms.RadioSelect
                ),
                **self.fields,
            }
        if inspection is not None:
            self.fields["problems"].initial = inspection.problems

    def items(self) -> dict:
        return {
            name: {"yes": True, "no": False}.get(self.cleaned_data.get(name) or "") for name, _l in INSPECTION_ITEMS
        }


class FollowUpForm(ScopedForm):
    title = forms.CharField(label=_("Follow-up task"), max_length=200)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    assignee = person_choice(_("Assignee"))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


class UsageRecordForm(ScopedForm):
    user = person_choice(_("Used by"))
    asset = forms.ModelChoiceField(label=_("Asset"), queryset=Asset.objects.none(), required=False)
    account = forms.ModelChoiceField(
        label=_("Platform account"), queryset=PlatformAccount.objects.none(), required=False
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=UsagePurpose.choices)
    started_at = forms.DateTimeField(label=pgettext_lazy("start of a time span", "From"), widget=DateTimeInput())
    ended_at = forms.DateTimeField(label=_("Until"), required=False, widget=DateTimeInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImageRecordForm(ScopedForm):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"))
    caption = forms.CharField(label=_("Caption"), max_length=300)
    taken_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none(), required=False)
    linked_model = forms.CharField(widget=forms.HiddenInput, required=False)
    linked_id = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PeriodForm(ScopedForm):
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput())


class StatisticsRequestForm(PeriodForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    field_order = ["client", "period_start", "period_end"]


class AssessmentRequestForm(PeriodForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none(), required=False)
    staff = person_choice(_("Staff member"))
    field_order = ["client", "staff", "period_start", "period_end"]


class ExportForm(forms.Form):
    dataset = forms.CharField(widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=ExportFormat.choices)
    query = forms.CharField(widget=forms.HiddenInput, required=False)
