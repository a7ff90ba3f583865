"""Pieces shared by the forms of the account-operations pages. Services decide what is valid,
so these are plain forms whose fields are taken from the models and whose row choices are the
actor's rows."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from agency.forms import DateInput, DateTimeInput, tenant_formfield
from agency.people import choices_for, name_choices

DATE = DateInput()
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = DateTimeInput()


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
                name_choices(field)
