"""Forms of the chapter 7 pages (and the file import page). Like chapter 6's, they collect input
and the services decide; row choices are the actor's rows."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import DATE, ServiceForm
from accounts_ops.models import ContentPlan, DataImport, HotTopic, IpPersona, VideoComment
from accounts_ops.models.advanced import HANDLING_NOTE_MAX_CHARS, ContentPlanTopic
from accounts_ops.services.advanced import COMMENT_WRITE_MAX_CHARS, staff_choices


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


class HotTopicForm(ServiceForm):
    model = HotTopic
    field_names = ("platform", "title", "heat", "rank", "source", "url")


class ContentPlanForm(ServiceForm):
    model = ContentPlan
    field_names = ("account", "title", "angle", "planned_on", "video_project", "notes")
    widgets = {"planned_on": DATE}
    topics = forms.ModelMultipleChoiceField(
        label=_("Hot topics it rides"),
        queryset=HotTopic.dangerously_all_agencies.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["topics"].queryset = HotTopic.objects.visible_to(actor).order_by("-seen_at")


class ContentPlanEditForm(ServiceForm):
    model = ContentPlan
    field_names = ("title", "angle", "planned_on", "status", "video_project", "notes")
    widgets = {"planned_on": DATE}


class PlanTopicForm(ServiceForm):
    model = ContentPlan
    field_names = ()
    topic = forms.ModelChoiceField(label=_("Hot topic"), queryset=HotTopic.dangerously_all_agencies.none())
    note = forms.CharField(
        label=_("How it rides the topic"),
        max_length=ContentPlanTopic._meta.get_field("note").max_length,
        required=False,
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["topic"].queryset = HotTopic.objects.visible_to(actor).order_by("-seen_at")


class IpPersonaForm(ServiceForm):
    model = IpPersona
    field_names = (
        "account",
        "name",
        "age",
        "gender",
        "personality",
        "cultural_background",
        "specialty",
        "style",
        "effective_from",
        "note",
    )
    widgets = {"effective_from": DATE}


class DataImportForm(ServiceForm):
    model = DataImport
    field_names = ("kind", "account", "file")
    file = forms.FileField(label=_("File"), help_text=_("CSV or XLSX; UTF-8 or GBK."))
