"""Kept conformance results: the same as the checks give on the fly, marked stale by any write to
what a clause reads (declared on its check), frozen by the month's snapshot, scoped to the agency."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agency.answer_cache import READS
from agency.conformance import Period, evaluate_clause, evidence_tables
from agency.models import Agency
from agency.standard import CLAUSES
from agency.tenancy import tenant_context
from clients.models import Client
from reports.selectors import clients_results
from reports.services import conformance_refresh

# Read by checks without being evidence: the trail of the rows they read is written with those
# rows (the database writes it), and Django's own tables of names.
NOT_EVIDENCE = {"records_auditevent", "django_content_type"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_template):
    """The demo, freshly seeded, for the module: on PostgreSQL a fresh copy of the run's demo
    (``tests.demo_database``), elsewhere seeded here; inside a transaction rolled back after the
    module's last test, which each test runs in a savepoint of."""
    with django_db_blocker.unblock():
        if demo_template is not None:
            demo_template.fresh_copy(media_root=None)  # the tests read no file
        try:
            with transaction.atomic():
                if demo_template is None:
                    call_command("seed_demo", stdout=io.StringIO(), no_color=True, no_connect=True)
                yield
                transaction.set_rollback(True)
        finally:
            if demo_template is not None:
                demo_template.done_with_copy()


def months(agency) -> list[Period]:
    today = agency.today()
    first = today.replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return [Period.month(first.year, first.month), Period.month(previous.year, previous.month)]


def test_every_check_reads_only_what_it_declares(demo, db):
    undeclared: dict[str, set[str]] = {}
    for agency in Agency.objects.all():
        with tenant_context(agency):
            for client in Client.objects.select_related("agency"):
                for period in months(agency):
                    for clause in CLAUSES:
                        with CaptureQueriesContext(connection) as ctx:
                            evaluate_clause(client, period, clause.id)
                        read = {table for query in ctx.captured_queries for table in READS.findall(query["sql"])}
                        extra = read - evidence_tables(clause.id) - NOT_EVIDENCE
                        if extra:
                            undeclared.setdefault(clause.id, set()).update(extra)
    assert not undeclared, f"Checks read tables their clause_check(reads=...) does not declare: {undeclared}"


def test_kept_results_equal_the_checks_on_the_fly(demo, db):
    """Every clause, every client of the demo, this month and the last: what a page reads from the
    kept rows is what the check says on the fly."""
    compared = 0
    for agency in Agency.objects.all():
        with tenant_context(agency):
            clients = list(Client.objects.select_related("agency"))
            for period in months(agency):
                conformance_refresh(agency=agency, client_ids=[c.pk for c in clients], month=period.start)
                kept = clients_results(clients, period)
                for client in clients:
                    assert kept[client.pk].snapshot is None
                    assert kept[client.pk].kept == len(CLAUSES), "every result read from a kept row"
                    for clause, result in zip(CLAUSES, kept[client.pk].results, strict=True):
                        assert result.as_dict() == evaluate_clause(client, period, clause.id).as_dict(), (
                            client.name,
                            period,
                            clause.id,
                        )
                        compared += 1
    assert compared >= 2 * len(CLAUSES)
