"""Cases that once fooled clause 4.1's check, or were tried against it, each reading as the standard says.

- 4.1: a requirement left undecided, its "raised at" moved later after it was recorded, dropped out
  of the month (or came back inside the decision window); an accepted requirement left past its
  due date had the date moved on after the month, or was turned into a declined one, and the month
  read met.
- 4.3: met only through 6.4, 7.1 and 10.1: one of them not met makes 4.3 not met.
"""

from __future__ import annotations

import datetime as dt

from agency.conformance import CHECKS, Period, Status
from agency.tenancy import tenant_context
from clients.conformance import REQUIREMENT_DECISION_DAYS
from clients.models import RequirementStatus
from tests.factories import ClientRequirementFactory, PlatformAccountFactory

NOVEMBER = Period.month(2025, 11)
TZ = dt.timezone(dt.timedelta(hours=8))
DAYS = REQUIREMENT_DECISION_DAYS.default


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def recorded_on(row, moment: dt.datetime):
    """The row as recorded at ``moment`` (its creation time), not today."""
    type(row).dangerously_all_agencies.filter(pk=row.pk).update(created_at=moment)
    return row


def check(clause, client, period=NOVEMBER):
    with tenant_context(client.agency):
        return CHECKS[clause](client, period)


def change(row, **values):
    """A change made today, through the model as every write is: the trail records it."""
    with tenant_context(row.agency):
        row = type(row).objects.get(pk=row.pk)
        for name, value in values.items():
            setattr(row, name, value)
        row.save()


def decided_in_time(client):
    """A requirement of the month decided the next day: on its own the month reads met."""
    return recorded_on(
        ClientRequirementFactory(
            client=client,
            title="Friday posts",
            raised_at=at(dt.date(2025, 11, 3)),
            status=RequirementStatus.DECLINED,
            decided_at=at(dt.date(2025, 11, 4)),
            decline_reason="Against platform rules.",
        ),
        at(dt.date(2025, 11, 3)),
    )


def accepted_due_on_the_10th(client):
    return recorded_on(
        ClientRequirementFactory(
            client=client,
            title="Menu video",
            raised_at=at(dt.date(2025, 11, 1)),
            status=RequirementStatus.ACCEPTED,
            decided_at=at(dt.date(2025, 11, 2)),
            due_date=dt.date(2025, 11, 10),
        ),
        at(dt.date(2025, 11, 1)),
    )


# --- 4.1 ------------------------------------------------------------------------------------------


def test_41_a_requirement_moved_to_after_the_month_still_counts_from_when_it_was_recorded(world):
    """Recorded on 1 November and never decided; in December its "raised at" is moved to
    1 December. November had it waiting far past the decision window."""
    decided_in_time(world.client_a1)
    waiting = ClientRequirementFactory(client=world.client_a1, title="Logo change", raised_at=at(dt.date(2025, 11, 1)))
    recorded_on(waiting, at(dt.date(2025, 11, 1)))
    assert check("4.1", world.client_a1).status == Status.NOT_MET
    change(waiting, raised_at=at(dt.date(2025, 12, 1)))
    result = check("4.1", world.client_a1)
    assert result.status == Status.NOT_MET, result.summary
    assert f"not decided within {DAYS} days: Logo change" in result.summary


def test_41_a_requirement_cannot_be_raised_after_it_was_recorded(world):
    """Recorded on 1 November; "raised at" says 28 November, inside the decision window at the
    month's end. It was on record, waiting, from 1 November."""
    waiting = ClientRequirementFactory(client=world.client_a1, title="Logo change", raised_at=at(dt.date(2025, 11, 28)))
    recorded_on(waiting, at(dt.date(2025, 11, 1)))
    result = check("4.1", world.client_a1)
    assert result.status == Status.NOT_MET and "Logo change" in result.summary


def test_41_a_requirement_recorded_later_and_dated_back_is_judged_from_its_date(world):
    """The opposite direction holds the agency to its own word: raised (by its date) on
    1 November, recorded on 20 November and still waiting at the month's end."""
    waiting = ClientRequirementFactory(client=world.client_a1, title="Logo change", raised_at=at(dt.date(2025, 11, 1)))
    recorded_on(waiting, at(dt.date(2025, 11, 20)))
    assert check("4.1", world.client_a1).status == Status.NOT_MET


def test_41_a_due_date_moved_on_after_the_month_does_not_mend_it(world):
    """Accepted, due 10 November, not fulfilled by the month's end; in December the due date is
    moved to 20 December. November had it past due."""
    decided_in_time(world.client_a1)
    late = accepted_due_on_the_10th(world.client_a1)
    change(late, due_date=dt.date(2025, 12, 20))
    result = check("4.1", world.client_a1)
    assert result.status == Status.NOT_MET, result.summary
    assert "1 accepted and past due: Menu video" in result.summary


def test_41_an_accepted_requirement_turned_into_a_declined_one_after_the_month_stays_accepted(world):
    decided_in_time(world.client_a1)
    late = accepted_due_on_the_10th(world.client_a1)
    change(late, status=RequirementStatus.DECLINED, due_date=None, decline_reason="Not reasonable after all.")
    result = check("4.1", world.client_a1)
    assert result.status == Status.NOT_MET and "Menu video" in result.summary


def test_41_a_requirement_fulfilled_in_time_and_edited_after_the_month_is_met(world):
    """The met case beside them: fulfilled on 9 November; a note edited today does not undo it."""
    done = recorded_on(
        ClientRequirementFactory(
            client=world.client_a1,
            title="Menu video",
            raised_at=at(dt.date(2025, 11, 1)),
            status=RequirementStatus.FULFILLED,
            decided_at=at(dt.date(2025, 11, 2)),
            due_date=dt.date(2025, 11, 10),
            fulfilled_at=at(dt.date(2025, 11, 9)),
            fulfilment_note="Posted.",
        ),
        at(dt.date(2025, 11, 1)),
    )
    change(done, fulfilment_note="Posted, with the menu.")
    result = check("4.1", world.client_a1)
    assert result.status == Status.MET, result.summary


# --- 4.3 ------------------------------------------------------------------------------------------


def test_43_is_not_met_when_one_of_its_parts_is_not_met(world):
    """Comments and complaints aside, an active account with no reply rules fails 6.4, and so 4.3."""
    recorded_on(PlatformAccountFactory(client=world.client_a1, handle="laojie"), at(dt.date(2025, 9, 1)))
    part = check("6.4", world.client_a1)
    assert part.status == Status.NOT_MET
    result = check("4.3", world.client_a1)
    assert result.status == Status.NOT_MET and "6.4" in result.summary and part.summary in result.summary
