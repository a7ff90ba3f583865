"""Fixtures of the connectors' tests."""

from __future__ import annotations

import pytest

from platforms import adapters
from tests.platforms import fakes
from tests.platforms.simulator_fixture import simulator  # noqa: F401  (the platforms' simulator, over HTTP)


@pytest.fixture
def fake_platform(monkeypatch, settings):
    """Douyin answered by ``FakeAdapter`` over a fresh ``FakePlatform``, which is returned."""
    state = fakes.FakePlatform()
    monkeypatch.setattr(
        fakes,
        "ConfiguredFakeAdapter",
        type("ConfiguredFakeAdapter", (fakes.FakeAdapter,), {"state": state}),
        raising=False,
    )
    monkeypatch.setitem(adapters.ADAPTERS, "douyin", "tests.platforms.fakes.ConfiguredFakeAdapter")
    settings.PLATFORMS = {
        "douyin": {"base_url": "http://fake.invalid/douyin", "client_key": "fake-key", "client_secret": "fake-secret"}
    }
    return state
