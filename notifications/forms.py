"""The forms of notifications: a person's channels per kind, and an agency's group bot."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Provider, Webhook
from notifications.rules import Channel, Kind


class PreferencesForm(forms.Form):
    """One row of checkboxes per kind (in the app, e-mail), and the daily digest."""

    digest = forms.BooleanField(label=_("Also send me one e-mail a day with the day's notifications"), required=False)

    def __init__(self, *args, preferences, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["digest"].initial = preferences.digest
        for kind in kinds:
            chosen = preferences.channels_of(kind)
            for channel in Channel:
                self.fields[f"{kind}__{channel.value}"] = forms.BooleanField(
                    label=f"{Kind(kind).label} · {channel.label}", required=False, initial=channel.value in chosen
                )

    def rows(self):
        """(kind label, [(channel label, bound field)]) for the table."""
        return [
            (Kind(kind).label, [(channel.label, self[f"{kind}__{channel.value}"]) for channel in Channel])
            for kind in self.kinds
        ]

    def channels(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        return {kind: [c.value for c in Channel if data.get(f"{kind}__{c.value}")] for kind in self.kinds}


class WebhookForm(forms.ModelForm):
    """A group bot: its address (required when new; blank keeps the stored one) and signing secret."""

    url = forms.URLField(
        label=_("Webhook address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "off", "size": 60}),
        help_text=_("Stored encrypted and never shown again; leave blank to keep the current one."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Feishu signature checking or DingTalk signing, when the bot has it on."),
    )
    remove_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds sent"), choices=Kind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    field_order = ["name", "provider", "url", "secret", "remove_secret", "kinds", "is_active"]

    class Meta:
        model = Webhook
        fields = ["name", "provider", "kinds", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = Provider.choices
        if not self.instance.pk:
            self.fields["url"].required = True
            # (the form's initial, not the field's: a model form starts from the new row's empty list)
            self.initial["kinds"] = [k for k in Kind.values if k != Kind.APPROVAL_WAITING]

    def clean_url(self):
        url = self.cleaned_data.get("url", "")
        if url and not url.startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter the bot's http(s) address."))
        return url

    def secret_value(self) -> str | None:
        """The new secret, "" to remove it, None to keep it."""
        if self.cleaned_data.get("remove_secret"):
            return ""
        return self.cleaned_data.get("secret") or None
