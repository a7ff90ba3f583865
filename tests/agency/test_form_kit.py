"""Forms say before they are sent what they will refuse: a gated action's button is disabled with the
reason beside it (the server still refuses, with one summary); a person picker offers only who may
be named, the current person first and everyone by name; a form's errors open it as ONE summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from agency.forms import FormRenderer
from agency.names import by_name, name_columns, named_rows
from agency.people import name_choices
from agency.tenancy import tenant_context
from production.api.projects import VideoProjectFilterSet
from production.forms import ProjectForm
from production.models import Stage, VideoProject
from tests.accounts_ops.factories import InboxMessageFactory, VideoCommentFactory
from tests.extensions.factories import LiveSessionFactory
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory, VideoFactory
from tests.production.factories import VideoProjectFactory
from tests.production.helpers import actor_of

pytestmark = pytest.mark.django_db

GATED = 'disabled aria-describedby="gate-reason"'


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def test_a_closed_gate_disables_the_next_stage_button_and_says_why(world):
    project = VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1), stage=Stage.PLANNING)
    b = browser(world.staff_a)
    page = b.get(reverse("production:project-detail", args=[project.pk])).content.decode()
    assert GATED in page
    assert '<span class="gate-reason" id="gate-reason">Not possible yet: nobody is assigned' in page
    # Without scripts the button may still be sent: the server refuses it, with one summary.
    response = b.post(reverse("production:project-action", args=[project.pk, "advance"]), {"stage": "scripting"})
    assert len(list(get_messages(response.wsgi_request))) == 1
    project.refresh_from_db()
    assert project.stage == Stage.PLANNING


def test_an_open_gate_leaves_the_button_enabled(world):
    project = VideoProjectFactory(
        account=PlatformAccountFactory(client=world.client_a1), stage=Stage.PLANNING, assignee=world.staff_a
    )
    page = browser(world.staff_a).get(reverse("production:project-detail", args=[project.pk])).content.decode()
    assert "Move to the next stage</button>" in page and GATED not in page and "gate-reason" not in page


def test_a_live_session_without_its_team_cannot_be_started_and_says_who_is_missing(world):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    page = browser(world.staff_a).get(reverse("extensions:live-detail", args=[session.pk])).content.decode()
    assert 'disabled aria-describedby="start-reason">Start the session</button>' in page
    assert 'id="start-reason">Not possible yet: nobody is assigned as' in page


def test_the_assignee_picker_offers_the_current_person_first_and_people_by_name(world):
    MembershipFactory(agency=world.agency_a, role="producer", user=UserFactory(username="aaa_li", first_name="李雷"))
    MembershipFactory(
        agency=world.agency_a, role="client_approver", client=world.client_a1, user=UserFactory(username="aab_client")
    )
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor):
        field = ProjectForm(actor=actor).fields["assignee"]
        people = list(field.queryset)
        labels = [label for _, label in list(field.choices)[1:]]
    assert people[0] == world.staff_a  # "staff_a" sorts after "aaa_li", yet comes first
    assert [p.username for p in people] == ["staff_a", "aaa_li"]  # staff only: no client person
    assert labels == ["staff_a", "李雷"]


def test_a_forms_errors_open_it_as_one_summary_linking_each_field():
    class Shoot(forms.Form):
        title = forms.CharField(label="Title")
        minutes = forms.IntegerField(label="Minutes")

        def clean(self):
            raise forms.ValidationError("The shoot overlaps another one.")

    form = Shoot({"title": "", "minutes": "x"})
    with translation.override("en"):
        html = str(form.as_div()) + str(form)
    assert html.count('class="error-summary"') == 2  # once per rendering, never per error
    assert "Please correct 3 problems:" in html
    assert '<a href="#id_title">Title</a>: This field is required.' in html
    assert "The shoot overlaps another one." in html
    assert 'class="errorlist nonfield"' not in html  # Django's own list of form errors is replaced


def test_a_refused_service_form_shows_one_summary(world):
    page = (
        browser(world.staff_a)
        .post(reverse("production:project-create"), {"title": "", "due_date": "2026-13-40"})
        .content.decode()
    )
    assert page.count('class="error-summary"') == 1


def test_no_template_lists_a_forms_errors_but_the_summary_partial():
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(config.path).parts
    ]
    offenders = [
        str(path)
        for root in roots
        if root.is_dir()
        for path in root.rglob("*.html")
        if ".venv" not in path.parts
        and path.name != "_form_errors.html"
        and "non_field_errors" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_a_lists_person_filter_names_people_by_name(world):
    MembershipFactory(agency=world.agency_a, role="producer", user=UserFactory(username="aaa_li", first_name="李雷"))
    page = browser(world.staff_a).get(reverse("production:project-list")).content.decode()
    assert ">李雷</option>" in page and ">aaa_li</option>" not in page


def test_a_lists_choice_among_rows_reads_only_their_names_and_writes_the_same_options(world):
    """A list's filter offers the agency's videos (thousands) read by the columns of their names
    only: the same options, labels and selected one as whole rows give, and a chosen video still
    filters the list."""
    account = PlatformAccountFactory(client=world.client_a1)
    videos = [VideoFactory(account=account, title=title) for title in ("Hotpot <night>", "", "Tea & talk")]
    project = VideoProjectFactory(account=account, video=videos[1])
    actor = actor_of(world.staff_a, world.agency_a)
    params = QueryDict(f"video={videos[1].pk}")
    with tenant_context(world.agency_a, actor):
        lean = VideoProjectFilterSet(params, queryset=VideoProject.objects.visible_to(actor), actor=actor)
        whole = VideoProjectFilterSet(params, queryset=VideoProject.objects.visible_to(actor), actor=actor)
        field = lean.form.fields["video"]
        name_choices(field)
        with CaptureQueriesContext(connection) as ctx:
            ours = str(lean.form["video"])
        assert str(whole.form["video"]) == ours
        assert list(lean.qs) == [project]
    # (the other query reads the chosen video whole, to validate the filter)
    (query,) = [q["sql"] for q in ctx.captured_queries if 'FROM "clients_video"' in q["sql"] and "ORDER BY" in q["sql"]]
    columns = query.split(" FROM ")[0]
    assert '"clients_video"."title"' in columns and '"clients_video"."published_at"' not in columns
    assert f'value="{videos[1].pk}" selected>{videos[1].platform_item_id}</option>' in ours
    assert ">Hotpot &lt;night&gt;</option>" in ours and ">Tea &amp; talk</option>" in ours


def test_every_row_offered_as_a_bare_row_names_itself_as_the_whole_row_does(world):
    """A model whose name reads only its own columns is offered as bare rows (``named_rows``:
    no ``Model.__init__``): for each such model of the catalogue, a bare row's name is the whole
    row's, read in one query; its key is the row's."""
    account = PlatformAccountFactory(client=world.client_a1, handle="hotpot_chengdu")
    VideoFactory(account=account, title="")  # named by its platform id
    VideoProjectFactory(account=account, title="Spring <menu>")
    VideoCommentFactory(account=account, text="好吃 & cheap")
    InboxMessageFactory(account=account, sender_nickname="", text="营业时间？")
    bare_models = [
        model
        for model in apps.get_models()
        if getattr(model, "name_fields", ()) and name_columns(by_name(model._default_manager.all())) is not None
    ]
    assert {model.__name__ for model in bare_models} >= {"Client", "PlatformAccount", "Video", "VideoProject"}
    with tenant_context(world.agency_a):
        for model in bare_models:
            rows = by_name(model._default_manager.order_by("pk"))
            with CaptureQueriesContext(connection) as ctx:
                bare = [(row.pk, str(row)) for row in named_rows(rows)]
            whole = [(row.pk, str(row)) for row in model._default_manager.order_by("pk")]
            assert bare, f"{model.__name__}: give the test a row of it"
            assert (bare, len(ctx.captured_queries)) == (whole, 1), model.__name__


class _Row:
    """A choice's value as a model choice gives it: an object written with ``str``."""

    def __init__(self, pk):
        self.pk = pk

    def __str__(self) -> str:
        return str(self.pk)


SELECTS = {
    "plain": forms.Select(choices=[("", "---------"), ("a", "A & <b>"), (2, 'Two "quoted"'), (None, "none")]),
    "grouped": forms.Select(
        choices=[("x", "X"), ("Group <1>", [("g1", "G1"), ("g2", translation.gettext_lazy("Client"))]), ("y", "Y")]
    ),
    "attrs": forms.Select(
        attrs={"class": "wide", "data-n": 3, "required": True, "hidden": False, "data-safe": mark_safe("<i>")},
        choices=[(_Row(1), "one"), (_Row(2), mark_safe("<b>two</b>"))],
    ),
    "multiple": forms.SelectMultiple(choices=[(1, "one"), (2, "two"), (3, "three")]),
    "yes or no": forms.NullBooleanSelect(),
    "a number as a label": forms.Select(choices=[(1, 1000), (2, 2000)]),
    "a date as a group": forms.Select(choices=[(dt.date(2026, 1, 2), [("a", "A")])]),
}


@pytest.mark.parametrize("name", SELECTS)
def test_a_select_is_written_as_djangos_templates_write_it(name):
    """The project's renderer writes selects in Python (thousands of options); the HTML is the
    one Django's templates give, for every value, attribute, group and label kind."""
    widget = SELECTS[name]
    values = [[1, 3], ["a"], []] if isinstance(widget, forms.SelectMultiple) else ["", "a", 2, "g2", True, None]
    for value in values:
        for language in ("en", "zh-hans"):
            with translation.override(language):
                ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer())
                djangos = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
            assert ours == djangos, (value, language)
