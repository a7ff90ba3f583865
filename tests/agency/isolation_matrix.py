"""The isolation matrix, shared by its test modules (tests/agency/test_isolation_matrix*.py, each
for some of the principals, so that the suite's xdist workers, which take a module whole, share
them out): every API route × method × principal × object.

Routes come from the URL resolver (everything under ``/api/``); a route missing from ``MATRIX``
fails ``test_every_api_route_is_in_the_matrix``, so an endpoint added later without coverage
breaks the suite. Principals: anonymous, each staff role of agency A, a client viewer and a client
approver of client a1, and an agency admin of agency B. Objects: a row of every model for client
a1 (own), for client a2 (same agency, other client) and for agency B's client b (other agency).

For every request: no server error; no row of another tenant (for client people: of another
client) in the answer, by id and by every ``client``/``agency`` field; a row the principal may not
see answers 404 (403/405 only where the role or the endpoint does not offer the action at all);
and whatever the principal may not see is unchanged (a checksum of those rows, read past every
scope, taken before the request's savepoint is rolled back). Foreign ids in every writable
relation of every create endpoint answer 4xx and create nothing.

The world is built once for each module (``tests.agency.api_world``) and every request runs in a
savepoint that is rolled back. The answer cache takes the world as committed once it is built
(``module_world(as_committed=True)``): a request finds the answers kept by the requests before it
(the person's actor, whether they need two-step sign-in) as it would in production, instead of
computing them all as inside a transaction that has written (about a quarter of each request's
time); a request that writes computes its answers, as in production.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.test import APIClient, APIRequestFactory

from agency.models import TenantModel
from agency.roles import VIEW, role_can
from clients.models import Client
from tests.agency.api_world import (
    OBJECTS,
    ApiWorld,
    Principal,
    foreign_checksum,
    models_of_tables,
    module_world,
    rolled_back,
    tracking_writes,
)
from tests.agency.isolation_routes import (
    Collection,
    Route,
    routes,
)

# The principals of each test module (``test_no_route_crosses_tenants``); together, every one of
# ``PRINCIPALS`` (test_isolation_matrix.py checks it).
MATRIX_MODULES = {
    "test_isolation_matrix": ("anonymous", "admin_a", "manager_a", "producer_a"),
    "test_isolation_matrix_staff": ("operator_a", "live_a", "analyst_a", "admin_b"),
    "test_isolation_matrix_clients": ("viewer_a1", "approver_a1"),
}


def principals_of(module: str) -> tuple[str, ...]:
    """The principals test module ``module`` (its ``__name__``) checks."""
    return MATRIX_MODULES[module.rsplit(".", 1)[-1]]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # thousands of refusals by design; server errors still show
    try:
        with module_world(django_db_blocker, tmp_path_factory.mktemp("matrix-media"), as_committed=True) as built:
            BASELINES.clear()
            yield built
            BASELINES.clear()
    finally:
        request_log.setLevel(level)


@pytest.fixture(autouse=True)
def _world_media(_media_root, settings, world):
    """The world's files stay where it wrote them (the suite's autouse fixture moves MEDIA_ROOT)."""
    settings.MEDIA_ROOT = world.media_root


@pytest.fixture
def matrix_db(world, django_db_blocker):
    """Database access for one test, inside the module's world, rolled back after it."""
    with django_db_blocker.unblock(), rolled_back():
        yield world


def client_for(principal: Principal) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if principal.user is not None:
        client.force_authenticate(user=principal.user)
    return client


# --- the checks ---------------------------------------------------------------------------------


BASELINES: dict[str, dict] = {}  # principal -> checksum of what it may not see, in the world as built


class Checker:
    """Sends one request inside a rolled-back savepoint and checks its answer."""

    def __init__(self, world: ApiWorld, principal: Principal):
        self.world = world
        self.principal = principal
        self.client = client_for(principal)
        self.failures: list[str] = []
        self.requests = 0
        if principal.name not in BASELINES:
            BASELINES[principal.name] = foreign_checksum(world, principal)
        self.baseline = BASELINES[principal.name]
        self.foreign_names = [n.encode() for n in world.foreign_client_names(principal)]

    def fail(self, label: str, response, reason: str) -> None:
        body = response_bytes(response)[:300].decode("utf-8", "replace")
        self.failures.append(f"{label} -> {response.status_code}: {reason} | {body}")

    def send(self, method: str, url: str, *, label: str, model=None, query=None, body=None, expect=None):
        self.requests += 1
        with rolled_back(), tracking_writes() as written:
            try:
                if method == "get":
                    response = self.client.get(url, query or {})
                else:
                    response = getattr(self.client, method)(url, body if body is not None else {}, format="json")
            except Exception as exc:  # the test client re-raises what the view raised: a 500
                self.failures.append(f"{label} -> 500: {type(exc).__name__}: {safe_str(exc)[:200]}")
                return ServerError()
            if expect is not None and response.status_code not in expect:
                self.fail(label, response, f"expected one of {sorted(expect)}")
            elif response.status_code >= 500:
                self.fail(label, response, "server error")
            self.check_answer(label, response, model)
            touched = models_of_tables(written.tables)
            if touched:
                after = foreign_checksum(self.world, self.principal, touched)
                changed = [label_ for label_, digest in after.items() if digest != self.baseline.get(label_)]
                if changed:
                    self.fail(label, response, f"rows the principal may not see changed in {changed}")
        return response

    def check_answer(self, label: str, response, model) -> None:
        raw = response_bytes(response)
        for name in self.foreign_names:
            if name in raw:
                self.fail(label, response, f"the answer names another tenant's client {name.decode()!r}")
        if not response.get("Content-Type", "").startswith("application/json") or not raw:
            return
        data = json.loads(raw)
        principal, world = self.principal, self.world
        allowed_clients = world.allowed_client_ids(principal)
        for item in walk_dicts(data):
            if "id" not in item:
                continue  # not a row (a count named "client" in a summary, say)
            agency = item.get("agency")
            if isinstance(agency, int) and not isinstance(agency, bool) and agency != principal.agency_id:
                self.fail(label, response, f"a row of agency {agency}")
            client = item.get("client")
            is_id = isinstance(client, int) and not isinstance(client, bool)
            if is_id and client not in allowed_clients and client not in world.visible_pks(principal, Client):
                self.fail(label, response, f"a row of client {client}")
        if model is None or not (200 <= response.status_code < 300):
            return
        ids = {row["id"] for row in top_level_rows(data) if isinstance(row.get("id"), int)}
        unknown = ids - world.world_visible(principal, model)
        if unknown and unknown - world.visible_pks(principal, model):
            self.fail(label, response, f"{model.__name__} rows {sorted(unknown)} the principal may not see")

    def check_untouched(self) -> None:
        after = foreign_checksum(self.world, self.principal)
        changed = [label for label, digest in after.items() if digest != self.baseline[label]]
        assert not changed, f"{self.principal.name}: rows it may not see changed in {changed}"


def safe_str(exc: Exception) -> str:
    try:
        return str(exc)
    except Exception:  # some exceptions cannot even say what they are
        return repr(exc.args[0])[:200] if exc.args else ""


class ServerError:
    """What ``send`` answers when the view raised."""

    status_code = 500
    content = b""

    def get(self, name, default=None):
        return default

    def json(self):
        return {}


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        if not hasattr(response, "_matrix_body"):
            response._matrix_body = b"".join(response.streaming_content)
        return response._matrix_body
    return response.content


def walk_dicts(data):
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from walk_dicts(value)
    elif isinstance(data, list):
        for value in data:
            yield from walk_dicts(value)


def top_level_rows(data) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return [r for r in data["results"] if isinstance(r, dict)]
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if isinstance(data, dict) and "error" not in data:
        return [data]
    return []


def refusals(principal: Principal, route: Route, method: str) -> set[int]:
    """What a request about a row ``principal`` may not see may answer: 404; 403 where the role
    lacks the action for every row; 403/405 where the endpoint does not offer the method."""
    if principal.membership is None:
        return {401, 403}
    statuses = {404}
    if not role_can(principal.role, route.viewset.resource, route.action(method)):
        statuses.add(403)
    if not route.offered(method):
        statuses |= {403, 405}
    return statuses


# --- route × method × principal × object --------------------------------------------------------


def run_matrix(world: ApiWorld, principal: Principal) -> Checker:
    checker = Checker(world, principal)
    for route in routes():
        if route.kind == "public":
            continue
        model = route.viewset.model
        rows = world.rows.get(model)
        assert rows is not None, f"{model.__name__} has no row maker: register it in tests/<app>/factories.py"
        if route.suffix == "list":
            run_list(checker, route, rows)
        elif route.detail:
            run_detail(checker, route, rows)
        else:
            run_collection_action(checker, route)
    return checker


def assert_no_route_crosses(world: ApiWorld, name: str) -> None:
    """Every route as the principal ``name``: nothing of another tenant read, written or left
    touched, and at least one request made (each matrix module's test)."""
    principal = world.principal(name)
    checker = run_matrix(world, principal)
    checker.check_untouched()
    assert checker.requests > 0
    failures = checker.failures
    shown = "\n".join(failures[:60])
    assert not failures, f"{principal.name}: {len(failures)} of {checker.requests} requests failed:\n{shown}"


def is_visible(world: ApiWorld, principal: Principal, row) -> bool:
    return row.pk in world.world_visible(principal, type(row))


def run_list(checker: Checker, route: Route, rows: dict) -> None:
    principal = checker.principal
    model = route.viewset.model
    url = route.url()
    anonymous = principal.membership is None
    expect = {401, 403} if anonymous else None
    response = checker.send("get", url, label=f"GET {route.name}", model=model, query={"page_size": 500}, expect=expect)
    if anonymous and not route.offered("post"):
        expect = {401, 403, 405}
    can_view = not anonymous and role_can(principal.role, route.viewset.resource, VIEW)
    if can_view and response.status_code != 200:
        checker.fail(f"GET {route.name}", response, "a person who may view the list was refused")
    if can_view:
        # Asking for rows by id never brings in one the principal may not see.
        query = {"id": ",".join(str(rows[key].pk) for key in OBJECTS), "page_size": 500}
        checker.send("get", url, label=f"GET {route.name}?id=[a1,a2,b]", model=model, query=query)
    checker.send("post", url, label=f"POST {route.name} {{}}", model=model, expect=expect)


# Row actions that answer with a row of another model (a check-out answers the check-out it made).
ANSWERED_WITH = {"asset-check-out": "records.AssetCheckout", "asset-check-in": "records.AssetCheckout"}


def run_detail(checker: Checker, route: Route, rows: dict) -> None:
    from django.apps import apps

    principal, world = checker.principal, checker.world
    model = apps.get_model(ANSWERED_WITH[route.name]) if route.name in ANSWERED_WITH else route.viewset.model
    for key in OBJECTS:
        row = rows[key]
        url = route.url(row.pk)
        visible = is_visible(world, principal, row)
        for method in route.methods:
            label = f"{method.upper()} {route.name} [{key}]"
            if principal.membership is None:
                expect = {401, 403} if route.offered(method) else {401, 403, 405}
                checker.send(method, url, label=label, model=model, expect=expect)
                continue
            action = route.action(method)
            allowed = role_can(principal.role, route.viewset.resource, action)
            if visible and method != "get" and (not allowed or key == "a2" and principal.client_id is None):
                # The role's refusal comes before any row is looked up (the rows it may not see
                # prove it); for staff, client a2's row is as much their own as a1's.
                continue
            expect = None if visible else refusals(principal, route, method)
            response = checker.send(method, url, label=label, model=model, expect=expect)
            if visible and method == "get" and route.suffix == "detail" and allowed and response.status_code != 200:
                checker.fail(label, response, "a row the principal may see was not shown")
        if principal.membership is None:
            break  # anonymous is refused before any row is looked up: one object is enough


def run_collection_action(checker: Checker, route: Route) -> None:
    principal, world = checker.principal, checker.world
    spec: Collection = route.kind if isinstance(route.kind, Collection) else Collection()
    anonymous = principal.membership is None
    for method in route.methods:
        label = f"{method.upper()} {route.name}"
        if spec.model is None:
            checker.send(method, route.url(), label=label, model=None, expect={401, 403} if anonymous else None)
            continue
        for key in OBJECTS:
            target = world.rows[spec.model][key]
            query = spec.query(target) if spec.query else None
            body = spec.body(target) if spec.body else None
            if anonymous:
                expect = {401, 403}
            elif is_visible(world, principal, target):
                expect = None
            else:
                expect = refusals(principal, route, method) | {400}
            response = checker.send(
                method, route.url(), label=f"{label} [{key}]", query=query, body=body, model=None, expect=expect
            )
            if expect and response.status_code == 400:
                fields = response.json().get("error", {}).get("fields", {})
                if spec.field not in fields:
                    checker.fail(f"{label} [{key}]", response, f"refused, but not for {spec.field!r}")


def writable_relations(route: Route, principal: Principal) -> dict[str, type]:
    """The create serializer's writable relations: field name -> related model."""
    request = APIRequestFactory().post(route.url(), {}, format="json")
    view = route.viewset(action="create", format_kwarg=None, kwargs={}, args=(), action_map={"post": "create"})
    view.request = view.initialize_request(request)
    view.request.user = principal.user
    view.actor = principal.actor
    serializer = view.get_serializer()
    out = {}
    for name, field in serializer.fields.items():
        target = field.child_relation if isinstance(field, ManyRelatedField) else field
        if isinstance(target, RelatedField) and not field.read_only and target.queryset is not None:
            out[name] = (target.queryset.model, isinstance(field, ManyRelatedField))
    return out


def foreign_twins(world: ApiWorld, principal: Principal, model) -> list[tuple[str, int]]:
    from django.contrib.auth import get_user_model

    if model is get_user_model():
        if principal.agency_id == world.agency_b.pk:
            return [("a person of agency A", world.principal("admin_a").user.pk)]
        return [("a person of agency B", world.principal("admin_b").user.pk)]
    if not (isinstance(model, type) and issubclass(model, TenantModel)) or model not in world.rows:
        return []
    return [(key, row.pk) for key, row in world.rows[model].items() if not is_visible(world, principal, row)]


CREATORS = ("admin_a", "manager_a", "producer_a", "operator_a", "live_a", "viewer_a1", "approver_a1", "admin_b")


WRITE_ONLY_SKIP = {"id", "created_at", "updated_at"}


def own_row_body(checker: Checker, route: Route, rows: dict) -> dict:
    """A create body modelled on a row the principal may see (so that only the relation is wrong)."""
    own = next((row for row in rows.values() if is_visible(checker.world, checker.principal, row)), None)
    if own is None:
        return {}
    detail = reverse(f"{route.basename}-detail", args=[own.pk])
    response = checker.client.get(detail)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("application/json"):
        return {}
    data = response.json()
    return {
        k: v
        for k, v in data.items()
        if k not in WRITE_ONLY_SKIP and v is not None and not (isinstance(v, str) and v.startswith("http"))
    }


# --- the public endpoints -----------------------------------------------------------------------


PUBLIC_WEBHOOKS = ["inboxmessage-douyin-webhook", "videocomment-douyin-webhook"]
