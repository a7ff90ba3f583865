"""Hostile rows for the bulk endpoints of platform data (account and video daily metrics,
comments, hot topics, audience snapshots) and for a file import: a NUL character, a lone
surrogate, a number past its column's integer range, a negative count, an id or a text longer than
its column. Each is refused with a 400 naming ``rows[n].field`` and nothing is stored (a file
import lists the row by its sheet number and keeps the good rows), or, for free text, accepted
with NUL removed and lone surrogates replaced (the policy of ``accounts_ops.rows``). Never a server
error.

PostgreSQL is where these bite (it refuses NUL, its integer columns stop at 2**31 - 1 and
2**63 - 1, its varchars at their length); the suite runs on SQLite too."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts_ops.models import (
    AccountDailyMetric,
    AudienceSnapshot,
    DataImport,
    HotTopic,
    ImportStatus,
    InboxMessage,
    VideoComment,
    VideoDailyMetric,
)
from accounts_ops.rules import INBOX_BULK_MAX
from accounts_ops.services.imports import data_import_request, data_import_run
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.factories import PlatformAccountFactory, VideoFactory

MISSING = object()  # a key left out of the row
INT_MAX = 2**31 - 1  # PostgreSQL's integer
BIGINT_MAX = 2**63 - 1  # and bigint
COUNT_MAX = 10**15
SEEN = "2026-01-05T20:00:00+08:00"


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1, handle="shop", platform_uid="acct-open-id")


@pytest.fixture
def video(account):
    return VideoFactory(account=account, platform_item_id="item-1")


@pytest.fixture
def send(world):
    """``send(route, body)``: the body posted as JSON as a platform sends it (``ensure_ascii``
    keeps lone surrogates as ``\\ud800`` escapes), by agency staff; a server error is an answer."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user=world.staff_a)
    client.raise_request_exception = False

    def post(route: str, body: dict):
        return client.post(reverse(route), data=json.dumps(body), content_type="application/json")

    return post


def yesterday(agency) -> str:
    return (timezone.localdate(timezone=agency.tz) - dt.timedelta(days=1)).isoformat()


def apply(base: dict, changes: dict) -> dict:
    out = dict(base)
    for key, value in changes.items():
        if value is MISSING:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def assert_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert field in fields, fields


def nothing_stored(model) -> bool:
    return not model.dangerously_all_agencies.exists()


# --- the hostile values, per column kind ---------------------------------------------------------

NUL_ID = "id\x00-1"
SURROGATE_ID = "id\ud800"
CONTROL_ID = "id\x1b-1"


def count_cases(field: str, limit: int) -> list:
    return [
        pytest.param(limit + 1, field, id=f"{field}-past-limit"),
        pytest.param(BIGINT_MAX + 1, field, id=f"{field}-past-bigint"),
        pytest.param(2**64, field, id=f"{field}-past-64-bits"),
        pytest.param(-1, field, id=f"{field}-negative"),
        pytest.param(str(limit + 1), field, id=f"{field}-digits-past-limit"),
        pytest.param("1e30", field, id=f"{field}-exponent"),
        pytest.param("1e999999999", field, id=f"{field}-huge-exponent"),
        pytest.param("1\x00", field, id=f"{field}-nul"),
        pytest.param("\ud800", field, id=f"{field}-surrogate"),
    ]


def id_cases(field: str, max_chars: int, name: str | None = None) -> list:
    name = name or field
    return [
        pytest.param(NUL_ID, field, id=f"{name}-nul"),
        pytest.param(SURROGATE_ID, field, id=f"{name}-surrogate"),
        pytest.param(CONTROL_ID, field, id=f"{name}-control"),
        pytest.param("x" * (max_chars + 1), field, id=f"{name}-too-long"),
    ]


def key_cases(field: str) -> list:
    return [
        pytest.param(BIGINT_MAX + 1, field, id=f"{field}-past-bigint"),
        pytest.param("9" * 40, field, id=f"{field}-digits-past-bigint"),
        pytest.param(1e300, field, id=f"{field}-float"),
        pytest.param("1\x00", field, id=f"{field}-nul"),
        pytest.param("\ud800", field, id=f"{field}-surrogate"),
        pytest.param("²", field, id=f"{field}-superscript-digit"),
    ]


# --- account daily metrics -------------------------------------------------------------------------


def _account_params():
    params = []
    for case in count_cases("plays", COUNT_MAX):
        value, field = case.values
        params.append(pytest.param({"new_play": value}, field, id=case.id))
    for case in key_cases("account"):
        value, field = case.values
        params.append(pytest.param({"account": value}, field, id=case.id))
    for case in id_cases("account", 100, name="handle"):
        value, field = case.values
        params.append(pytest.param({"account": MISSING, "handle": value}, field, id=case.id))
    params += [
        pytest.param({"date": "2026-01-01\x00"}, "date", id="date-nul"),
        pytest.param({"date": "\ud800"}, "date", id="date-surrogate"),
    ]
    return params


@pytest.mark.parametrize("changes, field", _account_params())
def test_a_hostile_account_metric_row_is_refused_naming_it(world, send, account, changes, field):
    good = {"account": account.pk, "date": yesterday(world.agency_a), "new_play": 10}
    earlier = apply(good, {"date": "2026-01-01"})
    response = send("accountdailymetric-bulk", {"rows": [earlier, apply(good, changes)]})
    assert_refused(response, f"rows[1].{field}")
    assert nothing_stored(AccountDailyMetric)


def test_a_column_of_hostile_numbers_is_refused_row_by_row(world, send, account):
    """The column pass (rows sharing their keys) finds the same problems as the row reader."""
    day = timezone.localdate(timezone=world.agency_a.tz)
    rows = [
        {"account": account.pk, "date": (day - dt.timedelta(days=n + 1)).isoformat(), "new_play": value}
        for n, value in enumerate([10, COUNT_MAX + 1, BIGINT_MAX + 1, -1, 11])
    ]
    rows.append({"account": BIGINT_MAX + 1, "date": rows[0]["date"], "new_play": 1})
    response = send("accountdailymetric-bulk", {"rows": rows})
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert {"rows[1].plays", "rows[2].plays", "rows[3].plays", "rows[5].account"} <= set(fields), fields
    assert nothing_stored(AccountDailyMetric)


# --- video daily metrics ---------------------------------------------------------------------------


def _video_params():
    params = []
    for case in count_cases("plays", COUNT_MAX):
        value, field = case.values
        params.append(pytest.param({"play": value}, field, id=case.id))
    for case in key_cases("video"):
        value, field = case.values
        params.append(pytest.param({"video": value}, field, id=case.id))
    for case in id_cases("video", 100, name="item_id"):
        value, field = case.values
        params.append(pytest.param({"video": MISSING, "item_id": value}, field, id=case.id))
    params += [
        pytest.param({"completion_rate": "1e30%"}, "completion_rate", id="completion-percent-huge"),
        pytest.param({"completion_rate": 1e30}, "completion_rate", id="completion-huge"),
        pytest.param({"completion_rate": "0.5\x00"}, "completion_rate", id="completion-nul"),
        pytest.param({"avg_play_duration": "1e999999"}, "avg_watch_seconds", id="watch-huge"),
        pytest.param({"avg_play_duration": "\ud800"}, "avg_watch_seconds", id="watch-surrogate"),
    ]
    return params


@pytest.mark.parametrize("changes, field", _video_params())
def test_a_hostile_video_metric_row_is_refused_naming_it(world, send, video, changes, field):
    good = {"video": video.pk, "account": video.account_id, "date": yesterday(world.agency_a), "play": 10}
    earlier = apply(good, {"date": "2026-01-01"})
    response = send("videodailymetric-bulk", {"rows": [earlier, apply(good, changes)]})
    assert_refused(response, f"rows[1].{field}")
    assert nothing_stored(VideoDailyMetric)


@pytest.mark.parametrize("value", [pytest.param(1e30, id="huge"), pytest.param(COUNT_MAX + 1, id="past-limit")])
def test_a_clean_looking_video_request_with_a_hostile_number_is_refused(world, send, video, value):
    """A request of numbers only is read column by column; a value out of range is still named."""
    day = yesterday(world.agency_a)
    name = "completion_rate" if isinstance(value, float) else "play"
    rows = [{"video": video.pk, "date": "2026-01-01", name: 0.5 if isinstance(value, float) else 5}]
    rows.append({"video": video.pk, "date": day, name: value})
    response = send("videodailymetric-bulk", {"rows": rows})
    assert_refused(response, "rows[1].completion_rate" if isinstance(value, float) else "rows[1].plays")
    assert nothing_stored(VideoDailyMetric)


# --- comments ----------------------------------------------------------------------------------------


def comment_row(video, **changes) -> dict:
    posted = timezone.now() - dt.timedelta(hours=1)
    row = {
        "item_id": video.platform_item_id,
        "account": video.account_id,
        "comment_id": "c-1",
        "reply_to_comment_id": "",
        "comment_user_id": "fan-1",
        "nick_name": "粉丝",
        "content": "毛肚很新鲜",
        "create_time": int(posted.timestamp()),
        "digg_count": 3,
        "reply_comment_total": 0,
    }
    return apply(row, changes)


def _comment_params():
    params = []
    for platform_name, field in (("digg_count", "like_count"), ("reply_comment_total", "reply_count")):
        for case in count_cases(field, INT_MAX):
            value, _field = case.values
            params.append(pytest.param({platform_name: value}, field, id=case.id))
    for platform_name, field in (
        ("comment_id", "platform_comment_id"),
        ("reply_to_comment_id", "parent_comment_id"),
        ("comment_user_id", "author_uid"),
    ):
        for case in id_cases(field, 128):
            value, _field = case.values
            params.append(pytest.param({platform_name: value}, field, id=case.id))
    for case in id_cases("video", 100, name="item_id"):
        value, field = case.values
        params.append(pytest.param({"item_id": value}, field, id=case.id))
    params += [
        pytest.param({"nick_name": "粉" * 101}, "author_nickname", id="nickname-too-long"),
        pytest.param({"content": "评" * 2001}, "text", id="text-too-long"),
        pytest.param({"content": "\x00"}, "text", id="text-only-nul"),
        pytest.param({"create_time": 10**400}, "posted_at", id="time-huge"),
        pytest.param({"create_time": "²"}, "posted_at", id="time-superscript-digit"),
        pytest.param({"create_time": "2026-01-01\x00"}, "posted_at", id="time-nul"),
        pytest.param({"account": BIGINT_MAX + 1}, "video", id="account-past-bigint"),
    ]
    return params


@pytest.mark.parametrize("changes, field", _comment_params())
def test_a_hostile_comment_row_is_refused_naming_it(send, video, changes, field):
    rows = [comment_row(video, comment_id="c-0"), comment_row(video, **changes)]
    response = send("videocomment-bulk", {"rows": rows})
    assert_refused(response, f"rows[1].{field}")
    assert nothing_stored(VideoComment)


def test_comment_free_text_is_stored_cleaned(send, video):
    rows = [comment_row(video, content="毛肚\x00很新鲜\ud800", nick_name="粉\x00丝\udfff")]
    response = send("videocomment-bulk", {"rows": rows})
    assert response.status_code in (200, 201), response.content
    comment = VideoComment.dangerously_all_agencies.get()
    assert (comment.text, comment.author_nickname) == ("毛肚很新鲜\ufffd", "粉丝\ufffd")


# --- hot topics ----------------------------------------------------------------------------------------


def _topic_params():
    params = []
    for platform_name, field, limit in (("position", "rank", INT_MAX), ("hot_level", "heat", COUNT_MAX)):
        for case in count_cases(field, limit):
            value, _field = case.values
            params.append(pytest.param({platform_name: value}, field, id=case.id))
    params += [
        pytest.param({"url": "https://example.com/\x00"}, "url", id="url-nul"),
        pytest.param({"url": "https://example.com/\ud800"}, "url", id="url-surrogate"),
        pytest.param({"url": "https://example.com/" + "a" * 500}, "url", id="url-too-long"),
        pytest.param({"sentence": "热" * 201}, "title", id="title-too-long"),
        pytest.param({"sentence": "\x00"}, "title", id="title-only-nul"),
        pytest.param({"source": "源" * 101}, "source", id="source-too-long"),
        pytest.param({"event_time": 10**400}, "seen_at", id="seen-huge"),
    ]
    return params


@pytest.mark.parametrize("changes, field", _topic_params())
def test_a_hostile_hot_topic_row_is_refused_naming_it(send, changes, field):
    good = {"sentence": "秋天的第一杯奶茶", "hot_level": 5_200_000, "position": 1, "event_time": SEEN}
    rows = [apply(good, {"sentence": "国庆去哪玩"}), apply(good, changes)]
    response = send("hottopic-bulk", {"platform": "douyin", "rows": rows})
    assert_refused(response, f"rows[1].{field}")
    assert nothing_stored(HotTopic)


def test_hot_topic_free_text_is_stored_cleaned(send):
    row = {"sentence": "奶\x00茶\ud800", "hot_level": 5, "position": 1, "event_time": SEEN, "source": "榜\x00单"}
    response = send("hottopic-bulk", {"platform": "douyin", "rows": [row]})
    assert response.status_code in (200, 201), response.content
    topic = HotTopic.dangerously_all_agencies.get()
    assert (topic.title, topic.source) == ("奶茶\ufffd", "榜单")


# --- audience snapshots --------------------------------------------------------------------------------


def _snapshot_params():
    params = []
    for case in count_cases("fans_total", COUNT_MAX):
        value, field = case.values
        params.append(pytest.param({"fans_total": value}, field, id=case.id))
    for case in key_cases("account"):
        value, field = case.values
        params.append(pytest.param({"account": value}, field, id=case.id))
    params += [
        pytest.param({"cities": {"成\x00都": 0.5}}, "cities", id="city-nul"),
        pytest.param({"cities": {"\ud800": 0.5}}, "cities", id="city-surrogate"),
        pytest.param({"cities": {"\ud800": 0.5, "\ud800 ": 0.5}}, "cities", id="city-surrogate-twice"),
        pytest.param({"devices": [{"item": "i\x00", "value": 0.5}]}, "devices", id="device-nul"),
    ]
    return params


@pytest.mark.parametrize("changes, field", _snapshot_params())
def test_a_hostile_audience_row_is_refused_naming_it(world, send, account, changes, field):
    good = {"account": account.pk, "date": yesterday(world.agency_a), "fans_total": 10}
    earlier = apply(good, {"date": "2026-01-01"})
    response = send("audiencesnapshot-bulk", {"rows": [earlier, apply(good, changes)]})
    assert_refused(response, f"rows[1].{field}")
    assert nothing_stored(AudienceSnapshot)


# --- private messages (6.4), as a connector sends them in bulk ----------------------------------------


def message_row(**changes) -> dict:
    good = {
        "platform_message_id": "srv-1",
        "conversation_id": "conv-1",
        "sender_uid": "fan-open-id",
        "sender_nickname": "抖音小王",
        "text": "有优惠吗",
        "received_at": SEEN,
    }
    return apply(good, changes)


def _message_params():
    params = []
    for field, limit in (("platform_message_id", 128), ("sender_uid", 128), ("conversation_id", 200)):
        for case in id_cases(field, limit):
            value, _field = case.values
            params.append(pytest.param({field: value}, field, id=case.id))
    params += [
        pytest.param({"platform_message_id": MISSING}, "platform_message_id", id="id-missing"),
        pytest.param({"platform_message_id": "  "}, "platform_message_id", id="id-blank"),
        pytest.param({"platform_message_id": ["srv-1"]}, "platform_message_id", id="id-list"),
        pytest.param({"sender_nickname": "名" * 101}, "sender_nickname", id="nickname-too-long"),
        pytest.param({"message_type": "t" * 21}, "message_type", id="type-too-long"),
        pytest.param({"message_type": "te\x00xt"}, "message_type", id="type-nul"),
        pytest.param({"received_at": "2026-01-05\x00"}, "received_at", id="time-nul"),
        pytest.param({"received_at": 10**400}, "received_at", id="time-huge"),
        pytest.param({"received_at": "²"}, "received_at", id="time-superscript-digit"),
    ]
    return params


@pytest.mark.parametrize("changes, field", _message_params())
def test_a_hostile_message_row_is_refused_naming_it_and_nothing_is_stored(send, account, changes, field):
    rows = [message_row(platform_message_id="srv-0"), message_row(**changes)]
    response = send("inboxmessage-bulk", {"account": account.pk, "messages": rows})
    assert_refused(response, f"messages[1].{field}")
    assert nothing_stored(InboxMessage)


def test_message_free_text_is_stored_cleaned(send, account):
    """A fan's words are kept as the webhook keeps them: NUL removed, a lone surrogate replaced."""
    row = message_row(text="有\x00优惠吗\ud800", sender_nickname="小\x00王")
    response = send("inboxmessage-bulk", {"account": account.pk, "messages": [row]})
    assert response.status_code in (200, 201), response.content
    message = InboxMessage.dangerously_all_agencies.get()
    assert (message.text, message.sender_nickname) == ("有优惠吗\ufffd", "小王")


def test_a_row_bomb_of_messages_is_refused_whole(send, account):
    """One row past the bulk limit: refused, naming the list and its limit, and nothing is stored."""
    rows = [message_row(platform_message_id=f"srv-{n}") for n in range(INBOX_BULK_MAX + 1)]
    response = send("inboxmessage-bulk", {"account": account.pk, "messages": rows})
    assert response.status_code == 400, response.content
    (field,) = response.json()["error"]["fields"]
    assert field.startswith("messages"), field
    assert str(INBOX_BULK_MAX) in json.dumps(response.json()), response.content
    assert nothing_stored(InboxMessage)


@pytest.mark.parametrize(
    "route",
    [
        "accountdailymetric-bulk",
        "videodailymetric-bulk",
        "videocomment-bulk",
        "hottopic-bulk",
        "audiencesnapshot-bulk",
        "inboxmessage-bulk",
    ],
)
@pytest.mark.parametrize(
    "body",
    [b"{", b'{"rows": [', b"\xff\xfe\x00", b'{"rows": NaN}', b"[" * 50_000 + b"]" * 50_000, b""],
    ids=["cut-short", "list-cut-short", "not-utf8", "nan", "nested-too-deep", "empty"],
)
def test_a_broken_json_body_is_a_400_naming_it_and_nothing_is_stored(world, route, body):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user=world.staff_a)
    client.raise_request_exception = False
    response = client.post(reverse(route), data=body, content_type="application/json")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    error = response.json()["error"]
    assert error["code"] in ("parse_error", "invalid", "required"), error
    assert error["message"], error
    for model in (AccountDailyMetric, VideoDailyMetric, VideoComment, HotTopic, AudienceSnapshot, InboxMessage):
        assert nothing_stored(model)


# --- a file import ---------------------------------------------------------------------------------------


# A file holding a NUL byte is refused whole, as no CSV (``accounts_ops.files``), and a lone surrogate
# cannot be written in UTF-8 (nor GBK): the file's hostile values are control characters, numbers
# past their columns and over-long ids.


def run_import(world, account, data: bytes, kind: str) -> DataImport:
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        job = data_import_request(actor=actor, kind=kind, file=SimpleUploadedFile("x.csv", data), account=account)
        data_import_run(import_id=job.pk)
    return DataImport.dangerously_all_agencies.get(pk=job.pk)


def test_a_comments_file_with_hostile_rows_lists_them_and_keeps_the_rest(world, account, video):
    posted = f"{timezone.localtime(timezone.now() - dt.timedelta(hours=2), world.agency_a.tz):%Y-%m-%d %H:%M:%S}"
    lines = [
        "作品id,评论id,用户id,用户昵称,评论内容,评论时间,点赞数,回复数",
        f"item-1,c-1,fan-1,小王,毛肚很新鲜,{posted},3,0",  # 2: kept
        f"item-1,c-2,fan-2,小李,好吃,{posted},{INT_MAX + 1},0",  # 3
        f"item-1,c-3,fan-3,小张,好吃,{posted},0,-1",  # 4
        f"item-1,c\x1b-4,fan-4,小赵,好吃,{posted},0,0",  # 5
        f"item-1,c-5,fan\x1b-5,小钱,好吃,{posted},0,0",  # 6
        f"item-1,{'c' * 129},fan-6,小孙,好吃,{posted},0,0",  # 7
        f"item-1,c-7,fan-7,{'名' * 101},好吃,{posted},0,0",  # 8
        f"item-1,c-8,fan-8,小周,好吃,{posted},{BIGINT_MAX + 1},0",  # 9
        f"item\x1b-1,c-9,fan-9,小吴,好吃,{posted},0,0",  # 10
    ]
    job = run_import(world, account, ("\n".join(lines) + "\n").encode("utf-8"), kind="comments")
    assert job.status == ImportStatus.DONE, (job.status, job.error)
    assert (job.rows_accepted, job.rows_rejected) == (1, 8), job.row_errors
    assert {(error["row"], error["field"]) for error in job.row_errors} == {
        (3, "like_count"),
        (4, "reply_count"),
        (5, "platform_comment_id"),
        (6, "author_uid"),
        (7, "platform_comment_id"),
        (8, "author_nickname"),
        (9, "like_count"),
        (10, "video"),
    }
    comment = VideoComment.dangerously_all_agencies.get()
    assert (comment.platform_comment_id, comment.author_nickname, comment.text) == ("c-1", "小王", "毛肚很新鲜")


def test_an_account_metrics_file_with_hostile_numbers_lists_them(world, account):
    day = timezone.localdate(timezone=world.agency_a.tz)
    dates = [(day - dt.timedelta(days=n + 1)).isoformat() for n in range(5)]
    lines = [
        "日期,播放量,点赞",
        f"{dates[0]},1500,80",
        f"{dates[1]},{BIGINT_MAX + 1},80",
        f"{dates[2]},1500,-3",
        f"{dates[3]}\x1b,1500,80",
        f"{dates[4]},1e30,80",
    ]
    job = run_import(world, account, ("\n".join(lines) + "\n").encode("utf-8"), kind="account_metrics")
    assert job.status == ImportStatus.DONE, (job.status, job.error)
    assert (job.rows_accepted, job.rows_rejected) == (1, 4), job.row_errors
    assert {(error["row"], error["field"]) for error in job.row_errors} == {
        (3, "plays"),
        (4, "likes"),
        (5, "date"),
        (6, "plays"),
    }
    assert AccountDailyMetric.dangerously_all_agencies.get().plays == 1500
