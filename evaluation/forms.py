"""Forms of chapter 10's pages. Model-shaped forms derive from TenantModelForm (every choice is
the actor's); the views hand their cleaned data to the services, which decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, TenantModelForm
from evaluation.models import (
    Complaint,
    EvaluationCampaign,
    ImprovementAction,
    ImprovementCycle,
    Question,
    QuestionnaireTemplate,
    ServiceGuarantee,
    TemplateStatus,
)

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


class QuestionnaireForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = QuestionnaireTemplate
        fields = ["family", "title_zh", "title_en", "intro_zh", "intro_en"]
        widgets = {"intro_zh": forms.Textarea(attrs={"rows": 3}), "intro_en": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass  # questionnaire_create / questionnaire_change decide


class QuestionForm(TenantModelForm):
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Choice questions only: one per line, as value | 中文 | English."),
    )

    class Meta(TenantModelForm.Meta):
        model = Question
        fields = ["kind", "code", "text_zh", "text_en", "required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def clean_choices(self):
        lines = [line for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]
        choices = []
        for line in lines:
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3:
                raise forms.ValidationError(_("Write each choice as value | 中文 | English."))
            choices.append({"value": parts[0], "zh": parts[1], "en": parts[2]})
        return choices

    def _post_clean(self):
        pass  # question_add checks the question


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
        from agency.roles import STAFF_ROLES

        owner = self.fields["owner"]
        owner.queryset = owner.queryset.filter(memberships__role__in=STAFF_ROLES).distinct()

    def _post_clean(self):
        pass  # improvement_action_add decides


# --- the steps of a workflow (each posts to its own URL) -------------------------------------


class RescheduleForm(forms.Form):
    opens_on = forms.DateField(label=_("Send on"), widget=DATE)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class PublishForm(forms.Form):
    make_default = forms.BooleanField(label=_("Make it the default for new campaigns"), required=False)


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


class CompleteForm(forms.Form):
    evidence = forms.CharField(label=_("Evidence of completion"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), widget=forms.Textarea(attrs={"rows": 2}))
