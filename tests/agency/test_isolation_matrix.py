"""The isolation matrix: every API route × method × principal × object.

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

The world is built once for the module (``tests.agency.api_world``) and every request runs in a
savepoint that is rolled back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.test import APIClient, APIRequestFactory

from accounts_ops.models import Conversation
from agency.api.routers import router
from agency.models import TenantModel
from agency.permissions import METHOD_ACTIONS
from agency.roles import ADD, VIEW, role_can
from clients.models import Client, PlatformAccount
from tests.agency.api_world import (
    OBJECTS,
    PRINCIPALS,
    ApiWorld,
    Principal,
    foreign_checksum,
    models_of_tables,
    module_world,
    rolled_back,
    tracking_writes,
)

# The database is set up for the marked tests; the world is built once, inside it, for the module.
pytestmark = pytest.mark.django_db

ROW = "row"  # a custom action on one row (detail=True)


@dataclass(frozen=True)
class Collection:
    """A custom action on the collection. When it refers to a row (``model``), it is sent once per
    object with ``query``/``body`` built from that row, and a row the principal may not see must
    be refused (400 naming ``field``, or 404)."""

    model: type | None = None
    query: Callable | None = None
    body: Callable | None = None
    field: str = ""


def _bulk_body(account):
    item = {"platform_message_id": "matrix-1", "sender_uid": "u1", "received_at": "2026-01-05T10:00:00Z"}
    return {"account": account.pk, "messages": [item]}


# Every viewset registered on the router (by basename) with its custom actions. A route that is
# not here fails the first test below.
MATRIX: dict[str, dict[str, object]] = {
    # clients
    "client": {"dashboard": ROW, "overview": Collection()},
    # notifications (a person's own)
    "notification": {"read": ROW, "read-all": Collection()},
    "platformaccount": {},
    "video": {},
    "clientrequirement": {"accept": ROW, "decline": ROW, "fulfil": ROW, "evidence": ROW},
    # the standard's conformance
    "conformancesnapshot": {
        "evaluate": Collection(Client, query=lambda c: {"client": c.pk, "period": "2026-01"}, field="client"),
    },
    "conformancereport": {},
    # chapter 5
    "videoproject": {"advance": ROW, "move-back": ROW, "publish": ROW, "readiness": ROW},
    "script": {"approve": ROW, "request-changes": ROW, "submit": ROW},
    "storyboardshot": {},
    "shoot": {},
    "clip": {"download": ROW},
    "cut": {"download": ROW},
    "postproductionstep": {"download": ROW},
    "reviewround": {"approve": ROW, "request-changes": ROW},
    "reviewcomment": {"reopen": ROW, "resolve": ROW},
    "stagetransition": {},
    "publication": {"cancel": ROW},
    # chapter 6
    "accountdirection": {},
    "profilechange": {
        "apply": ROW,
        "approve": ROW,
        "image": ROW,
        "reject": ROW,
        "baseline": Collection(
            PlatformAccount,
            body=lambda a: {"account": a.pk, "field": "bio", "applied_on": "2026-01-05", "after_text": "Hotpot"},
            field="account",
        ),
        "current": Collection(PlatformAccount, query=lambda a: {"account": a.pk}, field="account"),
    },
    "pinnedvideo": {"unpin": ROW, "flagged-accounts": Collection()},
    "boosttask": {},
    "boostrecord": {},
    "autoreplysettings": {"rotate-secret": ROW},
    "replyrule": {
        "try-message": Collection(PlatformAccount, body=lambda a: {"account": a.pk, "text": "hours"}, field="account"),
    },
    "inboxmessage": {
        "close": ROW,
        "reply": ROW,
        "bulk": Collection(PlatformAccount, body=_bulk_body, field="account"),
        "douyin-webhook": "public",  # signed, no login: test_douyin_webhooks_reveal_nothing
    },
    "outboxreply": {"mark-failed": ROW, "mark-sent": ROW},
    "poilink": {},
    "groupbuydeal": {},
    "locallifeenablement": {},
    "promotiontask": {"cancel": ROW, "complete": ROW},
    "adcampaign": {"results": ROW},
    "adspend": {},
    "adbudgetapproval": {},
    # chapter 7 and the platform data (accounts_ops)
    "videocomment": {
        "assign": ROW,
        "handle": ROW,
        "hide": ROW,
        "unhide": ROW,
        "pin": ROW,
        "unpin": ROW,
        "reply": ROW,
        "bulk": Collection(),
        "guide": Collection(),
        "douyin-webhook": "public",  # signed, no login: test_douyin_webhooks_reveal_nothing
    },
    "commentaction": {"mark-done": ROW, "mark-failed": ROW},
    "opinionalert": {"handle": ROW},
    # the one inbox over 6.4 and 7.1
    "conversation": {
        "reply": ROW,
        "assign": ROW,
        "handle": ROW,
        "hide": ROW,
        "bulk": Collection(
            Conversation,
            body=lambda c: {"conversations": [c.pk], "action": "assign", "assignee": None},
            field="conversations",
        ),
    },
    "savedreply": {},
    "hottopic": {"bulk": Collection()},
    "contentplan": {},
    "contentplantopic": {},
    "audiencesnapshot": {"bulk": Collection()},
    "audiencepersonareport": {"request": Collection()},
    "ippersona": {},
    "accountdailymetric": {"bulk": Collection()},
    "videodailymetric": {"bulk": Collection()},
    "dataimport": {"upload": Collection()},
    # chapter 8
    "livesession": {"cancel": ROW, "end": ROW, "start": ROW},
    "liveproduct": {},
    "runsheetsegment": {},
    "liveteamassignment": {},
    "livesessionresult": {},
    "influencer": {},
    "storevisitcampaign": {},
    "storevisitbooking": {"advance": ROW, "cancel": ROW, "results": ROW},
    "adverseevent": {},
    "accountvaluation": {"recompute": ROW, "verify": ROW},
    "valuationfactor": {},
    # chapter 9 (records)
    "asset": {"check-in": ROW, "check-out": ROW, "void": ROW, "export": Collection()},
    "assetcheckout": {"void": ROW, "export": Collection()},
    "dailyinspection": {"complete": ROW, "void": ROW, "export": Collection()},
    "inspectionfollowup": {"resolve": ROW, "void": ROW, "export": Collection()},
    "usagerecord": {"void": ROW, "export": Collection()},
    "statisticsreport": {"file": ROW, "void": ROW, "export": Collection()},
    "workassessmentreport": {"file": ROW, "void": ROW, "export": Collection()},
    "imagerecord": {"image": ROW, "thumbnail": ROW, "void": ROW, "export": Collection()},
    "auditevent": {"export": Collection()},
    "exportjob": {"download": ROW},
    # chapter 10
    "evaluationcampaign": {"close": ROW, "launch": ROW, "qr": ROW, "reschedule": ROW, "results": ROW},
    "surveyinvitation": {},
    "surveyresponse": {},
    "surveyanswer": {},
    "serviceguarantee": {},
    "complaint": {"confirm": ROW, "resolve": ROW, "respond": ROW},
    "improvementcycle": {"thread": ROW},
    "improvementaction": {"cancel": ROW, "complete": ROW},
    "questionnairetemplate": {"new-version": ROW, "publish": ROW, "retire": ROW},
    "question": {},
    # the platform connectors
    "connection": {
        "authorise": Collection(PlatformAccount, body=lambda a: {"account": a.pk}, field="account"),
        "disconnect": ROW,
    },
    "syncrun": {},
    "delivery": {},
}

# Areas other people are writing now (records, chapter 7): their entries may run ahead of their routes.
PENDING = {
    "videocomment",
    "commentaction",
    "opinionalert",
    "hottopic",
    "contentplan",
    "contentplantopic",
    "audiencesnapshot",
    "audiencepersonareport",
    "ippersona",
    "accountdailymetric",
    "videodailymetric",
    "dataimport",
    "asset",
    "assetcheckout",
    "dailyinspection",
    "inspectionfollowup",
    "usagerecord",
    "statisticsreport",
    "workassessmentreport",
    "imagerecord",
    "auditevent",
    "exportjob",
}

# Routes under /api/ that are not tenant data: the schema, its docs, the router's index of links,
# the token endpoint (its lockout has its own tests in test_login_security.py) and the health checks
# (tests/agency/test_health.py).
NOT_TENANT_DATA = {"api-root", "api-schema", "api-docs", "api-token", "api-health", "api-health-node"}
# Signed by the platform app's secret, no login; it stores an event for the agencies that connected
# the account it names, and answers nothing of them (tests/platforms/test_webhooks.py).
NOT_TENANT_DATA |= {"platforms-webhook-douyin"}
# API tokens are not tenant rows (a person's own, or an agency's integrations read by agency): who
# sees and revokes which is tested in tests/agency/test_api_tokens.py.
NOT_TENANT_DATA |= {
    "api-token-refresh",
    "api-tokens",
    "api-tokens-detail",
    "api-integration-tokens",
    "api-integration-tokens-detail",
}
# The settings of the agency the request acts in, not a row named by id: who reads and changes them,
# and that another agency's stay as they were, is tested in tests/agency/test_two_step_required.py.
NOT_TENANT_DATA |= {"api-agency-settings"}
# A query over many tables, not a row named by id: that it stays in the agency and the client, and
# keeps to the kinds a role may view, is tested in tests/search/test_search.py.
NOT_TENANT_DATA |= {"api-search"}


# --- the routes -------------------------------------------------------------------------------


def api_route_names() -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return {name for route, name in walk(get_resolver().url_patterns) if route.startswith("api/")}


def classified_route_names() -> dict[str, str]:
    """Route name -> basename, for every route MATRIX describes."""
    out = {}
    for basename, actions in MATRIX.items():
        for suffix in ("list", "detail", *actions):
            out[f"{basename}-{suffix}"] = basename
    return out


def viewsets() -> dict[str, type]:
    return {basename: viewset for _prefix, viewset, basename in router.registry}


@dataclass
class Route:
    name: str
    basename: str
    viewset: type
    suffix: str  # list, detail or the custom action's url_name
    detail: bool
    methods: tuple[str, ...]  # the methods the route maps
    kind: object = None

    def offered(self, method: str) -> bool:
        return method in self.methods and method in self.viewset.http_method_names

    def action(self, method: str) -> str:
        if self.suffix in ("list", "detail"):
            return METHOD_ACTIONS[method.upper()]
        extra = next(a for a in self.viewset.get_extra_actions() if a.url_name == self.suffix)
        return extra.kwargs.get("required_action") or METHOD_ACTIONS[method.upper()]

    def url(self, pk=None) -> str:
        return reverse(self.name, args=[pk] if self.detail else [])


def routes() -> list[Route]:
    present = api_route_names()
    out = []
    for basename, viewset in viewsets().items():
        actions = {a.url_name: a for a in viewset.get_extra_actions()}
        table = MATRIX.get(basename, {})
        for suffix in ("list", "detail", *actions):
            name = f"{basename}-{suffix}"
            if name not in present:
                continue
            if suffix == "list":
                route = Route(name, basename, viewset, suffix, False, ("get", "post"))
            elif suffix == "detail":
                route = Route(name, basename, viewset, suffix, True, ("get", "put", "patch", "delete"))
            else:
                extra = actions[suffix]
                route = Route(name, basename, viewset, suffix, extra.detail, tuple(extra.mapping), table.get(suffix))
            out.append(route)
    return out


def test_every_api_route_is_in_the_matrix():
    present = api_route_names() - NOT_TENANT_DATA
    classified = classified_route_names()
    unclassified = sorted(present - set(classified))
    assert not unclassified, (
        f"These API routes are not in the isolation matrix; add them to MATRIX in {__name__}: {unclassified}"
    )
    stale = sorted(name for name, basename in classified.items() if name not in present and basename not in PENDING)
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"


# --- the world ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # thousands of refusals by design; server errors still show
    try:
        with module_world(django_db_blocker, tmp_path_factory.mktemp("matrix-media")) as built:
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


@pytest.mark.parametrize("name", PRINCIPALS)
def test_no_route_crosses_tenants(matrix_db, name):
    world = matrix_db
    principal = world.principal(name)
    checker = run_matrix(world, principal)
    checker.check_untouched()
    assert checker.requests > 0
    failures = checker.failures
    shown = "\n".join(failures[:60])
    assert not failures, f"{principal.name}: {len(failures)} of {checker.requests} requests failed:\n{shown}"


# --- foreign ids in every writable relation of every create endpoint ----------------------------


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


def test_foreign_ids_in_every_writable_relation_are_refused(matrix_db):
    world = matrix_db
    failures, requests, relations = [], 0, 0
    for route in routes():
        if route.suffix != "list" or not route.offered("post"):
            continue
        model = route.viewset.model
        for name in CREATORS:
            principal = world.principal(name)
            if not role_can(principal.role, route.viewset.resource, ADD):
                continue
            checker = Checker(world, principal)
            base = own_row_body(checker, route, world.rows[model])
            for field, (related, many) in writable_relations(route, principal).items():
                for key, pk in foreign_twins(world, principal, related):
                    relations += 1
                    body = {**base, field: [pk] if many else pk}
                    label = f"POST {route.name} {field}=[{key}] as {name}"
                    before = model.dangerously_all_agencies.count()
                    with rolled_back():
                        response = checker.send("post", route.url(), label=label, body=body, model=model)
                        requests += 1
                        if not 400 <= response.status_code < 500:
                            checker.fail(label, response, "a foreign id was accepted")
                        elif response.status_code == 400 and field not in response.json()["error"].get("fields", {}):
                            checker.fail(label, response, f"refused, but not for {field!r}")
                        if model.dangerously_all_agencies.count() != before:
                            checker.fail(label, response, "a row was created")
            failures += checker.failures
    assert relations > 50, relations
    shown = "\n".join(failures[:60])
    assert not failures, f"{len(failures)} of {requests} requests failed:\n{shown}"


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


@pytest.mark.parametrize("route_name", PUBLIC_WEBHOOKS)
def test_douyin_webhooks_reveal_nothing(matrix_db, route_name):
    """A signed webhook: an unsigned or wrongly signed event for any account (of any agency, or
    none) gets the same refusal, names nothing, and stores nothing."""
    if route_name not in api_route_names():
        pytest.skip(f"{route_name} is not routed in this tree")
    world = matrix_db
    model = next(r.viewset.model for r in routes() if r.name == route_name)
    anonymous = world.principal("anonymous")
    checker = Checker(world, anonymous)
    accounts = {key: row.pk for key, row in world.rows[PlatformAccount].items()}
    accounts["none"] = max(accounts.values()) + 10_000
    event = {"event": "im_receive_msg", "content": {"server_message_id": "m1", "create_time": 1767225600000}}
    answers = set()
    before = model.dangerously_all_agencies.count()
    for key, account_id in accounts.items():
        url = reverse(route_name, kwargs={"account_id": account_id})
        for headers in ({}, {"HTTP_X_DOUYIN_SIGNATURE": "sha256=" + "0" * 64}):
            checker.requests += 1
            with rolled_back():
                response = checker.client.post(url, event, format="json", **headers)
                checker.check_answer(f"POST webhook [{key}]", response, None)
                answers.add((response.status_code, response.content))
    assert model.dangerously_all_agencies.count() == before
    assert len(answers) == 1, answers
    assert next(iter(answers))[0] == 401
    assert not checker.failures, checker.failures
    checker.check_untouched()


def test_public_survey_reveals_nothing_of_other_rows(matrix_db):
    """The public survey (a link's token is the key): it shows its own campaign's questionnaire
    and its own client's name only; an unknown token answers 404 with nothing in it."""
    from evaluation.models import EvaluationCampaign

    world = matrix_db
    anonymous = world.principal("anonymous")
    checker = Checker(world, anonymous)
    campaign = world.rows[EvaluationCampaign]["a1"]
    own_name = campaign.client.name.encode()
    checker.foreign_names = [n for n in checker.foreign_names if n != own_name]
    for token in (campaign.public_token, "no-such-token"):
        if not token:
            continue
        url = reverse("evaluation:public-survey-api", args=[token])
        response = checker.send("get", url, label=f"GET public survey [{token[:6]}]", model=None)
        assert response.status_code in (200, 404, 410), response.status_code
        if token == "no-such-token":
            assert response.status_code == 404
            assert campaign.client.name not in response.content.decode()
        data = response.json()
        ids = [item["id"] for item in walk_dicts(data) if "id" in item]
        assert not ids, f"the public survey shows row ids: {ids}"
    assert not checker.failures, checker.failures
    checker.check_untouched()


def test_the_world_has_rows_for_every_routed_model(matrix_db):
    world = matrix_db
    missing = sorted({r.viewset.model.__name__ for r in routes() if r.viewset.model not in world.rows})
    assert not missing, f"no row maker for {missing}"
