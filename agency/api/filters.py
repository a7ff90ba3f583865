"""The base filterset: every choice among tenant rows is offered only from the actor's rows."""

from __future__ import annotations

import copy
import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import label_for_filter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from agency.models import TenantModel
from agency.names import named
from agency.tenancy import current_actor

# The largest id a 64-bit primary key holds: a larger one in a filter is refused (400) instead of
# reaching the database, which cannot even compare it.
ID_MAX = 2**63 - 1


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    pass


class IdInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    field_class = forms.IntegerField


class UtcDateTimeField(IsoDateTimeField):
    """A filter's date-time, read as RFC 3339 allows it (any offset up to ±23:59) and compared in UTC:
    PostgreSQL refuses offsets past ±15:59, and a time that leaves the calendar once in UTC (year 1
    at +18:00) is an invalid value, not a server error."""

    def to_python(self, value):
        try:
            moment = super().to_python(value)
            return moment.astimezone(dt.UTC) if moment is not None and moment.tzinfo is not None else moment
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


DATE_TIME_FILTERS = (django_filters.IsoDateTimeFilter, django_filters.DateTimeFilter)
# The values a boolean filter of the API takes (django-filter reads any other as "not filtered").
BOOLEAN_VALUES = {"true", "false", "1", "0"}


def deferred(model):
    """A placeholder queryset for a choice filter among ``model`` rows. Never touch a tenant
    manager at import time: ``TenantFilterSet`` puts the actor's rows in its place per request."""
    return lambda request: model.objects.none()


def _relation_extra(field):
    model = field.remote_field.model
    if isinstance(model, type) and issubclass(model, TenantModel):
        return {"queryset": deferred(model)}
    return {"queryset": model._default_manager.all()}


FILTER_DEFAULTS = {**FILTER_FOR_DBFIELD_DEFAULTS}
for _field_class in (models.ForeignKey, models.OneToOneField, models.ManyToManyField):
    FILTER_DEFAULTS[_field_class] = {**FILTER_FOR_DBFIELD_DEFAULTS[_field_class], "extra": _relation_extra}


def scoped_choices(model, actor):
    """The rows of ``model`` that ``actor`` may pick: tenant rows it can see, or its agency's people."""
    if isinstance(model, type) and issubclass(model, TenantModel):
        return named(model.objects.visible_to(actor))
    if model is get_user_model():
        if actor.is_client_person:
            return model.objects.filter(pk=actor.user.pk)
        return model.objects.filter(memberships__agency=actor.agency, memberships__is_active=True)
    return None


lazy_label = lazy(label_for_filter, str)


class TenantFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = FILTER_DEFAULTS

    id = IdInFilter(field_name="id", lookup_expr="in", min_value=1, max_value=ID_MAX, help_text="Comma-separated ids.")

    @classmethod
    def get_filters(cls):
        """The filters, each labelled lazily: the label (from the model field's verbose name) is
        said in the language of whoever reads it, however often and by whom the class-level
        filters were read before (the API schema reads them once and its form fields are copied
        into every later filterset)."""
        filters = super().get_filters()
        model = cls._meta.model
        for name, flt in list(filters.items()):
            if flt._label is None and model is not None:
                if name in cls.declared_filters:  # shared with the other filtersets that declare it
                    flt = filters[name] = copy.deepcopy(flt)
                flt._label = lazy_label(model, flt.field_name, flt.lookup_expr, flt.exclude)
        return filters

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        actor = actor or getattr(self.request, "actor", None) or current_actor()
        for flt in self.filters.values():
            # A form field built from the class-level filter (by the schema) is not shared.
            flt.__dict__.pop("_field", None)
            if isinstance(flt, DATE_TIME_FILTERS):
                flt.field_class = UtcDateTimeField
            if isinstance(flt, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)):
                placeholder = flt.queryset(None) if callable(flt.queryset) else flt.queryset
                model = placeholder.model
                scoped = scoped_choices(model, actor) if actor is not None else None
                flt.queryset = scoped if scoped is not None else placeholder.none()


NOT_A_FILTER = _("Not a filter of this list.")


def empty_filters(filterset_class, params) -> list[str]:
    """The filters of ``params`` (a QueryDict or a plain dict) sent with nothing but blanks."""
    values = params.getlist if hasattr(params, "getlist") else (lambda name: [params[name]])
    return [
        name
        for name in filterset_class.base_filters
        if name in params and all(not str(value).strip() for value in values(name))
    ]


def refuse_unknown_filters(filterset_class, params, *, allowed=(), prefix: str = "") -> None:
    """For an export, which must cover exactly the list asked for: a key that is not a filter of
    the list (and not one of ``allowed``), or a filter sent empty, is a 400 naming it, instead of
    being dropped and widening the export to the whole list."""
    errors = {
        f"{prefix}{name}": [NOT_A_FILTER]
        for name in params
        if name not in filterset_class.base_filters and name not in allowed
    }
    blank = serializers.CharField.default_error_messages["blank"]
    errors.update({f"{prefix}{name}": [blank] for name in empty_filters(filterset_class, params)})
    if errors:
        raise ValidationError(errors)


class FilterBackend(DjangoFilterBackend):
    """The API's filters: a filter sent with an empty value (``?condition=``), or a boolean filter
    with a value that is not a boolean (``?voided=maybe``), is a 400 naming it, as an invalid value
    is (django-filter would skip it in silence and answer the whole list).
    The HTML lists keep their forms' ways: there an empty field means "any"."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            params = request.query_params
            empty = empty_filters(type(filterset), params)
            if empty:
                blank = serializers.CharField.default_error_messages["blank"]
                raise ValidationError({name: [blank] for name in empty})
            invalid = serializers.BooleanField.default_error_messages["invalid"]
            not_boolean = [
                name
                for name, flt in filterset.filters.items()
                if isinstance(flt, django_filters.BooleanFilter)
                and name in params
                and any(value.strip().lower() not in BOOLEAN_VALUES for value in params.getlist(name))
            ]
            if not_boolean:
                raise ValidationError({name: [invalid] for name in not_boolean})
        return filterset
