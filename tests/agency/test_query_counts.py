"""Queries per page: every list endpoint of the API, and the dashboards, send the same number of
queries with 3, 30 and 300 rows (no N+1 anywhere, whatever a page shows).

The world of the isolation matrix (``tests.agency.api_world``: a row of every tenant model for
clients a1, a2 and b) is built once; then each model's rows of client a1 are multiplied by bulk
copies of its a1 row (``clone_rows``) until agency A holds at least 3, then 30, then 300 of them,
and at each level every endpoint is asked for one page of up to 500 rows by agency A's admin and
the queries are counted. Copies keep their parent rows (one account for many metric rows, say)
and change what a unique constraint needs changed; a row whose unique relation points at another
row (a live session's result) gets a copy of that row too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

import pytest
from django.db import connection, models
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agency import twofactor
from agency.models import TenantModel
from agency.names import by_name, named
from agency.tenancy import tenant_context
from tests.agency.api_world import module_world
from tests.agency.isolation_routes import routes

pytestmark = pytest.mark.django_db

LEVELS = (3, 30, 300)
PAGE = {"page_size": 500}

# The pages that are not a model's list: a client's dashboard and the agency overview.
DASHBOARDS = {
    "client-dashboard": lambda world: reverse("client-dashboard", args=[world.clients["a1"].pk]),
    "client-overview": lambda world: reverse("client-overview"),
}

# Staff pages whose queries must not grow with the rows either: Today (a fixed number per section)
# and the clients list. (The overview and the conformance matrix evaluate the results not kept yet,
# per client shown: their counts are those of kept results, which this world does not keep.)
HTML_PAGES = {
    "home": lambda world: reverse("home"),
    "clients:client-list": lambda world: reverse("clients:client-list"),
}

DAYS_BEFORE_THE_WORLD = 400  # the factories date rows up to about a year back

# Values a copy must not keep, where a conditional unique constraint names only the agency.
COPY_OVERRIDES = {"evaluation.QuestionnaireTemplate": {"is_default": False}}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_world(django_db_blocker, tmp_path_factory.mktemp("counts-media")) as built:
        yield built


# --- copies -----------------------------------------------------------------------------------


def unique_sets(model) -> list[tuple[str, ...]]:
    sets = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint) and c.fields]
    sets += [tuple(names) for names in model._meta.unique_together]
    return sets


def changed_value(field, value, n: int):
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, (models.CharField, models.TextField)):
        if field.choices:
            return value
        text = f"{n}-{value}" if not isinstance(field, models.EmailField) else f"c{n}.{value}"
        return text[: field.max_length] if field.max_length else text
    if isinstance(field, (models.IntegerField, models.DecimalField)):
        return 10_000 + n  # past any value the world holds, and within a small integer
    return value


def copies_of(row, count: int, counter: dict) -> list[models.Model]:
    """``count`` unsaved copies of ``row`` that no unique constraint refuses (their unique relations
    point at new copies of their rows, made for all of them in one batch). ``counter`` numbers the
    copies of each model."""
    model = type(row)
    copies, numbers = [], []
    for _ in range(count):
        counter[model] += 1
        n = counter[model]
        copy = model(**{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key})
        # Every date moves back together (relative checks hold), before any date the world holds.
        shift = dt.timedelta(days=DAYS_BEFORE_THE_WORLD + n)
        for f in model._meta.concrete_fields:
            value = getattr(copy, f.attname)
            if isinstance(f, models.DateField) and value is not None:
                setattr(copy, f.attname, value - shift)
        copies.append(copy)
        numbers.append(n)
    for names in unique_sets(model):
        fields = [model._meta.get_field(name) for name in names]
        plain = [f for f in fields if not f.is_relation]
        if any(isinstance(f, (models.DateField, models.DateTimeField)) for f in plain):
            continue  # already moved
        texts = [f for f in plain if isinstance(f, (models.CharField, models.TextField, models.UUIDField))]
        texts = [f for f in texts if changed_value(f, getattr(row, f.attname), 1) != getattr(row, f.attname)]
        relations = [f for f in fields if f.is_relation and f.name != "agency" and getattr(row, f.attname) is not None]
        required = [f for f in relations if not f.null]
        integers = [f for f in plain if isinstance(f, (models.IntegerField, models.DecimalField))]
        # Text first, then a new parent row each (numbers often have a range), then numbers.
        if texts:
            for copy, n in zip(copies, numbers, strict=True):
                for f in texts:
                    setattr(copy, f.attname, changed_value(f, getattr(row, f.attname), n))
        elif required:
            parents = copies_of(getattr(row, required[0].name), count, counter)
            type(parents[0])._default_manager.bulk_create(parents, batch_size=500)
            for copy, parent in zip(copies, parents, strict=True):
                setattr(copy, required[0].attname, parent.pk)
        elif integers:
            for copy, n in zip(copies, numbers, strict=True):
                for f in integers:
                    setattr(copy, f.attname, changed_value(f, getattr(row, f.attname), n))
        else:
            for copy in copies:
                for f in relations:
                    setattr(copy, f.attname, None)
    for copy in copies:
        for name, value in COPY_OVERRIDES.get(model._meta.label, {}).items():
            setattr(copy, name, value)
    return copies


def clone_rows(world, level: int, counter: dict) -> None:
    """Top up every tenant model's rows in agency A to at least ``level`` with copies of its a1 row."""
    agency = world.agency_a
    with tenant_context(agency):
        for model, rows in world.rows.items():
            have = model.objects.filter(agency=agency).count()
            if have >= level:
                continue
            model.objects.bulk_create(copies_of(rows["a1"], level - have, counter), batch_size=500)


# --- the pages --------------------------------------------------------------------------------


def pages(world) -> dict[str, str]:
    out = {route.name: route.url() for route in routes() if route.suffix == "list"}
    out.update({name: make(world) for name, make in DASHBOARDS.items()})
    return out


def query_counts(world, urls: dict[str, str]) -> tuple[dict[str, int], dict[str, int]]:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user=world.principals["admin_a"].user)
    counts, sizes = {}, {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(url, PAGE)
        assert response.status_code == 200, f"{name}: {response.status_code} {response.content[:300]!r}"
        counts[name] = len(ctx.captured_queries)
        body = response.json()
        sizes[name] = len(body["results"]) if isinstance(body, dict) and "results" in body else -1
    return counts, sizes


def html_query_counts(world, urls: dict[str, str]) -> dict[str, int]:
    user = world.principals["admin_a"].user
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    if twofactor.two_step_required(user):  # as after the code step of a real sign-in
        device = twofactor.totp_device(user) or TOTPDevice.objects.create(
            user=user, name=twofactor.DEVICE_NAME, confirmed=True
        )
        session = browser.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    counts = {}
    for name, url in urls.items():
        browser.get(url)  # the session's first read of the person is not the page's
        with CaptureQueriesContext(connection) as ctx:
            response = browser.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        counts[name] = len(ctx.captured_queries)
    return counts


def test_every_list_and_dashboard_sends_the_same_queries_at_3_30_and_300_rows(world, django_db_blocker, settings):
    # Every answer is computed (no answer cache): the count is the uncached page's.
    settings.ANSWER_CACHE = False
    urls = pages(world)
    html = {name: make(world) for name, make in HTML_PAGES.items()}
    counter = defaultdict(int)
    by_level = {}
    with django_db_blocker.unblock():
        for level in LEVELS:
            clone_rows(world, level, counter)
            by_level[level] = query_counts(world, urls)
            by_level[level][0].update(html_query_counts(world, html))
    thin = sorted(name for name, size in by_level[LEVELS[-1]][1].items() if 0 <= size < LEVELS[-1] // 2)
    assert not thin, f"these lists did not grow with their rows, so their counts prove nothing: {thin}"
    varying = {
        name: [by_level[level][0][name] for level in LEVELS]
        for name in [*urls, *html]
        if len({by_level[level][0][name] for level in LEVELS}) > 1
    }
    assert not varying, "queries per page change with the number of rows (3, 30, 300): " + ", ".join(
        f"{name} {counts}" for name, counts in sorted(varying.items())
    )


def test_every_tenant_model_with_a_list_is_counted(world):
    listed = {route.viewset.model for route in routes() if route.suffix == "list"}
    assert all(issubclass(model, TenantModel) for model in listed)
    assert listed <= set(world.rows), "a listed model has no row maker to multiply"


def test_a_row_read_with_its_name_relations_is_named_without_a_query(world, django_db_blocker):
    """A list of rows by name (a form's or a filter's choices, the audit trail's records) reads
    them with ``named``: naming one sends nothing more (one query per row otherwise, 50 on a
    complaints page for its campaign filter)."""
    querying = []
    with django_db_blocker.unblock(), tenant_context(world.agency_a):
        for model, rows in world.rows.items():
            row = named(model.objects.filter(pk=rows["a1"].pk)).get()
            with CaptureQueriesContext(connection) as ctx:
                str(row)
            if ctx.captured_queries:
                querying.append(model._meta.label)
    assert not querying, f"these models' names read relations not in their name_related: {sorted(querying)}"


def test_a_row_read_by_the_columns_of_its_name_is_named_alike_without_a_query(world, django_db_blocker):
    """A choice among rows (thousands of videos) reads only the columns of their names where the
    model declares them (``name_fields``): the same name as the whole row's, and naming it sends
    nothing more (a column its name reads but does not declare would be read row by row)."""
    declared, querying, differing = [], [], []
    with django_db_blocker.unblock(), tenant_context(world.agency_a):
        for model, rows in world.rows.items():
            if not model.name_fields:
                continue
            declared.append(model._meta.label)
            whole = named(model.objects.filter(pk=rows["a1"].pk)).get()
            row = by_name(model.objects.filter(pk=rows["a1"].pk)).get()
            assert row.get_deferred_fields(), f"{model._meta.label} was read whole"
            with CaptureQueriesContext(connection) as ctx:
                name = str(row)
            if ctx.captured_queries:
                querying.append(model._meta.label)
            if name != str(whole):
                differing.append(model._meta.label)
    assert {"clients.Video", "clients.Client", "clients.PlatformAccount"} <= set(declared)
    assert not querying, f"these models' names read columns not in their name_fields: {sorted(querying)}"
    assert not differing, f"these models are named otherwise from their name_fields: {sorted(differing)}"
