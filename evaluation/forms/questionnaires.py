"""Forms of the questionnaire pages (clause 10.1)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import TenantModelForm
from evaluation.models import Question, QuestionnaireTemplate


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


class PublishForm(forms.Form):
    make_default = forms.BooleanField(label=_("Make it the default for new campaigns"), required=False)
