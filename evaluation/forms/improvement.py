"""Forms of the improvement pages (clause 10.2): a finding, an action, and an action's steps."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, TenantModelForm
from agency.roles import STAFF_ROLES
from evaluation.models import ImprovementAction, ImprovementCycle

DATE = DateInput()


class CycleForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = ImprovementCycle
        fields = ["client", "finding", "description", "source", "campaign", "question", "complaint"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass  # improvement_cycle_open checks the sources belong to the client


class ActionForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = ImprovementAction
        fields = ["root_cause", "action", "owner", "due_date"]
        widgets = {
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "action": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = owner.queryset.filter(memberships__role__in=STAFF_ROLES).distinct()

    def _post_clean(self):
        pass  # improvement_action_add decides


class CompleteForm(forms.Form):
    evidence = forms.CharField(label=_("Evidence of completion"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), widget=forms.Textarea(attrs={"rows": 2}))
