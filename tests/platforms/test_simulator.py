"""The platform simulator's own rules: deterministic data, single-use short-lived codes, expiring
and rotating tokens, revocation, rate-limit windows, cursors, multi-part upload checks, review,
faults, control-endpoint validation, and webhooks signed the way ``accounts_ops.webhooks``
verifies them."""

# ruff: noqa: F811 - the tests take the imported ``simulator`` fixture as an argument
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from accounts_ops.webhooks import read_content, read_payload, signature_ok
from platforms.simulator.douyin import ROUTES
from platforms.simulator.server import corrupt
from platforms.simulator.state import World
from tests.platforms.simulator_fixture import ALL_SCOPES, REDIRECT_URI, simulator  # noqa: F401 (a fixture)

ACCOUNT = "sim-open-0001"


def form_post(simulator, path: str, **fields) -> httpx.Response:
    return httpx.post(f"{simulator.douyin_url}{path}", data=fields, timeout=10)


def api(simulator, method: str, path: str, token: str, open_id: str = ACCOUNT, **kwargs) -> httpx.Response:
    params = {"open_id": open_id, **kwargs.pop("params", {})}
    return httpx.request(
        method, f"{simulator.douyin_url}{path}", params=params, headers={"access-token": token}, timeout=10, **kwargs
    )


def code_of(response: httpx.Response) -> int:
    return response.json()["data"]["error_code"]


def grant(simulator, open_id: str = ACCOUNT, scopes=ALL_SCOPES) -> dict:
    answer = form_post(
        simulator,
        "/oauth/access_token/",
        client_key=simulator.client_key,
        client_secret=simulator.client_secret,
        code=simulator.code(open_id, scopes),
        grant_type="authorization_code",
    )
    assert code_of(answer) == 0, answer.text
    return answer.json()["data"]


# --- generated data --------------------------------------------------------------------------------


def test_generated_data_is_the_same_in_two_runs_and_differs_by_seed():
    first, second = World(), World()
    a, b = first.account(ACCOUNT), second.account(ACCOUNT)
    assert a.videos == b.videos and a.comments == b.comments
    day = first.today()
    assert first.day_figures(a, day) == second.day_figures(b, day)
    assert first.portrait(a) == second.portrait(b)
    other = first.create_account("someone-else")
    assert [v["title"] for v in other.videos] != [v["title"] for v in a.videos]
    reseeded = second.create_account("another-id", seed=ACCOUNT)
    assert [v["title"] for v in reseeded.videos] == [v["title"] for v in a.videos]


def test_daily_totals_add_up_and_generated_times_are_in_the_past():
    world = World()
    account = world.account(ACCOUNT)
    today = world.today()
    yesterday, before = world.day_figures(account, today), world.day_figures(account, today.replace(day=1))
    assert (
        yesterday["new_fans"]
        == yesterday["total_fans"] - world.day_figures(account, today.fromordinal(today.toordinal() - 1))["total_fans"]
    )
    assert before["total_fans"] <= yesterday["total_fans"]
    now = world.now()
    assert all(v["create_time"] < now for v in account.videos)
    assert all(c["create_time"] < now for comments in account.comments.values() for c in comments)


# --- codes and tokens ------------------------------------------------------------------------------


def test_connect_page_lists_accounts_and_refuses_an_unknown_app(simulator):
    url = simulator.adapter().authorize_url(state="s", redirect_uri=REDIRECT_URI, scopes=["user_info"])
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and "川味小厨房" in page.text and "auto_open_id=sim-open-0002" in page.text
    bad = httpx.get(url.replace("client_key=sim-douyin-app", "client_key=other"), timeout=10)
    assert bad.status_code == 400
    unknown = httpx.get(url + "&auto_open_id=nobody", timeout=10)
    assert unknown.status_code == 400


def test_a_code_is_single_use_and_short_lived(simulator):
    fields = {
        "client_key": simulator.client_key,
        "client_secret": simulator.client_secret,
        "grant_type": "authorization_code",
    }
    code = simulator.code(ACCOUNT)
    assert code_of(form_post(simulator, "/oauth/access_token/", code=code, **fields)) == 0
    assert code_of(form_post(simulator, "/oauth/access_token/", code=code, **fields)) == 10007
    late = simulator.code(ACCOUNT)
    simulator.advance(601)
    assert code_of(form_post(simulator, "/oauth/access_token/", code=late, **fields)) == 10007
    wrong_secret = {**fields, "client_secret": "nope"}
    assert code_of(form_post(simulator, "/oauth/access_token/", code=simulator.code(ACCOUNT), **wrong_secret)) == 10013


def test_access_tokens_expire_with_the_documented_codes(simulator):
    simulator.config(access_lifetime=100)
    token = grant(simulator)["access_token"]
    assert code_of(api(simulator, "GET", "/item/comment/list/", token, params={"item_id": "x"})) == 2100005
    simulator.advance(101)
    assert code_of(api(simulator, "GET", "/item/comment/list/", token, params={"item_id": "x"})) == 2190008
    assert code_of(api(simulator, "GET", "/api/douyin/v1/video/video_list/", token)) == 28001008
    assert code_of(api(simulator, "GET", "/api/douyin/v1/video/video_list/", "act.forged")) == 28001003
    assert code_of(api(simulator, "GET", "/api/douyin/v1/video/video_list/", token, open_id="sim-open-0002")) in (
        28001008,
        28001015,
    )


def test_a_token_of_one_account_cannot_read_another(simulator):
    token = grant(simulator)["access_token"]
    assert (
        code_of(api(simulator, "GET", "/api/douyin/v1/video/video_list/", token, open_id="sim-open-0002")) == 28001015
    )


def test_renewal_rotates_and_is_limited(simulator):
    simulator.config(renew_limit=2)
    refresh = grant(simulator)["refresh_token"]
    seen = [refresh]
    for _ in range(2):
        answer = form_post(
            simulator, "/oauth/renew_refresh_token/", client_key=simulator.client_key, refresh_token=refresh
        )
        assert code_of(answer) == 0
        refresh = answer.json()["data"]["refresh_token"]
        seen.append(refresh)
    old = form_post(
        simulator,
        "/oauth/refresh_token/",
        client_key=simulator.client_key,
        grant_type="refresh_token",
        refresh_token=seen[0],
    )
    assert code_of(old) == 10010
    third = form_post(simulator, "/oauth/renew_refresh_token/", client_key=simulator.client_key, refresh_token=refresh)
    assert code_of(third) == 10020
    assert len(set(seen)) == 3


def test_refresh_tokens_expire(simulator):
    simulator.config(refresh_lifetime=1000)
    refresh = grant(simulator)["refresh_token"]
    simulator.advance(1001)
    answer = form_post(
        simulator,
        "/oauth/refresh_token/",
        client_key=simulator.client_key,
        grant_type="refresh_token",
        refresh_token=refresh,
    )
    assert code_of(answer) == 10010


def test_revocation_ends_access_and_refresh_until_authorised_again(simulator):
    tokens = grant(simulator)
    simulator.revoke(ACCOUNT)
    assert code_of(api(simulator, "GET", "/api/douyin/v1/video/video_list/", tokens["access_token"])) == 28001003
    refresh = form_post(
        simulator,
        "/oauth/refresh_token/",
        client_key=simulator.client_key,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
    )
    assert code_of(refresh) == 10010
    again = grant(simulator)
    assert code_of(api(simulator, "GET", "/api/douyin/v1/video/video_list/", again["access_token"])) == 0


def test_a_missing_scope_is_refused(simulator):
    token = grant(simulator, scopes=("user_info",))["access_token"]
    answer = api(simulator, "GET", "/api/douyin/v1/video/video_list/", token)
    assert code_of(answer) == 28001012 and "video.list.bind" in answer.json()["data"]["description"]


# --- rate limits and cursors -----------------------------------------------------------------------


def test_rate_limit_per_token_per_endpoint_with_its_window(simulator):
    simulator.config(rate_limit=2, rate_window=60)
    token = grant(simulator)["access_token"]
    other = grant(simulator)["access_token"]
    path = "/api/douyin/v1/video/video_list/"
    assert [code_of(api(simulator, "GET", path, token)) for _ in range(2)] == [0, 0]
    limited = api(simulator, "GET", path, token)
    assert code_of(limited) == 28003018 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert code_of(api(simulator, "GET", path, other)) == 0  # another token has its own window
    assert code_of(api(simulator, "GET", "/api/douyin/v1/user/fans_data/", token)) == 0  # another endpoint too
    simulator.advance(60)
    assert code_of(api(simulator, "GET", path, token)) == 0


def test_cursors_walk_the_list_once(simulator):
    token = grant(simulator)["access_token"]
    seen, cursor = [], 0
    while True:
        data = api(simulator, "GET", "/api/douyin/v1/video/video_list/", token, params={"cursor": cursor, "count": 5})
        data = data.json()["data"]
        seen += [video["item_id"] for video in data["list"]]
        if not data["has_more"]:
            break
        cursor = data["cursor"]
    assert len(seen) == len(set(seen)) == 12
    too_many = api(simulator, "GET", "/api/douyin/v1/video/video_list/", token, params={"count": 51})
    assert code_of(too_many) == 28001007


# --- uploads, review, replies ----------------------------------------------------------------------


def test_parts_must_come_in_order_and_only_the_last_may_be_small(simulator):
    simulator.config(min_part_size=10)
    token = grant(simulator)["access_token"]
    upload_id = api(simulator, "POST", "/video/part/init/", token).json()["data"]["upload_id"]

    def part(number: int, size: int) -> int:
        return code_of(
            api(
                simulator,
                "POST",
                "/video/part/upload/",
                token,
                params={"upload_id": upload_id, "part_number": number},
                files={"video": ("v.mp4", b"x" * size, "video/mp4")},
            )
        )

    assert part(2, 10) == 2100005  # out of order
    assert part(1, 4) == 0
    assert part(2, 10) == 2100005  # the part before was too small to be followed
    complete = api(simulator, "POST", "/video/part/complete/", token, params={"upload_id": upload_id})
    assert code_of(complete) == 0
    video_id = complete.json()["data"]["video"]["video_id"]
    assert simulator.delivered(ACCOUNT)["videos_created"] == []
    created = api(simulator, "POST", "/video/create/", token, json={"video_id": video_id, "text": "标题"})
    assert code_of(created) == 0
    again = api(simulator, "POST", "/video/create/", token, json={"video_id": video_id, "text": "标题"})
    assert code_of(again) == 2100005
    unknown = api(simulator, "POST", "/video/part/complete/", token, params={"upload_id": upload_id})
    assert code_of(unknown) == 2100005


def test_a_single_upload_over_the_limit_must_use_parts(simulator):
    simulator.config(max_single_upload=100)
    token = grant(simulator)["access_token"]
    answer = api(simulator, "POST", "/video/upload/", token, files={"video": ("v.mp4", b"x" * 101, "video/mp4")})
    assert code_of(answer) == 2100005


def test_review_then_public_or_refused(simulator):
    simulator.config(review_delay=10, banned_words=["禁"])
    token = grant(simulator)["access_token"]
    items = {}
    for text in ("好标题", "禁止的标题"):
        upload = api(simulator, "POST", "/video/upload/", token, files={"video": ("v.mp4", b"xx", "video/mp4")})
        video_id = upload.json()["data"]["video"]["video_id"]
        items[text] = api(simulator, "POST", "/video/create/", token, json={"video_id": video_id, "text": text}).json()[
            "data"
        ]["item_id"]

    def statuses() -> dict:
        data = api(
            simulator, "POST", "/api/douyin/v1/video/video_data/", token, json={"item_ids": list(items.values())}
        )
        return {video["title"]: (video["video_status"], video["is_reviewed"]) for video in data.json()["data"]["list"]}

    assert statuses() == {"好标题": (4, False), "禁止的标题": (4, False)}
    simulator.advance(11)
    assert statuses() == {"好标题": (1, True), "禁止的标题": (2, True)}


def test_replies_and_messages_appear_in_later_lists(simulator):
    token = grant(simulator)["access_token"]
    video = api(simulator, "GET", "/api/douyin/v1/video/video_list/", token).json()["data"]["list"][0]
    reply = api(simulator, "POST", "/item/comment/reply/", token, json={"item_id": video["item_id"], "content": "欢迎"})
    new_id = reply.json()["data"]["comment_id"]
    listed = api(simulator, "GET", "/item/comment/list/", token, params={"item_id": video["item_id"], "count": 50})
    assert new_id in [comment["comment_id"] for comment in listed.json()["data"]["list"]]
    body = {"conversation_id": "c1", "to_user_id": "fan-1", "content": {"msg_type": 1, "text": {"text": "你好"}}}
    sent = api(simulator, "POST", "/im/send/msg/", token, json=body)
    assert simulator.delivered(ACCOUNT)["messages_sent"][0]["server_message_id"] == sent.json()["data"]["msg_id"]
    empty = api(simulator, "POST", "/im/send/msg/", token, json={**body, "content": {"msg_type": 1}})
    assert code_of(empty) == 2100005


# --- faults ----------------------------------------------------------------------------------------


def test_faults_apply_to_the_next_calls_and_are_used_up(simulator):
    token = grant(simulator)["access_token"]
    path = "/api/douyin/v1/video/video_list/"
    simulator.fault(path, "status", status=503, count=2)
    assert [api(simulator, "GET", path, token).status_code for _ in range(3)] == [503, 503, 200]
    simulator.fault(path, "garbage")
    with pytest.raises(ValueError):
        api(simulator, "GET", path, token).json()
    simulator.fault(path, "error_code", code=28001005, description="系统繁忙")
    assert code_of(api(simulator, "GET", path, token)) == 28001005
    simulator.fault(path, "wrong_type", field="has_more")
    assert api(simulator, "GET", path, token).json()["data"]["has_more"] == "maybe"
    simulator.fault(path, "timeout", seconds=1.0)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{simulator.douyin_url}{path}", params={"open_id": ACCOUNT}, headers={"access-token": token}, timeout=0.3
        )


def test_a_fault_after_the_request_loses_only_the_answer(simulator):
    token = grant(simulator)["access_token"]
    simulator.fault("/im/send/msg/", "status", status=500, after=True)
    body = {"conversation_id": "c1", "to_user_id": "fan-1", "content": {"msg_type": 1, "text": {"text": "在的"}}}
    assert api(simulator, "POST", "/im/send/msg/", token, json=body).status_code == 500
    assert [m["text"] for m in simulator.delivered(ACCOUNT)["messages_sent"]] == ["在的"]


def test_corrupt_changes_the_type_of_the_named_field():
    data = {"list": [{"n": 1, "s": "x", "b": True}], "cursor": 3}
    for dotted in ("list.0.n", "list.0.s", "list.0.b", "cursor"):
        corrupt(data, dotted)
    assert data == {"list": [{"n": "not-a-number", "s": {"unexpected": "x"}, "b": "maybe"}], "cursor": "not-a-number"}


# --- control endpoints ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "payload", "named"),
    [
        ("/_sim/fault", {"path": "/x/", "kind": "explode"}, "kind"),
        ("/_sim/fault", {"path": "x", "kind": "status"}, "path"),
        ("/_sim/fault", {"path": "/x/", "kind": "wrong_type"}, "field"),
        ("/_sim/fault", {"path": "/x/", "kind": "status", "count": 0}, "count"),
        ("/_sim/config", {"rate_limit": "many"}, "rate_limit"),
        ("/_sim/config", {"no_such": 1}, "no_such"),
        ("/_sim/clock", {"advance": "soon"}, "advance"),
        ("/_sim/accounts", {"open_id": ""}, "open_id"),
        ("/_sim/webhooks", {"open_id": ACCOUNT, "url": "ftp://x", "secret": "s"}, "url"),
        ("/_sim/expire", {}, "open_id"),
    ],
)
def test_control_endpoints_name_the_bad_field(simulator, path, payload, named):
    answer = httpx.post(f"{simulator.url}{path}", json=payload, timeout=10)
    assert answer.status_code == 400 and named in answer.json()["error"]


def test_unknown_account_is_404(simulator):
    assert httpx.post(f"{simulator.url}/_sim/revoke", json={"open_id": "nobody"}, timeout=10).status_code == 404


def test_reset_forgets_everything(simulator):
    simulator.create_account("extra-1", nickname="额外")
    token = grant(simulator)["access_token"]
    simulator.advance(1000)
    simulator.reset()
    assert [a["open_id"] for a in simulator.accounts()] == ["sim-open-0001", "sim-open-0002", "sim-open-0003"]
    assert code_of(api(simulator, "GET", "/api/douyin/v1/video/video_list/", token)) == 28001003
    assert httpx.get(f"{simulator.url}/_sim/clock", timeout=10).json()["offset"] == 0


def test_every_route_names_its_method_and_scope():
    for path, route in ROUTES.items():
        assert path.startswith("/") and path.endswith("/")
        assert route.method in ("GET", "POST")
        assert route.scope or route.envelope in ("oauth", "raw")


# --- webhooks ---------------------------------------------------------------------------------------


@pytest.fixture
def receiver():
    """A local endpoint that keeps what it is sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the base class's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"body": body, "signature": self.headers.get("X-Douyin-Signature", "")})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_injected_message_is_pushed_signed_in_the_receivers_shape(simulator, receiver):
    url, received = receiver
    simulator.register_webhook(ACCOUNT, url, "s3cret")
    record = simulator.inject_message(ACCOUNT, text="请问有货吗", from_user_id="fan-42", nickname="小王")
    assert record["status"] == 200
    (push,) = received
    assert signature_ok("s3cret", push["body"], push["signature"])
    assert not signature_ok("other", push["body"], push["signature"])
    payload = read_payload(push["body"])
    content = read_content(payload)
    assert (payload["event"], payload["from_user_id"], payload["to_user_id"]) == ("im_receive_msg", "fan-42", ACCOUNT)
    assert content["text"] == "请问有货吗" and content["user_infos"][0]["nick_name"] == "小王"
    assert content["create_time"] > 10**12  # milliseconds
    assert simulator.delivered(ACCOUNT)["webhooks"][0]["payload"] == json.loads(push["body"])


def test_injected_comment_is_pushed_and_listed(simulator, receiver):
    url, received = receiver
    simulator.register_webhook(ACCOUNT, url, "k")
    account_video = World().account(ACCOUNT).videos[1]["item_id"]
    record = simulator.inject_comment(ACCOUNT, item_id=account_video, text="什么时候上新", from_user_id="fan-9")
    payload = read_payload(received[0]["body"])
    assert signature_ok("k", received[0]["body"], received[0]["signature"])
    assert payload["event"] == "item_comment_reply"
    assert {key: payload["content"][key] for key in ("item_id", "content", "comment_user_id")} == {
        "item_id": account_video,
        "content": "什么时候上新",
        "comment_user_id": "fan-9",
    }
    token = grant(simulator)["access_token"]
    listed = api(simulator, "GET", "/item/comment/list/", token, params={"item_id": account_video, "count": 50})
    assert record["payload"]["content"]["comment_id"] in [c["comment_id"] for c in listed.json()["data"]["list"]]


def test_without_a_webhook_the_event_is_kept_undelivered(simulator):
    record = simulator.inject_message(ACCOUNT, text="hi")
    assert record["status"] is None and "no webhook" in record["error"]
    assert simulator.delivered(ACCOUNT)["messages_received"][0]["text"] == "hi"


def test_state_file_keeps_accounts_and_tokens_across_restarts(tmp_path):
    from platforms.simulator.server import SimulatorServer
    from tests.platforms.simulator_fixture import SimulatorClient

    state = str(tmp_path / "sim.json")
    first = SimulatorServer("127.0.0.1", 0, state_file=state).start()
    try:
        client = SimulatorClient(first.url)
        client.create_account("kept-1", nickname="留下")
        tokens = client.connect("kept-1")
    finally:
        first.stop()
    second = SimulatorServer("127.0.0.1", 0, state_file=state).start()
    try:
        client = SimulatorClient(second.url)
        assert client.adapter().profile(tokens).nickname == "留下"
    finally:
        second.stop()


def test_a_save_stopped_halfway_leaves_the_previous_state_whole(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    world = World()
    world.counter = 7
    world.save(str(path))

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # the process told to stop in the middle of writing

    world.counter = 8
    monkeypatch.setattr(json, "dump", stopped)
    with pytest.raises(KeyboardInterrupt):
        world.save(str(path))
    monkeypatch.undo()
    again = World()
    again.load(json.loads(path.read_text(encoding="utf-8")))
    assert again.counter == 7
