"""The list kit of the staff list pages (``agency.lists`` on ``TenantListView``): a list sorts by
each key its view declares and by nothing else (an unknown ``?sort=`` is ignored, as the API ignores
an unknown ``ordering``), its headers link to the sorts, quick filters and page numbers keep the rest
of the query string, and the count is the number of rows the filters leave, on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models.sql.query import Query
from django.http import QueryDict
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.test import Client as Browser
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from agency import lists
from agency.views import TenantListView
from production.models import Stage, VideoProject
from production.views.projects import ProjectListView
from tests.factories import PlatformAccountFactory
from tests.production.factories import VideoProjectFactory

pytestmark = pytest.mark.django_db


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def every_list_view():
    """The list views the site routes (``TenantListView`` subclasses), walked from the URL conf."""
    found, todo = set(), list(get_resolver().url_patterns)
    while todo:
        pattern = todo.pop()
        if isinstance(pattern, URLResolver):
            todo.extend(pattern.url_patterns)
            continue
        view = getattr(pattern.callback, "view_class", None)
        if isinstance(view, type) and issubclass(view, TenantListView):
            found.add(view)
    return found


@pytest.fixture
def projects(world):
    account = PlatformAccountFactory(client=world.client_a1)
    today = timezone.localdate()
    rows = [
        ("茶饮上新", Stage.SCRIPTING, 3),
        ("火锅夜宵", Stage.PLANNING, 9),
        ("Autumn menu", Stage.SHOOTING, 1),
        ("Brunch", Stage.PLANNING, 5),
    ]
    return [
        VideoProjectFactory(account=account, title=title, stage=stage, due_date=today + dt.timedelta(days=days))
        for title, stage, days in rows
    ]


def shown(response) -> list[int]:
    return [row.pk for row in response.context["object_list"]]


def test_every_declared_sort_key_reaches_a_field():
    views = every_list_view()
    assert len(views) > 30
    for view in views:
        for key in view.ordering_fields:
            Query(view.model).add_ordering(key)  # raises FieldError for a key that names no field


@pytest.mark.parametrize("key", ProjectListView.ordering_fields)
@pytest.mark.parametrize("sign", ["", "-"])
def test_the_project_list_sorts_by_each_declared_key(world, projects, key, sign):
    response = browser(world.staff_a).get(reverse("production:project-list"), {"sort": f"{sign}{key}"})
    expected = list(
        VideoProject.dangerously_all_agencies.filter(pk__in=[p.pk for p in projects])
        .order_by(f"{sign}{key}", "pk")
        .values_list("pk", flat=True)
    )
    assert shown(response) == expected
    order = "descending" if sign else "ascending"
    assert re.search(rf'<th scope="col" aria-sort="{order}"><a class="sort" href="\?sort=', response.content.decode())


@pytest.mark.parametrize("sort", ["assignee__password", "--title", "title;drop", "pk", "-brief", ""])
def test_a_sort_that_is_not_declared_is_ignored_and_the_default_order_kept(world, projects, sort):
    b = browser(world.staff_a)
    default = shown(b.get(reverse("production:project-list")))
    response = b.get(reverse("production:project-list"), {"sort": sort})
    assert response.status_code == 200
    assert shown(response) == default
    assert "aria-sort" not in response.content.decode()


def test_a_header_sorted_ascending_links_to_descending_and_keeps_the_filters(world, projects):
    response = browser(world.staff_a).get(reverse("production:project-list"), {"stage": "planning", "sort": "title"})
    page = response.content.decode()
    ascending = '<th scope="col" aria-sort="ascending"><a class="sort" href="?stage=planning&amp;sort=-title"'
    assert ascending in page
    assert 'href="?stage=planning&amp;sort=due_date"' in page  # another column: its own sort, same filter
    assert [p.title for p in response.context["object_list"]] == ["Brunch", "火锅夜宵"]


def test_quick_filters_are_links_of_the_filtersets_few_fixed_values(world, projects):
    response = browser(world.staff_a).get(reverse("production:project-list"), {"stage": "planning", "sort": "title"})
    (stage,) = [row for row in response.context["quick_filters"] if row.name == "stage"]
    assert [link.label for link in stage.links] == ["all", *[str(label) for _, label in Stage.choices]]
    current = [link for link in stage.links if link.current]
    assert [link.url for link in current] == ["?sort=title&stage=planning"]
    assert stage.links[0].url == "?sort=title"  # "all" drops the filter, keeps the sort
    # A choice among rows (client, account, assignee) is not a quick filter: it could be thousands.
    assert {row.name for row in response.context["quick_filters"]} == {"stage"}


def test_pages_are_numbered_keep_the_query_and_show_the_count(world):
    account = PlatformAccountFactory(client=world.client_a1)
    VideoProjectFactory.create_batch(ProjectListView.paginate_by * 2 + 3, account=account, stage=Stage.PLANNING)
    VideoProjectFactory(account=account, stage=Stage.SHOOTING)
    b = browser(world.staff_a)
    response = b.get(reverse("production:project-list"), {"stage": "planning", "sort": "-title", "page": 2})
    page = response.content.decode()
    assert "53 results" in page
    assert len(response.context["object_list"]) == ProjectListView.paginate_by
    for number in (1, 3):
        assert f'href="?stage=planning&amp;sort=-title&amp;page={number}"' in page
    assert '<span aria-current="page" class="current">2</span>' in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    last = b.get(reverse("production:project-list"), {"stage": "planning", "sort": "-title", "page": 3})
    assert len(last.context["object_list"]) == 3 and "53 results" in last.content.decode()
    assert 'rel="next"' not in last.content.decode()


def test_the_count_is_shown_on_a_single_page_too(world, projects):
    page = browser(world.staff_a).get(reverse("production:project-list"), {"stage": "planning"}).content.decode()
    assert "2 results" in page


def test_the_kit_reads_a_query_string():
    params = QueryDict("stage=planning&page=4&sort=-title")
    assert lists.sort_requested(params, ("title",)) == "-title"
    assert lists.sort_requested(params, ("due_date",)) == ""
    assert lists.query_with(params, sort="title") == "stage=planning&sort=title"
    assert lists.query_with(params, stage=None) == "sort=-title"
    assert lists.column_sort_key("get_stage_display", ("stage",)) == "stage"
    assert lists.column_sort_key("client", ("client__name",)) == "client__name"
    assert lists.column_sort_key("brief", ("title",)) == ""


# --- swapping the list's part (htmx) -----------------------------------------------------------

KIT_PARTS = ("agency/_filters.html", "agency/_pagination.html", "agency/_sort_links.html", "agency/_sort_header.html")
PART = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": lists.REGION_ID}


def test_a_swap_of_the_list_gets_the_lists_part_and_a_plain_request_the_whole_page(world, projects):
    b = browser(world.staff_a)
    url = reverse("production:project-list")
    query = {"stage": "planning", "sort": "title"}
    page = b.get(url, query)
    part = b.get(url, query, **PART)
    assert [t.name for t in page.templates][0] == "agency/list.html"
    assert [t.name for t in part.templates][0] == "agency/_list.html"
    whole, swapped = page.content.decode(), part.content.decode()
    assert "<html" in whole and '<nav class="side"' in whole and 'id="list"' in whole
    assert "<html" not in swapped and '<nav class="side"' not in swapped
    assert swapped.lstrip().startswith('<div id="list"')
    assert [p.title for p in part.context["object_list"]] == ["Brunch", "火锅夜宵"]  # the same sort and filter
    assert "2 results" in swapped and 'href="?stage=planning&amp;sort=-title" hx-boost="true"' in swapped
    for response in (page, part):  # one URL, two bodies: no cache may hand one for the other
        assert {"HX-Request", "HX-Target"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_HX_REQUEST": "true"},  # a swap of the whole body (a boosted link elsewhere)
        {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "content"},  # aiming at another element
        {**PART, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"},  # the back button asking for a page again
    ],
)
def test_any_other_request_gets_the_whole_page(world, projects, headers):
    response = browser(world.staff_a).get(reverse("production:project-list"), **headers)
    assert [t.name for t in response.templates][0] == "agency/list.html"
    assert "<html" in response.content.decode()


def test_a_list_page_of_its_own_layout_answers_its_own_part(world):
    b = browser(world.staff_a)
    url = reverse("records:audit-list")
    assert [t.name for t in b.get(url).templates][0] == "records/audit_list.html"
    part = b.get(url, **PART)
    assert [t.name for t in part.templates][0] == "records/_audit_list.html"
    assert part.content.decode().lstrip().startswith('<div id="list"')


def test_every_list_page_wraps_the_kit_in_its_swapped_part():
    """A page that shows the kit's links has the part they swap (``#list``), in a template of its
    own the view answers alone; otherwise a sort would swap nothing."""
    checked = 0
    for view in every_list_view():
        page = get_template(view.template_name).template.source
        assert not any(name in page for name in KIT_PARTS), f"{view.template_name} shows kit links outside #list"
        part_name = lists.part_template(view.template_name)
        try:
            part = get_template(part_name).template.source
        except TemplateDoesNotExist:
            continue  # a page without the kit's links
        assert f'{{% include "{part_name}" %}}' in page, f"{view.template_name} does not include {part_name}"
        assert 'id="list"' in part and 'hx-select="#list"' in part, part_name
        checked += 1
    assert checked > 30


def test_the_kits_links_and_filter_form_swap_the_list_and_stay_plain_links():
    for name in KIT_PARTS:
        source = get_template(name).template.source
        assert 'hx-boost="true"' in source, name  # with scripts: a swap of #list, its URL pushed
        assert "href=" in source or '<form method="get"' in source, name  # without scripts: links and a form
    assert lists.part_template("agency/list.html") == "agency/_list.html"
    assert lists.part_template("records/audit_list.html") == "records/_audit_list.html"
