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

from agency.conformance_shown import ALL_CLAUSES, CLIENT_CONFORMANCE_CLAUSES
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
def agency_settings_change(
    *, actor: Actor, require_two_step_for_staff=None, client_conformance_clauses: list[str] | None = None
) -> Agency:
    """Change the settings of ``actor``'s agency (a setting given as ``None`` stays as it is): whether
    all its staff must sign in with two steps (``agency.twofactor.two_step_required``; its admins
    always must), and which clauses' conformance results its clients see
    (``agency.conformance_shown``; every clause again when all are chosen, new clauses included)."""
    if not may_change_agency_settings(actor):
        raise PermissionDenied(_("Only an agency admin changes the agency's settings."))
    if require_two_step_for_staff is not None and not isinstance(require_two_step_for_staff, bool):
        raise ValidationError({"require_two_step_for_staff": [_("Must be true or false.")]})
    if client_conformance_clauses is not None:
        if not isinstance(client_conformance_clauses, (list, tuple)):
            raise ValidationError({"client_conformance_clauses": [_("Give a list of clause ids.")]})
        CLIENT_CONFORMANCE_CLAUSES.validate(list(client_conformance_clauses))
    agency = Agency.objects.select_for_update().get(pk=actor.agency.pk)
    if require_two_step_for_staff is not None:
        agency.require_two_step_for_staff = require_two_step_for_staff
    if client_conformance_clauses is not None:
        chosen = set(client_conformance_clauses)
        agency.settings = dict(agency.settings or {})
        if chosen == set(ALL_CLAUSES):
            agency.settings.pop(CLIENT_CONFORMANCE_CLAUSES.key, None)
        else:
            agency.settings[CLIENT_CONFORMANCE_CLAUSES.key] = [c for c in ALL_CLAUSES if c in chosen]
    agency.clean()
    agency.save(update_fields=["require_two_step_for_staff", "settings"])
    return agency
