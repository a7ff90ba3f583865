"""The API suites' world (tests.agency.api_world) taken as committed by the answer cache: its reads
are kept and served as production serves them after a commit, and nothing read from it is served
once it is rolled back."""

from __future__ import annotations

import pytest

from agency import answer_cache
from agency.tenancy import tenant_context
from clients.models import Client
from tests.agency.api_world import CLIENT_NAMES, module_world

pytestmark = pytest.mark.django_db


def test_a_world_taken_as_committed_is_served_from_the_answer_cache_until_it_is_rolled_back(
    django_db_setup, django_db_blocker, tmp_path
):
    computed = []

    def names():
        computed.append(1)
        return sorted(Client.objects.values_list("name", flat=True))

    with module_world(django_db_blocker, tmp_path, as_committed=True) as world:
        agency = world.agency_a
        with tenant_context(agency):
            answers = [answer_cache.cached("world-client-names", (), names) for _ in range(3)]
    # The first computation learns the tables the name reads, the second is kept, the third served.
    assert answers == [sorted([CLIENT_NAMES["a1"], CLIENT_NAMES["a2"]])] * 3
    assert len(computed) == 2
    with django_db_blocker.unblock(), tenant_context(agency):
        # The world's rows are gone: so is every answer read from them.
        assert answer_cache.cached("world-client-names", (), names) == []
    assert len(computed) == 3
