"""Connecting a platform account (OAuth authorisation code), keeping its tokens fresh, and
disconnecting it: the services of ``platforms.services.connections`` against the fake platform.

Platform calls must run outside a transaction, so these tests use transactional databases."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agency.models import Membership
from agency.tenancy import tenant_context
from clients.models import PlatformAccount
from platforms import crypto
from platforms.adapters.base import PlatformUnavailable, ReconnectNeeded
from platforms.models import AuthorisationRequest, Connection, ConnectionSecret, ConnectionStatus
from platforms.rules import AUTHORISATION_LINK_TTL, AUTHORISATION_TTL, REFRESH_AHEAD, RENEW_AHEAD
from platforms.services import calls
from platforms.services import connections as services
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]

REDIRECT = "https://agency.example/platforms/callback/douyin/"
ALL_SCOPES = (
    "data.external.user,fans.data,video.list.bind,video.data.bind,item.comment,im.direct_message,video.create.bind"
)


# --- helpers (the other connector tests use them too) ------------------------------------------


def actor_of(user, agency):
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def start(actor, account) -> str:
    with tenant_context(actor.agency, actor):
        return services.authorisation_start(actor=actor, account=account, redirect_uri=REDIRECT)


def complete(actor, state: str, *, code: str | None = ALL_SCOPES, error: str | None = None, user=None):
    with tenant_context(actor.agency, actor):
        return services.authorisation_complete(
            user=user or actor.user, state=state, code=code, error=error, redirect_uri=REDIRECT
        )


def connect(actor, account, *, code: str = ALL_SCOPES) -> Connection:
    return complete(actor, state_of(start(actor, account)), code=code)


def tokens_of(connection) -> tuple[str, str]:
    with tenant_context(connection.agency):
        tokens = calls.tokens_of(connection)
    return tokens.access_token, tokens.refresh_token


def staff(world, role: str):
    user = UserFactory()
    MembershipFactory(agency=world.agency_a, role=role, user=user)
    return actor_of(user, world.agency_a)


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1, handle="a1_douyin", nickname="")


@pytest.fixture
def admin(world):
    return actor_of(world.staff_a, world.agency_a)


def count(model, **filters) -> int:
    return model.dangerously_all_agencies.filter(**filters).count()


# --- starting ----------------------------------------------------------------------------------


def test_start_keeps_only_the_states_hash_bound_to_person_agency_and_account(fake_platform, world, account, admin):
    before = timezone.now()
    url = start(admin, account)
    state = state_of(url)
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"] == [REDIRECT]
    assert set(query["scope"][0].split(",")) == set(ALL_SCOPES.split(","))
    request = AuthorisationRequest.dangerously_all_agencies.get()
    assert request.state_hash == hashlib.sha256(state.encode()).hexdigest()
    assert state not in request.state_hash
    assert (request.person_id, request.agency_id, request.account_id) == (
        world.staff_a.pk,
        world.agency_a.pk,
        account.pk,
    )
    assert before + AUTHORISATION_TTL <= request.expires_at <= timezone.now() + AUTHORISATION_TTL
    assert request.used_at is None


def test_start_is_refused_without_a_configured_connector(fake_platform, settings, world, account, admin):
    settings.PLATFORMS = {"douyin": {"base_url": "http://fake.invalid", "client_key": ""}}
    with pytest.raises(ValidationError, match="No connector is configured"):
        start(admin, account)
    kuaishou = PlatformAccountFactory(client=world.client_a1, platform="kuaishou")
    with pytest.raises(ValidationError, match="No connector is configured"):
        start(admin, kuaishou)
    assert count(AuthorisationRequest) == 0


def test_start_is_refused_for_an_account_already_connected(fake_platform, account, admin):
    connect(admin, account)
    with pytest.raises(ValidationError, match="already connected"):
        start(admin, account)


@pytest.mark.parametrize("role", ["producer", "operator", "live_team", "analyst"])
def test_only_account_managers_and_admins_connect(fake_platform, world, account, role):
    with pytest.raises(PermissionDenied):
        start(staff(world, role), account)
    manager = staff(world, "account_manager")
    assert state_of(start(manager, account))
    assert count(AuthorisationRequest) == 1


# --- completing --------------------------------------------------------------------------------


def test_complete_stores_the_connection_and_its_sealed_tokens(fake_platform, world, account, admin):
    connection = connect(admin, account, code="data.external.user,fans.data")
    connection = Connection.dangerously_all_agencies.get(pk=connection.pk)
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.open_id == fake_platform.open_id
    assert (connection.connected_by_id, connection.account_id, connection.client_id) == (
        world.staff_a.pk,
        account.pk,
        world.client_a1.pk,
    )
    assert connection.scopes == ["data.external.user", "fans.data"]
    # What every other capability needs, and was not granted.
    assert set(connection.missing_scopes) == set(ALL_SCOPES.split(",")) - {"data.external.user", "fans.data"}
    secret = ConnectionSecret.dangerously_all_agencies.get(connection=connection)
    access, refresh = tokens_of(connection)
    assert access in fake_platform.valid_access and refresh in fake_platform.valid_refresh
    assert access not in secret.access_token and refresh not in secret.refresh_token
    assert crypto.unseal(secret.access_token) == access
    account.refresh_from_db()
    assert account.platform_uid == fake_platform.open_id
    assert account.nickname == fake_platform.nickname
    assert AuthorisationRequest.dangerously_all_agencies.get().used_at is not None


def test_complete_keeps_an_accounts_own_uid_and_nickname(fake_platform, world, admin):
    account = PlatformAccountFactory(client=world.client_a1, platform_uid="uid-typed", nickname="Typed")
    connect(admin, account)
    account.refresh_from_db()
    assert (account.platform_uid, account.nickname) == ("uid-typed", "Typed")


def assert_refused(match: str, fake_platform, fn):
    connections, secrets_ = count(Connection), count(ConnectionSecret)
    with pytest.raises(ValidationError, match=match):
        fn()
    assert (count(Connection), count(ConnectionSecret)) == (connections, secrets_)
    assert "exchange_code" not in fake_platform.calls


def test_an_unknown_state_is_refused(fake_platform, account, admin):
    start(admin, account)
    assert_refused("not known", fake_platform, lambda: complete(admin, "made-up-state"))


def test_an_expired_state_is_refused(fake_platform, account, admin):
    state = state_of(start(admin, account))
    AuthorisationRequest.dangerously_all_agencies.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_refused("expired", fake_platform, lambda: complete(admin, state))


def test_a_state_is_used_once(fake_platform, account, admin):
    state = state_of(start(admin, account))
    complete(admin, state)
    fake_platform.calls.clear()
    assert_refused("already been used", fake_platform, lambda: complete(admin, state))
    assert count(Connection) == 1


def test_another_persons_state_is_refused(fake_platform, world, account, admin):
    state = state_of(start(admin, account))
    other = staff(world, "account_manager")
    assert_refused("someone else", fake_platform, lambda: complete(other, state))
    assert AuthorisationRequest.dangerously_all_agencies.get().used_at is None


def test_a_state_of_another_agencys_account_is_refused(fake_platform, world, admin):
    account_b = PlatformAccountFactory(client=world.client_b)
    actor_b = actor_of(world.staff_b, world.agency_b)
    state = state_of(start(actor_b, account_b))
    # The same state brought back inside agency A (by a person of agency A) finds nothing there.
    assert_refused("another agency", fake_platform, lambda: complete(admin, state))
    assert AuthorisationRequest.dangerously_all_agencies.get().used_at is None


def test_a_refusal_by_the_account_owner_connects_nothing(fake_platform, account, admin):
    state = state_of(start(admin, account))
    assert_refused("access_denied", fake_platform, lambda: complete(admin, state, code=None, error="access_denied"))


def test_a_platform_error_during_the_exchange_connects_nothing(fake_platform, account, admin):
    state = state_of(start(admin, account))
    fake_platform.fail_next("exchange_code", PlatformUnavailable("timeout"))
    with pytest.raises(ValidationError, match="timeout"):
        complete(admin, state)
    assert count(Connection) == 0 and count(ConnectionSecret) == 0


def test_an_open_id_connected_to_another_account_is_refused(fake_platform, world, account, admin):
    connect(admin, account)
    twin = PlatformAccountFactory(client=world.client_a2)
    state = state_of(start(admin, twin))
    with pytest.raises(ValidationError, match="already connected as"):
        complete(admin, state)
    assert count(Connection, account=twin) == 0


def test_completion_must_not_run_inside_a_transaction(fake_platform, account, admin):
    from django.db import transaction

    state = state_of(start(admin, account))
    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        complete(admin, state)


def test_reconnecting_reuses_the_connection(fake_platform, account, admin):
    connection = connect(admin, account)
    with tenant_context(admin.agency):
        calls.mark_reconnect(connection, "refresh_token过期")
    assert Connection.dangerously_all_agencies.get().status == ConnectionStatus.RECONNECT
    again = connect(admin, account)
    assert again.pk == connection.pk
    row = Connection.dangerously_all_agencies.get()
    assert (row.status, row.problem) == (ConnectionStatus.CONNECTED, "")


# --- a link sent to the client ------------------------------------------------------------------


def test_a_client_person_authorises_through_a_link(fake_platform, world, account, admin):
    with tenant_context(admin.agency, admin):
        token = services.authorisation_link(actor=admin, account=account, person=world.approver_a1)
    link = AuthorisationRequest.dangerously_all_agencies.get()
    assert link.link_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at >= timezone.now() + AUTHORISATION_LINK_TTL - dt.timedelta(minutes=1)
    person = actor_of(world.approver_a1, world.agency_a)
    with tenant_context(person.agency, person):
        url = services.authorisation_start_from_link(user=world.approver_a1, token=token, redirect_uri=REDIRECT)
    connection = complete(person, state_of(url))
    row = Connection.dangerously_all_agencies.get(pk=connection.pk)
    assert row.connected_by_id == world.approver_a1.pk and row.status == ConnectionStatus.CONNECTED
    with tenant_context(person.agency, person), pytest.raises(ValidationError, match="already been used"):
        services.link_request(user=world.approver_a1, token=token)


def test_a_link_is_only_for_the_person_it_was_sent_to(fake_platform, world, account, admin):
    with tenant_context(admin.agency, admin):
        token = services.authorisation_link(actor=admin, account=account, person=world.approver_a1)
    viewer = actor_of(world.viewer_a1, world.agency_a)
    with tenant_context(viewer.agency, viewer), pytest.raises(ValidationError, match="someone else"):
        services.authorisation_start_from_link(user=world.viewer_a1, token=token, redirect_uri=REDIRECT)
    assert count(AuthorisationRequest) == 1


def test_a_link_goes_only_to_a_person_of_the_accounts_client(fake_platform, world, account, admin):
    other_client_person = UserFactory()
    MembershipFactory(agency=world.agency_a, role="client_viewer", client=world.client_a2, user=other_client_person)
    for person in (other_client_person, world.staff_a):
        with tenant_context(admin.agency, admin), pytest.raises(ValidationError, match="client"):
            services.authorisation_link(actor=admin, account=account, person=person)
    assert count(AuthorisationRequest) == 0


def test_an_expired_link_is_refused(fake_platform, world, account, admin):
    with tenant_context(admin.agency, admin):
        token = services.authorisation_link(actor=admin, account=account, person=world.approver_a1)
    AuthorisationRequest.dangerously_all_agencies.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    person = actor_of(world.approver_a1, world.agency_a)
    with tenant_context(person.agency, person), pytest.raises(ValidationError, match="expired"):
        services.authorisation_start_from_link(user=world.approver_a1, token=token, redirect_uri=REDIRECT)


# --- disconnecting -----------------------------------------------------------------------------


def test_disconnect_revokes_and_forgets_the_tokens(fake_platform, account, admin):
    connection = connect(admin, account)
    with tenant_context(admin.agency, admin):
        row = services.connection_disconnect(actor=admin, connection=connection)
    assert fake_platform.revoked
    assert row.status == ConnectionStatus.DISCONNECTED and row.disconnected_at is not None
    assert count(ConnectionSecret) == 0
    # The account can be connected again afterwards.
    assert state_of(start(admin, account))


def test_a_failed_revocation_is_recorded_and_the_tokens_still_go(fake_platform, account, admin):
    connection = connect(admin, account)
    fake_platform.fail_next("revoke", PlatformUnavailable("platform down"))
    with tenant_context(admin.agency, admin):
        row = services.connection_disconnect(actor=admin, connection=connection)
    assert row.status == ConnectionStatus.DISCONNECTED
    assert "platform down" in row.problem
    assert count(ConnectionSecret) == 0


def test_only_account_managers_and_admins_disconnect(fake_platform, world, account, admin):
    connection = connect(admin, account)
    with tenant_context(admin.agency), pytest.raises(PermissionDenied):
        services.connection_disconnect(actor=staff(world, "operator"), connection=connection)
    assert Connection.dangerously_all_agencies.get().status == ConnectionStatus.CONNECTED


# --- keeping tokens fresh ----------------------------------------------------------------------


def refresh_due(agency, now=None) -> int:
    with tenant_context(agency):
        return services.connections_refresh_due(now=now)


def test_access_tokens_due_within_refresh_ahead_are_refreshed(fake_platform, world, account, admin):
    connection = connect(admin, account)
    access_before, refresh_before = tokens_of(connection)
    expires = Connection.dangerously_all_agencies.get().expires_at
    assert refresh_due(world.agency_a) == 0  # 15 days away: nothing to do
    assert "refresh" not in fake_platform.calls
    assert refresh_due(world.agency_a, now=expires - REFRESH_AHEAD + dt.timedelta(minutes=1)) == 1
    row = Connection.dangerously_all_agencies.get()
    access_after, refresh_after = tokens_of(row)
    assert access_after != access_before and refresh_after == refresh_before
    assert row.refreshed_at is not None and row.expires_at > expires - dt.timedelta(days=1)
    assert "renew_refresh_token" not in fake_platform.calls


def test_refresh_tokens_due_within_renew_ahead_are_renewed(fake_platform, world, account, admin):
    connection = connect(admin, account)
    _, refresh_before = tokens_of(connection)
    refresh_expires = Connection.dangerously_all_agencies.get().refresh_expires_at
    assert refresh_due(world.agency_a, now=refresh_expires - RENEW_AHEAD + dt.timedelta(minutes=1)) == 1
    _, refresh_after = tokens_of(connection)
    assert refresh_after != refresh_before
    assert refresh_after in fake_platform.valid_refresh and refresh_before not in fake_platform.valid_refresh
    assert Connection.dangerously_all_agencies.get().refresh_expires_at > refresh_expires


def test_a_revoked_authorisation_asks_to_reconnect_and_others_still_refresh(fake_platform, world, admin):
    first = connect(admin, PlatformAccountFactory(client=world.client_a1))
    fake_platform.open_id = "second-open-id"
    second = connect(admin, PlatformAccountFactory(client=world.client_a2))
    expires = max(c.expires_at for c in Connection.dangerously_all_agencies.all())
    fake_platform.fail_next("refresh", ReconnectNeeded("refresh_token过期", code=10010))
    refreshed = refresh_due(world.agency_a, now=expires)
    rows = {c.pk: c for c in Connection.dangerously_all_agencies.all()}
    statuses = {rows[first.pk].status, rows[second.pk].status}
    assert statuses == {ConnectionStatus.RECONNECT, ConnectionStatus.CONNECTED}
    assert refreshed == 1
    broken = next(c for c in rows.values() if c.status == ConnectionStatus.RECONNECT)
    assert "refresh_token过期" in broken.problem


def test_a_platform_outage_leaves_the_connection_for_the_next_run(fake_platform, world, account, admin):
    connect(admin, account)
    expires = Connection.dangerously_all_agencies.get().expires_at
    fake_platform.fail_next("refresh", PlatformUnavailable("502"))
    assert refresh_due(world.agency_a, now=expires) == 0
    assert Connection.dangerously_all_agencies.get().status == ConnectionStatus.CONNECTED
    assert refresh_due(world.agency_a, now=expires) == 1


def test_refresh_due_touches_only_the_current_agency(fake_platform, world, account, admin):
    connect(admin, account)
    expires = Connection.dangerously_all_agencies.get().expires_at
    assert refresh_due(world.agency_b, now=expires) == 0
    assert "refresh" not in fake_platform.calls


def test_refresh_due_needs_an_agency_in_context(fake_platform):
    with pytest.raises(RuntimeError, match="tenant_context"):
        services.connections_refresh_due()


# --- tokens never leak -------------------------------------------------------------------------


def test_no_token_reaches_a_log_line(fake_platform, world, account, admin, caplog):
    caplog.set_level(logging.DEBUG)
    connection = connect(admin, account)
    seen = set(tokens_of(connection))
    expires = Connection.dangerously_all_agencies.get().expires_at
    refresh_due(world.agency_a, now=expires)
    seen |= set(tokens_of(connection))
    fake_platform.fail_next("refresh", ReconnectNeeded("refresh_token过期", code=10010))
    refresh_due(world.agency_a, now=expires + dt.timedelta(days=1))
    with tenant_context(admin.agency, admin):
        services.connection_disconnect(actor=admin, connection=connection)
    assert caplog.records, "the flow logs what happens"
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for token in seen:
        assert token not in text


def test_no_token_reaches_the_audit_trail(fake_platform, world, account, admin):
    from records.models import AuditEvent

    connection = connect(admin, account)
    seen = set(tokens_of(connection))
    expires = Connection.dangerously_all_agencies.get().expires_at
    refresh_due(world.agency_a, now=expires)
    seen |= set(tokens_of(connection))
    sealed = ConnectionSecret.dangerously_all_agencies.get()
    seen |= {sealed.access_token, sealed.refresh_token}
    events = list(AuditEvent.dangerously_all_agencies.values_list("changes", flat=True))
    labels = set(AuditEvent.dangerously_all_agencies.values_list("model_label", flat=True))
    assert "platforms.connection" in labels  # the connection itself is on the trail
    assert "platforms.connectionsecret" not in labels
    text = repr(events)
    for token in seen:
        assert token not in text


def test_tokens_repr_never_shows_a_token(fake_platform, account, admin):
    connection = connect(admin, account)
    with tenant_context(admin.agency):
        tokens = calls.tokens_of(connection)
    assert tokens.access_token not in repr(tokens) and tokens.refresh_token not in repr(tokens)


def test_the_account_row_is_unchanged_when_nothing_is_missing(fake_platform, world, admin):
    account = PlatformAccountFactory(client=world.client_a1, platform_uid="u", nickname="n")
    updated = PlatformAccount.dangerously_all_agencies.get(pk=account.pk).updated_at
    connect(admin, account)
    assert PlatformAccount.dangerously_all_agencies.get(pk=account.pk).updated_at == updated


def test_no_token_reaches_the_agency_export(fake_platform, world, account, admin, tmp_path):
    import zipfile

    from portability.services.exports import agency_export

    connection = connect(admin, account)
    plain = set(tokens_of(connection))
    sealed = ConnectionSecret.dangerously_all_agencies.get()
    path = tmp_path / "agency.zip"
    agency_export(agency=world.agency_a, output=path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        text = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    assert "data/platforms.connection.jsonl" in names  # the connection itself travels
    assert "data/platforms.connectionsecret.jsonl" not in names
    assert "data/platforms.authorisationrequest.jsonl" not in names
    for token in (*plain, sealed.access_token, sealed.refresh_token):
        assert token not in text


def test_a_connection_without_tokens_asks_to_reconnect(fake_platform, world, account, admin):
    connect(admin, account)
    ConnectionSecret.dangerously_all_agencies.all().delete()  # as after an import from an archive
    assert refresh_due(world.agency_a) == 0
    row = Connection.dangerously_all_agencies.get()
    assert row.status == ConnectionStatus.RECONNECT and "authorise again" in row.problem
