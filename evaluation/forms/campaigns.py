"""Forms of clause 10.1's campaign pages: planning a yearly evaluation, inviting one more person,
and moving a follow-up survey's sending day (10.2, on the campaign's page)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, TenantModelForm
from evaluation.models import EvaluationCampaign, TemplateStatus

DATE = DateInput()


class CampaignForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = EvaluationCampaign
        fields = ["client", "year", "template", "opens_on", "closes_on"]
        widgets = {"opens_on": DATE, "closes_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = self.fields["template"].queryset.filter(status=TemplateStatus.PUBLISHED)
        self.fields["template"].required = False
        self.fields["template"].help_text = _("Leave empty for the agency's default questionnaire.")
        self.fields["opens_on"].required = False
        self.fields["closes_on"].required = False

    def _post_clean(self):
        pass  # the service checks the whole campaign (one per client and year, dates, questionnaire)


class RescheduleForm(forms.Form):
    """The new sending day of a follow-up survey (10.2)."""

    opens_on = forms.DateField(label=_("Send on"), widget=DATE)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
