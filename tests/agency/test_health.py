"""``/api/v1/health/``: answers without a login and tells nothing of any agency."""

from __future__ import annotations

from django.db import DatabaseError
from django.urls import reverse


def test_health_answers_ok_without_a_login(db, api):
    response = api().get(reverse("api-health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_when_the_database_fails(db, api, monkeypatch):
    from agency.api import health

    class Broken:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "connection", Broken())
    response = api().get(reverse("api-health"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
