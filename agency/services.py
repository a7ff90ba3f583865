"""Writes of the tenant core: a person's preferences, the agency's own settings; and the validated save
every app's services use."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agency.models import Agency, PersonPreferences
from agency.roles import Role
from agency.tenancy import Actor


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
