"""The Douyin adapter: each error code and broken answer mapped to the interface's errors (respx),
and the real adapter driven over HTTP against the simulator (OAuth, refresh and renewal, expiry,
revocation, rate limits, paging, replies, messages, uploads and review, lost answers)."""

# ruff: noqa: F811 - the tests take the imported ``simulator`` fixture as an argument
from __future__ import annotations

import datetime as dt
import io
import json

import httpx
import pytest
import respx

from platforms.adapters.base import (
    Capability,
    PlatformUnavailable,
    PublishStatus,
    RateLimited,
    ReconnectNeeded,
    Refused,
    ScopeMissing,
    TokenExpired,
    Tokens,
)
from platforms.adapters.douyin import CHINA, DouyinAdapter
from platforms.simulator.state import World
from tests.platforms.simulator_fixture import ALL_SCOPES, REDIRECT_URI, simulator  # noqa: F401 (a fixture)

BASE = "https://open.douyin.test"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
TOKENS = Tokens("act.1", "rft.1", NOW + dt.timedelta(days=15), NOW + dt.timedelta(days=30), "oid-1", ("item.comment",))
ACCOUNT = "sim-open-0001"


@pytest.fixture
def adapter() -> DouyinAdapter:
    return DouyinAdapter(base_url=BASE, client_key="ck", client_secret="cs", timeout=2.0)


@pytest.fixture
def mock():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def ok(data: dict, now_ms: int = 1_767_225_600_000) -> dict:
    return {
        "data": {**data, "error_code": 0, "description": ""},
        "extra": {"error_code": 0, "logid": "L", "now": now_ms},
    }


def failure(code, description: str = "错误") -> dict:
    return {"data": {"error_code": code, "description": description}, "extra": {"error_code": code, "logid": "L1"}}


def comment_row(comment_id: str, **overrides) -> dict:
    return {
        "comment_id": comment_id,
        "comment_user_id": "fan-1",
        "content": "好吃",
        "create_time": 1_767_225_600,
        "digg_count": 3,
        "reply_comment_total": 0,
        "top": False,
        **overrides,
    }


# --- the interface's declarations -----------------------------------------------------------------


def test_capabilities_leave_out_what_douyin_cannot_do_and_name_scopes_for_the_rest():
    assert Capability.COMMENT_HIDE not in DouyinAdapter.capabilities
    assert set(DouyinAdapter.scopes) == set(DouyinAdapter.capabilities)
    assert DouyinAdapter.scopes[Capability.MESSAGES] == ("im.direct_message",)
    assert "access_token" in DouyinAdapter.rate_limits


def test_authorize_url_carries_client_key_scopes_state_and_redirect(adapter):
    url = httpx.URL(adapter.authorize_url(state="st", redirect_uri="https://a.test/cb", scopes=["user_info", "x.y"]))
    assert url.path == "/platform/oauth/connect/"
    assert dict(url.params) == {
        "client_key": "ck",
        "response_type": "code",
        "scope": "user_info,x.y",
        "redirect_uri": "https://a.test/cb",
        "state": "st",
    }


def test_revoke_sends_nothing(adapter, mock):
    adapter.revoke(TOKENS)  # no route is mocked: any request would fail the test
    assert mock.calls.call_count == 0


# --- request shapes ----------------------------------------------------------------------------------


def test_exchange_code_posts_a_form_and_reads_expiries_given_as_digit_strings(adapter, mock):
    route = mock.post("/oauth/access_token/").respond(
        json={
            "data": {
                "access_token": "act.x",
                "expires_in": "1296000",
                "refresh_token": "rft.x",
                "refresh_expires_in": 2592000,
                "open_id": "oid-9",
                "scope": "user_info,item.comment",
                "error_code": "0",
            },
            "message": "success",
        }
    )
    tokens = adapter.exchange_code(code="c0de", redirect_uri="https://a.test/cb")
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(httpx.QueryParams(sent.content.decode())) == {
        "client_key": "ck",
        "client_secret": "cs",
        "code": "c0de",
        "grant_type": "authorization_code",
    }
    assert tokens.open_id == "oid-9" and tokens.scopes == ("user_info", "item.comment")
    assert dt.timedelta(days=14, hours=23) < tokens.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=15)


def test_data_calls_send_the_access_token_header_and_open_id_query(adapter, mock):
    route = mock.get("/item/comment/list/").respond(json=ok({"list": [], "cursor": 0, "has_more": False}))
    adapter.comments(TOKENS, item_id="@item+/=", cursor="")
    sent = route.calls.last.request
    assert sent.headers["access-token"] == "act.1"
    assert sent.url.params["open_id"] == "oid-1"
    assert sent.url.params["item_id"] == "@item+/="
    assert sent.url.params["cursor"] == "0"


def test_video_stats_posts_item_ids_twenty_at_a_time(adapter, mock):
    route = mock.post("/api/douyin/v1/video/video_data/").respond(json=ok({"list": []}))
    adapter.video_stats(TOKENS, item_ids=[f"i{n}" for n in range(45)])
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert [len(body["item_ids"]) for body in bodies] == [20, 20, 5]


def test_account_days_merges_the_six_endpoints_within_the_period(adapter, mock):
    today = dt.datetime.now(CHINA).date()
    day1, day2 = today - dt.timedelta(days=2), today - dt.timedelta(days=1)
    rows = {
        "fans": [{"date": str(day1), "new_fans": "5", "total_fans": "100"}, {"date": str(day2), "new_fans": 6}],
        "item": [{"date": str(day1), "new_play": 10, "new_issue": 1}, {"date": str(day2), "new_play": 11}],
        "like": [{"date": str(day1), "new_like": 7}],
        "comment": [{"date": str(day2), "new_comment": 2}],
        "share": [],
        "profile": [{"date": str(today - dt.timedelta(days=20)), "profile_uv": 9}],
    }
    routes = {
        kind: mock.get(f"/data/external/user/{kind}/").respond(json=ok({"result_list": r})) for kind, r in rows.items()
    }
    days = adapter.account_days(TOKENS, start=day1, end=day2)
    assert [d.date for d in days] == [day1, day2]
    assert (days[0].followers, days[0].new_followers, days[0].plays, days[0].likes) == (100, 5, 10, 7)
    assert (days[1].new_followers, days[1].plays, days[1].comments, days[1].likes) == (6, 11, 2, None)
    assert routes["fans"].calls.last.request.url.params["date_type"] == "7"


# --- error codes, one by one -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (2190008, TokenExpired),
        (28001008, TokenExpired),
        (2190002, TokenExpired),
        (10008, TokenExpired),
        (10010, ReconnectNeeded),
        (10020, ReconnectNeeded),
        (28001046, ReconnectNeeded),
        (28001012, ScopeMissing),
        (2190004, ScopeMissing),
        (28001018, ScopeMissing),
        (28003018, RateLimited),
        (28003017, RateLimited),
        (28001005, PlatformUnavailable),
        (2100004, PlatformUnavailable),
        (28001007, Refused),
        (2100005, Refused),
        (12345678, Refused),
        ("2190008", TokenExpired),
    ],
)
def test_each_error_code_maps_to_its_error(adapter, mock, code, error):
    mock.get("/item/comment/list/").respond(json=failure(code))
    with pytest.raises(error) as raised:
        adapter.comments(TOKENS, item_id="i")
    assert type(raised.value) is error
    assert raised.value.code == int(code) and raised.value.log_id == "L1"


def test_scope_missing_names_the_endpoint_scope(adapter, mock):
    mock.get("/api/douyin/v1/user/fans_data/").respond(json=failure(28001012, "用户未授权该OpenAPI"))
    with pytest.raises(ScopeMissing) as raised:
        adapter.portrait(TOKENS)
    assert raised.value.scope == "fans.data.bind"


def test_rate_limited_waits_the_stated_window_or_a_minute(adapter, mock):
    route = mock.get("/item/comment/list/")
    route.respond(json=failure(28003018, "请求频率过高"), headers={"Retry-After": "17"})
    with pytest.raises(RateLimited) as stated:
        adapter.comments(TOKENS, item_id="i")
    route.respond(json=failure(28003018, "请求频率过高"))
    with pytest.raises(RateLimited) as unstated:
        adapter.comments(TOKENS, item_id="i")
    route.respond(status_code=429, headers={"Retry-After": "5"})
    with pytest.raises(RateLimited) as http_429:
        adapter.comments(TOKENS, item_id="i")
    assert (stated.value.retry_after, unstated.value.retry_after, http_429.value.retry_after) == (17, 60, 5)


def test_a_token_endpoint_refusing_the_token_asks_to_reconnect(adapter, mock):
    mock.post("/oauth/refresh_token/").respond(json={"data": {"error_code": 2190008, "description": "x"}})
    with pytest.raises(ReconnectNeeded):
        adapter.refresh(TOKENS)
    mock.post("/oauth/renew_refresh_token/").respond(json={"data": {"error_code": 10020, "description": "超过"}})
    with pytest.raises(ReconnectNeeded):
        adapter.renew_refresh_token(TOKENS)


# --- broken answers: never a KeyError or TypeError ---------------------------------------------------

REPLY = ("/item/comment/reply/", lambda a: a.reply_comment(TOKENS, item_id="i", comment_id="c", text="谢谢"))
LIST = ("/item/comment/list/", lambda a: a.comments(TOKENS, item_id="i"))


@pytest.mark.parametrize(("path", "call", "write"), [(*REPLY, True), (*LIST, False)])
@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>oops</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"data": "text"}),
        httpx.Response(200, json={"data": {"error_code": "zero"}}),
        httpx.Response(502, text="bad gateway"),
        httpx.Response(503, json=ok({})),
    ],
)
def test_garbage_and_5xx_are_unavailable_and_maybe_done_only_for_writes(adapter, mock, path, call, write, answer):
    method = "post" if write else "get"
    getattr(mock, method)(path).mock(return_value=answer)
    with pytest.raises(PlatformUnavailable) as raised:
        call(adapter)
    assert raised.value.maybe_done is write


@pytest.mark.parametrize(
    ("exception", "maybe_done"),
    [(httpx.ReadTimeout, True), (httpx.WriteTimeout, True), (httpx.ConnectTimeout, False), (httpx.ConnectError, False)],
)
def test_timeouts_of_a_write_say_whether_it_may_have_arrived(adapter, mock, exception, maybe_done):
    mock.post("/item/comment/reply/").mock(side_effect=exception("boom"))
    with pytest.raises(PlatformUnavailable) as raised:
        REPLY[1](adapter)
    assert raised.value.maybe_done is maybe_done


@pytest.mark.parametrize(
    "data",
    [
        {"list": "nope", "cursor": 0, "has_more": False},
        {"list": [comment_row(["c"])], "cursor": 0, "has_more": False},
        {"list": [comment_row("c", create_time="yesterday")], "cursor": 0, "has_more": False},
        {"list": [comment_row("c", digg_count={"n": 1})], "cursor": 0, "has_more": False},
        {"list": [comment_row("c", top="maybe")], "cursor": 0, "has_more": False},
        {"list": [{"content": "no id", "create_time": 1}], "cursor": 0, "has_more": False},
        {"list": [comment_row("c")], "has_more": True},
        {"list": [comment_row("c")], "cursor": "next", "has_more": True},
        {"list": [7], "cursor": 0, "has_more": False},
    ],
)
def test_wrong_field_types_and_missing_fields_are_unavailable(adapter, mock, data):
    mock.get("/item/comment/list/").respond(json=ok(data))
    with pytest.raises(PlatformUnavailable) as raised:
        adapter.comments(TOKENS, item_id="i")
    assert raised.value.maybe_done is False


def test_a_write_answer_without_its_id_may_be_done(adapter, mock):
    mock.post("/im/send/msg/").respond(json=ok({}))
    with pytest.raises(PlatformUnavailable) as raised:
        adapter.send_message(TOKENS, conversation_id="c", to_user_id="u", text="hi")
    assert raised.value.maybe_done is True


def test_garbage_in_video_figures_and_tokens_is_unavailable(adapter, mock):
    bad_video = {"item_id": "i", "statistics": {"play_count": "lots"}, "create_time": 1}
    mock.get("/api/douyin/v1/video/video_list/").respond(json=ok({"list": [bad_video], "cursor": 1, "has_more": 0}))
    with pytest.raises(PlatformUnavailable):
        adapter.videos(TOKENS)
    mock.post("/oauth/access_token/").respond(json={"data": {"access_token": "a", "expires_in": [1]}})
    with pytest.raises(PlatformUnavailable):
        adapter.exchange_code(code="c", redirect_uri="https://a.test/cb")
    mock.get("/data/external/user/fans/").respond(json=ok({"result_list": [{"date": "not a date"}]}))
    with pytest.raises(PlatformUnavailable):
        adapter.account_days(TOKENS, start=dt.date.today(), end=dt.date.today())


def test_pagination_ends_when_has_more_is_false(adapter, mock):
    mock.get("/item/comment/list/").respond(json=ok({"list": [comment_row("c1")], "cursor": 1, "has_more": False}))
    page = adapter.comments(TOKENS, item_id="i", cursor="")
    assert (page.cursor, page.has_more, [c.comment_id for c in page.items]) == ("", False, ["c1"])
    mock.get("/item/comment/list/").respond(json=ok({"list": [comment_row(7)], "cursor": "40", "has_more": True}))
    page = adapter.comments(TOKENS, item_id="i", cursor="20")
    assert (page.cursor, page.has_more, page.items[0].comment_id) == ("40", True, "7")


def test_reply_answer_gives_the_platform_id_and_time(adapter, mock):
    route = mock.post("/item/comment/reply/").respond(json=ok({"comment_id": "r-1"}, now_ms=1_767_225_600_123))
    delivered = adapter.reply_comment(TOKENS, item_id="i", comment_id="c", text="谢谢")
    assert json.loads(route.calls.last.request.content) == {"item_id": "i", "comment_id": "c", "content": "谢谢"}
    assert delivered.platform_id == "r-1"
    assert delivered.accepted_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


# --- against the simulator, over HTTP ----------------------------------------------------------------


def test_full_oauth_code_exchange_and_a_code_is_single_use(simulator):
    adapter = simulator.adapter()
    code = simulator.code(ACCOUNT)
    tokens = adapter.exchange_code(code=code, redirect_uri=REDIRECT_URI)
    assert tokens.open_id == ACCOUNT and set(tokens.scopes) == set(ALL_SCOPES)
    assert dt.timedelta(days=14) < tokens.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=15)
    assert adapter.profile(tokens).nickname == "川味小厨房"
    with pytest.raises(Refused):
        adapter.exchange_code(code=code, redirect_uri=REDIRECT_URI)


def test_a_code_expires(simulator):
    code = simulator.code(ACCOUNT)
    simulator.advance(601)
    with pytest.raises(Refused):
        simulator.adapter().exchange_code(code=code, redirect_uri=REDIRECT_URI)


def test_expired_access_token_then_refresh_works(simulator):
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    simulator.expire_tokens(ACCOUNT)
    with pytest.raises(TokenExpired) as raised:
        adapter.videos(tokens)
    assert raised.value.code == 28001008
    with pytest.raises(TokenExpired) as old_endpoint:
        adapter.comments(tokens, item_id="@any")
    assert old_endpoint.value.code == 2190008
    fresh = adapter.refresh(tokens)
    assert fresh.access_token != tokens.access_token and fresh.refresh_token == tokens.refresh_token
    assert adapter.videos(fresh).items


def test_access_token_expires_after_its_lifetime(simulator):
    simulator.config(access_lifetime=3600)
    tokens = simulator.connect(ACCOUNT)
    adapter = simulator.adapter()
    adapter.profile(tokens)
    simulator.advance(3601)
    with pytest.raises(TokenExpired):
        adapter.profile(tokens)


def test_renewal_rotates_the_refresh_token_and_invalidates_the_old_one(simulator):
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    renewed = adapter.renew_refresh_token(tokens)
    assert renewed.refresh_token != tokens.refresh_token
    with pytest.raises(ReconnectNeeded):
        adapter.refresh(tokens)
    assert adapter.profile(adapter.refresh(renewed)).open_id == ACCOUNT


def test_refresh_token_expiry_asks_to_reconnect(simulator):
    tokens = simulator.connect(ACCOUNT)
    simulator.expire_tokens(ACCOUNT, refresh=True)
    with pytest.raises(ReconnectNeeded):
        simulator.adapter().refresh(tokens)


def test_revoked_authorisation_asks_to_reconnect(simulator):
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    simulator.revoke(ACCOUNT)
    with pytest.raises(TokenExpired):
        adapter.profile(tokens)
    with pytest.raises(ReconnectNeeded):
        adapter.refresh(tokens)


def test_missing_scope_is_named(simulator):
    tokens = simulator.connect(ACCOUNT, scopes=("user_info", "video.list.bind"))
    with pytest.raises(ScopeMissing) as raised:
        simulator.adapter().comments(tokens, item_id="@x")
    assert raised.value.scope == "item.comment"


def test_rate_limit_gives_the_window_to_wait(simulator):
    simulator.config(rate_limit=2, rate_window=60)
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    adapter.videos(tokens)
    adapter.videos(tokens)
    with pytest.raises(RateLimited) as raised:
        adapter.videos(tokens)
    assert 1 <= raised.value.retry_after <= 60
    simulator.advance(61)
    assert adapter.videos(tokens).items


def test_paging_through_videos_and_comments(simulator):
    adapter = simulator.adapter()
    adapter.page_size = 5
    tokens = simulator.connect(ACCOUNT)
    videos, cursor, pages = [], "", 0
    while True:
        page = adapter.videos(tokens, cursor=cursor)
        videos.extend(page.items)
        pages += 1
        if not page.has_more:
            break
        cursor = page.cursor
    assert (len(videos), pages) == (12, 3)
    assert len({v.item_id for v in videos}) == 12
    assert [v.published_at for v in videos] == sorted((v.published_at for v in videos), reverse=True)
    busiest = max(videos, key=lambda v: v.comments)
    adapter.page_size = 1
    seen, cursor = [], ""
    while True:
        page = adapter.comments(tokens, item_id=busiest.item_id, cursor=cursor)
        seen.extend(page.items)
        if not page.has_more:
            break
        cursor = page.cursor
    adapter.page_size = 50
    replies = sum(
        len(adapter.comment_replies(tokens, item_id=busiest.item_id, comment_id=c.comment_id).items) for c in seen
    )
    assert len(seen) + replies == busiest.comments > 1
    stats = adapter.video_stats(tokens, item_ids=[busiest.item_id])
    assert stats[0].plays == busiest.plays


def test_account_days_and_portrait_come_from_the_seeded_data(simulator):
    tokens = simulator.connect(ACCOUNT)
    adapter = simulator.adapter()
    yesterday = dt.datetime.now(CHINA).date() - dt.timedelta(days=1)
    days = adapter.account_days(tokens, start=yesterday - dt.timedelta(days=9), end=yesterday)
    assert [d.date for d in days] == [yesterday - dt.timedelta(days=n) for n in range(9, -1, -1)]
    world = World()  # a second, independent run of the generator
    expected = world.day_figures(world.account(ACCOUNT), yesterday)
    assert (days[-1].followers, days[-1].plays, days[-1].profile_visits) == (
        expected["total_fans"],
        expected["new_play"],
        expected["profile_uv"],
    )
    portrait = adapter.portrait(tokens)
    assert set(portrait.gender) == {"1", "2"} and portrait.fans_total > 0 and portrait.provinces


def test_a_reply_then_appears_in_the_reply_list(simulator):
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    video = next(v for v in adapter.videos(tokens).items if v.comments)
    comment = adapter.comments(tokens, item_id=video.item_id).items[0]
    delivered = adapter.reply_comment(tokens, item_id=video.item_id, comment_id=comment.comment_id, text="谢谢喜欢")
    assert abs((delivered.accepted_at - dt.datetime.now(dt.UTC)).total_seconds()) < 5
    replies = adapter.comment_replies(tokens, item_id=video.item_id, comment_id=comment.comment_id).items
    mine = [r for r in replies if r.comment_id == delivered.platform_id]
    assert mine and mine[0].text == "谢谢喜欢" and mine[0].is_from_account
    adapter.top_comment(tokens, item_id=video.item_id, comment_id=comment.comment_id, top=True)
    assert simulator.delivered(ACCOUNT)["top_comments"] == [comment.comment_id]


def test_a_banned_word_reply_is_refused(simulator):
    simulator.config(banned_words=["加微信"])
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    video = next(v for v in adapter.videos(tokens).items if v.comments)
    comment = adapter.comments(tokens, item_id=video.item_id).items[0]
    with pytest.raises(Refused):
        adapter.reply_comment(tokens, item_id=video.item_id, comment_id=comment.comment_id, text="加微信聊")
    assert simulator.delivered(ACCOUNT)["comment_replies"] == []


def test_message_send_is_delivered(simulator):
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    event = simulator.inject_message(ACCOUNT, text="在吗", from_user_id="fan-7")["payload"]
    delivered = adapter.send_message(
        tokens,
        conversation_id=event["content"]["conversation_short_id"],
        to_user_id="fan-7",
        text="您好，在的",
        reply_to=event["content"]["server_message_id"],
    )
    sent = simulator.delivered(ACCOUNT)["messages_sent"]
    assert [(m["server_message_id"], m["text"], m["to_user_id"]) for m in sent] == [
        (delivered.platform_id, "您好，在的", "fan-7")
    ]
    assert sent[0]["reply_to"] == event["content"]["server_message_id"]


def test_multi_part_upload_create_and_review_until_public(simulator):
    simulator.config(min_part_size=1024, review_delay=30)
    adapter = simulator.adapter()
    adapter.single_upload_max, adapter.part_size = 2048, 1024
    tokens = simulator.connect(ACCOUNT)
    video_id = adapter.upload_video(tokens, file=io.BytesIO(b"v" * 3000), size=3000)
    parts = [call for call in simulator.calls() if call["path"] == "/video/part/upload/"]
    assert len(parts) == 3 and all(call["code"] == 0 for call in parts)
    created = adapter.create_video(tokens, video_id=video_id, text="新菜上线 #美食", poi_id="poi-1")
    assert adapter.publication(tokens, item_id=created.platform_id).status == PublishStatus.REVIEWING
    simulator.advance(31)
    publication = adapter.publication(tokens, item_id=created.platform_id)
    assert (publication.status, publication.reason) == (PublishStatus.PUBLIC, "")
    assert simulator.delivered(ACCOUNT)["videos_created"][0]["poi_id"] == "poi-1"
    with pytest.raises(Refused):  # each create needs a fresh upload
        adapter.create_video(tokens, video_id=video_id, text="again")


def test_a_video_with_a_banned_word_is_refused_after_review(simulator):
    simulator.config(banned_words=["违禁词"], review_delay=5)
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    video_id = adapter.upload_video(tokens, file=io.BytesIO(b"v" * 100), size=100)
    created = adapter.create_video(tokens, video_id=video_id, text="含违禁词的标题")
    simulator.advance(6)
    publication = adapter.publication(tokens, item_id=created.platform_id)
    assert publication.status == PublishStatus.REFUSED and publication.reason


def test_a_lost_reply_answer_is_found_instead_of_posting_twice(simulator):
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    video = next(v for v in adapter.videos(tokens).items if v.comments)
    comment = adapter.comments(tokens, item_id=video.item_id).items[0]
    since = dt.datetime.now(dt.UTC)
    simulator.fault("/item/comment/reply/", "status", status=502, after=True)
    with pytest.raises(PlatformUnavailable) as raised:
        adapter.reply_comment(tokens, item_id=video.item_id, comment_id=comment.comment_id, text="马上安排")
    assert raised.value.maybe_done
    found = adapter.find_comment_reply(
        tokens, item_id=video.item_id, comment_id=comment.comment_id, text="马上安排", since=since
    )
    assert found is not None
    assert [r["comment_id"] for r in simulator.delivered(ACCOUNT)["comment_replies"]] == [found.platform_id]
    other = adapter.find_comment_reply(
        tokens, item_id=video.item_id, comment_id=comment.comment_id, text="别的话", since=since
    )
    assert other is None


def test_a_timed_out_create_is_found_by_find_post(simulator):
    adapter = simulator.adapter(timeout=0.5)
    tokens = simulator.connect(ACCOUNT)
    video_id = adapter.upload_video(tokens, file=io.BytesIO(b"v" * 100), size=100)
    since = dt.datetime.now(dt.UTC)
    simulator.fault("/video/create/", "timeout", seconds=1.5, after=True)
    with pytest.raises(PlatformUnavailable) as raised:
        adapter.create_video(tokens, video_id=video_id, text="周末特惠 #探店")
    assert raised.value.maybe_done
    found = adapter.find_post(tokens, text="周末特惠 #探店", since=since)
    assert found is not None and found.platform_id.startswith("@simnew")
    assert adapter.find_post(tokens, text="never posted", since=since) is None


def test_simulator_faults_reach_the_adapter_as_unavailable(simulator):
    adapter = simulator.adapter()
    tokens = simulator.connect(ACCOUNT)
    simulator.fault("/api/douyin/v1/video/video_list/", "garbage")
    with pytest.raises(PlatformUnavailable) as garbage:
        adapter.videos(tokens)
    simulator.fault("/api/douyin/v1/video/video_list/", "wrong_type", field="list.0.statistics.play_count")
    with pytest.raises(PlatformUnavailable):
        adapter.videos(tokens)
    simulator.fault("/api/douyin/v1/video/video_list/", "error_code", code=28001005)
    with pytest.raises(PlatformUnavailable):
        adapter.videos(tokens)
    simulator.fault("/api/douyin/v1/video/video_list/", "status", status=500)
    with pytest.raises(PlatformUnavailable):
        adapter.videos(tokens)
    assert garbage.value.maybe_done is False
    assert adapter.videos(tokens).items  # the faults were used up


def test_the_configured_adapter_reaches_the_simulator(simulator):
    from platforms.adapters import adapter_for

    adapter = adapter_for("douyin")
    assert isinstance(adapter, DouyinAdapter) and adapter.base_url == simulator.douyin_url
    assert adapter.profile(simulator.connect("sim-open-0002")).nickname == "城市穿搭日记"
