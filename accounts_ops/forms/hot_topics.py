"""Forms of the 7.2 pages (hot topics and content plans); row choices are the actor's rows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import DATE, ServiceForm
from accounts_ops.models.hot_topics import ContentPlan, ContentPlanTopic, HotTopic


class HotTopicForm(ServiceForm):
    model = HotTopic
    field_names = ("platform", "title", "heat", "rank", "source", "url")


class ContentPlanForm(ServiceForm):
    model = ContentPlan
    field_names = ("account", "title", "angle", "planned_on", "video_project", "notes")
    widgets = {"planned_on": DATE}
    topics = forms.ModelMultipleChoiceField(
        label=_("Hot topics it rides"),
        queryset=HotTopic.objects.none(),
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
    topic = forms.ModelChoiceField(label=_("Hot topic"), queryset=HotTopic.objects.none())
    note = forms.CharField(
        label=_("How it rides the topic"),
        max_length=ContentPlanTopic._meta.get_field("note").max_length,
        required=False,
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["topic"].queryset = HotTopic.objects.visible_to(actor).order_by("-seen_at")
