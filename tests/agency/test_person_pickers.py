"""The pickers of person fields offer only who may be named (``agency.people``): the agency's
active staff, or people of the row's own client where their role allows. Another client's
people and another agency's are never offered, and naming them through the API or a posted form
is a field error.

The case that fooled the product: a client viewer of 老街火锅 could be made the assignee of
花间茶饮's project, because every picker offered every member of the agency.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from agency.tenancy import tenant_context
from clients.api import ClientSerializer
from clients.forms import ClientForm
from clients.models import Client
from evaluation.forms.improvement import ActionForm
from production.api.projects import VideoProjectSerializer
from production.forms import ProjectForm, ProjectUpdateForm
from production.services.projects import project_create
from records.forms import AssetForm, FollowUpForm, UsageRecordForm
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory
from tests.production.helpers import actor_of


@pytest.fixture
def people(world):
    """Staff of agency A (one inactive), a client person of a2, and agency B's staff."""
    producer = MembershipFactory(agency=world.agency_a, role="producer", user=UserFactory(username="producer_a")).user
    gone = MembershipFactory(
        agency=world.agency_a, role="operator", is_active=False, user=UserFactory(username="gone_a")
    ).user
    tea = MembershipFactory(
        agency=world.agency_a, role="client_approver", client=world.client_a2, user=UserFactory(username="tea_a2")
    ).user
    return {"producer": producer, "gone": gone, "tea": tea}


@pytest.fixture
def staff(world):
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor):
        yield actor


def offered(field) -> set[str]:
    return {user.username for user in field.queryset}


ONLY_STAFF = {"staff_a", "producer_a"}


def test_the_project_pickers_offer_only_the_agencys_active_staff(world, people, staff):
    assert offered(ProjectForm(actor=staff).fields["assignee"]) == ONLY_STAFF
    account = PlatformAccountFactory(client=world.client_a2)
    project = project_create(actor=staff, account=account, title="春茶上新", due_date=timezone.localdate())
    assert offered(ProjectUpdateForm(actor=staff, instance=project).fields["assignee"]) == ONLY_STAFF
    assert offered(VideoProjectSerializer(context={"actor": staff}).fields["assignee"]) == ONLY_STAFF
    assert offered(VideoProjectSerializer(project, context={"actor": staff}).fields["assignee"]) == ONLY_STAFF


def test_the_other_person_pickers_offer_only_the_agencys_active_staff(world, people, staff):
    for form in (
        ClientForm(actor=staff, instance=world.client_a1),
        AssetForm(actor=staff),
        ActionForm(actor=staff),
    ):
        for name in ("account_manager", "custodian", "owner"):
            if name in form.fields:
                assert offered(form.fields[name]) == ONLY_STAFF, (type(form).__name__, name)
    assert offered(FollowUpForm(actor=staff).fields["assignee"]) == ONLY_STAFF
    assert offered(UsageRecordForm(actor=staff).fields["user"]) == ONLY_STAFF
    assert offered(ClientSerializer(world.client_a1, context={"actor": staff}).fields["account_manager"]) == ONLY_STAFF


def test_a_posted_form_naming_another_clients_person_is_a_field_error(world, people, staff):
    account = PlatformAccountFactory(client=world.client_a2)
    form = ProjectForm(
        {
            "account": account.pk,
            "title": "春茶上新",
            "due_date": timezone.localdate().isoformat(),
            "assignee": world.viewer_a1.pk,
        },
        actor=staff,
    )
    assert not form.is_valid() and "assignee" in form.errors


def test_the_api_refuses_another_clients_person_as_assignee(world, people, api):
    account = PlatformAccountFactory(client=world.client_a2)
    body = {"account": account.pk, "title": "春茶上新", "due_date": timezone.localdate().isoformat()}
    for person in (world.viewer_a1, world.staff_b, people["gone"]):
        response = api(world.staff_a).post("/api/v1/video-projects/", {**body, "assignee": person.pk}, format="json")
        assert response.status_code == 400, response.content
        assert "assignee" in response.json()["error"]["fields"]
    response = api(world.staff_a).post(
        "/api/v1/video-projects/", {**body, "assignee": people["producer"].pk}, format="json"
    )
    assert response.status_code == 201, response.content


def test_the_account_manager_is_one_of_the_agencys_active_staff(world, people, api):
    """A client person of another client (or of this one), another agency's staff or someone no
    longer active is refused with a field error, in the API and in the form."""
    url = f"/api/v1/clients/{world.client_a1.pk}/"
    for person in (people["tea"], world.viewer_a1, world.staff_b, people["gone"]):
        response = api(world.staff_a).patch(url, {"account_manager": person.pk}, format="json")
        assert response.status_code == 400, response.content
        assert "account_manager" in response.json()["error"]["fields"]
    response = api(world.staff_a).patch(url, {"account_manager": people["producer"].pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["account_manager"] == people["producer"].pk


def test_the_client_form_refuses_a_client_person_as_account_manager(world, people, staff):
    client = world.client_a1
    data = {
        "name": client.name,
        "kind": client.kind,
        "status": client.status,
        "account_manager": people["tea"].pk,
    }
    form = ClientForm(data, actor=staff, instance=client)
    assert not form.is_valid() and "account_manager" in form.errors
    form = ClientForm({**data, "account_manager": world.staff_a.pk}, actor=staff, instance=client)
    assert form.is_valid(), form.errors


def test_a_person_named_before_stays_choosable_on_that_row_only(world, people, staff):
    """Saving a row unchanged is not refused because its person has since left; other rows do
    not offer them."""
    Client.objects.filter(pk=world.client_a1.pk).update(account_manager=people["gone"])
    client = Client.objects.get(pk=world.client_a1.pk)
    assert offered(ClientForm(actor=staff, instance=client).fields["account_manager"]) == ONLY_STAFF | {"gone_a"}
    assert offered(ClientForm(actor=staff, instance=world.client_a2).fields["account_manager"]) == ONLY_STAFF
