"""Tokens at rest: sealed with MultiFernet, rotated to a new key without losing a connection, and a
warning when production runs without keys of its own."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from agency.tenancy import tenant_context
from platforms import crypto
from platforms.checks import token_keys_configured
from platforms.models import ConnectionSecret
from platforms.services import calls
from tests.factories import PlatformAccountFactory
from tests.platforms.test_connections import actor_of, connect, tokens_of

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def test_seal_hides_the_token_and_unseal_gives_it_back(settings):
    settings.PLATFORM_TOKEN_KEYS = [KEY_A]
    sealed = crypto.seal("act-secret-token")
    assert "act-secret-token" not in sealed
    assert crypto.unseal(sealed) == "act-secret-token"
    assert crypto.seal("act-secret-token") != sealed  # a fresh IV every time


def test_a_dropped_key_makes_its_tokens_unreadable(settings):
    settings.PLATFORM_TOKEN_KEYS = [KEY_A]
    sealed = crypto.seal("token")
    settings.PLATFORM_TOKEN_KEYS = [KEY_B]
    with pytest.raises(crypto.TokenUnreadable):
        crypto.unseal(sealed)


@pytest.mark.django_db(transaction=True)
def test_rotating_keeps_every_connection_working(settings, fake_platform, world):
    settings.PLATFORM_TOKEN_KEYS = [KEY_A]
    connection_a = connect(actor_of(world.staff_a, world.agency_a), PlatformAccountFactory(client=world.client_a1))
    fake_platform.open_id = "open-id-of-b"
    connection_b = connect(actor_of(world.staff_b, world.agency_b), PlatformAccountFactory(client=world.client_b))
    before = {c.pk: tokens_of(c) for c in (connection_a, connection_b)}

    settings.PLATFORM_TOKEN_KEYS = [KEY_B, KEY_A]
    call_command("platform_tokens_rotate", stdout=io.StringIO())
    settings.PLATFORM_TOKEN_KEYS = [KEY_B]  # the old key dropped

    for connection in (connection_a, connection_b):
        assert tokens_of(connection) == before[connection.pk]
        with tenant_context(connection.agency):
            profile = calls.call(connection, "profile")
        assert profile.open_id == fake_platform.open_id
    # Key A alone can read none of them any more: every row was re-sealed.
    settings.PLATFORM_TOKEN_KEYS = [KEY_A]
    for secret in ConnectionSecret.dangerously_all_agencies.all():
        with pytest.raises(crypto.TokenUnreadable):
            crypto.unseal(secret.access_token)


@pytest.mark.django_db(transaction=True)
def test_rotation_names_the_connections_no_key_reads(settings, fake_platform, world):
    settings.PLATFORM_TOKEN_KEYS = [KEY_A]
    connection = connect(actor_of(world.staff_a, world.agency_a), PlatformAccountFactory(client=world.client_a1))
    settings.PLATFORM_TOKEN_KEYS = [KEY_B]
    with pytest.raises(CommandError, match=str(connection.pk)):
        call_command("platform_tokens_rotate", stdout=io.StringIO())


def test_production_without_token_keys_is_warned_about(settings):
    settings.PRODUCTION = True
    settings.PLATFORM_TOKEN_KEYS = []
    warnings = token_keys_configured(None)
    assert [w.id for w in warnings] == ["platforms.W001"]
    settings.PLATFORM_TOKEN_KEYS = [KEY_A]
    assert token_keys_configured(None) == []
    settings.PRODUCTION = False
    settings.PLATFORM_TOKEN_KEYS = []
    assert token_keys_configured(None) == []
