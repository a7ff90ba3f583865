"""Writes of the tenant core: a person's preferences, the agency's own settings; and the validated save
every app's services use."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agency.models import Agency, PersonPreferences
from agency.roles import Role
from agency.tenancy import Actor


class Unchanged:
    """The default of an update service's typed parameters: the caller leaves that field as it is
    (``None`` cannot say it, as it is a value many fields may take)."""

    def __repr__(self) -> str:
        return "UNCHANGED"

    def __bool__(self) -> bool:
        return False


UNCHANGED: Any = Unchanged()


def given(**values) -> dict:
    """The fields an update service's caller gave (every parameter not left ``UNCHANGED``), by name."""
    return {name: value for name, value in values.items() if value is not UNCHANGED}


def service_parameters(service: Callable) -> frozenset[str] | None:
    """The keyword parameters ``service`` takes, or None when it takes any (``**values``)."""
    parameters = inspect.signature(service).parameters.values()
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        return None
    return frozenset(parameter.name for parameter in parameters)


def fields_taken(*services: Callable, row: str = "") -> tuple[str, ...]:
    """The fields typed services take, in the order they declare them: their keyword parameters
    but the actor and ``row`` (the keyword an update service takes its row by). An API viewset's
    ``changeable_fields`` for the services it calls."""
    names: dict[str, None] = {}
    for service in services:
        for name in inspect.signature(service).parameters:
            if name not in ("actor", row):
                names.setdefault(name)
    return tuple(names)


def validated_save(row):
    """Validate ``row`` (``full_clean``: its fields, ``clean()`` and constraints) and save it; returns it."""
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def person_language_set(*, user, language: str) -> PersonPreferences:
    """Remember the language a person chose for the pages (one of ``settings.LANGUAGES``)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("%(code)s is not a language of the product.") % {"code": language}})
    preferences, _created = PersonPreferences.objects.update_or_create(user=user, defaults={"language": language})
    return preferences


def may_change_agency_settings(actor: Actor | None) -> bool:
    """Only the agency's admin changes its own settings."""
    return actor is not None and actor.role == Role.AGENCY_ADMIN


@transaction.atomic
def agency_settings_change(*, actor: Actor, require_two_step_for_staff) -> Agency:
    """Change the settings of ``actor``'s agency: whether all its staff must sign in with two steps
    (``agency.twofactor.two_step_required``; its admins always must)."""
    if not may_change_agency_settings(actor):
        raise PermissionDenied(_("Only an agency admin changes the agency's settings."))
    if not isinstance(require_two_step_for_staff, bool):
        raise ValidationError({"require_two_step_for_staff": [_("Must be true or false.")]})
    agency = Agency.objects.select_for_update().get(pk=actor.agency.pk)
    agency.require_two_step_for_staff = require_two_step_for_staff
    agency.save(update_fields=["require_two_step_for_staff"])
    return agency
