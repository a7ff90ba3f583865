"""The TikTok adapter: each error code and broken answer mapped to the interface's errors (respx),
and the real adapter driven over HTTP against the simulator (OAuth with rotating refresh tokens,
expiry, revocation, scopes, rate limits, paging, chunked Direct Post to public, moderation, lost
answers)."""

# ruff: noqa: F811 - the tests take the imported ``simulator`` fixture as an argument
from __future__ import annotations

import datetime as dt
import io
import json
import os
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from platforms import adapters
from platforms.adapters import adapter_for
from platforms.adapters import tiktok as tiktok_module
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
from platforms.adapters.tiktok import ERRORS, TikTokAdapter
from platforms.simulator.state import World
from platforms.simulator.tiktok import TikTokApp
from tests.platforms.simulator_fixture import simulator  # noqa: F401 (a fixture)

BASE = "https://open.tiktok.test"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
TOKENS = Tokens("act.1", "rft.1", NOW + dt.timedelta(hours=2), NOW + dt.timedelta(days=180), "oid-1", ("video.list",))
ACCOUNT = "sim-open-0001"
KEY, SECRET = "sim-tiktok-app", "sim-tiktok-secret"
REDIRECT_URI = "https://agency.test/platforms/callback/"
ALL_SCOPES = TikTokAdapter(base_url=BASE, client_key="k", client_secret="s").scopes_for(TikTokAdapter.capabilities)
MB = 1024 * 1024


@pytest.fixture
def adapter() -> TikTokAdapter:
    return TikTokAdapter(base_url=BASE, client_key="ck", client_secret="cs", timeout=2.0)


@pytest.fixture
def mock():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def ok(data: dict) -> dict:
    return {"data": data, "error": {"code": "ok", "message": "", "log_id": "L"}}


def failure(code: str, message: str = "no") -> dict:
    return {"data": {}, "error": {"code": code, "message": message, "log_id": "L1"}}


def video_row(video_id: str, **overrides) -> dict:
    return {
        "id": video_id,
        "title": "Dumplings",
        "create_time": 1_767_225_600,
        "share_url": f"https://www.tiktok.com/@x/video/{video_id}",
        "view_count": 10,
        "like_count": 3,
        "comment_count": 1,
        "share_count": 0,
        **overrides,
    }


# --- the interface's declarations -----------------------------------------------------------------


def test_capabilities_leave_out_what_the_display_api_cannot_do_and_name_scopes_for_the_rest():
    assert TikTokAdapter.capabilities == {Capability.ACCOUNT_DATA, Capability.VIDEOS, Capability.PUBLISH}
    for missing in (Capability.PORTRAIT, Capability.COMMENTS, Capability.MESSAGES, Capability.COMMENT_REPLY):
        assert missing not in TikTokAdapter.capabilities
    assert set(TikTokAdapter.scopes) == set(TikTokAdapter.capabilities)
    assert "video.publish" in TikTokAdapter.scopes[Capability.PUBLISH]
    assert "600" in TikTokAdapter.rate_limits["published_numbers"]


def test_authorize_url_goes_to_tiktoks_page_in_production_and_to_the_base_url_elsewhere(adapter):
    url = httpx.URL(
        adapter.authorize_url(state="st", redirect_uri="https://a.test/cb", scopes=["user.info.basic", "x"])
    )
    assert (url.host, url.path) == ("open.tiktok.test", "/v2/auth/authorize/")
    assert dict(url.params) == {
        "client_key": "ck",
        "scope": "user.info.basic,x",
        "response_type": "code",
        "redirect_uri": "https://a.test/cb",
        "state": "st",
    }
    production = TikTokAdapter(base_url="https://open.tiktokapis.com", client_key="ck", client_secret="cs")
    url = httpx.URL(production.authorize_url(state="st", redirect_uri="https://a.test/cb", scopes=["a"]))
    assert (url.host, url.path) == ("www.tiktok.com", "/v2/auth/authorize/")


# --- request shapes ----------------------------------------------------------------------------------


def test_exchange_code_posts_a_form_with_the_redirect_uri(adapter, mock):
    route = mock.post("/v2/oauth/token/").respond(
        json={
            "access_token": "act.x",
            "expires_in": 7200,
            "refresh_token": "rft.x",
            "refresh_expires_in": "15552000",
            "open_id": "oid-9",
            "scope": "user.info.basic,video.list",
            "token_type": "Bearer",
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
        "redirect_uri": "https://a.test/cb",
    }
    assert tokens.open_id == "oid-9" and tokens.scopes == ("user.info.basic", "video.list")
    assert dt.timedelta(hours=1, minutes=59) < tokens.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=2)
    assert tokens.refresh_expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(days=179)


def test_data_calls_send_the_bearer_token_fields_and_a_json_body(adapter, mock):
    route = mock.post("/v2/video/list/").respond(json=ok({"videos": [], "cursor": 0, "has_more": False}))
    adapter.videos(TOKENS, cursor="1767225600000")
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer act.1"
    assert "view_count" in sent.url.params["fields"].split(",")
    assert json.loads(sent.content) == {"max_count": 20, "cursor": 1767225600000}
    with pytest.raises(ValueError, match="Not a cursor"):
        adapter.videos(TOKENS, cursor="abc")


def test_video_stats_queries_twenty_ids_at_a_time(adapter, mock):
    route = mock.post("/v2/video/query/").respond(json=ok({"videos": []}))
    adapter.video_stats(TOKENS, item_ids=[f"{n}" for n in range(45)])
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert [len(body["filters"]["video_ids"]) for body in bodies] == [20, 20, 5]


def test_profile_asks_for_the_username_only_with_its_scope(adapter, mock):
    route = mock.get("/v2/user/info/").respond(
        json=ok({"user": {"open_id": "oid-1", "display_name": "Chef", "avatar_url": "https://a/x.png"}})
    )
    profile = adapter.profile(TOKENS)
    assert "username" not in route.calls.last.request.url.params["fields"]
    assert (profile.nickname, profile.handle) == ("Chef", "")
    with_profile = Tokens(**{**TOKENS.__dict__, "scopes": ("user.info.basic", "user.info.profile")})
    adapter.profile(with_profile)
    assert "username" in route.calls.last.request.url.params["fields"].split(",")


def test_account_days_give_only_todays_follower_count_and_skip_old_periods(adapter, mock):
    route = mock.get("/v2/user/info/").respond(json=ok({"user": {"follower_count": 1234, "likes_count": 99}}))
    today = dt.datetime.now(dt.UTC).date()
    assert adapter.account_days(TOKENS, start=today - dt.timedelta(days=30), end=today - dt.timedelta(days=5)) == []
    assert route.calls.call_count == 0  # nothing to ask: TikTok keeps no history
    yesterday = today - dt.timedelta(days=1)
    [day] = adapter.account_days(TOKENS, start=today - dt.timedelta(days=7), end=yesterday)
    assert (day.date, day.followers, day.likes, day.plays) == (yesterday, 1234, None, None)


def test_chunks_follow_the_media_transfer_rules(adapter):
    assert adapter._chunks(3 * MB) == (3 * MB, 1)  # under 5 MB: whole
    assert adapter._chunks(64 * MB) == (64 * MB, 1)
    assert adapter._chunks(64 * MB + 1) == (10 * MB, 6)  # the remainder rides in the last chunk
    assert adapter._chunks(100 * MB) == (10 * MB, 10)


# --- error mapping ----------------------------------------------------------------------------------

STATUS = {"access_token_invalid": 401, "scope_not_authorized": 401, "scope_permission_missed": 401}


@pytest.mark.parametrize("code,error", sorted(ERRORS.items()))
def test_each_error_code_maps_to_its_error(adapter, mock, code, error):
    status = 429 if error is RateLimited else 500 if error is PlatformUnavailable else STATUS.get(code, 400)
    mock.post("/v2/video/list/").respond(status, json=failure(code))
    with pytest.raises(error) as caught:
        adapter.videos(TOKENS)
    assert caught.value.code == code and caught.value.log_id == "L1"


def test_scope_missing_names_the_endpoint_scope(adapter, mock):
    mock.post("/v2/video/query/").respond(401, json=failure("scope_not_authorized"))
    with pytest.raises(ScopeMissing) as caught:
        adapter.video_stats(TOKENS, item_ids=["1"])
    assert caught.value.scope == "video.list"


def test_rate_limits_wait_the_minute_window_a_stated_retry_after_or_an_hour_for_posting_caps(adapter, mock):
    route = mock.post("/v2/video/list/")
    route.respond(429, json=failure("rate_limit_exceeded"))
    with pytest.raises(RateLimited) as caught:
        adapter.videos(TOKENS)
    assert caught.value.retry_after == 60.0
    route.respond(429, json=failure("rate_limit_exceeded"), headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        adapter.videos(TOKENS)
    assert caught.value.retry_after == 7.0
    route.respond(403, json=failure("spam_risk_too_many_posts"))
    with pytest.raises(RateLimited) as caught:
        adapter.videos(TOKENS)
    assert caught.value.retry_after == 3600.0
    route.respond(429, text="slow down")
    with pytest.raises(RateLimited):
        adapter.videos(TOKENS)


@pytest.mark.parametrize(
    "oauth_error,on_refresh,on_exchange",
    [
        ("invalid_grant", ReconnectNeeded, Refused),
        ("access_denied", ReconnectNeeded, ReconnectNeeded),
        ("invalid_client", Refused, Refused),
        ("invalid_request", Refused, Refused),
        ("unsupported_grant_type", Refused, Refused),
        ("server_error", PlatformUnavailable, PlatformUnavailable),
        ("something_new", Refused, Refused),
    ],
)
def test_oauth_errors_map_by_category(adapter, mock, oauth_error, on_refresh, on_exchange):
    mock.post("/v2/oauth/token/").respond(400, json={"error": oauth_error, "error_description": "why", "log_id": "LOG"})
    with pytest.raises(on_refresh) as caught:
        adapter.refresh(TOKENS)
    assert caught.value.code == oauth_error and caught.value.log_id == "LOG"
    with pytest.raises(on_exchange):
        adapter.exchange_code(code="c", redirect_uri="https://a.test/cb")


def test_a_refresh_answering_for_another_user_is_not_trusted(adapter, mock):
    mock.post("/v2/oauth/token/").respond(
        json={"access_token": "a", "expires_in": 7200, "refresh_token": "r", "open_id": "someone-else", "scope": ""}
    )
    with pytest.raises(PlatformUnavailable, match="another open_id"):
        adapter.refresh(TOKENS)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>oops"),
        httpx.Response(502, text="<html>bad gateway"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(500, json=failure("something_new")),
        httpx.Response(404, text="not found"),
    ],
)
def test_garbage_and_server_errors_are_unavailable(adapter, mock, answer):
    mock.post("/v2/video/list/").mock(return_value=answer)
    with pytest.raises(PlatformUnavailable):
        adapter.videos(TOKENS)


def test_an_unknown_code_with_a_client_status_is_refused(adapter, mock):
    mock.post("/v2/video/list/").respond(400, json=failure("brand_new_rule"))
    with pytest.raises(Refused):
        adapter.videos(TOKENS)


@pytest.mark.parametrize(
    "data",
    [
        {"videos": "many", "cursor": 0, "has_more": False},
        {"videos": [video_row("1", view_count="lots")], "cursor": 0, "has_more": False},
        {"videos": [video_row("1", id=None)], "cursor": 0, "has_more": False},
        {"videos": [], "has_more": True},
        {"videos": [], "cursor": 0, "has_more": "perhaps"},
    ],
)
def test_wrong_field_types_and_missing_fields_are_unavailable(adapter, mock, data):
    mock.post("/v2/video/list/").respond(json=ok(data))
    with pytest.raises(PlatformUnavailable):
        adapter.videos(TOKENS)


def test_video_rows_are_read_with_their_figures(adapter, mock):
    mock.post("/v2/video/list/").respond(
        json=ok({"videos": [video_row("7", title="", video_description="Noodles")], "cursor": 17, "has_more": True})
    )
    page = adapter.videos(TOKENS)
    [video] = page.items
    assert (video.item_id, video.title, video.plays, video.likes, video.status) == ("7", "Noodles", 10, 3, "public")
    assert video.published_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert (page.cursor, page.has_more) == ("17", True)


# --- publishing edge cases ---------------------------------------------------------------------------

CREATOR = {"privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"], "creator_username": "chef"}


def test_an_app_that_may_post_only_privately_is_refused_before_anything_is_sent(adapter, mock):
    mock.post("/v2/post/publish/creator_info/query/").respond(json=ok({"privacy_level_options": ["SELF_ONLY"]}))
    init = mock.post("/v2/post/publish/video/init/")
    with pytest.raises(Refused, match="SELF_ONLY"):
        adapter.publish_video(TOKENS, file=io.BytesIO(b"v" * 10), size=10, text="t")
    assert init.call_count == 0


def test_a_lost_answer_to_the_last_chunk_may_be_done_but_a_lost_first_chunk_may_not(adapter, mock):
    mock.post("/v2/post/publish/creator_info/query/").respond(json=ok(CREATOR))
    mock.post("/v2/post/publish/video/init/").respond(
        json=ok({"publish_id": "p1", "upload_url": f"{BASE}/upload/?upload_id=p1"})
    )
    adapter.single_upload_max, adapter.part_size = 4, 4
    status = mock.post("/v2/post/publish/status/fetch/").respond(503, text="down")
    upload = mock.put("/upload/")
    upload.side_effect = [httpx.Response(206), httpx.ReadTimeout("lost")]
    with pytest.raises(PlatformUnavailable) as caught:
        adapter.publish_video(TOKENS, file=io.BytesIO(b"v" * 9), size=9, text="t")
    assert caught.value.maybe_done is True
    ranges = [call.request.headers["content-range"] for call in upload.calls]
    assert ranges == ["bytes 0-3/9", "bytes 4-8/9"]  # the remainder rides in the last chunk
    assert status.call_count == 1  # asked whether the video arrived; unreadable, so the loss is reported
    upload.side_effect = [httpx.ReadTimeout("lost")]
    with pytest.raises(PlatformUnavailable) as caught:
        adapter.publish_video(TOKENS, file=io.BytesIO(b"v" * 9), size=9, text="t")
    assert caught.value.maybe_done is False
    assert status.call_count == 1  # a lost first chunk posts nothing: no need to ask


def test_a_lost_answer_to_the_last_chunk_is_checked_with_the_status(adapter, mock):
    mock.post("/v2/post/publish/creator_info/query/").respond(json=ok(CREATOR))
    mock.post("/v2/post/publish/video/init/").respond(
        json=ok({"publish_id": "p1", "upload_url": f"{BASE}/upload/?upload_id=p1"})
    )
    status = mock.post("/v2/post/publish/status/fetch/")
    mock.put("/upload/").mock(side_effect=httpx.ReadTimeout("lost"))
    status.respond(json=ok({"status": "PROCESSING_UPLOAD", "uploaded_bytes": 9}))
    delivered = adapter.publish_video(TOKENS, file=io.BytesIO(b"v" * 9), size=9, text="t")
    assert delivered.platform_id == "p1"
    assert json.loads(status.calls.last.request.content) == {"publish_id": "p1"}
    status.respond(json=ok({"status": "PROCESSING_UPLOAD", "uploaded_bytes": 0}))
    with pytest.raises(PlatformUnavailable) as caught:
        adapter.publish_video(TOKENS, file=io.BytesIO(b"v" * 9), size=9, text="t")
    assert caught.value.maybe_done is True


def test_an_upload_refusal_is_mapped(adapter, mock):
    mock.post("/v2/post/publish/creator_info/query/").respond(json=ok(CREATOR))
    mock.post("/v2/post/publish/video/init/").respond(
        json=ok({"publish_id": "p1", "upload_url": f"{BASE}/upload/?upload_id=p1"})
    )
    mock.put("/upload/").respond(400, json=failure("invalid_file_upload"))
    with pytest.raises(Refused) as caught:
        adapter.publish_video(TOKENS, file=io.BytesIO(b"v" * 9), size=9, text="t")
    assert caught.value.code == "invalid_file_upload"


@pytest.mark.parametrize(
    "answer,status,reason",
    [
        ({"status": "PROCESSING_UPLOAD"}, PublishStatus.REVIEWING, ""),
        ({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": []}, PublishStatus.REVIEWING, ""),
        ({"status": "FAILED", "fail_reason": "spam_risk_text"}, PublishStatus.REFUSED, "spam_risk_text"),
    ],
)
def test_publication_status_values(adapter, mock, answer, status, reason):
    mock.post("/v2/post/publish/status/fetch/").respond(json=ok(answer))
    publication = adapter.publication(TOKENS, item_id="v_pub_file~v2-1.1")
    assert (publication.status, publication.reason) == (status, reason)


def test_an_undocumented_status_is_unavailable(adapter, mock):
    mock.post("/v2/post/publish/status/fetch/").respond(json=ok({"status": "SOMETHING_ELSE"}))
    with pytest.raises(PlatformUnavailable):
        adapter.publication(TOKENS, item_id="v_pub_file~v2-1.1")


def test_a_staged_upload_is_kept_only_for_a_retry_after_refreshing(adapter, mock, monkeypatch, tmp_path):
    monkeypatch.setattr(tiktok_module, "STAGED_DIR", str(tmp_path))
    mock.post("/v2/post/publish/creator_info/query/").respond(401, json=failure("access_token_invalid"))
    video_id = adapter.upload_video(TOKENS, file=io.BytesIO(b"v" * 9), size=9)
    staged = tmp_path / video_id.removeprefix("staged:")
    assert staged.read_bytes() == b"v" * 9
    with pytest.raises(TokenExpired):
        adapter.create_video(TOKENS, video_id=video_id, text="t")
    assert staged.exists()
    mock.post("/v2/post/publish/creator_info/query/").respond(400, json=failure("invalid_params"))
    with pytest.raises(Refused):
        adapter.create_video(TOKENS, video_id=video_id, text="t")
    assert not staged.exists()
    with pytest.raises(Refused, match="gone"):
        adapter.create_video(TOKENS, video_id=video_id, text="t")
    with pytest.raises(ValueError):
        adapter.create_video(TOKENS, video_id="staged:../../etc/passwd", text="t")
    with pytest.raises(ValueError, match="holds 3 bytes"):
        adapter.upload_video(TOKENS, file=io.BytesIO(b"abc"), size=9)
    assert os.listdir(tmp_path) == []


def test_revoke_posts_the_access_token_and_an_authorisation_already_gone_counts_as_revoked(adapter, mock):
    route = mock.post("/v2/oauth/revoke/").respond(json={})
    adapter.revoke(TOKENS)
    assert dict(httpx.QueryParams(route.calls.last.request.content.decode())) == {
        "client_key": "ck",
        "client_secret": "cs",
        "token": "act.1",
    }
    route.respond(400, json={"error": "invalid_grant", "error_description": "gone", "log_id": "L"})
    adapter.revoke(TOKENS)
    route.respond(503, text="down")
    with pytest.raises(PlatformUnavailable):
        adapter.revoke(TOKENS)


# --- against the simulator, over HTTP -----------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sim_adapter(simulator, timeout: float = 5.0) -> TikTokAdapter:
    return TikTokAdapter(base_url=f"{simulator.url}/tiktok", client_key=KEY, client_secret=SECRET, timeout=timeout)


def sim_code(simulator, open_id: str = ACCOUNT, scopes=ALL_SCOPES) -> str:
    url = sim_adapter(simulator).authorize_url(state="st8", redirect_uri=REDIRECT_URI, scopes=scopes)
    try:
        urllib.request.build_opener(_NoRedirect).open(f"{url}&auto_open_id={open_id}", timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 302, error.read()
        query = parse_qs(urlsplit(error.headers["Location"]).query)
    else:
        raise AssertionError("The authorisation page did not redirect.")
    assert query["state"] == ["st8"]
    return query["code"][0]


def sim_connect(simulator, open_id: str = ACCOUNT, scopes=ALL_SCOPES) -> Tokens:
    return sim_adapter(simulator).exchange_code(code=sim_code(simulator, open_id, scopes), redirect_uri=REDIRECT_URI)


def test_the_authorisation_page_lists_accounts_and_refuses_another_app(simulator):
    adapter = sim_adapter(simulator)
    url = adapter.authorize_url(state="s", redirect_uri=REDIRECT_URI, scopes=ALL_SCOPES)
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and "川味小厨房" in page.text
    assert httpx.get(url.replace(f"client_key={KEY}", "client_key=other"), timeout=10).status_code == 400


def test_full_oauth_code_exchange_and_a_code_is_single_use_and_tied_to_its_redirect(simulator):
    adapter = sim_adapter(simulator)
    code = sim_code(simulator)
    with pytest.raises(Refused, match="invalid_grant"):
        adapter.exchange_code(code=code, redirect_uri="https://elsewhere.test/cb")
    tokens = adapter.exchange_code(code=code, redirect_uri=REDIRECT_URI)
    assert tokens.open_id == ACCOUNT and set(tokens.scopes) == set(ALL_SCOPES)
    with pytest.raises(Refused, match="invalid_grant"):
        adapter.exchange_code(code=code, redirect_uri=REDIRECT_URI)
    wrong = TikTokAdapter(base_url=f"{simulator.url}/tiktok", client_key=KEY, client_secret="nope")
    with pytest.raises(Refused, match="invalid_client"):
        wrong.exchange_code(code=sim_code(simulator), redirect_uri=REDIRECT_URI)


def test_the_access_token_expires_after_two_hours_and_refresh_rotates_the_refresh_token(simulator):
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    assert adapter.profile(tokens).handle == "chuanwei_kitchen"
    simulator.advance(2 * 3600 + 1)
    with pytest.raises(TokenExpired):
        adapter.profile(tokens)
    fresh = adapter.refresh(tokens)
    assert fresh.refresh_token != tokens.refresh_token and fresh.access_token != tokens.access_token
    assert adapter.profile(fresh).open_id == ACCOUNT
    with pytest.raises(ReconnectNeeded):
        adapter.refresh(tokens)  # the refresh token sent before stopped working
    assert adapter.refresh(fresh).open_id == ACCOUNT


def test_refresh_token_expiry_asks_to_reconnect(simulator):
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    simulator.advance(180 * 86400 + 1)
    with pytest.raises(ReconnectNeeded):
        adapter.refresh(tokens)


def test_a_user_who_revokes_and_a_revoked_connection_ask_to_reconnect(simulator):
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    simulator.revoke(ACCOUNT)
    with pytest.raises(TokenExpired):
        adapter.videos(tokens)
    with pytest.raises(ReconnectNeeded):
        adapter.refresh(tokens)
    again = sim_connect(simulator)  # authorising again gives access back
    adapter.revoke(again)
    with pytest.raises(TokenExpired):
        adapter.videos(again)
    with pytest.raises(ReconnectNeeded):
        adapter.refresh(again)
    adapter.revoke(again)  # already gone: nothing to do


def test_missing_scopes_are_named(simulator):
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator, scopes=("user.info.basic",))
    assert adapter.profile(tokens).handle == ""  # the username needs user.info.profile: not asked
    with pytest.raises(ScopeMissing) as caught:
        adapter.videos(tokens)
    assert caught.value.scope == "video.list"
    today = dt.datetime.now(dt.UTC).date()
    with pytest.raises(ScopeMissing) as caught:
        adapter.account_days(tokens, start=today - dt.timedelta(days=1), end=today)
    assert caught.value.scope == "user.info.stats"


def test_rate_limit_gives_the_window_to_wait(simulator):
    simulator.config(rate_limit=2)
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    adapter.videos(tokens)
    adapter.videos(tokens)
    with pytest.raises(RateLimited) as caught:
        adapter.videos(tokens)
    assert caught.value.retry_after == 60.0 and caught.value.code == "rate_limit_exceeded"
    adapter.video_stats(tokens, item_ids=["1"])  # each endpoint has its own window
    simulator.advance(61)
    adapter.videos(tokens)


def test_paging_walks_every_video_once_newest_first(simulator):
    adapter = sim_adapter(simulator)
    adapter.page_size = 5
    tokens = sim_connect(simulator)
    seen, cursor, pages = [], "", 0
    while True:
        page = adapter.videos(tokens, cursor=cursor)
        seen.extend(page.items)
        pages += 1
        if not page.has_more:
            break
        cursor = page.cursor
    assert pages == 3 and len(seen) == 12 and len({video.item_id for video in seen}) == 12
    times = [video.published_at for video in seen]
    assert times == sorted(times, reverse=True)
    assert all(video.item_id.isdigit() and video.plays is not None for video in seen)
    stats = adapter.video_stats(tokens, item_ids=[seen[0].item_id, seen[11].item_id, "123"])
    assert {video.item_id for video in stats} == {seen[0].item_id, seen[11].item_id}


def test_account_days_and_profile_come_from_the_seeded_account(simulator):
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    today = dt.datetime.now(dt.UTC).date()
    [day] = adapter.account_days(tokens, start=today - dt.timedelta(days=3), end=today - dt.timedelta(days=1))
    assert day.date == today - dt.timedelta(days=1) and day.followers > 1000


def publish(simulator, adapter, tokens, size: int, text: str):
    adapter.single_upload_max, adapter.part_size = 2 * MB, MB
    simulator.config(min_part_size=MB)
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    video_id = adapter.upload_video(tokens, file=io.BytesIO(data), size=size)
    return adapter.create_video(tokens, video_id=video_id, text=text)


def test_chunked_direct_post_is_reviewed_then_public_and_listed(simulator):
    simulator.config(review_delay=30)
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    started = dt.datetime.now(dt.UTC)
    delivered = publish(simulator, adapter, tokens, 3 * MB + 17, "Spicy noodles #dinner")
    assert delivered.platform_id.startswith("v_pub_file")
    assert adapter.publication(tokens, item_id=delivered.platform_id).status == PublishStatus.REVIEWING
    assert adapter.find_post(tokens, text="Spicy noodles #dinner", since=started) is None  # not listed yet
    simulator.advance(31)
    public = adapter.publication(tokens, item_id=delivered.platform_id)
    assert public.status == PublishStatus.PUBLIC and public.item_id.isdigit()
    assert public.url.endswith(f"/video/{public.item_id}")
    newest = adapter.videos(tokens).items[0]
    assert (newest.item_id, newest.title) == (public.item_id, "Spicy noodles #dinner")
    found = adapter.find_post(tokens, text="Spicy noodles #dinner", since=started)
    assert found.platform_id == public.item_id
    assert adapter.publication(tokens, item_id=found.platform_id).status == PublishStatus.PUBLIC
    assert adapter.find_post(tokens, text="never posted", since=started) is None
    [post] = simulator.delivered(ACCOUNT)["tiktok_posts"]
    assert (post["item_id"], post["title"]) == (public.item_id, "Spicy noodles #dinner")


def test_a_small_video_goes_in_one_chunk_and_a_banned_caption_fails_moderation(simulator):
    simulator.config(review_delay=5)
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    delivered = publish(simulator, adapter, tokens, 1000, "违禁词 inside")
    simulator.advance(6)
    refused = adapter.publication(tokens, item_id=delivered.platform_id)
    assert (refused.status, refused.reason) == (PublishStatus.REFUSED, "spam_risk_text")
    assert all(video.title != "违禁词 inside" for video in adapter.videos(tokens).items)


def test_chunks_that_break_the_rules_are_refused(simulator):
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    adapter.single_upload_max, adapter.part_size = MB, MB // 2  # chunks under the 5 MB minimum
    simulator.config(min_part_size=MB)
    with pytest.raises(Refused) as caught:
        adapter.publish_video(tokens, file=io.BytesIO(b"v" * (2 * MB)), size=2 * MB, text="t")
    assert caught.value.code == "invalid_params"


def test_a_lost_answer_to_the_last_chunk_counts_as_delivered_once_the_status_confirms_it(simulator):
    simulator.config(review_delay=0)
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    started = dt.datetime.now(dt.UTC)
    simulator.fault("/upload/", "status", status=502, after=True)
    delivered = publish(simulator, adapter, tokens, 1000, "Lost answer")
    assert adapter.publication(tokens, item_id=delivered.platform_id).status == PublishStatus.PUBLIC
    assert adapter.find_post(tokens, text="Lost answer", since=started) is not None
    assert [video.title for video in adapter.videos(tokens).items].count("Lost answer") == 1


def test_a_lost_answer_with_an_unreadable_status_is_reported_and_the_post_found_later(simulator):
    simulator.config(review_delay=0)
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    started = dt.datetime.now(dt.UTC)
    simulator.fault("/upload/", "status", status=502, after=True)
    simulator.fault("/v2/post/publish/status/fetch/", "status", status=503)
    with pytest.raises(PlatformUnavailable) as caught:
        publish(simulator, adapter, tokens, 1000, "Lost twice")
    assert caught.value.maybe_done is True
    assert adapter.find_post(tokens, text="Lost twice", since=started) is not None


def test_simulator_faults_reach_the_adapter_as_their_errors(simulator):
    adapter = sim_adapter(simulator)
    tokens = sim_connect(simulator)
    simulator.fault("/v2/video/list/", "garbage")
    with pytest.raises(PlatformUnavailable):
        adapter.videos(tokens)
    simulator.fault("/v2/video/list/", "wrong_type", field="videos.0.view_count")
    with pytest.raises(PlatformUnavailable):
        adapter.videos(tokens)
    simulator.fault("/v2/video/list/", "error_code", code="internal_error", description="boom")
    with pytest.raises(PlatformUnavailable, match="boom"):
        adapter.videos(tokens)
    simulator.fault("/v2/video/list/", "timeout", seconds=1.5)
    with pytest.raises(PlatformUnavailable):
        sim_adapter(simulator, timeout=0.5).videos(tokens)
    simulator.clear_faults()
    assert len(adapter.videos(tokens).items) == 12
    codes = [call["code"] for call in simulator.calls() if call["path"] == "/tiktok/v2/video/list/"]
    assert codes[-1] == 0


def test_the_configured_adapter_reaches_the_simulator(simulator, settings, monkeypatch):
    monkeypatch.setitem(adapters.ADAPTERS, "tiktok", "platforms.adapters.tiktok.TikTokAdapter")
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        "tiktok": {"base_url": f"{simulator.url}/tiktok", "client_key": KEY, "client_secret": SECRET},
    }
    adapter = adapter_for("tiktok")
    assert isinstance(adapter, TikTokAdapter)
    assert adapter.profile(sim_connect(simulator)).nickname == "川味小厨房"


def test_tiktoks_simulated_state_is_kept_in_the_state_file():
    world = World()
    TikTokApp(world).state()["publishes"]["v_pub_file~v2-1.1"] = {"open_id": ACCOUNT, "post": None}
    restored = World()
    restored.load(json.loads(json.dumps(world.dump())))
    assert restored.extra == world.extra
    world.reset()
    assert world.extra == {}
