"""The role table, walked as a matrix against the clients API: every role × every action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.roles import ADD, CHANGE, CLIENT_ROLES, DELETE, PERMISSIONS, VIEW, Role, role_can
from clients.models import Client
from tests.factories import ClientFactory, MembershipFactory, UserFactory


def person(world, role):
    client = world.client_a1 if role in CLIENT_ROLES else None
    return MembershipFactory(agency=world.agency_a, role=role, client=client, user=UserFactory()).user


@pytest.mark.parametrize("role", list(Role))
def test_clients_api_obeys_the_role_table(world, api, role):
    user = person(world, role)
    allowed = PERMISSIONS["client"][role]
    target = world.client_a1

    listing = api(user).get(reverse("client-list"))
    assert listing.status_code == (200 if VIEW in allowed else 403)
    detail = api(user).get(reverse("client-detail", args=[target.pk]))
    assert detail.status_code == (200 if VIEW in allowed else 403)

    created = api(user).post(reverse("client-list"), {"name": f"New {role}", "kind": "brand"}, format="json")
    assert created.status_code == (201 if ADD in allowed else 403), created.content

    changed = api(user).patch(reverse("client-detail", args=[target.pk]), {"city": role}, format="json")
    assert changed.status_code == (200 if CHANGE in allowed else 403)

    victim = ClientFactory(agency=world.agency_a)
    deleted = api(user).delete(reverse("client-detail", args=[victim.pk]))
    # A refused action answers 403 for any id, so it tells nothing about which rows exist.
    assert deleted.status_code == (204 if DELETE in allowed else 403)
    assert Client.dangerously_all_agencies.filter(pk=victim.pk).exists() == (DELETE not in allowed)


def test_analyst_is_read_only_everywhere():
    for resource, roles in PERMISSIONS.items():
        assert roles.get(Role.ANALYST, frozenset()) <= {VIEW}, resource


def test_client_people_never_delete_or_change_agency_records():
    for resource, roles in PERMISSIONS.items():
        for role in CLIENT_ROLES:
            assert not roles.get(role, frozenset()) & {CHANGE, DELETE}, (resource, role)


def test_unknown_resource_kind_is_an_error_not_a_denial():
    with pytest.raises(KeyError):
        role_can(Role.AGENCY_ADMIN, "no-such-resource", VIEW)
