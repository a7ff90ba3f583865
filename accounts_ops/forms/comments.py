"""Forms of the 7.1 pages (comments and opinion alerts). Like chapter 6's, they collect input and
the services decide; row choices are the actor's rows."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import ServiceForm
from accounts_ops.models.comments import HANDLING_NOTE_MAX_CHARS, VideoComment
from accounts_ops.services.comments import COMMENT_WRITE_MAX_CHARS, staff_choices


class CommentReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"), max_length=COMMENT_WRITE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentNoteForm(forms.Form):
    note = forms.CharField(label=_("How it was handled"), max_length=HANDLING_NOTE_MAX_CHARS)


class CommentHideForm(forms.Form):
    note = forms.CharField(label=_("Why hide it"), max_length=HANDLING_NOTE_MAX_CHARS)


class CommentAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_choices(actor.agency)


class GuideForm(ServiceForm):
    model = VideoComment
    field_names = ("video", "text")
    text = forms.CharField(
        label=_("Guide comment"),
        max_length=COMMENT_WRITE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A question that invites discussion, posted by the account under its video."),
    )


class AlertHandleForm(forms.Form):
    note = forms.CharField(label=_("How the alert was handled"), widget=forms.Textarea(attrs={"rows": 3}))
