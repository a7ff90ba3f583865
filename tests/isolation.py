"""The shared API test mixin that proves an endpoint never crosses agencies or clients.

An app's API test configures it (NetBox's ``APIViewTestCases`` is the model); rows are made
by ``tests.factories.ROW_MAKERS`` unless the test overrides ``make``::

    class TestClientAPI(TenantAPITestCases):
        basename = "client"
        model = Client

        def create_payload(self, world):         # a valid body for a new row in agency A
            return {"name": "New", "kind": "brand"}

        def update_payload(self, world, obj):    # a valid PATCH body
            return {"city": "Chengdu"}

Every test runs against the ``world`` fixture: agency A (clients a1 and a2, staff_a, client people
of a1) and agency B (client b, staff_b). ``create_payload = None`` marks a read-only endpoint.
The world's rows are made once per class, in a transaction rolled back after its last test; each
test runs in a savepoint of it (pytest-django's ``db``), rolled back after it, and is given fresh
instances of the rows, so it starts from the same rows as if they had been made for it alone.
``tests/agency/test_architecture.py`` fails when a tenant model has no such test.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from agency.models import TenantModel
from agency.roles import CHANGE, DELETE, role_can
from agency.tenancy import dangerously_all_agencies
from tests.conftest import World, build_world
from tests.factories import ClientFactory, make_row


def result_ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return {row["id"] for row in rows}


def snapshot(obj) -> dict:
    fresh = type(obj).dangerously_all_agencies.get(pk=obj.pk)
    return {k: str(v) for k, v in model_to_dict(fresh).items()}


class TenantAPITestCases:
    basename: str = ""
    model: type[TenantModel] = None
    client_scoped = True  # rows belong to a client (client people see their own client's)

    # --- the world, made once for the class ---------------------------------------------------
    @pytest.fixture(scope="class")
    @classmethod
    def _world_of_the_class(cls, django_db_setup, django_db_blocker) -> World:
        with django_db_blocker.unblock():
            block = transaction.atomic()
            block.__enter__()
        try:
            with django_db_blocker.unblock():
                built = build_world()
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                block.__exit__(None, None, None)

    @pytest.fixture
    def world(self, _world_of_the_class, db) -> World:
        return _world_of_the_class.fresh()

    # --- to configure -----------------------------------------------------------------------
    def make(self, agency, client):
        """One row of ``agency`` for ``client``; by default from ``tests.factories.ROW_MAKERS``."""
        return make_row(self.model, agency=agency, client=client)

    def create_payload(self, world) -> dict | None:
        return None

    def update_payload(self, world, obj) -> dict | None:
        return None

    def foreign_payloads(self, world) -> dict[str, dict]:
        """Create bodies that point one relation at agency B's row: {field: body}. By default
        every relation in ``create_payload`` that names a tenant row gets B's twin."""
        payload = self.create_payload(world)
        if payload is None:
            return {}
        out = {}
        for name in payload:
            field = next((f for f in self.model._meta.fields if f.name == name), None)
            if field is None or not field.is_relation or not issubclass(field.related_model, TenantModel):
                continue
            twin = make_row(field.related_model, agency=world.agency_b, client=world.client_b)
            out[name] = {**payload, name: twin.pk}
        return out

    # --- helpers ----------------------------------------------------------------------------
    def refused(self, user, action: str, method: str) -> set[int]:
        """The statuses that prove nothing crossed: 404 always; 403/405 only where the person's
        role (or the endpoint) does not offer ``action`` at all, for any row."""
        from agency.api.routers import router
        from agency.models import Membership

        viewset = next(v for _p, v, b in router.registry if b == self.basename)
        membership = Membership.objects.get(user=user)
        statuses = {404}
        if not role_can(membership.role, viewset.resource, action):
            statuses.add(403)
        if method not in viewset.http_method_names:
            statuses |= {403, 405}
        return statuses

    def list_url(self):
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj):
        return reverse(f"{self.basename}-detail", args=[obj.pk])

    def rows(self, world):
        return {
            "a1": self.make(world.agency_a, world.client_a1),
            "a2": self.make(world.agency_a, world.client_a2),
            "b": self.make(world.agency_b, world.client_b),
        }

    def count_all(self):
        with dangerously_all_agencies():
            return self.model.dangerously_all_agencies.count()

    # --- the proofs -------------------------------------------------------------------------
    def test_list_shows_only_own_agency(self, world, api):
        rows = self.rows(world)
        response = api(world.staff_a).get(self.list_url(), {"page_size": 500})
        assert response.status_code == 200, response.content
        ids = result_ids(response)
        assert {rows["a1"].pk, rows["a2"].pk} <= ids
        assert rows["b"].pk not in ids
        with dangerously_all_agencies():
            assert not self.model.dangerously_all_agencies.filter(pk__in=ids).exclude(agency=world.agency_a).exists()

    def test_retrieve_other_agency_is_404(self, world, api):
        rows = self.rows(world)
        assert api(world.staff_a).get(self.detail_url(rows["b"])).status_code == 404
        assert api(world.staff_a).get(self.detail_url(rows["a1"])).status_code == 200

    def test_update_other_agency_is_404_and_row_unchanged(self, world, api):
        rows = self.rows(world)
        body = self.update_payload(world, rows["b"]) or {}
        before = snapshot(rows["b"])
        for method in ("patch", "put"):
            response = getattr(api(world.staff_a), method)(self.detail_url(rows["b"]), body, format="json")
            assert response.status_code in self.refused(world.staff_a, CHANGE, method), (method, response.status_code)
        assert snapshot(rows["b"]) == before

    def test_delete_other_agency_is_404_and_row_kept(self, world, api):
        rows = self.rows(world)
        response = api(world.staff_a).delete(self.detail_url(rows["b"]))
        assert response.status_code in self.refused(world.staff_a, DELETE, "delete")
        assert self.model.dangerously_all_agencies.filter(pk=rows["b"].pk).exists()

    def test_client_person_sees_only_own_client(self, world, api):
        rows = self.rows(world)
        for person in (world.viewer_a1, world.approver_a1):
            response = api(person).get(self.list_url(), {"page_size": 500})
            assert response.status_code in (200, 403)
            if response.status_code == 403:
                continue
            ids = result_ids(response)
            if self.client_scoped:
                assert rows["a1"].pk in ids
            assert rows["a2"].pk not in ids and rows["b"].pk not in ids
            assert api(person).get(self.detail_url(rows["a2"])).status_code == 404
            assert api(person).get(self.detail_url(rows["b"])).status_code == 404
            before = snapshot(rows["a2"])
            api(person).patch(self.detail_url(rows["a2"]), self.update_payload(world, rows["a2"]) or {}, format="json")
            api(person).delete(self.detail_url(rows["a2"]))
            assert snapshot(rows["a2"]) == before

    def assert_create_refused(self, world, api) -> None:
        """A read-only endpoint refuses every POST and creates nothing."""
        before = self.count_all()
        response = api(world.staff_a).post(self.list_url(), {"agency": world.agency_b.pk}, format="json")
        assert response.status_code in (403, 405), response.status_code
        assert self.count_all() == before

    def test_foreign_key_to_other_agency_is_400_and_nothing_created(self, world, api):
        bodies = self.foreign_payloads(world)
        if self.create_payload(world) is None:
            return self.assert_create_refused(world, api)
        if not bodies:
            pytest.skip(f"The create body of {self.model._meta.label} names no row of the agency: nothing to cross.")
        for field, body in bodies.items():
            before = self.count_all()
            response = api(world.staff_a).post(self.list_url(), body, format="json")
            assert response.status_code == 400, (field, response.content)
            assert field in response.json()["error"]["fields"], response.json()
            assert self.count_all() == before

    def test_agency_in_body_is_ignored(self, world, api):
        payload = self.create_payload(world)
        if payload is None:
            return self.assert_create_refused(world, api)
        response = api(world.staff_a).post(self.list_url(), {**payload, "agency": world.agency_b.pk}, format="json")
        assert response.status_code == 201, response.content
        created = self.model.dangerously_all_agencies.get(pk=response.json()["id"])
        assert created.agency_id == world.agency_a.pk

    def test_filtering_by_other_agency_ids_matches_nothing(self, world, api):
        rows = self.rows(world)
        response = api(world.staff_a).get(self.list_url(), {"id": str(rows["b"].pk)})
        assert response.status_code == 200
        assert result_ids(response) == set()
        # Every relation filter refuses, or matches nothing for, agency B's row.
        for field in self.model._meta.fields:
            if not field.is_relation or not issubclass(field.related_model, TenantModel):
                continue
            target = getattr(rows["b"], field.name)
            if target is None:
                continue
            response = api(world.staff_a).get(self.list_url(), {field.name: target.pk})
            assert response.status_code in (200, 400)
            if response.status_code == 200:
                assert rows["b"].pk not in result_ids(response)

    def test_anonymous_is_refused(self, world, api):
        rows = self.rows(world)
        assert api().get(self.list_url()).status_code in (401, 403)
        assert api().get(self.detail_url(rows["a1"])).status_code in (401, 403)
        payload = self.create_payload(world)
        if payload is not None:
            before = self.count_all()
            assert api().post(self.list_url(), payload, format="json").status_code in (401, 403)
            assert self.count_all() == before

    def test_list_query_count_is_constant(self, world, api):
        def queries_for_list() -> int:
            client = api(world.staff_a)
            # The page's own queries: nothing served from the answer cache.
            with override_settings(ANSWER_CACHE=False), CaptureQueriesContext(connection) as ctx:
                response = client.get(self.list_url(), {"page_size": 100})
            assert response.status_code == 200
            return len(ctx.captured_queries)

        def add(count: int) -> None:
            for _ in range(count):
                self.make(world.agency_a, ClientFactory(agency=world.agency_a))

        add(3)
        with_three = queries_for_list()
        add(27)
        assert queries_for_list() == with_three
