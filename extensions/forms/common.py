"""What the chapter 8 forms share: date and time widgets, a reason to give, and a service's
refusal shown on the form."""

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


def add_service_errors(form, exc) -> None:
    """Put a service's ValidationError on the form, on the field it names where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field == "weights" and "weight_stickiness" in form.fields:
                form.add_error(None, errors)
                continue
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
