"""Forms of the pages of clause 6.2, profile changes (avatar, banner, bio, nickname)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import DATE, ServiceForm
from accounts_ops.models.profile import ProfileChange


class ProfileChangeForm(ServiceForm):
    model = ProfileChange
    field_names = ("account", "field", "after_text", "after_image", "reason", "requested_by_name")
    after_text = forms.CharField(
        label=_("New text"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Bio or nickname.")
    )
    after_image = forms.FileField(
        label=_("New image"), required=False, help_text=_("Avatar or banner: JPEG, PNG or WebP.")
    )


class ProfileBaselineForm(ServiceForm):
    model = ProfileChange
    field_names = ("account", "field", "after_text", "after_image", "applied_on")
    after_text = forms.CharField(label=_("Text as found"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    after_image = forms.FileField(label=_("Image as found"), required=False)
    applied_on = forms.DateField(label=_("Seen on the platform on"), widget=DATE)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApplyForm(forms.Form):
    applied_on = forms.DateField(label=_("Applied on the platform on"), widget=DATE)
