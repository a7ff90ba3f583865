"""Forms of the pages of clause 6.4, private-message auto-replies: settings, rules, the inbox and
the outbox."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import DATETIME, TIME, LinesField, ServiceForm
from accounts_ops.models.inbox import AutoReplySettings, ReplyRule

WEEKDAY_CHOICES = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class AutoReplySettingsForm(ServiceForm):
    model = AutoReplySettings
    field_names = ("opens_at", "closes_at", "business_days", "store_address", "coupon_link")
    widgets = {"opens_at": TIME, "closes_at": TIME}
    business_days = forms.TypedMultipleChoiceField(
        label=_("Business days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every day."),
    )


class ReplyRuleForm(ServiceForm):
    model = ReplyRule
    field_names = (
        "account",
        "name",
        "trigger",
        "keywords",
        "keyword_mode",
        "pattern",
        "priority",
        "reply_text",
        "is_active",
    )
    keywords = LinesField(label=_("Keywords"), required=False, help_text=_("One per line, for keyword rules."))


class ReplyRuleEditForm(ReplyRuleForm):
    field_names = tuple(name for name in ReplyRuleForm.field_names if name != "account")


class TryMessageForm(ServiceForm):
    model = ReplyRule
    field_names = ("account",)
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    sender_nickname = forms.CharField(label=_("Sender nickname"), required=False)
    first_contact = forms.BooleanField(label=_("First message from this person"), required=False)
    at = forms.DateTimeField(
        label=_("Arrives at"), required=False, widget=DATETIME, help_text=_("Empty: now, in the agency's time zone.")
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}))
