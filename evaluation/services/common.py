"""Helpers that several of chapter 10's service modules share: the staff check of an owner, and who
hears about a client's evaluation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agency.models import Membership
from agency.roles import STAFF_ROLES, Role
from clients.models import Client


def check_staff_owner(agency_id: int, owner) -> None:
    """An owner, when given, is one of the agency's active staff."""
    if owner is None:
        return
    if not Membership.objects.filter(agency_id=agency_id, user=owner, is_active=True, role__in=STAFF_ROLES).exists():
        raise ValidationError({"owner": _("The owner must be one of the agency's staff.")})


def managers_of(client: Client) -> list[str]:
    """Who hears about a client's evaluation: its account manager, else the agency's admins."""
    if client.account_manager_id and client.account_manager.email:
        return [client.account_manager.email]
    return list(
        Membership.objects.filter(agency_id=client.agency_id, role=Role.AGENCY_ADMIN, is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
