"""API tokens (``agency.tokens``): personal tokens expire, are refreshed, listed and revoked by their
person; integration tokens belong to an agency, act within their scopes in that agency only, note
when they were last used, and leave a line in the audit trail for each write. Only hashes are kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agency import tokens
from agency.models import ApiToken, IntegrationWrite
from agency.roles import PERMISSIONS, Role
from agency.tenancy import tenant_context
from clients.models import Client
from records.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory, api_token_key

PASSWORD = "test-pass-123"


def with_key(key: str, agency_slug: str = "") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **({"HTTP_X_AGENCY": agency_slug} if agency_slug else {}))
    return client


def error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture
def producer(world):
    return MembershipFactory(agency=world.agency_a, role=Role.PRODUCER, user=UserFactory(username="producer_a")).user


def integration(world, scopes, *, days: int = 30, agency=None, admin=None) -> tuple[ApiToken, str]:
    agency = agency or world.agency_a
    admin = admin or (world.staff_a if agency == world.agency_a else world.staff_b)
    actor = admin.memberships.get(agency=agency).as_actor()
    return tokens.issue_integration(
        actor=actor, name="Nightly sync", scopes=scopes, expires_at=timezone.now() + dt.timedelta(days=days)
    )


# --- personal tokens --------------------------------------------------------------------------


def test_the_token_endpoint_gives_a_new_expiring_token_and_keeps_only_its_hash(world, producer, settings):
    settings.API_TOKEN_DAYS = 3
    answer = APIClient().post(reverse("api-token"), {"username": "producer_a", "password": PASSWORD, "name": "laptop"})
    assert answer.status_code == 200
    body = answer.json()
    key = body["token"]
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.token_hash == hashlib.sha256(key.encode()).hexdigest() and key.startswith(stored.prefix)
    assert stored.name == "laptop" and stored.kind == ApiToken.Kind.PERSONAL
    lasts = stored.expires_at - timezone.now()
    assert dt.timedelta(days=2, hours=23) < lasts <= dt.timedelta(days=3)
    with connection.cursor() as cursor:  # the key itself is in no column of the table
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        assert not any(key in str(value) for row in cursor.fetchall() for value in row)
    assert with_key(key).get(reverse("client-list")).status_code == 200
    second = APIClient().post(reverse("api-token"), {"username": "producer_a", "password": PASSWORD}).json()["token"]
    assert second != key and with_key(key).get(reverse("client-list")).status_code == 200  # both work


def test_an_expired_token_is_refused_with_its_reason(world, producer):
    key = api_token_key(producer)
    ApiToken.objects.filter(user=producer).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused = with_key(key).get(reverse("client-list"))
    assert refused.status_code == 401 and error_code(refused) == "token_expired"
    assert "expired" in refused.json()["error"]["message"] and refused["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_refused(world):
    refused = with_key("svp_not-a-key").get(reverse("client-list"))
    assert refused.status_code == 401 and error_code(refused) == "token_invalid"


def test_refresh_gives_a_new_token_and_revokes_the_old(world, producer, settings):
    settings.API_TOKEN_DAYS = 10
    key = api_token_key(producer)
    ApiToken.objects.filter(user=producer).update(expires_at=timezone.now() + dt.timedelta(hours=1))
    refreshed = with_key(key).post(reverse("api-token-refresh"))
    assert refreshed.status_code == 200
    new_key = refreshed.json()["token"]
    assert dt.timedelta(days=9) < ApiToken.objects.get(pk=refreshed.json()["id"]).expires_at - timezone.now()
    assert with_key(new_key).get(reverse("client-list")).status_code == 200
    old = with_key(key).get(reverse("client-list"))
    assert old.status_code == 401 and error_code(old) == "token_revoked"
    again = with_key(key).post(reverse("api-token-refresh"))
    assert again.status_code == 401 and error_code(again) == "token_revoked"


def test_an_expired_token_cannot_be_refreshed(world, producer):
    key = api_token_key(producer)
    ApiToken.objects.filter(user=producer).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    refused = with_key(key).post(reverse("api-token-refresh"))
    assert refused.status_code == 401 and error_code(refused) == "token_expired"
    assert ApiToken.objects.filter(user=producer).count() == 1


def test_a_person_lists_and_revokes_only_their_own_tokens(world, producer):
    mine, other = api_token_key(producer, "mine"), api_token_key(world.viewer_a1, "theirs")
    listed = with_key(mine).get(reverse("api-tokens"))
    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()] == ["mine"] and listed.json()[0]["status"] == "active"
    assert not {"token", "token_hash"} & set(listed.json()[0])
    theirs = ApiToken.objects.get(user=world.viewer_a1)
    assert with_key(mine).delete(reverse("api-tokens-detail", args=[theirs.pk])).status_code == 404
    assert with_key(other).get(reverse("client-list")).status_code == 200
    own = ApiToken.objects.get(user=producer)
    assert with_key(mine).delete(reverse("api-tokens-detail", args=[own.pk])).status_code == 204
    revoked = with_key(mine).get(reverse("client-list"))
    assert revoked.status_code == 401 and error_code(revoked) == "token_revoked"


def test_the_persons_page_makes_lists_and_revokes_their_tokens(world, producer):
    api_token_key(world.viewer_a1, "someone else's")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(producer)
    made = browser.post(reverse("api-tokens-page"), {"action": "create", "name": "phone"})
    assert made.status_code == 200
    token = ApiToken.objects.get(user=producer)
    page = made.content.decode()
    key = next(word for word in page.replace("<", " ").replace(">", " ").split() if word.startswith(token.prefix))
    assert tokens.digest(key) == token.token_hash and "someone else" not in page
    assert token.prefix not in browser.get(reverse("api-tokens-page")).content.decode().replace(f"{token.prefix}…", "")
    theirs = ApiToken.objects.get(user=world.viewer_a1)
    assert browser.post(reverse("api-tokens-page"), {"action": "revoke", "token": theirs.pk}).status_code == 404
    assert browser.post(reverse("api-tokens-page"), {"action": "revoke", "token": token.pk}).status_code == 302
    token.refresh_from_db()
    theirs.refresh_from_db()
    assert token.revoked_at is not None and theirs.revoked_at is None


def test_last_used_is_noted_at_most_once_a_minute(world, producer):
    key = api_token_key(producer)
    token = ApiToken.objects.get(user=producer)
    assert token.last_used_at is None
    with_key(key).get(reverse("client-list"))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with_key(key).get(reverse("client-list"))
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: not written again
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    with_key(key).get(reverse("client-list"))
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=2)


# --- integration tokens -----------------------------------------------------------------------


def test_every_resource_of_the_role_table_is_in_one_area():
    assert tokens.unmapped_resources() == set()
    assert set(tokens.RESOURCE_AREAS) == set(PERMISSIONS)
    assert set(tokens.RESOURCE_AREAS.values()) == set(tokens.AREAS)


def test_an_agency_admin_makes_lists_and_revokes_integration_tokens_through_the_api(world):
    admin = with_key(api_token_key(world.staff_a))
    url = reverse("api-integration-tokens")
    expires = (timezone.now() + dt.timedelta(days=90)).isoformat()
    made = admin.post(url, {"name": "ERP", "scopes": ["records:read"], "expires_at": expires}, format="json")
    assert made.status_code == 201
    token = ApiToken.objects.get(pk=made.json()["id"])
    assert (
        token.kind == ApiToken.Kind.INTEGRATION and token.agency == world.agency_a and token.scopes == ["records:read"]
    )
    assert not token.user.is_active and not token.user.has_usable_password() and token.user.memberships.count() == 0
    other = integration(world, ["records:read"], agency=world.agency_b)[0]
    listed = admin.get(url).json()
    assert [row["id"] for row in listed] == [token.pk]  # agency B's are not listed
    detail = reverse("api-integration-tokens-detail", args=[other.pk])
    assert admin.delete(detail).status_code == 404
    assert admin.delete(reverse("api-integration-tokens-detail", args=[token.pk])).status_code == 204
    revoked = with_key(made.json()["token"]).get(reverse("asset-list"))
    assert revoked.status_code == 401 and error_code(revoked) == "token_revoked"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "ERP", "scopes": ["records:read"]}, "expires_at"),
        ({"name": "ERP", "scopes": ["records:read"], "days": 400}, "expires_at"),
        ({"name": "ERP", "scopes": ["records:delete"], "days": 30}, "scopes[0]"),  # the item refused, named
        ({"name": "ERP", "scopes": [], "days": 30}, "scopes"),
        ({"name": "", "scopes": ["records:read"], "days": 30}, "name"),
    ],
)
def test_an_integration_token_needs_a_name_known_scopes_and_an_expiry_within_a_year(world, body, field):
    days = body.pop("days", None)
    if days is not None:
        body["expires_at"] = (timezone.now() + dt.timedelta(days=days)).isoformat()
    refused = with_key(api_token_key(world.staff_a)).post(reverse("api-integration-tokens"), body, format="json")
    assert refused.status_code == 400
    assert {name.split(".")[0] for name in refused.json()["error"]["fields"]} == {field}
    assert not ApiToken.objects.filter(kind=ApiToken.Kind.INTEGRATION).exists()


def test_only_agency_admins_manage_integration_tokens_and_never_an_integration(world, producer):
    body = {
        "name": "ERP",
        "scopes": ["records:read"],
        "expires_at": (timezone.now() + dt.timedelta(days=9)).isoformat(),
    }
    url = reverse("api-integration-tokens")
    assert with_key(api_token_key(producer)).post(url, body, format="json").status_code == 403
    assert with_key(api_token_key(producer)).get(url).status_code == 403
    _token, key = integration(world, tokens.SCOPES)
    for response in (
        with_key(key).post(url, body, format="json"),
        with_key(key).get(url),
        with_key(key).get(reverse("api-tokens")),
        with_key(key).post(reverse("api-token-refresh")),
    ):
        assert response.status_code == 403 and error_code(response) == "integration_token"
    assert ApiToken.objects.filter(kind=ApiToken.Kind.INTEGRATION).count() == 1


def test_a_read_only_token_cannot_write(world):
    _token, key = integration(world, ["operations:read"])
    assert with_key(key).get(reverse("client-list")).status_code == 200
    refused = with_key(key).post(reverse("client-list"), {"name": "Sneaky", "kind": "brand"}, format="json")
    assert refused.status_code == 403
    assert with_key(key).patch(reverse("client-detail", args=[world.client_a1.pk]), {"name": "X"}).status_code == 403
    with tenant_context(world.agency_a):
        assert not Client.objects.filter(name="Sneaky").exists()
        assert not IntegrationWrite.objects.exists()


def test_a_production_token_cannot_read_records(world):
    _token, key = integration(world, ["production:write"])
    assert with_key(key).get(reverse("videoproject-list")).status_code == 200
    assert with_key(key).get(reverse("asset-list")).status_code == 403
    assert with_key(key).get(reverse("client-list")).status_code == 403


def test_an_integration_never_acts_as_more_than_an_account_manager(world):
    _token, key = integration(world, tokens.SCOPES)
    actor = tokens.integration_actor(ApiToken.objects.get(token_hash=tokens.digest(key)))
    assert actor.role == tokens.INTEGRATION_ROLE == Role.ACCOUNT_MANAGER
    assert not actor.can("add", "ad_budget_approval")  # an agency admin's decision
    assert actor.can("add", "client")


def test_an_integration_token_reaches_its_own_agency_only(world):
    _token, key = integration(world, tokens.SCOPES)
    own = with_key(key).get(reverse("client-list"))
    assert own.status_code == 200
    assert {row["id"] for row in own.json()["results"]} == {world.client_a1.pk, world.client_a2.pk}
    assert with_key(key).get(reverse("client-detail", args=[world.client_b.pk])).status_code == 404
    assert with_key(key, world.agency_b.slug).get(reverse("client-list")).status_code == 403
    changed = with_key(key).patch(reverse("client-detail", args=[world.client_b.pk]), {"name": "Taken"}, format="json")
    assert changed.status_code == 404
    with tenant_context(world.agency_b):
        assert Client.objects.get(pk=world.client_b.pk).name == "B1 coffee"


def test_a_write_leaves_a_line_in_the_audit_trail_naming_the_token(world):
    token, key = integration(world, ["operations:write"])
    made = with_key(key).post(reverse("client-list"), {"name": "From the ERP", "kind": "brand"}, format="json")
    assert made.status_code == 201
    with tenant_context(world.agency_a):
        line = IntegrationWrite.objects.get()
        assert (line.integration_ref, line.integration_prefix, line.integration_name) == (
            token.pk,
            token.prefix,
            "Nightly sync",
        )
        assert (line.method, line.path, line.status) == ("POST", reverse("client-list"), 201)
        trail = AuditEvent.objects.filter(model_label="agency.integrationwrite", object_pk=str(line.pk)).get()
        assert (
            trail.user_id == token.user_id
            and trail.channel == "api"
            and trail.changes["integration_ref"][1] == token.pk
            and trail.changes["integration_name"][1] == "Nightly sync"
        )
        created = AuditEvent.objects.get(model_label="clients.client", object_pk=str(made.json()["id"]))
        assert created.user_id == token.user_id  # the client's creation is the integration's, by name
        assert Client.objects.get(pk=made.json()["id"]).created_by_id == token.user_id
    assert token.user.first_name == "Nightly sync"
    with_key(key).get(reverse("client-list"))  # reading leaves no line
    with tenant_context(world.agency_a):
        assert IntegrationWrite.objects.count() == 1


def test_an_expired_integration_token_is_refused(world):
    token, key = integration(world, ["records:read"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused = with_key(key).get(reverse("asset-list"))
    assert refused.status_code == 401 and error_code(refused) == "token_expired"


def test_the_agency_page_makes_and_revokes_integration_tokens_for_admins_only(world, producer):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(producer)
    assert browser.get(reverse("integration-tokens-page")).status_code == 403
    browser.force_login(world.staff_a)
    assert browser.get(reverse("integration-tokens-page")).status_code == 200
    day = (timezone.localdate() + dt.timedelta(days=settings.INTEGRATION_TOKEN_MAX_DAYS)).isoformat()
    form = {"action": "create", "name": "Data feed", "scopes": ["data_ingest:write", "records:read"], "expires_on": day}
    made = browser.post(reverse("integration-tokens-page"), form)
    assert made.status_code == 200
    token = ApiToken.objects.get(kind=ApiToken.Kind.INTEGRATION)
    assert token.scopes == ["records:read", "data_ingest:write"] and token.agency == world.agency_a
    assert token.prefix in made.content.decode()
    too_late = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    refused = browser.post(reverse("integration-tokens-page"), {**form, "expires_on": too_late})
    assert refused.status_code == 400 and "at most" in refused.content.decode()
    other = integration(world, ["records:read"], agency=world.agency_b)[0]
    assert browser.post(reverse("integration-tokens-page"), {"action": "revoke", "token": other.pk}).status_code == 404
    assert browser.post(reverse("integration-tokens-page"), {"action": "revoke", "token": token.pk}).status_code == 302
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None


def test_the_earlier_clear_keys_are_carried_over_as_expiring_hashes_and_deleted(world, producer, settings):
    settings.API_TOKEN_DAYS = 5
    migration = importlib.import_module("agency.migrations.0009_api_tokens")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        # The earlier table, as DRF's authtoken made it (temporary on PostgreSQL, where the application's
        # role may not create tables; SQLite's introspection does not list temporary ones).
        temporary = "TEMPORARY " if connection.vendor == "postgresql" else ""
        cursor.execute(f"CREATE {temporary}TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token (key, user_id) VALUES (%s, %s)", [old_key, producer.pk])
    # (SQLite's schema editor cannot open inside the test's transaction; the step only uses its connection.)
    migration.carry_over_authtoken_keys(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # the clear key is gone
    carried = ApiToken.objects.get(user=producer)
    assert carried.token_hash == tokens.digest(old_key) and carried.prefix == old_key[:12]
    assert dt.timedelta(days=4) < carried.expires_at - timezone.now() <= dt.timedelta(days=5)
    assert with_key(old_key).get(reverse("client-list")).status_code == 200
