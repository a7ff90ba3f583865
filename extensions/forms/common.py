"""What the chapter 8 forms share: date and time widgets and a reason to give."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, DateTimeInput


def datetime_widget():
    return DateTimeInput()


def date_widget():
    return DateInput()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
