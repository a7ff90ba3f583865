"""Forms of the chapter 6 pages. They collect input; the services decide (every rule lives there),
so these are plain forms whose fields are taken from the models and whose row choices are the
actor's rows."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from accounts_ops.models import (
    AccountDirection,
    AdBudgetApproval,
    AdCampaign,
    AdSpend,
    AutoReplySettings,
    BoostRecord,
    GroupBuyDeal,
    LocalLifeEnablement,
    PinnedVideo,
    PoiLink,
    ProfileChange,
    PromotionTask,
    ReplyRule,
)
from agency.forms import DateInput, DateTimeInput, tenant_formfield
from agency.people import choices_for

DATE = DateInput()
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = DateTimeInput()
WEEKDAY_CHOICES = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class LinesField(forms.CharField):
    """A list of texts, one per line (content pillars, keywords)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ServiceForm(forms.Form):
    """Fields from ``model`` (``field_names``) plus the declared ones; every row choice is
    re-scoped to ``actor``. ``instance`` gives the initial values of an edit."""

    model = None
    field_names: tuple[str, ...] = ()
    widgets: dict = {}

    def __init__(self, *args, actor, instance=None, **kwargs):
        self.actor = actor
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {**model_to_dict(instance, fields=self.field_names), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        from_model = [name for name in self.field_names if name not in self.base_fields]
        generated = fields_for_model(
            self.model, fields=from_model, formfield_callback=tenant_formfield, widgets=self.widgets
        )
        for name in self.field_names:
            if name not in self.fields and generated.get(name) is not None:
                self.fields[name] = generated[name]
        self.order_fields(self.field_names)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                scoped = choices_for(
                    field.queryset.model,
                    actor,
                    client_id=getattr(instance, "client_id", None),
                    current=(getattr(instance, f"{name}_id", None),),
                )
                field.queryset = scoped if scoped is not None else field.queryset.none()


class DirectionForm(ServiceForm):
    model = AccountDirection
    field_names = (
        "account",
        "effective_from",
        "positioning",
        "target_audience",
        "content_pillars",
        "platform_rules",
        "operating_goals",
    )
    widgets = {"effective_from": DATE}
    content_pillars = LinesField(label=_("Content pillars"), help_text=_("One per line."))


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


class PinForm(ServiceForm):
    model = PinnedVideo
    field_names = (
        "account",
        "video",
        "slot",
        "pinned_on",
        "boost_interval_days",
        "boost_budget",
        "boost_channel",
        "note",
    )
    widgets = {"pinned_on": DATE}
    slot = forms.IntegerField(label=_("Slot"), required=False, help_text=_("Empty: the first free slot."))


class PlanForm(ServiceForm):
    model = PinnedVideo
    field_names = ("boost_interval_days", "boost_budget", "boost_channel", "note")


class UnpinForm(forms.Form):
    unpinned_on = forms.DateField(label=_("Unpinned on"), required=False, widget=DATE)


class BoostRecordForm(ServiceForm):
    model = BoostRecord
    field_names = (
        "pinned_video",
        "boosted_on",
        "channel",
        "spend",
        "platform_order_id",
        "plays_gained",
        "followers_gained",
        "note",
    )
    widgets = {"boosted_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].required = False
        self.fields["pinned_video"].queryset = (
            self.fields["pinned_video"].queryset.filter(unpinned_on__isnull=True).select_related("video", "account")
        )


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


class PoiForm(ServiceForm):
    model = PoiLink
    field_names = ("account", "store_name", "address", "platform_poi_id", "status")


class DealForm(ServiceForm):
    model = GroupBuyDeal
    field_names = (
        "account",
        "poi",
        "title",
        "price",
        "list_price",
        "valid_from",
        "valid_until",
        "stock",
        "platform_status",
        "platform_deal_id",
    )
    widgets = {"valid_from": DATE, "valid_until": DATE}


class DealEditForm(DealForm):
    field_names = tuple(name for name in DealForm.field_names if name != "account")


class EnablementForm(ServiceForm):
    model = LocalLifeEnablement
    field_names = ("client", "qualification_submitted_on", "qualification_note")
    widgets = {"qualification_submitted_on": DATE}


class PromotionForm(ServiceForm):
    model = PromotionTask
    field_names = (
        "account",
        "channel",
        "target_kind",
        "target",
        "target_video",
        "content",
        "search_keywords",
        "planned_on",
    )
    widgets = {"planned_on": DATE}
    search_keywords = LinesField(label=_("Search keywords"), required=False, help_text=_("One per line."))


class PromotionCompleteForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    reach = forms.IntegerField(label=_("Reach"), min_value=0, required=False)


class CampaignForm(ServiceForm):
    model = AdCampaign
    field_names = (
        "account",
        "name",
        "kind",
        "ad_product",
        "partner_platform",
        "partner_handle",
        "partner_followers",
        "budget",
        "starts_on",
        "ends_on",
        "status",
    )
    widgets = {"starts_on": DATE, "ends_on": DATE}


class SpendForm(ServiceForm):
    model = AdSpend
    field_names = ("spent_on", "amount", "platform_order_id", "note")
    widgets = {"spent_on": DATE}


class ApprovalForm(ServiceForm):
    model = AdBudgetApproval
    field_names = ("extra_amount", "reason")


class ResultsForm(ServiceForm):
    model = AdCampaign
    field_names = ("impressions", "clicks", "conversions", "orders", "sales")
