"""Who may be named in a person field of a row (an assignee, an owner, a custodian).

One rule for every such field: the agency's active staff, or people of the row's own client whose
role may act on the resource (``agency.roles.PERMISSIONS``: change or fulfil). A person of another
client, of another agency, or whose membership is inactive is refused, naming the field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agency.models import Agency, Membership
from agency.roles import CHANGE, FULFIL, STAFF_ROLES, role_can


def person_may_be_named(*, agency: Agency, client_id: int | None, user, resource: str) -> bool:
    membership = Membership.objects.filter(agency=agency, user=user, is_active=True).first()
    if membership is None:
        return False
    if membership.role in STAFF_ROLES:
        return True
    return (
        client_id is not None
        and membership.client_id == client_id
        and any(role_can(membership.role, resource, action) for action in (CHANGE, FULFIL))
    )


def check_person_field(*, agency: Agency, client_id: int | None, user, field: str, resource: str) -> None:
    """Raise a ValidationError on ``field`` unless ``user`` (None is allowed: nobody named) may be
    named on a row of ``client_id`` for ``resource``."""
    if user is None:
        return
    if not person_may_be_named(agency=agency, client_id=client_id, user=user, resource=resource):
        raise ValidationError(
            {
                field: _(
                    "%(person)s cannot be named here: choose one of the agency's staff or, where their role "
                    "allows, a person of this row's own client."
                )
                % {"person": user.get_username()}
            }
        )
