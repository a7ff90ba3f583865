"""Forms of the connectors' pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class SendLinkForm(forms.Form):
    """Choose the client person who authorises the account (one of the account's client's people)."""

    person = PersonChoiceField(
        label=_("Client person"),
        queryset=None,
        empty_label=None,
        help_text=_("They sign in, open the link and authorise the account on the platform."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
