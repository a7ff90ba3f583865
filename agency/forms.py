"""The base model form for tenant rows: every choice among rows is the actor's, set per request."""

from __future__ import annotations

import html

from django import forms
from django.db import models
from django.forms.renderers import DjangoTemplates
from django.template import loader
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_noop

from agency.people import choices_for, name_choices


def tenant_formfield(field: models.Field, **kwargs):
    """Build form fields without touching a tenant manager at import time (Django's own
    ``ForeignKey.formfield`` evaluates ``_default_manager.using()``, which fails closed)."""
    if isinstance(field, models.ForeignKey):
        model = field.related_model
        return forms.ModelChoiceField(
            queryset=model._default_manager.none(),
            required=not field.blank,
            label=capfirst(field.verbose_name),
            help_text=field.help_text,
            **kwargs,
        )
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


# The colon after every form label: Django asks the catalogues for ``_(":")`` and ships no Chinese
# for it, so ours gives the full-width "：". Marked here so that the catalogue keeps it.
LABEL_SUFFIX = gettext_noop(":")


class DateInput(forms.DateInput):
    """The browser's date picker. Its value is always ISO (``2026-12-16``) whatever the page's
    language: a localised value (``2026/12/16`` in Chinese) is one the picker cannot show, and the
    field would come back empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, with the ISO value it needs (``2026-12-16T19:30``)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TenantModelForm(forms.ModelForm):
    """Pass ``actor=`` when instantiating; related choices are re-scoped to what it may see."""

    def __init__(self, *args, actor, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)
        if self.instance.agency_id is None:
            self.instance.agency = actor.agency
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                scoped = choices_for(
                    field.queryset.model,
                    actor,
                    client_id=getattr(self.instance, "client_id", None),
                    current=(getattr(self.instance, f"{name}_id", None),),
                )
                field.queryset = scoped if scoped is not None else field.queryset.none()
                name_choices(field)

    class Meta:
        formfield_callback = tenant_formfield  # subclasses: class Meta(TenantModelForm.Meta)


class FormRenderer(DjangoTemplates):
    """Django's form templates, except that a form shown as ``{{ form }}`` or ``form.as_div`` opens
    with ONE error summary (``templates/agency/_form_errors.html``: every problem, each field's
    linked to the field, which also shows its own beside it) in place of Django's list of the
    form-wide errors. ``FORM_RENDERER`` in the settings names it.

    A select is written by ``select_html``, the same HTML as Django's select templates: a list
    filter or a form choosing among an agency's videos has thousands of options, and the template
    renders each through an ``include`` (about a second for 3,000 options)."""

    OVERRIDES = {"django/forms/div.html": "agency/forms/div.html"}

    def get_template(self, template_name):
        if template_name in self.OVERRIDES:
            return loader.get_template(self.OVERRIDES[template_name])
        return super().get_template(template_name)

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _escaped(text) -> str:
    """``conditional_escape``: a safe value as it is, any other escaped; a plain string by
    ``html.escape`` directly, which is what Django's ``escape`` does to it (without its lazy-string
    wrapper, the most of a select's time per option)."""
    if type(text) is str:
        return html.escape(text)
    return conditional_escape(text)


def _formatted(value) -> str | None:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless marked safe (the filter
    keeps a safe value safe); None for a tuple, which the filter would not format."""
    if isinstance(value, tuple):
        return None
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def _attrs(attrs: dict) -> str | None:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
            continue
        text = _formatted(value)
        if text is None:
            return None
        out.append(f' {conditional_escape(name)}="{text}"')
    return "".join(out)


def select_html(widget: dict) -> str | None:
    """Django's ``select.html`` (with ``select_option.html`` and ``attrs.html``) written in Python,
    byte for byte (``tests/agency/test_form_kit.py`` compares them); None where the template must
    render it: an option template of another widget, a label or group name that is not text
    (the template would localise a number or a date)."""
    attrs = _attrs(widget["attrs"])
    if attrs is None:
        return None
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            if not isinstance(group_name, str | Promise):
                return None
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            label = option["label"]
            if option["template_name"] != OPTION_TEMPLATE or not isinstance(label, str | Promise):
                return None
            option_attrs, value = _attrs(option["attrs"]), _formatted(option["value"])
            if option_attrs is None or value is None:
                return None
            parts.append(f'\n  <option value="{value}"{option_attrs}>{_escaped(label)}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)
