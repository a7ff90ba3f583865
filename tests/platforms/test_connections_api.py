"""The connections API: read-only rows that never carry a token, ``authorise`` and ``disconnect``;
sync runs read-only; the schema documents the refusals."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from platforms.models import AuthorisationRequest, Connection, ConnectionSecret, ConnectionStatus
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory
from tests.platforms.test_connections import actor_of, connect, state_of, tokens_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]

FIELDS = {
    "id",
    "account",
    "client",
    "platform",
    "status",
    "scopes",
    "missing_scopes",
    "expires_at",
    "refresh_expires_at",
    "connected_at",
    "connected_by",
    "disconnected_at",
    "problem",
    "last_synced_at",
    "synced_through",
}


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1)


def user_with(world, role):
    user = UserFactory()
    MembershipFactory(agency=world.agency_a, role=role, user=user)
    return user


def test_a_connection_reads_without_any_token(fake_platform, world, api, account):
    connection = connect(actor_of(world.staff_a, world.agency_a), account, code="data.external.user,item.comment")
    secret = ConnectionSecret.dangerously_all_agencies.get()
    forbidden = [*tokens_of(connection), secret.access_token, secret.refresh_token]
    listing = api(world.staff_a).get(reverse("connection-list"))
    detail = api(world.staff_a).get(reverse("connection-detail", args=[connection.pk]))
    assert listing.status_code == 200 and detail.status_code == 200
    body = detail.json()
    assert set(body) == FIELDS
    assert body["account"] == account.pk and body["status"] == "connected"
    assert body["scopes"] == ["data.external.user", "item.comment"] and "fans.data" in body["missing_scopes"]
    assert body["connected_by"] == world.staff_a.pk
    for response in (listing, detail):
        text = response.content.decode()
        for token in forbidden:
            assert token not in text


def test_authorise_answers_the_platforms_page(fake_platform, world, api, account):
    response = api(world.staff_a).post(reverse("connection-authorise"), {"account": account.pk}, format="json")
    assert response.status_code == 200, response.content
    url = response.json()["authorize_url"]
    assert url.startswith("http://fake.invalid/douyin/platform/oauth/connect/")
    request = AuthorisationRequest.dangerously_all_agencies.get()
    assert request.person_id == world.staff_a.pk and request.account_id == account.pk
    assert state_of(url) not in request.state_hash


def test_authorise_is_refused_with_reasons(fake_platform, world, api, account):
    operator = user_with(world, "operator")
    assert (
        api(operator).post(reverse("connection-authorise"), {"account": account.pk}, format="json").status_code == 403
    )
    account_b = PlatformAccountFactory(client=world.client_b)
    foreign = api(world.staff_a).post(reverse("connection-authorise"), {"account": account_b.pk}, format="json")
    assert foreign.status_code == 400 and "account" in foreign.json()["error"]["fields"]
    connect(actor_of(world.staff_a, world.agency_a), account)
    again = api(world.staff_a).post(reverse("connection-authorise"), {"account": account.pk}, format="json")
    assert again.status_code == 400 and "already connected" in again.json()["error"]["message"]
    assert AuthorisationRequest.dangerously_all_agencies.count() == 1  # the one connect() used


def test_disconnect_revokes(fake_platform, world, api, account):
    connection = connect(actor_of(world.staff_a, world.agency_a), account)
    response = api(world.staff_a).post(reverse("connection-disconnect", args=[connection.pk]))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "disconnected"
    assert fake_platform.revoked and not ConnectionSecret.dangerously_all_agencies.exists()
    again = api(world.staff_a).post(reverse("connection-disconnect", args=[connection.pk]))
    assert again.status_code == 400


def test_disconnect_needs_the_role_and_the_agency(fake_platform, world, api, account):
    connection = connect(actor_of(world.staff_a, world.agency_a), account)
    operator = user_with(world, "operator")
    assert api(operator).post(reverse("connection-disconnect", args=[connection.pk])).status_code == 403
    assert api(world.staff_b).post(reverse("connection-disconnect", args=[connection.pk])).status_code == 404
    assert Connection.dangerously_all_agencies.get().status == ConnectionStatus.CONNECTED


def test_connections_are_not_written_through_the_api(fake_platform, world, api, account):
    connection = connect(actor_of(world.staff_a, world.agency_a), account)
    client = api(world.staff_a)
    assert client.post(reverse("connection-list"), {"account": account.pk}, format="json").status_code == 405
    assert client.patch(reverse("connection-detail", args=[connection.pk]), {"status": "x"}).status_code == 405
    assert client.delete(reverse("connection-detail", args=[connection.pk])).status_code == 405
    assert client.post(reverse("syncrun-list"), {}, format="json").status_code == 405


def test_the_schema_describes_the_actions_and_their_refusals(db, api, world):
    response = api(world.staff_a).get(reverse("api-schema"), {"format": "json"})
    schema = json.loads(response.content)
    authorise = schema["paths"]["/api/v1/platform-connections/authorise/"]["post"]
    assert {"200", "400", "403"} <= set(authorise["responses"])
    disconnect = schema["paths"]["/api/v1/platform-connections/{id}/disconnect/"]["post"]
    assert {"200", "400", "403", "404"} <= set(disconnect["responses"])
    paths = schema["paths"]
    assert "post" not in paths["/api/v1/platform-connections/"]
    assert set(paths["/api/v1/sync-runs/"]) == {"get"}
    properties = schema["components"]["schemas"]["Connection"]["properties"]
    assert set(properties) == FIELDS and not [name for name in properties if "token" in name]
