from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, DateTimeInput, TenantModelForm
from clients.models import Client, ClientRequirement, PlatformAccount, Service, Video


class ClientForm(TenantModelForm):
    services = forms.MultipleChoiceField(
        label=_("Services in scope"), choices=Service.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta(TenantModelForm.Meta):
        model = Client
        fields = [
            "name",
            "kind",
            "industry",
            "city",
            "contact_name",
            "contact_phone",
            "contact_email",
            "status",
            "contract_start",
            "contract_end",
            "services",
            "account_manager",
            "notes",
        ]
        widgets = {
            "contract_start": DateInput(),
            "contract_end": DateInput(),
        }


class PlatformAccountForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = PlatformAccount
        fields = ["client", "platform", "handle", "platform_uid", "nickname", "status", "followers"]


class VideoForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = Video
        fields = ["account", "platform_item_id", "title", "url", "published_at", "duration_seconds", "origin"]
        widgets = {"published_at": DateTimeInput()}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("account"):
            self.instance.client = cleaned["account"].client
        return cleaned


class RequirementRaiseForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Requirement"), widget=forms.Textarea(attrs={"rows": 4}))
    raised_by_name = forms.CharField(
        label=_("Raised by (name)"),
        max_length=100,
        required=False,
        help_text=_("When the client raised it by phone or chat."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(actor)
        if actor.is_client_person:
            self.fields["client"].initial = actor.client_id
            self.fields["client"].widget = forms.HiddenInput()
            del self.fields["raised_by_name"]


class RequirementAcceptForm(forms.Form):
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())


class RequirementDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RequirementFulfilForm(forms.Form):
    note = forms.CharField(label=_("How it was met"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)


REQUIREMENT_ACTION_FORMS = {
    "accept": RequirementAcceptForm,
    "decline": RequirementDeclineForm,
    "fulfil": RequirementFulfilForm,
}

__all__ = ["ClientForm", "PlatformAccountForm", "VideoForm", "RequirementRaiseForm", "ClientRequirement"]
