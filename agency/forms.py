"""The base model form for tenant rows: every choice among rows is the actor's, set per request."""

from __future__ import annotations

from django import forms
from django.db import models
from django.forms.renderers import DjangoTemplates
from django.template import loader
from django.utils.text import capfirst
from django.utils.translation import gettext_noop

from agency.people import choices_for, name_people


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
                name_people(field)

    class Meta:
        formfield_callback = tenant_formfield  # subclasses: class Meta(TenantModelForm.Meta)


class FormRenderer(DjangoTemplates):
    """Django's form templates, except that a form shown as ``{{ form }}`` or ``form.as_div`` opens
    with ONE error summary (``templates/agency/_form_errors.html``: every problem, each field's
    linked to the field, which also shows its own beside it) in place of Django's list of the
    form-wide errors. ``FORM_RENDERER`` in the settings names it."""

    OVERRIDES = {"django/forms/div.html": "agency/forms/div.html"}

    def get_template(self, template_name):
        if template_name in self.OVERRIDES:
            return loader.get_template(self.OVERRIDES[template_name])
        return super().get_template(template_name)
