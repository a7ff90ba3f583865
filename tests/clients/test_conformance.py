"""Clause 4.1's check, at its boundaries, and the registry that reports every clause."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from agency.conformance import CHECKS, Period, Status, evaluate
from agency.standard import CLAUSES
from agency.tenancy import tenant_context
from clients.conformance import REQUIREMENT_DECISION_DAYS
from clients.models import RequirementStatus
from tests.factories import ClientRequirementFactory

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def check_41(client, period):
    with tenant_context(client.agency):
        return CHECKS["4.1"](client, period)


NOVEMBER = Period.month(2025, 11)  # a past month: "today" plays no part
DAYS = REQUIREMENT_DECISION_DAYS.default


def test_no_requirement_is_not_applicable(world):
    assert check_41(world.client_a1, NOVEMBER).status == Status.NOT_APPLICABLE


def test_open_requirement_within_the_decision_window_is_met(world):
    ClientRequirementFactory(client=world.client_a1, raised_at=at(NOVEMBER.end - dt.timedelta(days=DAYS)))
    assert check_41(world.client_a1, NOVEMBER).status == Status.MET


def test_open_requirement_past_the_decision_window_is_not_met(world):
    ClientRequirementFactory(
        client=world.client_a1, title="Late one", raised_at=at(NOVEMBER.end - dt.timedelta(days=DAYS + 1))
    )
    result = check_41(world.client_a1, NOVEMBER)
    assert result.status == Status.NOT_MET and "Late one" in result.summary


def test_agency_setting_changes_the_decision_window(world):
    world.agency_a.settings = {REQUIREMENT_DECISION_DAYS.key: DAYS + 5}
    world.agency_a.save()
    ClientRequirementFactory(client=world.client_a1, raised_at=at(NOVEMBER.end - dt.timedelta(days=DAYS + 1)))
    world.client_a1.refresh_from_db()
    assert check_41(world.client_a1, NOVEMBER).status == Status.MET


def test_accepted_and_past_due_is_not_met_until_fulfilled(world):
    requirement = ClientRequirementFactory(
        client=world.client_a1,
        raised_at=at(dt.date(2025, 11, 1)),
        status=RequirementStatus.ACCEPTED,
        decided_at=at(dt.date(2025, 11, 2)),
        due_date=dt.date(2025, 11, 10),
    )
    assert check_41(world.client_a1, NOVEMBER).status == Status.NOT_MET
    requirement.status = RequirementStatus.FULFILLED
    requirement.fulfilled_at = at(dt.date(2025, 11, 9))
    requirement.fulfilment_note = "done"
    requirement.save()
    # Recorded today and dated 9 November: it counts from today, not for November (see
    # tests/clients/test_conformance_fooling.py).
    assert check_41(world.client_a1, NOVEMBER).status == Status.NOT_MET
    today = timezone.localdate(timezone=world.agency_a.tz)
    assert check_41(world.client_a1, Period.month(today.year, today.month)).status == Status.MET


def test_due_on_the_last_day_is_met(world):
    ClientRequirementFactory(
        client=world.client_a1,
        raised_at=at(dt.date(2025, 11, 1)),
        status=RequirementStatus.ACCEPTED,
        decided_at=at(dt.date(2025, 11, 2)),
        due_date=NOVEMBER.end,
    )
    assert check_41(world.client_a1, NOVEMBER).status == Status.MET


def test_a_past_period_is_judged_as_it_stood_then(world):
    """Fulfilled in December, due in November: November's report still shows it overdue."""
    ClientRequirementFactory(
        client=world.client_a1,
        raised_at=at(dt.date(2025, 11, 1)),
        status=RequirementStatus.FULFILLED,
        decided_at=at(dt.date(2025, 11, 2)),
        due_date=dt.date(2025, 11, 10),
        fulfilled_at=at(dt.date(2025, 12, 3)),
        fulfilment_note="late",
    )
    assert check_41(world.client_a1, NOVEMBER).status == Status.NOT_MET
    assert check_41(world.client_a1, Period.month(2025, 12)).status == Status.MET


def test_declined_with_reason_counts_as_decided(world):
    ClientRequirementFactory(
        client=world.client_a1,
        raised_at=at(dt.date(2025, 10, 1)),
        status=RequirementStatus.DECLINED,
        decided_at=at(dt.date(2025, 10, 2)),
        decline_reason="Against platform rules.",
    )
    assert check_41(world.client_a1, NOVEMBER).status == Status.MET


def test_evaluate_lists_every_clause_in_order(world):
    with tenant_context(world.agency_a):
        results = evaluate(world.client_a1, NOVEMBER)
    assert [r.clause_id for r in results] == [c.id for c in CLAUSES]
    by_id = {r.clause_id: r.status for r in results}
    # The client bought no live streaming: 8.1 does not apply to it.
    assert by_id["8.1"] == Status.NOT_APPLICABLE
    assert by_id["9"] == (Status.NOT_IMPLEMENTED if "9" not in CHECKS else by_id["9"])


def test_conformance_command_prints_every_clause(world, capsys):
    ClientRequirementFactory(client=world.client_a1, raised_at=timezone.now() - dt.timedelta(days=1))
    call_command("conformance", "--client", str(world.client_a1.pk), "--period", "2026-11", "--no-color")
    out = capsys.readouterr().out
    for clause in CLAUSES:
        assert f"\n{clause.id:<5} " in out, clause.id
    statuses = {"met", "not_met", "not_applicable", "not_implemented"}
    lines = [line for line in out.splitlines()[1:] if line and not line.startswith(" ")]
    assert len(lines) == len(CLAUSES) and all(line.split()[1] in statuses for line in lines)


def test_period_parsing():
    assert Period.parse("2026") == Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert Period.parse("2026-02") == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Period.parse("2026-01-05..2026-01-09").end == dt.date(2026, 1, 9)
    for bad in ("26-1", "2026-13", "2026-02-01..2026-01-01"):
        try:
            Period.parse(bad)
        except ValueError as exc:
            assert bad in str(exc)
        else:  # pragma: no cover
            raise AssertionError(bad)


def fake(status, label="row"):
    from agency.conformance import CheckResult, Evidence

    return lambda client, period: CheckResult(status, f"{label} {status}", [Evidence(label, "x.y", 1, "/x/")])


def test_4_3_is_met_through_the_clauses_that_serve_users(world, monkeypatch):
    monkeypatch.setitem(CHECKS, "6.4", fake(Status.MET, "messages"))
    monkeypatch.setitem(CHECKS, "10.1", fake(Status.MET, "complaints"))
    world.client_a1.services = ["basic_operations"]
    result = CHECKS["4.3"](world.client_a1, NOVEMBER)
    assert result.status == Status.MET and "6.4" in result.summary and "10.1" in result.summary
    assert {e.label for e in result.evidence} == {"6.4 · messages", "10.1 · complaints"}


def test_4_3_is_not_met_when_one_part_is_not(world, monkeypatch):
    monkeypatch.setitem(CHECKS, "6.4", fake(Status.NOT_MET, "slow replies"))
    monkeypatch.setitem(CHECKS, "10.1", fake(Status.MET))
    world.client_a1.services = ["basic_operations"]
    result = CHECKS["4.3"](world.client_a1, NOVEMBER)
    assert result.status == Status.NOT_MET and "6.4" in result.summary and "slow replies" in result.summary


def test_4_3_skips_parts_the_client_did_not_buy(world, monkeypatch):
    monkeypatch.setitem(CHECKS, "6.4", fake(Status.NOT_MET))
    monkeypatch.setitem(CHECKS, "10.1", fake(Status.NOT_APPLICABLE))
    world.client_a1.services = ["video_production"]  # no basic operations: 6.4 does not apply
    assert CHECKS["4.3"](world.client_a1, NOVEMBER).status == Status.NOT_APPLICABLE
