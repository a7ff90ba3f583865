"""The rollups of the account daily metrics: after any sequence of writes (bulk ingest with figures
left out, corrections, rows saved and deleted one by one) they equal the recomputation from the
daily rows, and equal what ``rebuild_metric_rollups`` makes; the dashboards' reads over them give
the answers of summing the daily rows; a period is read as a handful of rows; the rows stay in
their agency and client."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import F, Sum

from accounts_ops.models import AccountDailyMetric, AccountMetricRollup, AgencyMetricRollup, ClientMetricRollup
from accounts_ops.selectors.metrics_rollups import account_totals, client_totals, daily_series, period_parts
from accounts_ops.services.metrics import account_metrics_ingest
from accounts_ops.services.metrics_rollups import month_of, rebuild_metric_rollups, week_of
from agency.tenancy import tenant_context
from tests.factories import PlatformAccountFactory
from tests.production.helpers import actor_of

COUNTS = ("plays", "likes", "comments", "shares", "followers_gained")
FIGURES = ("days", "plays_reported", *COUNTS)


# --- the reference: the figures recomputed from the daily rows ------------------------------------


def recomputed(agency) -> dict:
    """Every rollup of ``agency`` as the daily rows give it: {(table, key...): figures}."""
    out: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    rows = AccountDailyMetric.dangerously_all_agencies.filter(agency=agency).values_list(
        "account_id", "client_id", "date", *COUNTS
    )
    for account, client, day, *counts in rows:
        keys = [("client", client, "d", day), ("agency", "d", day)]
        for grain, span in (("w", week_of), ("m", month_of)):
            start = span(day)[0]
            keys += [
                ("client", client, grain, start),
                ("agency", grain, start),
                ("account", account, client, grain, start),
            ]
        for key in keys:
            figures = out[key]
            figures["days"] += 1
            figures["plays_reported"] += counts[0] is not None
            for name, value in zip(COUNTS, counts, strict=True):
                figures[name] += value or 0
    return dict(out)


def stored_rollups(agency) -> dict:
    out = {}
    for row in ClientMetricRollup.dangerously_all_agencies.filter(agency=agency).values(
        "client_id", "grain", "starts_on", *FIGURES
    ):
        out["client", row.pop("client_id"), row.pop("grain"), row.pop("starts_on")] = row
    for row in AgencyMetricRollup.dangerously_all_agencies.filter(agency=agency).values("grain", "starts_on", *FIGURES):
        out["agency", row.pop("grain"), row.pop("starts_on")] = row
    for row in AccountMetricRollup.dangerously_all_agencies.filter(agency=agency).values(
        "account_id", "client_id", "grain", "starts_on", *FIGURES
    ):
        out["account", row.pop("account_id"), row.pop("client_id"), row.pop("grain"), row.pop("starts_on")] = row
    return out


# --- random writes -----------------------------------------------------------------------------


def random_rows(rng: random.Random, accounts, today: dt.date, size: int) -> list[dict]:
    """Rows over the last 80 days (across weeks and months), some figures left out."""
    keys = {(rng.choice(accounts).pk, today - dt.timedelta(days=rng.randint(0, 80))) for _ in range(size)}
    rows = []
    for account, day in keys:
        row = {"account": account, "date": day.isoformat()}
        for name in COUNTS:
            if rng.random() < 0.7:
                row[name] = rng.randint(0, 5000)
        if len(row) == 2:
            row["likes"] = rng.randint(0, 10)
        rows.append(row)
    return rows


@pytest.fixture
def accounts(world):
    return [
        PlatformAccountFactory(client=world.client_a1, handle="a1-one"),
        PlatformAccountFactory(client=world.client_a1, handle="a1-two"),
        PlatformAccountFactory(client=world.client_a2, handle="a2-one"),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_the_recomputation_after_random_writes(world, accounts, seed):
    rng = random.Random(seed)
    agency = world.agency_a
    other = PlatformAccountFactory(client=world.client_b)
    today = agency.today()
    for step in range(12):
        choice = rng.random()
        with tenant_context(agency):
            if choice < 0.6:
                account_metrics_ingest(actor=None, rows=random_rows(rng, accounts, today, rng.randint(1, 25)))
            elif choice < 0.8:
                row = AccountDailyMetric.objects.filter(agency=agency).order_by("?").first()
                if row is not None:
                    row.delete()  # a row deleted one by one (the platform admin)
            else:
                row = AccountDailyMetric.objects.filter(agency=agency).order_by("?").first()
                if row is not None:  # a correction made by hand, moving the row to another day too
                    row.plays = rng.randint(0, 100)
                    row.date = today - dt.timedelta(days=81 + step)
                    row.save()
        with tenant_context(world.agency_b):
            account_metrics_ingest(actor=None, rows=random_rows(rng, [other], today, 3))
        assert stored_rollups(agency) == recomputed(agency), f"after step {step}"
    assert stored_rollups(world.agency_b) == recomputed(world.agency_b)
    maintained = stored_rollups(agency)
    with tenant_context(agency):
        rebuild_metric_rollups()
    assert stored_rollups(agency) == maintained


def test_a_request_that_changes_nothing_leaves_the_rollups_alone(world, accounts):
    rows = random_rows(random.Random(5), accounts, world.agency_a.today(), 10)
    with tenant_context(world.agency_a):
        account_metrics_ingest(actor=None, rows=rows)
        before = {row.pk: row.updated_at for row in ClientMetricRollup.objects.all()}
        result = account_metrics_ingest(actor=None, rows=rows)
        after = {row.pk: row.updated_at for row in ClientMetricRollup.objects.all()}
    assert result.created == result.updated == 0
    assert before == after


# --- the reads: the answers of summing the daily rows ------------------------------------------


def summed_series(actor, start, end, **filters):
    rows = (
        AccountDailyMetric.objects.visible_to(actor)
        .filter(date__range=(start, end), **filters)
        .values("date")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by("date")
    )
    return [{"date": row["date"], **{name: row[name] or 0 for name in COUNTS}} for row in rows]


def summed_accounts(actor, start, end, *, client_id):
    rows = (
        AccountDailyMetric.objects.visible_to(actor)
        .filter(client_id=client_id, date__range=(start, end))
        .values("account_id")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by()
    )
    return {row["account_id"]: {name: row[name] or 0 for name in COUNTS} for row in rows}


def summed_clients(actor, start, end, *, limit=10):
    rows = (
        AccountDailyMetric.objects.visible_to(actor)
        .filter(date__range=(start, end))
        .values("client_id", "client__name")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by(F("plays").desc(nulls_last=True), "client_id")[:limit]
    )
    return [
        {"client": row["client_id"], "name": row["client__name"], **{name: row[name] or 0 for name in COUNTS}}
        for row in rows
        if row["plays"] is not None
    ]


def test_the_dashboard_reads_answer_as_the_daily_rows_do(world, accounts):
    rng = random.Random(7)
    agency = world.agency_a
    today = agency.today()
    with tenant_context(agency):
        account_metrics_ingest(actor=None, rows=random_rows(rng, accounts, today, 150))
        # A client whose rows all leave plays out is not among the top clients, either way.
        quiet = PlatformAccountFactory(client=world.client_a2, handle="quiet")
        account_metrics_ingest(actor=None, rows=[{"account": quiet.pk, "date": today.isoformat(), "likes": 3}])
    staff = actor_of(world.staff_a, agency)
    viewer = actor_of(world.viewer_a1, agency)
    for days in (1, 6, 7, 13, 30, 31, 45, 70, 90):
        for end in (today, today - dt.timedelta(days=1), today - dt.timedelta(days=9)):
            start = end - dt.timedelta(days=days - 1)
            for actor in (staff, viewer):
                with tenant_context(agency, actor):
                    assert daily_series(actor, start, end) == summed_series(actor, start, end)
                    assert client_totals(actor, start, end) == summed_clients(actor, start, end)
                    for client in (world.client_a1, world.client_a2):
                        if actor.is_client_person and client != world.client_a1:
                            continue
                        assert daily_series(actor, start, end, client_id=client.pk) == summed_series(
                            actor, start, end, client_id=client.pk
                        )
                        assert account_totals(actor, start, end, client_id=client.pk) == summed_accounts(
                            actor, start, end, client_id=client.pk
                        )


def test_a_period_is_read_as_months_weeks_and_days():
    rng = random.Random(3)
    for _ in range(300):
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        end = start + dt.timedelta(days=rng.randint(0, 400))
        parts = period_parts(start, end)
        covered = list(parts.days)
        for month in parts.months:
            assert month.day == 1
            covered += [month + dt.timedelta(days=n) for n in range((month_of(month)[1] - month).days + 1)]
        for week in parts.weeks:
            assert week.weekday() == 0
            covered += [week + dt.timedelta(days=n) for n in range(7)]
        assert sorted(covered) == [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        # A handful whatever the period: at most 6 days either side of each run of whole months,
        # and the weeks between.
        assert len(parts.days) <= 24 and len(parts.weeks) <= 10 and len(parts.months) <= 14


# --- isolation: the database's row-level security covers the rollups too -----------------------


def test_rollups_stay_in_their_agency_and_client(world, accounts):
    other = PlatformAccountFactory(client=world.client_b)
    today = world.agency_a.today()
    with tenant_context(world.agency_a):
        account_metrics_ingest(actor=None, rows=random_rows(random.Random(1), accounts, today, 20))
    with tenant_context(world.agency_b):
        account_metrics_ingest(actor=None, rows=random_rows(random.Random(2), [other], today, 5))
    viewer = actor_of(world.viewer_a1, world.agency_a)
    tables = {model: model._meta.db_table for model in (AccountMetricRollup, ClientMetricRollup, AgencyMetricRollup)}
    for model, table in tables.items():
        with tenant_context(world.agency_a):
            assert set(
                model.objects.visible_to(actor_of(world.staff_a, world.agency_a)).values_list("agency_id", flat=True)
            ) == {world.agency_a.pk}
            with connection.cursor() as cursor:  # past the application's scoping: the policy alone
                cursor.execute(f"SELECT DISTINCT agency_id FROM {table}")
                assert {row[0] for row in cursor.fetchall()} <= {world.agency_a.pk}
        with tenant_context(world.agency_a, viewer):
            seen = model.objects.visible_to(viewer)
            if model is AgencyMetricRollup:
                assert not seen.exists()  # the agency's own figures: staff only
            else:
                assert set(seen.values_list("client_id", flat=True)) == {world.client_a1.pk}


# --- the list's rows: the fields' answers, without going through them -----------------------------


def test_the_metrics_list_answers_what_drf_fields_answer(world, accounts):
    from rest_framework import serializers

    from accounts_ops.api.metrics import AccountDailyMetricSerializer

    with tenant_context(world.agency_a):
        account_metrics_ingest(actor=None, rows=random_rows(random.Random(4), accounts, world.agency_a.today(), 30))
        rows = list(AccountDailyMetric.objects.filter(agency=world.agency_a))
    serializer = AccountDailyMetricSerializer()
    for row in rows:
        assert serializer.to_representation(row) == serializers.ModelSerializer.to_representation(serializer, row)
