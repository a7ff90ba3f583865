"""Forms of the customer protection pages (clause 10.1): filing a complaint, its steps, and the
service guarantees."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import TenantModelForm
from evaluation.models import Complaint, ServiceGuarantee


class ComplaintForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = Complaint
        fields = [
            "client",
            "source",
            "channel",
            "category",
            "severity",
            "subject",
            "description",
            "complainant_name",
            "complainant_contact",
            "guarantee",
            "promised",
            "owner",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "promised": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guarantee"].queryset = self.fields["guarantee"].queryset.filter(is_active=True)
        if self.actor.is_client_person:
            for name in (
                "source",
                "channel",
                "complainant_name",
                "complainant_contact",
                "guarantee",
                "promised",
                "owner",
            ):
                del self.fields[name]
            self.fields["client"].initial = self.actor.client_id
            self.fields["client"].widget = forms.HiddenInput()

    def _post_clean(self):
        pass  # complaint_file sets the deadlines and checks the rest


class GuaranteeForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = ServiceGuarantee
        fields = ["title_zh", "title_en", "description", "response_hours", "compensation_rule", "is_active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "compensation_rule": forms.Textarea(attrs={"rows": 3}),
        }


class RespondForm(forms.Form):
    response = forms.CharField(label=_("First response"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))
    compensation = forms.CharField(label=_("Compensation given"), required=False)
    compensation_amount = forms.DecimalField(
        label=_("Compensation amount (CNY)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )


class ConfirmForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("The complainant"),
        choices=[("1", _("accepts the resolution")), ("0", _("does not accept it"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("In their words"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
