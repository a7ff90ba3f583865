"""The base serializer: every related field offers only rows the actor may see."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.validators import UniqueTogetherValidator

from agency.api.errors import django_validation_error_to_drf
from agency.people import choices_for
from agency.tenancy import current_actor

FIXED_AFTER_CREATE = _("cannot be changed after creation.")
NOT_CHANGEABLE = _("This field cannot be changed here.")


class DateTimeField(serializers.DateTimeField):
    """A time as RFC 3339 (the schema's ``format: date-time``) has it: its offset in whole minutes.
    A time from before its time zone had a standard offset (local mean time, +08:05:43 in Shanghai
    before 1901) is answered in UTC instead."""

    def to_representation(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            offset = self.enforce_timezone(value).utcoffset()
            if offset is not None and offset.seconds % 60:
                return value.astimezone(datetime.UTC).isoformat().removesuffix("+00:00") + "Z"
        return super().to_representation(value)


class TenantModelSerializer(serializers.ModelSerializer):
    """``agency`` is never read from a body (it is the request's); ``created_by``/``updated_by``
    are set by the model. Every writable relation is re-scoped to the actor on each instantiation,
    so a foreign key to another agency's (or, for client people, another client's) row answers
    400 "does not exist" and nothing is written."""

    serializer_related_field = serializers.PrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in field_kwargs and model_field.blank:
            field_kwargs["allow_blank"] = True  # (DRF leaves it out for a read-only field, stored "" all the same)
        return field_class, field_kwargs

    def get_validators(self):
        """Without DRF's generated unique-together checks: ``validate`` runs the model's own
        constraints, each refusal on the field its rule names, in the rule's words
        (``agency.constraints``), where DRF's would name no field ("must make a unique set")."""
        return [
            validator for validator in super().get_validators() if not isinstance(validator, UniqueTogetherValidator)
        ]

    @property
    def actor(self):
        view = self.context.get("view")
        return getattr(view, "actor", None) or self.context.get("actor") or current_actor()

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("agency", None)
        actor = self.actor
        for name, field in fields.items():
            target = field.child_relation if isinstance(field, ManyRelatedField) else field
            if not isinstance(target, RelatedField) or target.read_only:
                continue
            queryset = target.queryset
            model = getattr(queryset, "model", None)
            instance = self.instance if isinstance(self.instance, models.Model) else None
            scoped = (
                choices_for(
                    model,
                    actor,
                    client_id=getattr(instance, "client_id", None),
                    current=(getattr(instance, f"{field.source}_id", None),) if field.source else (),
                )
                if actor is not None and model is not None
                else None
            )
            if scoped is None:
                if actor is None:
                    scoped = model._default_manager.none() if model is not None else None
                else:
                    raise ImproperlyConfigured(
                        f"{type(self).__name__}.{name} relates to {model!r}, which has no tenant scope."
                    )
            target.queryset = scoped
        return fields

    def _changes_one_row(self) -> bool:
        return self.instance is not None and hasattr(self.instance, "pk")

    def to_internal_value(self, data):
        """A change names only fields it may change: a field fixed once the row exists (writable
        on create, read-only now) or one it may never write is refused with a 400 naming it,
        instead of being ignored in silence; so is, in a PATCH, a name that is no field at all
        (a PUT, which restates the row, ignores those as a creation does; the schema says so,
        ``agency.api.openapi``)."""
        if self._changes_one_row() and isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = [name for name in data if name not in writable and (self.partial or name in self.fields)]
            if refused:
                on_create = type(self)(context=self.context).fields
                fixed = {name for name, field in on_create.items() if not field.read_only}
                raise serializers.ValidationError(
                    {name: [FIXED_AFTER_CREATE if name in fixed else NOT_CHANGEABLE] for name in refused}
                )
        return super().to_internal_value(data)

    def validate(self, attrs):
        """Run the model's own invariants (``clean()``, field validators, check and unique
        constraints) on the would-be row, so that the API refuses what the model refuses with
        a 400 naming the field, instead of a database error."""
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {f.name for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        if instance.agency_id is None and self.actor is not None:
            instance.agency = self.actor.agency
        # A new row is judged on what the body gives (defaults and services fill the rest); a
        # changed row on everything the body may change.
        writable = {name for name, field in self.fields.items() if not field.read_only}
        creating = self.instance is None
        exclude = [
            f.name
            for f in model._meta.fields
            if f.name != "agency" and f.name not in attrs and (creating or f.name not in writable)
        ]
        plain = [f for f in model._meta.concrete_fields if f.name in writable and not f.is_relation]
        before = {f.attname: getattr(instance, f.attname) for f in plain}
        try:
            instance.full_clean(exclude=exclude)
        except DjangoValidationError as exc:
            raise django_validation_error_to_drf(exc) from exc
        # What ``clean()`` filled in or normalised on a writable plain field is saved too, as a
        # form would save it (e.g. a store-visit campaign takes its store from the POI record).
        for f in plain:
            if getattr(instance, f.attname) != before[f.attname]:
                attrs[f.name] = getattr(instance, f.attname)
        return attrs


class FixedAfterCreate:
    """Fields named in ``fixed_after_create`` are read-only once the row exists (PATCH)."""

    fixed_after_create: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple, QuerySet)):
            for name in self.fixed_after_create:
                if name in fields:
                    fields[name].read_only = True
        return fields


class ScopedSerializer(serializers.Serializer):
    """A plain body (for an action) whose row choices are only the actor's rows."""

    # The actor is the context's (else the request's); a relation to a model without a tenant
    # scope, or a body read without an actor, offers no row.

    def get_fields(self):
        fields = super().get_fields()
        actor = self.context.get("actor") or current_actor()
        for field in fields.values():
            target = field.child_relation if isinstance(field, ManyRelatedField) else field
            queryset = getattr(target, "queryset", None)
            if queryset is None or target.read_only:
                continue
            scoped = choices_for(queryset.model, actor) if actor is not None else None
            target.queryset = scoped if scoped is not None else queryset.none()
        return fields
