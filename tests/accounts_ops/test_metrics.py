"""Platform data in: account and video daily metrics through the bulk API. Idempotent upserts keyed
by (account, date) and (video, date); a request with one bad row writes nothing and names the row
and the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import AccountDailyMetric, VideoDailyMetric
from accounts_ops.platform_fields import ACCOUNT_METRICS, VIDEO_METRICS, canonical, douyin_name
from accounts_ops.services.common import METRICS_BULK_MAX
from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
from agency.tenancy import tenant_context
from clients.models import PlatformAccount
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory, VideoFactory

BULK = "accountdailymetric-bulk"
VIDEO_BULK = "videodailymetric-bulk"


def agency_today(agency) -> dt.date:
    return timezone.localdate(timezone=agency.tz)


def month_of_rows(account, days=30, plays=1000):
    start = agency_today(account.agency) - dt.timedelta(days=days)
    return [
        {
            "account": account.pk,
            "date": (start + dt.timedelta(days=n)).isoformat(),
            "total_fans": 10_000 + n * 10,
            "new_fans": 10,
            "new_play": plays + n,
            "new_like": 50,
            "new_comment": 5,
            "new_share": 2,
            "profile_uv": 300,
            "new_issue": 1,
        }
        for n in range(days)
    ]


def stored(model, **filters):
    return sorted(
        model.dangerously_all_agencies.filter(**filters).values_list(
            "account_id", "date", "plays", "likes", "updated_at"
        )
    )


def test_douyin_field_names_map_to_ours_in_one_place():
    assert canonical(ACCOUNT_METRICS, "new_play") == "plays"
    assert canonical(ACCOUNT_METRICS, "total_fans") == "followers_total"
    assert canonical(ACCOUNT_METRICS, "播放量") == "plays"
    assert canonical(VIDEO_METRICS, "digg") == "likes"
    assert douyin_name(ACCOUNT_METRICS, "profile_visits") == "profile_uv"
    assert canonical(ACCOUNT_METRICS, "no_such_field") is None


def test_a_month_of_metrics_for_many_accounts_goes_in_one_request(world, api):
    accounts = [PlatformAccountFactory(client=world.client_a1) for _ in range(10)]
    rows = [row for account in accounts for row in month_of_rows(account)]
    response = api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"received": 300, "created": 300, "updated": 0, "unchanged": 0}
    metric = AccountDailyMetric.dangerously_all_agencies.get(account=accounts[0], date=rows[0]["date"])
    assert (metric.followers_total, metric.plays, metric.profile_visits, metric.videos_posted) == (10_000, 1000, 300, 1)
    assert metric.agency_id == world.agency_a.pk and metric.client_id == world.client_a1.pk


def test_sending_the_same_rows_twice_changes_nothing(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    rows = month_of_rows(account)
    api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json")
    before = stored(AccountDailyMetric, account=account)
    again = api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json")
    assert again.status_code == 200
    assert again.json() == {"received": 30, "created": 0, "updated": 0, "unchanged": 30}
    assert stored(AccountDailyMetric, account=account) == before  # not even updated_at moved


def test_a_corrected_row_replaces_the_old_values_and_left_out_values_are_kept(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    day = (agency_today(world.agency_a) - dt.timedelta(days=1)).isoformat()
    api(world.staff_a).post(
        reverse(BULK), {"rows": [{"account": account.pk, "date": day, "new_play": 100, "new_like": 7}]}, format="json"
    )
    response = api(world.staff_a).post(
        reverse(BULK), {"rows": [{"account": account.pk, "date": day, "new_play": 120}]}, format="json"
    )
    assert response.json()["updated"] == 1
    metric = AccountDailyMetric.dangerously_all_agencies.get(account=account, date=day)
    assert (metric.plays, metric.likes) == (120, 7)
    assert AccountDailyMetric.dangerously_all_agencies.filter(account=account).count() == 1


def test_rows_may_leave_out_the_account_when_the_request_names_it(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    rows = [{k: v for k, v in row.items() if k != "account"} for row in month_of_rows(account, days=3)]
    response = api(world.staff_a).post(reverse(BULK), {"account": account.pk, "rows": rows}, format="json")
    assert response.status_code == 201
    assert AccountDailyMetric.dangerously_all_agencies.filter(account=account).count() == 3


def refused(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def test_a_row_for_another_agencys_account_is_refused_and_nothing_is_written(world, api):
    mine = PlatformAccountFactory(client=world.client_a1)
    theirs = PlatformAccountFactory(client=world.client_b)
    rows = month_of_rows(mine, days=5) + month_of_rows(theirs, days=1)
    fields = refused(api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json"))
    assert fields == {"rows[5].account": [f"account {theirs.pk} does not exist in this agency"]}
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_unknown_account_negative_counts_and_future_dates_are_each_named(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    tomorrow = agency_today(world.agency_a) + dt.timedelta(days=1)
    rows = month_of_rows(account, days=4)
    rows[1]["account"] = 999_999
    rows[2]["new_play"] = -5
    rows[3]["date"] = tomorrow.isoformat()
    fields = refused(api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json"))
    assert fields["rows[1].account"] == ["account 999999 does not exist in this agency"]
    assert fields["rows[2].plays"] == ["-5 is negative; counts cannot be"]
    assert "is in the future" in fields["rows[3].date"][0]
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_the_future_is_judged_in_the_agencys_time_zone(world):
    world.agency_a.timezone = "Pacific/Kiritimati"  # UTC+14: its today may be the server's tomorrow
    world.agency_a.save()
    account = PlatformAccountFactory(client=world.client_a1)
    today = agency_today(world.agency_a)
    with tenant_context(world.agency_a):
        account_metrics_ingest(actor=None, rows=[{"account": account.pk, "date": today.isoformat(), "new_play": 1}])
        with pytest.raises(ValidationError) as exc:
            account_metrics_ingest(
                actor=None,
                rows=[{"account": account.pk, "date": (today + dt.timedelta(days=1)).isoformat(), "new_play": 1}],
            )
    assert "rows[0].date" in exc.value.message_dict


def test_a_client_person_cannot_write_metrics_of_another_client(world):
    viewer = MembershipFactory(
        agency=world.agency_a, role="client_approver", client=world.client_a1, user=UserFactory()
    ).as_actor()
    other = PlatformAccountFactory(client=world.client_a2)
    with tenant_context(world.agency_a, actor=viewer), pytest.raises(ValidationError) as exc:
        account_metrics_ingest(actor=viewer, rows=month_of_rows(other, days=1))
    assert exc.value.message_dict == {"rows[0].account": [f"account {other.pk} does not exist in this agency"]}


def test_client_people_may_read_metrics_but_not_send_them(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    response = api(world.viewer_a1).post(reverse(BULK), {"rows": month_of_rows(account, days=1)}, format="json")
    assert response.status_code == 403
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_two_rows_for_one_account_and_date_in_one_request_are_refused(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    rows = month_of_rows(account, days=2)
    rows.append(dict(rows[0]))
    fields = refused(api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json"))
    assert list(fields) == ["rows[2].date"] and "row 0 already gives" in fields["rows[2].date"][0]


def test_a_field_given_under_both_names_and_a_row_without_figures_are_refused(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    day = agency_today(world.agency_a).isoformat()
    rows = [
        {"account": account.pk, "date": day, "new_play": 1, "plays": 2},
        {"account": account.pk, "date": day},
    ]
    fields = refused(api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json"))
    assert "rows[0].plays" in fields and fields["rows[1].row"] == ["the row gives no figure"]


def test_a_request_over_the_row_limit_is_refused_whole(world):
    account = PlatformAccountFactory(client=world.client_a1)
    rows = [{"account": account.pk, "date": "2026-01-01", "new_play": 1}] * (METRICS_BULK_MAX + 1)
    with tenant_context(world.agency_a), pytest.raises(ValidationError) as exc:
        account_metrics_ingest(actor=None, rows=rows)
    assert list(exc.value.message_dict) == ["rows"]


def test_an_empty_request_is_refused(world, api):
    fields = refused(api(world.staff_a).post(reverse(BULK), {"rows": []}, format="json"))
    assert fields == {"rows": ["The list of rows is empty."]}


def test_files_style_values_are_read(world):
    account = PlatformAccountFactory(client=world.client_a1)
    with tenant_context(world.agency_a):
        account_metrics_ingest(
            actor=None,
            rows=[{"account": str(account.pk), "date": "2026/01/05", "播放量": "1.2万", "点赞": "1,234"}],
        )
    metric = AccountDailyMetric.dangerously_all_agencies.get(account=account)
    assert (metric.date, metric.plays, metric.likes) == (dt.date(2026, 1, 5), 12_000, 1_234)


def test_the_metrics_list_is_filtered_by_date_and_account(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    rows = month_of_rows(account, days=10)
    api(world.staff_a).post(reverse(BULK), {"rows": rows}, format="json")
    response = api(world.staff_a).get(
        reverse("accountdailymetric-list"), {"account": account.pk, "date_from": rows[5]["date"]}
    )
    assert [row["date"] for row in response.json()["results"]] == [r["date"] for r in reversed(rows[5:])]


def test_posting_to_the_list_points_to_bulk(world, api):
    response = api(world.staff_a).post(reverse("accountdailymetric-list"), {"rows": []}, format="json")
    assert response.status_code == 405


# --- video metrics ---------------------------------------------------------------------------


def test_video_metrics_by_id_or_by_the_platforms_item_id(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    first, second = VideoFactory(account=account), VideoFactory(account=account, platform_item_id="7312345")
    day = (agency_today(world.agency_a) - dt.timedelta(days=1)).isoformat()
    rows = [
        {"video": first.pk, "date": day, "play": 5200, "digg": 310, "avg_play_duration": 11.5, "completion_rate": 0.31},
        {"item_id": "7312345", "account": account.pk, "date": day, "play": 900, "completion_rate": "35.2%"},
    ]
    response = api(world.staff_a).post(reverse(VIDEO_BULK), {"rows": rows}, format="json")
    assert response.status_code == 201, response.content
    one = VideoDailyMetric.dangerously_all_agencies.get(video=first)
    two = VideoDailyMetric.dangerously_all_agencies.get(video=second)
    assert (one.plays, one.likes, one.avg_watch_seconds, one.completion_rate) == (
        5200,
        310,
        Decimal("11.50"),
        Decimal("0.3100"),
    )
    assert (two.plays, two.completion_rate, two.account_id) == (900, Decimal("0.3520"), account.pk)
    again = api(world.staff_a).post(reverse(VIDEO_BULK), {"rows": rows}, format="json")
    assert again.json()["unchanged"] == 2


def test_video_metrics_refuse_a_share_above_one_and_another_agencys_video(world, api):
    mine = VideoFactory(account=PlatformAccountFactory(client=world.client_a1))
    theirs = VideoFactory(account=PlatformAccountFactory(client=world.client_b))
    day = agency_today(world.agency_a).isoformat()
    rows = [
        {"video": mine.pk, "date": day, "play": 1, "completion_rate": 35.2},
        {"video": theirs.pk, "date": day, "play": 1},
    ]
    fields = refused(api(world.staff_a).post(reverse(VIDEO_BULK), {"rows": rows}, format="json"))
    assert "not a share between 0 and 1" in fields["rows[0].completion_rate"][0]
    assert fields["rows[1].video"] == [f"video {theirs.pk} does not exist in this agency"]
    assert not VideoDailyMetric.dangerously_all_agencies.exists()


def test_video_metrics_service_is_idempotent(world):
    video = VideoFactory(account=PlatformAccountFactory(client=world.client_a1))
    rows = [{"video": video.pk, "date": f"2026-01-0{n}", "play": n * 10} for n in range(1, 8)]
    with tenant_context(world.agency_a):
        first = video_metrics_ingest(actor=None, rows=rows)
        second = video_metrics_ingest(actor=None, rows=rows)
    assert (first.created, second.unchanged) == (7, 7)
    assert VideoDailyMetric.dangerously_all_agencies.filter(video=video).count() == 7


def test_an_accounts_follower_count_follows_its_latest_daily_total(world):
    account = PlatformAccountFactory(client=world.client_a1, followers=5, followers_updated_at=None)
    manual = PlatformAccountFactory(client=world.client_a1, followers=77)
    rows = month_of_rows(account, days=3)  # totals 10,000 / 10,010 / 10,020, the last one yesterday
    with tenant_context(world.agency_a):
        account_metrics_ingest(actor=None, rows=list(reversed(rows)))
        account.refresh_from_db()
        assert account.followers == 10_020
        yesterday = agency_today(world.agency_a) - dt.timedelta(days=1)
        assert timezone.localtime(account.followers_updated_at, world.agency_a.tz).date() == yesterday
        # an older day sent later changes nothing; a reading newer than the metrics is kept
        older = {**rows[0], "date": (yesterday - dt.timedelta(days=40)).isoformat(), "total_fans": 1}
        account_metrics_ingest(actor=None, rows=[older])
        manual.followers_updated_at = timezone.now() + dt.timedelta(days=1)
        manual.save()
        account_metrics_ingest(actor=None, rows=month_of_rows(manual, days=1))
        account.refresh_from_db()
        manual.refresh_from_db()
    assert (account.followers, manual.followers) == (10_020, 77)


def test_the_column_pass_gives_what_reading_each_row_on_its_own_gives(world, monkeypatch):
    """The account metric check reads clean rows column by column and the rest row by row: on a
    mix of clean rows, values to convert, bad values, handles, duplicates and rows with other keys,
    its answer equals reading every row on its own."""
    import random

    from accounts_ops.services import metrics

    account = PlatformAccountFactory(client=world.client_a1, handle="mix")
    other = PlatformAccountFactory(client=world.client_a1, handle="other")
    today = timezone.localdate(timezone=world.agency_a.tz)
    rng = random.Random(5)
    odd_values = ["1,234", "1.2万", -1, 1.5, True, "x", None, 10**16, "12"]
    odd_dates = ["2026/01/02", "20260103", "1999-12-31", "tomorrow", None, (today + dt.timedelta(days=3)).isoformat()]
    rows = []
    for n in range(400):
        day = (today - dt.timedelta(days=1 + n % 50)).isoformat()
        row = {"account": rng.choice([account.pk, other.pk]), "date": day, "new_play": rng.randint(0, 9), "plays": None}
        row.pop("plays")
        roll = rng.random()
        if roll < 0.1:
            row["new_play"] = rng.choice(odd_values)
        elif roll < 0.2:
            row["date"] = rng.choice(odd_dates)
        elif roll < 0.25:
            row["account"] = rng.choice([-3, "7", 999_999_999, None])
        elif roll < 0.3:
            row = {"handle": rng.choice(["mix", "@other", "nobody"]), "date": day, "new_like": 3}
        elif roll < 0.33:
            row = {"account": account.pk, "date": day, "new_play": 1, "plays": 2}  # given twice
        elif roll < 0.35:
            row = "not a row"
        rows.append(row)
    # Groups of rows whose column is all whole numbers, one out of range (a column read at once).
    for n, (name, bad) in enumerate((("new_share", -2), ("new_comment", 10**16))):
        group = [
            {"account": account.pk, "date": (today - dt.timedelta(days=60 + 40 * n + d)).isoformat(), name: d}
            for d in range(30)
        ]
        group[7][name] = bad
        rows += group

    def outcome():
        with tenant_context(world.agency_a):
            checked = metrics.check_account_metric_rows(rows, agency=world.agency_a, actor=None)
        return checked.rows, checked.positions, [(p.index, p.field, p.message) for p in checked.problems]

    by_columns = outcome()
    monkeypatch.setattr(metrics, "_clean_account_rows", lambda rows, keys, indices, *args: (None, indices))
    assert by_columns == outcome()
    assert by_columns[0] and by_columns[2]  # both kinds of rows were there


def test_a_request_read_by_columns_is_handed_over_as_columns_and_stored_the_same(world, monkeypatch):
    """A request that is one clean group of rows is handed to the upsert column by column; its
    rows are those reading each row on its own gives. A clean group with a repeated (account,
    date) or an account outside the agency is read row by row, which names the row."""
    from accounts_ops.bulk import Columns
    from accounts_ops.services import metrics

    account = PlatformAccountFactory(client=world.client_a1)
    other = PlatformAccountFactory(client=world.client_a2)
    rows = month_of_rows(account, days=20) + month_of_rows(other, days=20)
    rows[5]["new_like"] = None  # a figure left out in a clean row
    foreign = PlatformAccountFactory(client=world.client_b)

    def check(given, row_by_row=False):
        with monkeypatch.context() as patch:
            if row_by_row:
                patch.setattr(metrics, "_clean_account_rows", lambda rows, keys, indices, *args: (None, indices))
            with tenant_context(world.agency_a):
                checked = metrics.check_account_metric_rows(given, agency=world.agency_a, actor=None)
        return checked

    fast, slow = check(rows), check(rows, row_by_row=True)
    assert isinstance(fast.rows, Columns) and not isinstance(slow.rows, Columns)
    assert (list(fast.rows), fast.positions, fast.problems) == (slow.rows, slow.positions, [])
    assert {row["client_id"] for row in fast.rows} == {world.client_a1.pk, world.client_a2.pk}

    repeated = [*rows, dict(rows[3], new_play=1)]
    outsider = [*rows, dict(rows[3], account=foreign.pk)]
    for given, field in ((repeated, "date"), (outsider, "account")):
        checked = check(given)
        assert not isinstance(checked.rows, Columns)
        assert [(p.index, p.field) for p in checked.problems] == [(len(rows), field)]

    with tenant_context(world.agency_a):
        result = account_metrics_ingest(actor=None, rows=rows)
        stored = AccountDailyMetric.objects.filter(account=account).order_by("date")
        assert result.created == 40 and stored.count() == 20
        assert stored[5].likes is None and stored[4].likes == 50
        account.refresh_from_db()
    assert account.followers == rows[19]["total_fans"]


def test_the_collector_is_held_off_during_a_bulk_ingest_and_restored_after(world, monkeypatch):
    import gc

    from accounts_ops import bulk

    seen = []
    real_store = bulk.upsert

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_store(*args, **kwargs)

    monkeypatch.setattr("accounts_ops.services.metrics.upsert", spy)
    assert gc.isenabled()
    with tenant_context(world.agency_a):
        account_metrics_ingest(actor=None, rows=month_of_rows(PlatformAccountFactory(client=world.client_a1), days=3))
        with pytest.raises(ValidationError):
            account_metrics_ingest(actor=None, rows=[{"account": 0, "date": "x"}])
    assert seen == [False] and gc.isenabled()
    with bulk.collector_paused():
        with bulk.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_video_metrics_read_by_columns_give_what_reading_each_row_gives(world, monkeypatch):
    """A plainly clean request of video metrics is read column by column and handed over as
    columns; its rows equal those of reading each row on its own. A request with anything the
    column pass does not read plainly (a flag for a number, a share above one, a repeated key, a
    video of another agency, a row without a figure) is read row by row, which names the row."""
    from accounts_ops.bulk import Columns
    from accounts_ops.services import metrics

    clients = (world.client_a1, world.client_a2)
    mine = [VideoFactory(account=PlatformAccountFactory(client=client)) for client in clients]
    theirs = VideoFactory(account=PlatformAccountFactory(client=world.client_b))
    today = agency_today(world.agency_a)
    rows = [
        {
            "video": video.pk,
            "date": (today - dt.timedelta(days=1 + n)).isoformat(),
            "play": 100 + n,
            "digg": None if n == 3 else 7,
            "avg_watch_seconds": [12.5, 3, 1.0, None][n % 4],
            "completion_rate": [0.31, 1, 0, None][n % 4],
        }
        for video in mine
        for n in range(12)
    ]

    def check(given, by_rows=False):
        with monkeypatch.context() as patch:
            if by_rows:
                patch.setattr(metrics, "_video_rows_by_columns", lambda *args, **kwargs: None)
            with tenant_context(world.agency_a):
                return metrics.check_video_metric_rows(given, agency=world.agency_a, actor=None)

    fast, slow = check(rows), check(rows, by_rows=True)
    assert isinstance(fast.rows, Columns) and not fast.problems
    assert (list(fast.rows), fast.positions) == (slow.rows, slow.positions)
    assert {row["client_id"] for row in fast.rows} == {world.client_a1.pk, world.client_a2.pk}

    last = len(rows)
    odd = {
        "completion_rate": dict(rows[0], date="2020-01-03", completion_rate=True),
        "completion_rate ": dict(rows[0], date="2020-01-01", completion_rate=1.5),
        "date": dict(rows[0], play=1),
        "video": dict(rows[0], date="2020-01-04", video=theirs.pk),
        "row": {**rows[0], "date": "2020-01-02", "play": None, "digg": None}
        | {"avg_watch_seconds": None, "completion_rate": None},
    }
    for field, extra in odd.items():
        checked = check([*rows, extra])
        assert not isinstance(checked.rows, Columns), field
        assert [(p.index, p.field) for p in checked.problems] == [(last, field.strip())], field


def test_the_latest_fan_count_is_the_newest_on_or_before_the_day_however_old(world):
    """``latest_fans`` looks in the last ``RECENT_FANS_DAYS`` days first, then over every day before:
    an account with a count only long ago, one with counts both recently and long ago, one with a
    count only after the day and one with none are each given the right figure."""
    from accounts_ops.selectors.metrics import RECENT_FANS_DAYS, latest_fans

    day = dt.date(2026, 6, 30)
    long_ago = day - dt.timedelta(days=RECENT_FANS_DAYS + 100)
    only_old, both, only_after, none = (PlatformAccountFactory(client=world.client_a1) for _ in range(4))
    with tenant_context(world.agency_a):
        for account, date, fans in (
            (only_old, long_ago, 111),
            (both, long_ago, 1),
            (both, day - dt.timedelta(days=2), 222),
            (both, day + dt.timedelta(days=1), 999),
            (only_after, day + dt.timedelta(days=1), 333),
        ):
            AccountDailyMetric.objects.create(account=account, date=date, followers_total=fans, plays=1)
        fans = dict(
            PlatformAccount.objects.filter(pk__in=[a.pk for a in (only_old, both, only_after, none)])
            .annotate(fans=latest_fans(day))
            .values_list("pk", "fans")
        )
    assert fans == {only_old.pk: 111, both.pk: 222, only_after.pk: None, none.pk: None}
