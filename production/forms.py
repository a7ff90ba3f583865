"""Forms of the production pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, DateTimeInput, TenantModelForm
from production.models.post import PostProductionStep
from production.models.projects import Stage, VideoProject
from production.models.scripts import Script, StoryboardShot, TopicBasis
from production.models.shoots import Shoot

DATE = DateInput()


class ProjectForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = VideoProject
        fields = ["account", "title", "brief", "due_date", "assignee"]
        widgets = {"due_date": DATE, "brief": forms.Textarea(attrs={"rows": 3})}


class ProjectUpdateForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = VideoProject
        fields = ["title", "brief", "due_date", "assignee"]
        widgets = {"due_date": DATE, "brief": forms.Textarea(attrs={"rows": 3})}


class ScriptForm(TenantModelForm):
    topic_basis = forms.MultipleChoiceField(
        label=_("Basis of the topic"),
        choices=TopicBasis.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("5.1: account positioning, trending topics, the client's wishes."),
    )

    class Meta(TenantModelForm.Meta):
        model = Script
        fields = [
            "topic",
            "topic_basis",
            "topic_reason",
            "trending_topics",
            "requirement",
            "scene_concept",
            "screenplay",
        ]
        widgets = {
            "topic_reason": forms.Textarea(attrs={"rows": 2}),
            "trending_topics": forms.Textarea(attrs={"rows": 2}),
            "scene_concept": forms.Textarea(attrs={"rows": 4}),
            "screenplay": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.client_id:
            self.fields["requirement"].queryset = self.fields["requirement"].queryset.filter(
                client_id=self.instance.client_id
            )


class ShotForm(TenantModelForm):
    number = forms.IntegerField(label=_("Shot number"), min_value=1, required=False, help_text=_("Next when empty."))

    class Meta(TenantModelForm.Meta):
        model = StoryboardShot
        fields = [
            "number",
            "shot_size",
            "camera_movement",
            "duration_seconds",
            "picture",
            "dialogue",
            "sound",
            "props",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in ("picture", "dialogue", "sound", "props")}


class ShootForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = Shoot
        fields = ["date", "location", "scene_setup", "crew"]
        widgets = {
            "date": DATE,
            "scene_setup": forms.Textarea(attrs={"rows": 4}),
            "crew": forms.Textarea(attrs={"rows": 3}),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "video/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ClipUploadForm(forms.Form):
    files = MultipleFileField(label=_("Clip files"), help_text=_("One or more video files, read once uploaded."))
    label = forms.CharField(label=_("Label"), max_length=200, required=False)


class CutUploadForm(forms.Form):
    file = forms.FileField(label=_("Cut file"), widget=forms.ClearableFileInput(attrs={"accept": "video/*"}))
    notes = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class StepForm(TenantModelForm):
    class Meta(TenantModelForm.Meta):
        model = PostProductionStep
        fields = ["status", "assignee", "evidence_file", "evidence_note", "not_applicable_reason"]
        widgets = {
            "evidence_note": forms.Textarea(attrs={"rows": 3}),
            "not_applicable_reason": forms.Textarea(attrs={"rows": 2}),
            "evidence_file": forms.FileInput(),
        }


TIMECODE = re.compile(r"^(?:(?:(?P<hours>\d+):)?(?P<minutes>\d+):)?(?P<seconds>\d+(?:[.,]\d{1,3})?)$")


def parse_timecode(text: str) -> Decimal:
    """``"01:05"``, ``"1:05.5"``, ``"1:02:03"`` or plain seconds (``"65.5"``) → seconds. Minutes and
    seconds after a colon stay below 60, so a mistyped ``"1:75"`` is refused, not read as 2:15."""
    match = TIMECODE.match((text or "").strip())
    if match is None:
        raise ValidationError(
            _("“%(value)s” is not a time in the video: write minutes and seconds (01:05) or seconds (65.5)."),
            code="timecode",
            params={"value": text},
        )
    hours = int(match["hours"] or 0)
    minutes = int(match["minutes"] or 0)
    seconds = Decimal(match["seconds"].replace(",", "."))
    if match["minutes"] is not None and seconds >= 60:
        raise ValidationError(
            _("“%(value)s”: the seconds after the colon go up to 59."), code="timecode", params={"value": text}
        )
    if match["hours"] is not None and minutes >= 60:
        raise ValidationError(
            _("“%(value)s”: the minutes after the hours go up to 59."), code="timecode", params={"value": text}
        )
    return hours * 3600 + minutes * 60 + seconds


class TimecodeField(forms.CharField):
    """A moment in a video as people write it (mm:ss), kept in seconds."""

    def to_python(self, value):
        value = super().to_python(value)
        return parse_timecode(value) if value not in self.empty_values else None


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))
    timecode_seconds = TimecodeField(
        label=_("At (minutes:seconds)"),
        help_text=_("For example 01:05, or seconds such as 65.5."),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "00:00", "maxlength": 20}
        ),
    )
    frame = forms.IntegerField(label=_("Frame (optional)"), min_value=0, required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 1}))
    parent = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Needed when you ask for changes."),
    )


class MoveBackForm(forms.Form):
    stage = forms.ChoiceField(label=_("Back to"), choices=())
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, project: VideoProject, **kwargs):
        super().__init__(*args, **kwargs)
        index = list(Stage.values).index(project.stage)
        self.fields["stage"].choices = [(s, Stage(s).label) for s in list(Stage.values)[:index]]


class PublishForm(forms.Form):
    platform_item_id = forms.CharField(label=_("Platform item id"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    published_at = forms.DateTimeField(
        label=_("Published at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Now when empty."),
    )


class PublicationForm(forms.Form):
    """A publication planned through the platform's open API (title and topics go into its text)."""

    scheduled_at = forms.DateTimeField(
        label=_("Publish at"), required=False, widget=DateTimeInput(), help_text=_("Now when empty.")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    topics = forms.CharField(
        label=_("Topics"),
        max_length=600,
        required=False,
        help_text=_("Separated by spaces or commas, without the # sign."),
    )
    poi_id = forms.CharField(label=_("POI id"), max_length=64, required=False, help_text=_("The place to tag, if any."))

    @classmethod
    def for_publication(cls, publication):
        return cls(
            initial={
                "scheduled_at": publication.scheduled_at,
                "title": publication.title,
                "topics": " ".join(publication.topics or []),
                "poi_id": publication.poi_id,
            },
            prefix=f"publication-{publication.pk}",
        )
