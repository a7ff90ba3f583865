"""The search (issue 22): every kind found by any part of a Chinese word, only among the rows the
person may see (their agency's; for client people their client's; never a kind their role may not
view), on the page, in the top bar and through the API."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse

import tests.accounts_ops.factories  # noqa: F401  (each app's factories add their ROW_MAKERS)
import tests.extensions.factories  # noqa: F401
import tests.production.factories  # noqa: F401
import tests.records.factories  # noqa: F401
from agency.models import Membership
from agency.roles import STAFF_ROLES, VIEW, role_can
from agency.tenancy import tenant_context
from search.selectors import KINDS, KINDS_BY_KEY, matching, search, terms_of
from tests.factories import MembershipFactory, UserFactory, make_row

TEXT = "网红成都火锅店"  # a Chinese phrase, found by any part of it
SERIAL = itertools.count(1)  # keeps names unique in their agency


def actor_of(user, agency):
    return Membership.objects.select_related("agency").get(user=user, agency=agency).as_actor()


def plant(agency, client, text=TEXT) -> dict[str, int]:
    """One row of every kind, for ``client`` of ``agency``, each holding ``text`` in its first
    searched column; the ids by kind."""
    made = {}
    with tenant_context(agency):
        for kind in KINDS:
            row = make_row(kind.model, agency=agency, client=client)
            setattr(row, kind.fields[0], f"{kind.key}{next(SERIAL)} {text}")
            row.save()
            made[kind.key] = row.pk
    return made


def found_ids(results) -> dict[str, set[int]]:
    return {group.kind: {hit.id for hit in group.results} for group in results.groups}


def run(user, agency, query, **kwargs):
    actor = actor_of(user, agency)
    with tenant_context(agency, actor):
        return search(actor, query, **kwargs)


@pytest.fixture
def planted(world):
    return {
        "a1": plant(world.agency_a, world.client_a1),
        "a2": plant(world.agency_a, world.client_a2),
        "b": plant(world.agency_b, world.client_b),
    }


def test_every_kind_is_searched():
    assert {kind.key for kind in KINDS} == {
        "clients",
        "accounts",
        "videos",
        "projects",
        "comments",
        "messages",
        "influencers",
        "assets",
        "inspections",
        "usage",
        "images",
    }


@pytest.mark.parametrize("query", ["成都火锅", "都火锅店", "火锅", "锅", "网红成都火锅店"])
def test_staff_find_every_kind_by_any_part_of_a_chinese_word_in_their_agency_only(world, planted, query):
    results = run(world.staff_a, world.agency_a, query)
    ids = found_ids(results)
    assert set(ids) == set(KINDS_BY_KEY)
    for key, found in ids.items():
        # Both of agency A's clients (a client row is renamed in place: both are there)...
        assert {planted["a1"][key], planted["a2"][key]} <= found, key
        # ...and never agency B's row.
        assert planted["b"][key] not in found, key
    assert results.total == sum(group.count for group in results.groups)


def test_the_other_agency_finds_only_its_own_rows(world, planted):
    ids = found_ids(run(world.staff_b, world.agency_b, "成都火锅"))
    assert ids == {key: {pk} for key, pk in planted["b"].items()}


@pytest.mark.parametrize("who", ["viewer_a1", "approver_a1"])
def test_client_people_find_only_their_clients_rows(world, planted, who):
    user = getattr(world, who)
    actor = actor_of(user, world.agency_a)
    ids = found_ids(run(user, world.agency_a, "成都火锅"))
    assert ids, "a client person finds their own rows"
    for key, found in ids.items():
        assert found == {planted["a1"][key]}, key
    # The agency's own registries (no client on the row) and kinds their role may not view: none.
    assert "influencers" not in ids
    for key in ids:
        assert role_can(actor.role, KINDS_BY_KEY[key].resource, VIEW)


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_a_kind_the_role_may_not_view_is_never_searched(world, planted, role):
    user = MembershipFactory(agency=world.agency_a, role=role, user=UserFactory()).user
    ids = found_ids(run(user, world.agency_a, "成都火锅"))
    allowed = {kind.key for kind in KINDS if role_can(role, kind.resource, VIEW)}
    assert set(ids) == allowed


def test_every_word_must_appear(world, planted):
    assert found_ids(run(world.staff_a, world.agency_a, "成都 火锅店"))
    assert not run(world.staff_a, world.agency_a, "成都 咖啡馆").groups
    assert terms_of("  a  b a  ") == ["a", "b"]


@pytest.mark.parametrize("query", ["%", "_", "\\", "%%%", "___", "%_\\"])
def test_like_wildcards_are_searched_as_text(world, planted, query):
    assert not run(world.staff_a, world.agency_a, query).groups


def test_a_blank_query_finds_nothing(world, planted):
    assert run(world.staff_a, world.agency_a, "   ").groups == []


def test_the_count_counts_every_row_and_the_limit_keeps_the_first(world, planted):
    for _ in range(3):
        plant(world.agency_a, world.client_a1, text="重庆小面")
    results = run(world.staff_a, world.agency_a, "重庆小面", kind="comments", limit=2)
    assert [group.kind for group in results.groups] == ["comments"]
    assert results.groups[0].count == 3 and len(results.groups[0].results) == 2 and results.groups[0].more == 1


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the trigram indexes are PostgreSQL's")
def test_each_kind_has_an_agency_first_trigram_index_and_asks_in_the_form_it_answers(world, planted):
    """Whether the planner takes the index depends on the table's size (the bench prints the plans
    at scale, ``bench/search.py``); here: the index is there, agency first then every searched
    column with pg_trgm's operator class, and a word of three characters or more is asked with
    ``ILIKE`` on the column itself (which the index answers), a shorter one with ``UPPER() LIKE``."""
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), connection.cursor() as cursor:
        for kind in KINDS:
            index = next(i.name for i in kind.model._meta.indexes if i.name.endswith("_search"))
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            definition = cursor.fetchone()[0]
            columns = ", ".join(f"{name} gin_trgm_ops" for name in kind.fields)
            # (btree_gin's int8_ops is the default class of a bigint in a GIN index: not printed)
            assert f"USING gin (agency_id, {columns})" in definition, definition
            long_sql = str(matching(actor, kind, ["成都火锅"]).query)
            short_sql = str(matching(actor, kind, ["火锅"]).query)
            table = kind.model._meta.db_table
            for name in kind.fields:
                assert f'"{table}"."{name}" ILIKE' in long_sql, long_sql
                assert f'UPPER("{table}"."{name}"::text) LIKE' in short_sql, short_sql


# --- the pages ----------------------------------------------------------------------------------


def signed_in(user) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def test_the_top_bar_holds_the_search_box_for_staff_and_client_people(world):
    for user, page in ((world.staff_a, reverse("home")), (world.viewer_a1, reverse("client-area:dashboard"))):
        html = signed_in(user).get(page, follow=True).content.decode()
        assert 'id="search-q"' in html and reverse("search:results") in html and "search/search.js" in html


def test_the_results_page_groups_by_kind_with_counts_and_links_that_open(world, planted):
    browser = signed_in(world.staff_a)
    response = browser.get(reverse("search:results"), {"q": "成都火锅"})
    assert response.status_code == 200
    html = response.content.decode()
    found = response.context["found"]
    assert {group.kind for group in found.groups} == set(KINDS_BY_KEY)
    assert reverse("production:project-detail", args=[planted["a1"]["projects"]]) in html
    for group in found.groups:
        assert f'id="kind-{group.kind}"' in html
        assert f'<span class="search-count">{group.count}</span>' in html
        for hit in group.results:
            assert hit.url, (group.kind, hit)
            assert browser.get(hit.url).status_code == 200, hit.url
    for group in found.groups:
        assert planted["b"][group.kind] not in {hit.id for hit in group.results}, group.kind


def test_client_people_get_the_client_area_page_and_only_links_they_may_open(world, planted):
    browser = signed_in(world.approver_a1)
    response = browser.get(reverse("search:results"), {"q": "火锅"})
    assert response.status_code == 200
    assert "client_area/base.html" in [t.name for t in response.templates]
    found = response.context["found"]
    assert found.groups
    for group in found.groups:
        for hit in group.results:
            if hit.url:
                assert browser.get(hit.url).status_code == 200, hit.url
    html = response.content.decode()
    world.client_a2.refresh_from_db()
    world.client_b.refresh_from_db()
    assert world.client_a2.name not in html and world.client_b.name not in html


def test_the_page_without_a_query_explains_itself(world):
    response = signed_in(world.staff_a).get(reverse("search:results"))
    assert response.status_code == 200 and response.context["found"].groups == []


def test_the_results_page_needs_a_sign_in(world):
    response = Browser().get(reverse("search:results"), {"q": "火锅"})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_page_speaks_chinese_by_default(world, planted):
    browser = Browser()
    browser.force_login(world.staff_a)
    html = browser.get(reverse("search:results"), {"q": "成都火锅"}).content.decode()
    assert "搜索" in html


# --- the API ------------------------------------------------------------------------------------


def test_the_api_answers_with_groups_counts_and_urls(world, planted, api):
    response = api(world.staff_a).get("/api/v1/search/", {"q": "成都火锅"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["query"] == "成都火锅"
    assert {group["kind"] for group in body["groups"]} == set(KINDS_BY_KEY)
    assert body["total"] == sum(group["count"] for group in body["groups"])
    projects = next(group for group in body["groups"] if group["kind"] == "projects")
    assert projects["count"] == 2 and {hit["id"] for hit in projects["results"]} == {
        planted["a1"]["projects"],
        planted["a2"]["projects"],
    }
    assert set(projects["results"][0]) == {"kind", "id", "title", "detail", "url"}


def test_the_api_stays_in_the_agency_and_the_client(world, planted, api):
    body = api(world.staff_b).get("/api/v1/search/", {"q": "成都火锅"}).json()
    assert {hit["id"] for g in body["groups"] if g["kind"] == "projects" for hit in g["results"]} == {
        planted["b"]["projects"]
    }
    body = api(world.viewer_a1).get("/api/v1/search/", {"q": "火锅", "limit": 100}).json()
    for group in body["groups"]:
        assert {hit["id"] for hit in group["results"]} == {planted["a1"][group["kind"]]}
    # A person of agency A cannot reach agency B by naming it.
    response = api(world.staff_a, agency_slug=world.agency_b.slug).get("/api/v1/search/", {"q": "火锅"})
    assert response.status_code == 403


def test_the_api_keeps_one_kind_and_checks_its_parameters(world, planted, api):
    client = api(world.staff_a)
    body = client.get("/api/v1/search/", {"q": "火锅", "kind": "comments", "limit": 1}).json()
    assert [g["kind"] for g in body["groups"]] == ["comments"] and len(body["groups"][0]["results"]) == 1
    assert body["groups"][0]["count"] == 2
    assert client.get("/api/v1/search/", {"q": "火锅", "kind": "nope"}).status_code == 400
    assert client.get("/api/v1/search/", {"q": "火锅", "limit": 0}).status_code == 400
    assert client.get("/api/v1/search/").json() == {"query": "", "total": 0, "groups": []}
    assert api().get("/api/v1/search/", {"q": "火锅"}).status_code in (401, 403)


def test_the_api_schema_documents_the_search(world, api):
    schema = api(world.staff_a).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "limit"}
    assert "SearchResults" in schema["components"]["schemas"]
