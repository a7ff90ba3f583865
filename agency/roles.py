"""Roles and what each may do: the one permission table of the product.

A person's role is per membership (one person may belong to several agencies). Each resource kind
(one per API resource and page family) lists, per role, the actions allowed. Viewsets and views
name their ``resource``; ``agency.permissions.RolePermission`` and ``agency.views.TenantViewMixin``
look the action up here. ``tests/agency/test_roles.py`` walks this table as a matrix.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    PRODUCER = "producer", _("Producer")
    OPERATOR = "operator", _("Operator")
    LIVE_TEAM = "live_team", _("Live team")
    ANALYST = "analyst", _("Analyst (read-only)")
    CLIENT_VIEWER = "client_viewer", _("Client viewer")
    CLIENT_APPROVER = "client_approver", _("Client approver")


STAFF_ROLES = frozenset(
    {Role.AGENCY_ADMIN, Role.ACCOUNT_MANAGER, Role.PRODUCER, Role.OPERATOR, Role.LIVE_TEAM, Role.ANALYST}
)
CLIENT_ROLES = frozenset({Role.CLIENT_VIEWER, Role.CLIENT_APPROVER})

# Actions. The four CRUD verbs map from HTTP methods; the others are named by custom actions.
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
DECIDE = "decide"  # accept or decline (4.1 requirements, approvals)
FULFIL = "fulfil"  # record that something promised was delivered
CRUD = frozenset({VIEW, ADD, CHANGE, DELETE})
READ = frozenset({VIEW})
WRITE = frozenset({VIEW, ADD, CHANGE})

R = Role
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Clients (委托方) and their contracts: the account manager runs them, the admin may delete.
    "client": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "platform_account": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "video": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: WRITE,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 4.1: the client raises requirements; the agency decides and fulfils them.
    "requirement": {
        R.AGENCY_ADMIN: CRUD | {DECIDE, FULFIL},
        R.ACCOUNT_MANAGER: CRUD | {DECIDE, FULFIL},
        R.PRODUCER: READ | {FULFIL},
        R.OPERATOR: READ | {FULFIL},
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ | {ADD},
    },
    # The standard's conformance view (clause checks with evidence).
    # Everyone may read it (client people for their own client); staff who run clients and the
    # client's own people may ask for a PDF report.
    "conformance": {
        **dict.fromkeys(Role, READ),
        R.AGENCY_ADMIN: READ | {ADD},
        R.ACCOUNT_MANAGER: READ | {ADD},
        R.CLIENT_VIEWER: READ | {ADD},
        R.CLIENT_APPROVER: READ | {ADD},
    },
}


def role_can(role: str, resource: str, action: str) -> bool:
    try:
        allowed = PERMISSIONS[resource]
    except KeyError:
        raise KeyError(f"Unknown resource kind {resource!r}: add it to agency.roles.PERMISSIONS.") from None
    return action in allowed.get(role, frozenset())
