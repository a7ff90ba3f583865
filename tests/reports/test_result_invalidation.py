"""A write to a clause's evidence marks its kept results stale in the writer's transaction and asks
the outbox for their refresh; the refresh keeps them fresh again; a month's snapshot freezes them;
the rows are the agency's own (row-level security)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

import tests.accounts_ops.factories
import tests.evaluation.factories
import tests.extensions.factories
import tests.production.factories
import tests.records.factories  # noqa: F401  (each registers its models' row makers)
from agency.conformance import Period, clauses_reading, evaluate_clause, evidence_models
from agency.models import TaskOutbox
from agency.standard import CLAUSES
from agency.tenancy import tenant_context
from clients.models import ClientRequirement
from reports.evidence import ask_refresh, forget_marks
from reports.models import ConformanceResult, ResultState
from reports.selectors import clients_results
from reports.services import conformance_refresh, conformance_result_compute, conformance_snapshot_take
from tests.factories import ROW_MAKERS, ClientRequirementFactory, make_row


def kept_fresh(agency, client, month: dt.date) -> None:
    """Every clause kept fresh for ``client`` and ``month`` (as a refresh leaves them)."""
    now = timezone.now()
    ConformanceResult.objects.bulk_create(
        [
            ConformanceResult(
                agency=agency,
                client=client,
                clause_id=clause.id,
                month=month,
                state=ResultState.FRESH,
                status="met",
                result={"clause_id": clause.id, "title": "", "status": "met", "summary": "", "evidence": []},
                computed_at=now,
            )
            for clause in CLAUSES
        ],
        update_conflicts=True,
        unique_fields=["agency", "client", "month", "clause_id"],
        update_fields=["state"],
    )
    forget_marks()


def stale_clauses(client) -> set[str]:
    return set(
        ConformanceResult.objects.filter(client=client)
        .exclude(state=ResultState.FRESH)
        .values_list("clause_id", flat=True)
    )


def evidence_with_a_maker() -> list[tuple[str, type]]:
    pairs = set()
    for clause in CLAUSES:
        for model in evidence_models(clause.id):
            if model in ROW_MAKERS:
                pairs.add((model._meta.label, model))
    return sorted(pairs, key=lambda pair: pair[0])


@pytest.mark.parametrize("label", [label for label, _model in evidence_with_a_maker()])
def test_a_new_row_of_evidence_marks_the_clauses_that_read_it_stale(world, label):
    model = apps.get_model(label)
    month = world.agency_a.today().replace(day=1)
    with tenant_context(world.agency_a):
        kept_fresh(world.agency_a, world.client_a1, month)
        row = make_row(model, agency=world.agency_a, client=world.client_a1)
        if label == "clients.Client":  # the client itself, already there: a change of it
            row.save()
        readers = clauses_reading(model._meta.db_table)
        assert readers, label
        assert readers <= stale_clauses(world.client_a1)


def test_a_bulk_update_marks_and_a_clause_reading_nothing_written_stays_fresh(world):
    month = world.agency_a.today().replace(day=1)
    with tenant_context(world.agency_a):
        ClientRequirementFactory(client=world.client_a1)
        kept_fresh(world.agency_a, world.client_a1, month)
        ClientRequirement.objects.filter(client=world.client_a1).update(title="Post on Fridays and Sundays")
        stale = stale_clauses(world.client_a1)
    assert stale == set(clauses_reading("clients_clientrequirement"))
    assert "6.4" not in stale and "8.1" not in stale


def test_a_rolled_back_write_marks_nothing(world):
    month = world.agency_a.today().replace(day=1)
    with tenant_context(world.agency_a):
        kept_fresh(world.agency_a, world.client_a1, month)
        try:
            with transaction.atomic():
                ClientRequirementFactory(client=world.client_a1)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        assert stale_clauses(world.client_a1) == set()
        # And a write after the rollback, in the same transaction, marks again.
        ClientRequirementFactory(client=world.client_a1)
        assert "4.1" in stale_clauses(world.client_a1)


def test_a_write_in_another_agency_leaves_ours_fresh(world):
    month = world.agency_a.today().replace(day=1)
    with tenant_context(world.agency_a):
        kept_fresh(world.agency_a, world.client_a1, month)
    with tenant_context(world.agency_b):
        ClientRequirementFactory(client=world.client_b)
    with tenant_context(world.agency_a):
        assert stale_clauses(world.client_a1) == set()


def test_a_write_that_marks_asks_the_outbox_for_the_refresh_once_committed(world, django_capture_on_commit_callbacks):
    month = world.agency_a.today().replace(day=1)
    with tenant_context(world.agency_a):
        kept_fresh(world.agency_a, world.client_a1, month)
        with django_capture_on_commit_callbacks() as callbacks:
            ClientRequirementFactory(client=world.client_a1)
            ClientRequirementFactory(client=world.client_a1)
        asked = [c for c in callbacks if getattr(c, "func", None) is ask_refresh]
        assert len(asked) == 1, "once per transaction"
        before = TaskOutbox.objects.filter(task="reports.tasks.conformance_refresh_task").count()
        with django_capture_on_commit_callbacks():  # the outbox's own send, not run here
            asked[0]()
        entries = TaskOutbox.objects.filter(task="reports.tasks.conformance_refresh_task")
        assert entries.count() == before + 1
        assert entries.order_by("-pk").first().kwargs == {"agency_id": world.agency_a.pk}


def test_the_refresh_keeps_what_the_checks_say_and_leaves_fresh_rows_alone(world, django_assert_max_num_queries):
    today = world.agency_a.today()
    period = Period.month(today.year, today.month)
    with tenant_context(world.agency_a):
        ClientRequirementFactory(client=world.client_a1, raised_at=timezone.now() - dt.timedelta(days=30))
        assert conformance_refresh(agency=world.agency_a) == 2 * len(CLAUSES)  # both active clients
        found = clients_results([world.client_a1], period)[world.client_a1.pk]
        assert found.kept == len(CLAUSES)
        for clause, result in zip(CLAUSES, found.results, strict=True):
            assert result.as_dict() == evaluate_clause(world.client_a1, period, clause.id).as_dict()
        # The active clients, their rows made where missing (none), what is due (nothing); the
        # savepoint around the second.
        with django_assert_max_num_queries(5):
            assert conformance_refresh(agency=world.agency_a) == 0


def test_a_write_while_a_result_is_computed_leaves_it_stale(world, monkeypatch):
    """The refresh claims a row, computes, and keeps it only if no write marked it meanwhile: the
    figures it read may predate that write."""
    month = world.agency_a.today().replace(day=1)
    with tenant_context(world.agency_a):
        conformance_refresh(agency=world.agency_a)
        ConformanceResult.objects.filter(client=world.client_a1, clause_id="4.1").update(state=ResultState.STALE)
        forget_marks()
        import reports.services as services

        said = services._said

        def write_meanwhile(client, period, clause_id):
            answer = said(client, period, clause_id)
            ClientRequirementFactory(client=world.client_a1)  # committed by another writer, say
            return answer

        monkeypatch.setattr(services, "_said", write_meanwhile)
        kept = conformance_result_compute(client=world.client_a1, month=month, clause_ids=["4.1"])
        assert kept == 0
        assert ConformanceResult.objects.get(client=world.client_a1, clause_id="4.1").state == ResultState.STALE


def test_a_stale_result_is_evaluated_on_the_client_page_and_shown_marked_in_lists(world):
    today = world.agency_a.today()
    period = Period.month(today.year, today.month)
    with tenant_context(world.agency_a):
        conformance_refresh(agency=world.agency_a)
        ClientRequirementFactory(client=world.client_a1, raised_at=timezone.now() - dt.timedelta(days=30))
        exact = clients_results([world.client_a1], period)[world.client_a1.pk]
        listed = clients_results([world.client_a1], period, stale_shown=True)[world.client_a1.pk]
    by_clause = {r.clause_id: r for r in exact.results}
    assert by_clause["4.1"].status == "not_met" and not by_clause["4.1"].stale
    listed_41 = next(r for r in listed.results if r.clause_id == "4.1")
    assert listed_41.stale and listed_41.status == "not_applicable"  # as kept before the requirement


def test_the_month_snapshot_freezes_the_kept_rows(world):
    today = world.agency_a.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    period = Period.month(last.year, last.month)
    with tenant_context(world.agency_a):
        conformance_refresh(agency=world.agency_a, client_ids=[world.client_a1.pk], month=period.start)
        snapshot, made = conformance_snapshot_take(client=world.client_a1, period=period)
        assert made
        rows = list(ConformanceResult.objects.filter(client=world.client_a1, month=period.start).order_by("pk"))
        assert len(rows) == len(CLAUSES) and all(row.frozen for row in rows)
        assert [item["status"] for item in snapshot.results] == [
            evaluate_clause(world.client_a1, period, clause.id).status for clause in CLAUSES
        ]
        assert snapshot.results == [
            ConformanceResult.objects.get(client=world.client_a1, month=period.start, clause_id=c.id).result
            for c in CLAUSES
        ]
        ClientRequirementFactory(client=world.client_a1, raised_at=timezone.now() - dt.timedelta(days=40))
        assert (
            not ConformanceResult.objects.filter(client=world.client_a1, month=period.start)
            .exclude(state=ResultState.FRESH)
            .exists()
        ), "a frozen month is never marked"


def test_the_kept_rows_are_the_agencys_own_in_the_database(world):
    month = world.agency_a.today().replace(day=1)
    with tenant_context(world.agency_a):
        kept_fresh(world.agency_a, world.client_a1, month)
    with tenant_context(world.agency_b):
        assert not ConformanceResult.objects.exists()
        if connection.vendor == "postgresql":  # row-level security, past the application's scoping
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM reports_conformanceresult")
                assert cursor.fetchone()[0] == 0


def test_a_persons_name_marks_every_agency_and_a_sign_in_marks_nothing(world, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    month_a = world.agency_a.today().replace(day=1)
    month_b = world.agency_b.today().replace(day=1)
    with tenant_context(world.agency_a):
        kept_fresh(world.agency_a, world.client_a1, month_a)
    with tenant_context(world.agency_b):
        kept_fresh(world.agency_b, world.client_b, month_b)
    with tenant_context(world.agency_a):
        get_user_model().objects.filter(pk=world.staff_a.pk).update(last_login=timezone.now())
        assert stale_clauses(world.client_a1) == set(), "when a person signed in is no evidence"
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            get_user_model().objects.filter(pk=world.staff_a.pk).update(first_name="Renamed")
            assert stale_clauses(world.client_a1) == set(), "marked once the writer has committed"
        assert callbacks
        assert clauses_reading("auth_user") <= stale_clauses(world.client_a1)
    with tenant_context(world.agency_b):
        # A person may work for several agencies: their name is evidence in every one.
        assert clauses_reading("auth_user") <= stale_clauses(world.client_b)
