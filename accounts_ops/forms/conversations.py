"""Forms of the one inbox (6.4 and 7.1): the list's filters, replying, assigning, the bulk actions
and the saved replies."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import ServiceForm
from accounts_ops.models.comments import HANDLING_NOTE_MAX_CHARS
from accounts_ops.models.conversations import Conversation, ConversationStatus, SavedReply
from accounts_ops.selectors.conversations import MINE, UNASSIGNED, Filters
from accounts_ops.services.comments import staff_choices
from accounts_ops.services.conversations import BulkAction
from agency.templatetags.agency_tags import person
from clients.models import PlatformAccount

STATUS_CHOICES = [*ConversationStatus.choices, ("all", _("Every status"))]
ASSIGNED_CHOICES = [("", _("Anyone")), (MINE, _("Mine")), (UNASSIGNED, _("Nobody yet"))]


class PersonChoiceField(forms.ModelChoiceField):
    """People by their name, not their username; the current person first (``first``)."""

    def label_from_instance(self, obj):
        return person(obj)


def staff_first(actor):
    """The agency's staff, the person using the form first."""
    from django.db.models import Case, IntegerField, When

    return staff_choices(actor.agency).order_by(
        Case(When(pk=actor.user.pk, then=0), default=1, output_field=IntegerField()), "username"
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    assigned = forms.ChoiceField(label=_("Assigned to"), choices=ASSIGNED_CHOICES, required=False)
    account = forms.ModelChoiceField(
        label=_("Account"), queryset=PlatformAccount.objects.none(), required=False, empty_label=_("Every account")
    )
    q = forms.CharField(label=_("Fan"), required=False, max_length=100)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = PlatformAccount.objects.visible_to(actor).order_by("handle")

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        status = data["status"] or ConversationStatus.WAITING
        return Filters(
            status="" if status == "all" else status,
            assigned=data["assigned"],
            account_id=data["account"].pk if data["account"] else None,
            search=data["q"].strip(),
        )


class ConversationReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Variables are filled for this fan: {fan}, {store}, {client}, {address}, {coupon}."),
    )
    target = forms.ChoiceField(label=_("In answer to"), required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("The latest waiting")), *targets]


class AssignForm(forms.Form):
    assignee = PersonChoiceField(label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_first(actor)


class BulkForm(forms.Form):
    conversations = forms.ModelMultipleChoiceField(
        label=_("Conversations"), queryset=Conversation.objects.none(), widget=forms.MultipleHiddenInput
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (BulkAction.HANDLED, _("Mark handled")),
            (BulkAction.ASSIGN, _("Assign")),
            (BulkAction.HIDE, _("Hide")),
        ],
    )
    assignee = PersonChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=HANDLING_NOTE_MAX_CHARS,
        help_text=_("How they were handled, or why they are hidden (needed to hide)."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conversations"].queryset = Conversation.objects.visible_to(actor)
        self.fields["assignee"].queryset = staff_first(actor)


class SavedReplyForm(ServiceForm):
    model = SavedReply
    field_names = ("title", "text")
    widgets = {"text": forms.Textarea(attrs={"rows": 4})}
