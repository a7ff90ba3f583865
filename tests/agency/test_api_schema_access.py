"""/api/schema/ and /api/docs/ answer anyone only when API_SCHEMA_PUBLIC is on (development's default);
otherwise (production's default) only a signed-in person, by session or token."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, api_token_key


@pytest.mark.django_db
def test_with_the_schema_not_public_only_signed_in_people_read_it(client, settings):
    settings.API_SCHEMA_PUBLIC = False
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/").status_code == 401
    person = MembershipFactory(role="analyst").user
    token_reader = APIClient()
    token_reader.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(person)}")
    assert token_reader.get("/api/schema/").status_code == 200
    client.force_login(person)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.slow  # starts a process
def test_production_keeps_the_schema_for_signed_in_people_by_default(monkeypatch):
    code = (
        "from django.conf import settings; "
        "print(settings.API_SCHEMA_PUBLIC, settings.SPECTACULAR_SETTINGS['SERVE_PERMISSIONS'])"
    )
    env = {**os.environ, "DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "a.example"}
    env.pop("API_SCHEMA_PUBLIC", None)
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "project.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "False ['agency.api.schema.SchemaAccess']"
