"""The ``commits_as_in_production`` fixture (tests/conftest.py): in a test inside the test case's
transaction, ``on_commit`` callbacks run when production would run them."""

from __future__ import annotations

import pytest
from django.db import transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]


def test_a_callback_outside_any_block_runs_at_once():
    ran = []
    transaction.on_commit(lambda: ran.append("now"))
    assert ran == ["now"]


def test_a_callback_runs_when_the_outermost_block_ends_not_before():
    ran = []
    with transaction.atomic():
        with transaction.atomic():
            transaction.on_commit(lambda: ran.append("inner"))
        assert ran == []  # a savepoint released: nothing committed yet
        transaction.on_commit(lambda: ran.append("outer"))
        assert ran == []
    assert ran == ["inner", "outer"]


def test_a_block_rolled_back_drops_its_callbacks_and_keeps_the_others():
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("kept"))
        with pytest.raises(ValueError), transaction.atomic():
            transaction.on_commit(lambda: ran.append("dropped"))
            raise ValueError
    with pytest.raises(ValueError), transaction.atomic():
        transaction.on_commit(lambda: ran.append("dropped too"))
        raise ValueError
    assert ran == ["kept"]


def test_a_robust_callback_that_fails_does_not_stop_the_others(caplog):
    ran = []

    def broken():
        raise RuntimeError("broken")

    with transaction.atomic():
        transaction.on_commit(broken, robust=True)
        transaction.on_commit(lambda: ran.append("after"))
    assert ran == ["after"] and "broken" in caplog.text
