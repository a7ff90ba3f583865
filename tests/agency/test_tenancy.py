"""The tenant core fails closed and restores scope; the escape hatch is explicit."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from agency.models import Agency, SameClient, TenantModel
from agency.tenancy import (
    TenantContextMissing,
    TenantMismatch,
    current_agency,
    dangerously_all_agencies,
    tenant_context,
)
from clients.models import Client, PlatformAccount
from tests.factories import ClientFactory, PlatformAccountFactory


def test_query_with_no_agency_in_context_raises(world):
    with pytest.raises(TenantContextMissing):
        list(Client.objects.all())
    with pytest.raises(TenantContextMissing):
        Client.objects.count()
    with pytest.raises(TenantContextMissing):
        Client.objects.filter(name="x").exists()
    with pytest.raises(TenantContextMissing):
        Client.objects.update(city="x")
    with pytest.raises(TenantContextMissing):
        Client.objects.all().delete()
    with pytest.raises(TenantContextMissing):
        list(world.client_a1.accounts.all())
    assert Client.dangerously_all_agencies.filter(city="x").count() == 0


def test_an_empty_queryset_needs_no_agency(world):
    """``.none()`` reads nothing: a placeholder of a form or a serializer needs no escape hatch."""
    assert list(Client.objects.none()) == []
    assert Client.objects.none().count() == 0
    assert not Client.objects.none().filter(name="x").exists()
    assert Client.objects.none().update(city="x") == 0
    with pytest.raises(TenantContextMissing):
        list(Client.objects.none() | Client.objects.all())


def test_a_queryset_built_without_context_raises_even_when_run_inside_one(world):
    built_outside = Client.objects.all()
    with tenant_context(world.agency_a), pytest.raises(TenantContextMissing):
        list(built_outside)


def test_context_limits_every_query_to_its_agency(world):
    with tenant_context(world.agency_a):
        assert set(Client.objects.values_list("name", flat=True)) == {"A1 hotpot", "A2 tea"}
        assert not Client.objects.filter(pk=world.client_b.pk).exists()
        assert Client.objects.filter(pk=world.client_b.pk).update(city="hacked") == 0
    world.client_b.refresh_from_db()
    assert world.client_b.city == ""


def test_context_is_restored_after_the_block_even_on_error(world):
    assert current_agency() is None
    with pytest.raises(ZeroDivisionError), tenant_context(world.agency_a):
        with tenant_context(world.agency_b):
            assert current_agency() == world.agency_b
        assert current_agency() == world.agency_a
        1 / 0  # noqa: B018
    assert current_agency() is None


def test_saving_a_row_inside_another_agency_is_refused(world):
    with tenant_context(world.agency_a), pytest.raises(TenantMismatch):
        world.client_b.save()


def test_a_new_row_takes_the_agency_in_context(world):
    with tenant_context(world.agency_b):
        client = Client.objects.create(name="Made in B", kind="brand")
    assert client.agency_id == world.agency_b.pk


def test_a_new_row_with_no_agency_anywhere_is_refused(db):
    with pytest.raises(TenantContextMissing):
        Client(name="Nobody's", kind="brand").save()


def test_clean_refuses_a_foreign_key_to_another_agency(world):
    account = PlatformAccount(agency=world.agency_a, client=world.client_b, platform="douyin", handle="x")
    with tenant_context(world.agency_a), pytest.raises(ValidationError) as info:
        account.full_clean()
    assert "client" in info.value.message_dict


def test_visible_to_limits_client_people_to_their_client(world):
    from agency.models import Membership

    PlatformAccountFactory(client=world.client_a1)
    PlatformAccountFactory(client=world.client_a2)
    actor = Membership.objects.get(user=world.viewer_a1).as_actor()
    with tenant_context(world.agency_a, actor):
        assert {a.client_id for a in PlatformAccount.objects.visible_to(actor)} == {world.client_a1.pk}
        assert list(Client.objects.visible_to(actor)) == [world.client_a1]


def test_escape_hatch_reads_across_agencies_only_when_named(world):
    with dangerously_all_agencies():
        assert Client.objects.count() == 3
    assert Client.dangerously_all_agencies.count() == 3
    ClientFactory(agency=Agency.objects.get(slug="agency-b"))
    assert Client.dangerously_all_agencies.filter(agency__slug="agency-b").count() == 2


def test_every_same_client_rule_names_a_parent_that_carries_a_client():
    for model in apps.get_models():
        if not issubclass(model, TenantModel) or not model.same_client_as:
            continue
        model._meta.get_field("client")
        for entry in model.same_client_as:
            field = model._meta.get_field(entry.relation if isinstance(entry, SameClient) else entry)
            assert field.many_to_one or field.one_to_one, (model, field)
            field.related_model._meta.get_field("client")
