"""The one inbox (6.4 and 7.1): a conversation per fan of an account across private messages and
comments, its status read from them (a queued reply stops the wait at once), the response clock
against the agency's targets, saved replies with variables, "reply and next", bulk actions, and
scoping to the agency and, for client people, to their client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import (
    CommentAction,
    CommentStatus,
    Conversation,
    ConversationStatus,
    InboxMessage,
    InboxStatus,
    OutboxReply,
    SavedReply,
    VideoComment,
)
from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS, INBOX_BULK_CONVERSATIONS_MAX
from accounts_ops.selectors.conversations import (
    Filters,
    Targets,
    clock_of,
    conversation_list,
    conversation_thread,
    conversations_visible,
    next_waiting,
)
from accounts_ops.services.comments import comments_receive
from accounts_ops.services.conversations import (
    BulkAction,
    conversation_assign,
    conversation_hide,
    conversation_mark_handled,
    conversation_reply,
    conversations_bulk,
    saved_reply_create,
    saved_reply_update,
)
from accounts_ops.services.inbox import (
    IncomingMessage,
    inbox_receive,
    outbox_confirm_sent,
    outbox_mark_failed,
)
from accounts_ops.views import conversations as conversation_views
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import AutoReplySettingsFactory, SavedReplyFactory
from tests.factories import MembershipFactory, PlatformAccountFactory, VideoFactory


def ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def message(uid: str, text: str, minutes: float, nickname: str = "") -> IncomingMessage:
    return IncomingMessage(
        platform_message_id=f"{uid}-{text}-{minutes}",
        sender_uid=uid,
        sender_nickname=nickname or uid,
        received_at=ago(minutes),
        text=text,
    )


def comment(video, uid: str, text: str, minutes: float, number: int) -> dict:
    return {
        "video": video.pk,
        "platform_comment_id": f"c-{uid}-{number}",
        "author_uid": uid,
        "author_nickname": uid,
        "text": text,
        "posted_at": ago(minutes).isoformat(),
    }


def actor_of(user):
    return Membership.objects.get(user=user).as_actor()


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1, nickname="老街火锅", handle="laojie")


@pytest.fixture
def staff(world):
    return actor_of(world.staff_a)


def receive(account, *items):
    with tenant_context(account.agency):
        return inbox_receive(account=account, items=list(items))


def conversation_of(account, uid: str) -> Conversation:
    return Conversation.dangerously_all_agencies.get(account=account, fan_uid=uid)


def standing(actor, conversation) -> Conversation:
    with tenant_context(actor.agency):
        return conversations_visible(actor).get(pk=conversation.pk)


# --- conversations are made as messages and comments arrive -----------------------------------


def test_a_fans_messages_and_comments_make_one_conversation(world, account, staff):
    video = VideoFactory(account=account)
    receive(account, message("fan-1", "周六有包间吗", 30, "小李"), message("fan-1", "八个人", 29, "小李"))
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=[comment(video, "fan-1", "看着好香", 10, 1)])
    conversation = conversation_of(account, "fan-1")
    assert Conversation.dangerously_all_agencies.count() == 1
    assert conversation.client_id == world.client_a1.pk and conversation.fan_nickname == "fan-1"
    assert abs((conversation.last_activity_at - ago(10)).total_seconds()) < 60
    with tenant_context(world.agency_a):
        thread = conversation_thread(staff, conversation)
    assert [item.kind for item in thread] == ["message", "message", "comment"]
    assert [item.row.text for item in thread] == ["周六有包间吗", "八个人", "看着好香"]


def test_the_accounts_own_comments_and_comments_without_an_author_start_no_conversation(world, account):
    account.platform_uid = "own-open-id"
    account.save()
    video = VideoFactory(account=account)
    rows = [comment(video, "own-open-id", "欢迎来吃", 5, 1), {**comment(video, "", "路过", 5, 2)}]
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=rows)
    assert VideoComment.dangerously_all_agencies.count() == 2
    assert not Conversation.dangerously_all_agencies.exists()


# --- the status is read from the items; a queued reply changes it at once ---------------------


def test_a_queued_reply_changes_the_status_at_once(world, account, staff):
    received = receive(account, message("fan-1", "周六有包间吗", 30), message("fan-1", "八个人", 29))
    conversation = conversation_of(account, "fan-1")
    assert standing(staff, conversation).state == ConversationStatus.WAITING
    with tenant_context(world.agency_a):
        reply = conversation_reply(actor=staff, conversation=conversation, text="有的，给{fan}留着")
    assert isinstance(reply, OutboxReply) and reply.text == "有的，给fan-1留着"
    assert reply.message_id == received.messages[1].pk  # the latest waiting one
    # Both messages stop waiting: the reply in the chat answers them (待回复 no more).
    statuses = set(InboxMessage.dangerously_all_agencies.values_list("status", flat=True))
    assert statuses == {InboxStatus.QUEUED}
    assert standing(staff, conversation).state == ConversationStatus.QUEUED
    # The connector sends it: both are answered, each timed from its own arrival.
    with tenant_context(world.agency_a):
        outbox_confirm_sent(reply=reply, sent_at=timezone.now())
    first, second = InboxMessage.dangerously_all_agencies.order_by("received_at")
    assert (first.status, second.status) == (InboxStatus.ANSWERED, InboxStatus.ANSWERED)
    assert first.first_response_seconds > second.first_response_seconds > 0
    assert standing(staff, conversation).state == ConversationStatus.DONE


def test_a_failed_reply_makes_the_messages_wait_again(world, account, staff):
    receive(account, message("fan-1", "周六有包间吗", 30), message("fan-1", "八个人", 29))
    conversation = conversation_of(account, "fan-1")
    with tenant_context(world.agency_a):
        reply = conversation_reply(actor=staff, conversation=conversation, text="有的")
        outbox_mark_failed(actor=None, reply=reply, error="token expired")
    assert set(InboxMessage.dangerously_all_agencies.values_list("status", flat=True)) == {InboxStatus.OPEN}
    assert standing(staff, conversation).state == ConversationStatus.WAITING


def test_an_auto_reply_queued_on_arrival_means_nobody_needs_to_write(world, account, staff):
    from tests.accounts_ops.factories import ReplyRuleFactory

    ReplyRuleFactory(account=account, name="price", trigger="keywords", keywords=["价格"], reply_text="人均80元")
    received = receive(account, message("fan-2", "价格多少", 5))
    assert received.messages[0].status == InboxStatus.QUEUED
    assert standing(staff, conversation_of(account, "fan-2")).state == ConversationStatus.QUEUED


def test_a_comment_reply_goes_to_the_platform_queue_and_the_conversation_stops_waiting(world, account, staff):
    video = VideoFactory(account=account)
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=[comment(video, "fan-3", "排队多久", 15, 1)])
    conversation = conversation_of(account, "fan-3")
    assert standing(staff, conversation).state == ConversationStatus.WAITING
    with tenant_context(world.agency_a):
        action = conversation_reply(actor=staff, conversation=conversation, text="工作日不用排队")
    assert isinstance(action, CommentAction) and action.kind == "reply" and action.status == "queued"
    assert standing(staff, conversation).state == ConversationStatus.QUEUED


def test_a_reply_to_a_chosen_item_must_be_of_the_conversation(world, account, staff):
    receive(account, message("fan-1", "在吗", 10), message("fan-2", "在吗", 10))
    others = InboxMessage.dangerously_all_agencies.get(sender_uid="fan-2")
    with tenant_context(world.agency_a), pytest.raises(ValidationError) as exc:
        conversation_reply(
            actor=staff, conversation=conversation_of(account, "fan-1"), text="在", target=f"message:{others.pk}"
        )
    assert "target" in exc.value.message_dict
    assert not OutboxReply.dangerously_all_agencies.exists()


# --- the clock -----------------------------------------------------------------------------------


def test_the_clock_runs_against_the_agencys_target(world, account, staff):
    world.agency_a.settings = {DM_FIRST_RESPONSE_TARGET_SECONDS.key: 600}
    world.agency_a.save()
    receive(account, message("fan-1", "在吗", 4), message("fan-2", "在吗", 25))
    targets = Targets.of(world.agency_a)
    now = timezone.now()
    early = clock_of(standing(staff, conversation_of(account, "fan-1")), targets, now)
    late = clock_of(standing(staff, conversation_of(account, "fan-2")), targets, now)
    assert not early.overdue and early.minutes in (5, 6) and early.target_seconds == 600
    assert late.overdue and late.minutes == 15
    # Longest waiting first.
    with tenant_context(world.agency_a):
        order = [c.fan_uid for c in conversation_list(staff)]
    assert order == ["fan-2", "fan-1"]


# --- assignment, handled, hidden, bulk ------------------------------------------------------------


def test_assigning_takes_only_the_agencys_staff(world, account, staff):
    receive(account, message("fan-1", "在吗", 10))
    conversation = conversation_of(account, "fan-1")
    operator = MembershipFactory(agency=world.agency_a, role="operator").user
    with tenant_context(world.agency_a):
        assert conversation_assign(actor=staff, conversation=conversation, assignee=operator).assignee == operator
        with pytest.raises(ValidationError) as exc:
            conversation_assign(actor=staff, conversation=conversation, assignee=world.staff_b)
    assert "assignee" in exc.value.message_dict
    with pytest.raises(ValidationError), tenant_context(world.agency_a):
        conversation_assign(actor=staff, conversation=conversation, assignee=world.viewer_a1)


def test_marking_handled_closes_messages_and_handles_comments(world, account, staff):
    video = VideoFactory(account=account)
    receive(account, message("fan-1", "谢谢", 10))
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=[comment(video, "fan-1", "👍", 5, 1)])
        conversation = conversation_of(account, "fan-1")
        conversation_mark_handled(actor=staff, conversation=conversation, note="")
        with pytest.raises(ValidationError) as exc:
            conversation_mark_handled(actor=staff, conversation=conversation)
    assert "status" in exc.value.message_dict
    assert InboxMessage.dangerously_all_agencies.get().status == InboxStatus.CLOSED
    handled = VideoComment.dangerously_all_agencies.get()
    assert handled.status == CommentStatus.HANDLED and handled.handling_note
    assert standing(staff, conversation).state == ConversationStatus.DONE


def test_hiding_needs_a_reason_and_hides_the_fans_comments_on_the_platform(world, account, staff):
    video = VideoFactory(account=account)
    with tenant_context(world.agency_a):
        comments_receive(
            actor=None, rows=[comment(video, "spam", "加微信", 5, 1), comment(video, "spam", "加微信领券", 4, 2)]
        )
        conversation = conversation_of(account, "spam")
        with pytest.raises(ValidationError) as exc:
            conversation_hide(actor=staff, conversation=conversation, note=" ")
        assert "note" in exc.value.message_dict
        conversation_hide(actor=staff, conversation=conversation, note="广告")
    assert set(VideoComment.dangerously_all_agencies.values_list("is_hidden", flat=True)) == {True}
    assert CommentAction.dangerously_all_agencies.filter(kind="hide", status="queued").count() == 2


def test_bulk_mark_handled_skips_conversations_with_nothing_waiting(world, account, staff):
    receive(account, message("fan-1", "谢谢", 10), message("fan-2", "好的", 10))
    one, two = conversation_of(account, "fan-1"), conversation_of(account, "fan-2")
    with tenant_context(world.agency_a):
        conversation_mark_handled(actor=staff, conversation=two)
        result = conversations_bulk(actor=staff, conversations=[one, two], action=BulkAction.HANDLED)
    assert (result.done, result.skipped) == ([one.pk], [two.pk])
    assert set(InboxMessage.dangerously_all_agencies.values_list("status", flat=True)) == {InboxStatus.CLOSED}


def test_bulk_assign_and_its_refusals(world, account, staff):
    receive(account, message("fan-1", "在吗", 10), message("fan-2", "在吗", 10))
    both = [conversation_of(account, "fan-1"), conversation_of(account, "fan-2")]
    with tenant_context(world.agency_a):
        conversations_bulk(actor=staff, conversations=both, action=BulkAction.ASSIGN, assignee=world.staff_a)
        for bad, field in (
            ({"action": "delete"}, "action"),
            ({"action": BulkAction.HIDE, "note": ""}, "note"),
            ({"action": BulkAction.ASSIGN, "assignee": world.staff_b}, "assignee"),
        ):
            with pytest.raises(ValidationError) as exc:
                conversations_bulk(actor=staff, conversations=both, **bad)
            assert field in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            conversations_bulk(
                actor=staff, conversations=both * (INBOX_BULK_CONVERSATIONS_MAX // 2 + 1), action=BulkAction.HANDLED
            )
        assert "conversations" in exc.value.message_dict
    assert set(Conversation.dangerously_all_agencies.values_list("assignee", flat=True)) == {world.staff_a.pk}


def test_bulk_hide_is_all_or_nothing(world, account, staff):
    video = VideoFactory(account=account)
    receive(account, message("fan-1", "在吗", 10))
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=[comment(video, "fan-2", "广告", 5, 1)])
        conversations_bulk(
            actor=staff,
            conversations=[conversation_of(account, "fan-1"), conversation_of(account, "fan-2")],
            action=BulkAction.HIDE,
            note="广告",
        )
    assert InboxMessage.dangerously_all_agencies.get().status == InboxStatus.CLOSED
    assert VideoComment.dangerously_all_agencies.get().is_hidden


# --- saved replies ----------------------------------------------------------------------------------


def test_saved_replies_fill_their_variables_for_the_conversation(world, account, staff):
    AutoReplySettingsFactory(account=account, store_address="春熙路 8 号")
    receive(account, message("fan-1", "地址在哪", 10, "小李"))
    with tenant_context(world.agency_a):
        saved = saved_reply_create(actor=staff, title="地址", text="{fan}您好，{store}在{address}，{client}欢迎您")
        conversation_reply(actor=staff, conversation=conversation_of(account, "fan-1"), text=saved.text)
    assert OutboxReply.dangerously_all_agencies.get().text == (
        f"小李您好，老街火锅在春熙路 8 号，{world.client_a1.name}欢迎您"
    )


def test_a_saved_reply_with_an_unknown_variable_or_a_title_in_use_is_refused(world, staff):
    with tenant_context(world.agency_a):
        saved_reply_create(actor=staff, title="欢迎", text="欢迎光临{store}")
        for title, text, field in (
            ("其他", "欢迎{name}", "text"),
            ("其他", "欢迎{store", "text"),
            ("欢迎", "好", "title"),
        ):
            with pytest.raises(ValidationError) as exc:
                saved_reply_create(actor=staff, title=title, text=text)
            assert field in exc.value.message_dict, (title, text)
        row = SavedReply.objects.get()
        assert saved_reply_update(actor=staff, saved_reply=row, text="欢迎{fan}").text == "欢迎{fan}"
    assert SavedReply.dangerously_all_agencies.count() == 1


# --- scoping -------------------------------------------------------------------------------------


def test_the_inbox_shows_only_what_the_person_may_see(world, account, staff):
    receive(account, message("fan-a1", "在吗", 10))
    receive(PlatformAccountFactory(client=world.client_a2), message("fan-a2", "在吗", 10))
    receive(PlatformAccountFactory(client=world.client_b), message("fan-b", "在吗", 10))
    SavedReplyFactory(agency=world.agency_b)
    with tenant_context(world.agency_a):
        mine = {c.fan_uid for c in conversation_list(staff)}
        viewer = {c.fan_uid for c in conversation_list(actor_of(world.viewer_a1))}
        assert not SavedReply.objects.visible_to(staff).exists()
    with tenant_context(world.agency_b):
        theirs = {c.fan_uid for c in conversation_list(actor_of(world.staff_b))}
    assert (mine, viewer, theirs) == ({"fan-a1", "fan-a2"}, {"fan-a1"}, {"fan-b"})


def test_filters_mine_unassigned_and_by_account(world, account, staff):
    other = PlatformAccountFactory(client=world.client_a1)
    receive(account, message("fan-1", "在吗", 10))
    receive(other, message("fan-2", "在吗", 10))
    with tenant_context(world.agency_a):
        conversation_assign(actor=staff, conversation=conversation_of(account, "fan-1"), assignee=world.staff_a)
        assert [c.fan_uid for c in conversation_list(staff, Filters(assigned="mine"))] == ["fan-1"]
        assert [c.fan_uid for c in conversation_list(staff, Filters(assigned="none"))] == ["fan-2"]
        assert [c.fan_uid for c in conversation_list(staff, Filters(account_id=other.pk))] == ["fan-2"]
        assert [c.fan_uid for c in conversation_list(staff, Filters(status=ConversationStatus.DONE))] == []
        assert next_waiting(staff, conversation_of(account, "fan-1")).fan_uid == "fan-2"


# --- the pages ----------------------------------------------------------------------------------------


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def statements(run) -> int:
    """Queries of a request, savepoints aside (the session's writes may open one more)."""
    return sum(1 for q in run.captured_queries if not re.match(r"(RELEASE )?SAVEPOINT|ROLLBACK TO", q["sql"]))


def test_the_inbox_page_lists_cards_in_a_fixed_number_of_queries(world, account):
    for n in range(3):
        receive(account, message(f"fan-{n}", "在吗", 10 + n))
    page = browser(world.staff_a)
    page.get(reverse("accounts_ops:conversation-list"))  # warm the session and caches
    with CaptureQueriesContext(connection) as three:
        response = page.get(reverse("accounts_ops:conversation-list"))
    assert response.status_code == 200 and response.content.decode().count('class="inbox-card state-') == 3
    for n in range(3, 9):
        receive(account, message(f"fan-{n}", "在吗", 10 + n))
    page.get(reverse("accounts_ops:conversation-list"))  # new messages refresh the cached counts once
    with CaptureQueriesContext(connection) as nine:
        response = page.get(reverse("accounts_ops:conversation-list"))
    assert response.content.decode().count('class="inbox-card state-') == 9
    assert statements(nine) == statements(three)


def test_reply_and_next_opens_the_next_waiting_conversation(world, account):
    receive(account, message("fan-1", "在吗", 30), message("fan-2", "在吗", 20))
    first, second = conversation_of(account, "fan-1"), conversation_of(account, "fan-2")
    page = browser(world.staff_a)
    shown = page.get(first.get_absolute_url())
    assert shown.status_code == 200 and "在吗" in shown.content.decode()
    response = page.post(first.get_absolute_url(), {"text": "在的", "action": "reply_next", "list": ""})
    assert response.status_code == 302 and response.url == second.get_absolute_url()
    response = page.post(second.get_absolute_url(), {"text": "在的", "action": "reply_next", "list": ""})
    assert response.url == reverse("accounts_ops:conversation-list")
    assert OutboxReply.dangerously_all_agencies.count() == 2
    empty = page.post(second.get_absolute_url(), {"text": " ", "action": "reply"})
    assert empty.status_code == 400


SWAP = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversation"}


def test_a_swap_gets_the_conversations_part_and_a_plain_request_the_whole_page(world, account):
    receive(account, message("fan-1", "在吗", 30), message("fan-2", "在吗", 20))
    first, second = conversation_of(account, "fan-1"), conversation_of(account, "fan-2")
    page = browser(world.staff_a)
    whole = page.get(first.get_absolute_url())
    part = page.get(first.get_absolute_url(), **SWAP)
    assert [t.name for t in whole.templates][0] == "accounts_ops/conversation.html"
    assert "<html" in whole.content.decode() and 'id="conversation"' in whole.content.decode()
    assert [t.name for t in part.templates][0] == "accounts_ops/_conversation.html"
    assert "<html" not in part.content.decode() and part.content.decode().startswith('<div id="conversation"')
    assert "HX-Request" in part["Vary"] and "HX-Request" in whole["Vary"]

    # Assigning answers the part, with what was done, at the same address (nothing pushed away).
    assigned = page.post(first.get_absolute_url(), {"action": "assign", "assignee": world.staff_a.pk}, **SWAP)
    body = assigned.content.decode()
    assert assigned.status_code == 200 and body.startswith('<div id="conversation"') and "Assigned." in body
    assert assigned["HX-Push-Url"] == first.get_absolute_url()
    assert Conversation.dangerously_all_agencies.get(pk=first.pk).assignee == world.staff_a

    # Reply and next: the next conversation's part, its address pushed.
    replied = page.post(first.get_absolute_url(), {"text": "在的", "action": "reply_next", "list": ""}, **SWAP)
    assert replied.status_code == 200 and replied["HX-Push-Url"] == second.get_absolute_url()
    assert "Reply queued for sending." in replied.content.decode()
    assert replied.context["object"] == second
    # A reply refused comes back as the part with the form's error (400, which htmx swaps).
    empty = page.post(second.get_absolute_url(), {"text": " ", "action": "reply"}, **SWAP)
    assert empty.status_code == 400 and empty.content.decode().startswith('<div id="conversation"')
    # Mark handled answers the part; the last one replied, the whole inbox page is asked for.
    handled = page.post(second.get_absolute_url(), {"action": "handled", "note": ""}, **SWAP)
    assert handled.status_code == 200 and "Marked handled." in handled.content.decode()
    receive(account, message("fan-2", "还在吗", 5))
    last = page.post(second.get_absolute_url(), {"text": "在的", "action": "reply_next", "list": ""}, **SWAP)
    assert last.status_code == 204 and last["HX-Redirect"] == reverse("accounts_ops:conversation-list")
    # Hiding answers the part too.
    hidden = page.post(second.get_absolute_url(), {"action": "hide", "note": "spam"}, **SWAP)
    assert hidden.status_code == 200 and hidden.content.decode().startswith('<div id="conversation"')


def test_a_conversation_of_comments_opens_with_its_comments(world, account):
    video = VideoFactory(account=account)
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=[comment(video, "fan-1", "加微信领红包", 5, 1)])
    response = browser(world.staff_a).get(conversation_of(account, "fan-1").get_absolute_url())
    assert response.status_code == 200 and "加微信领红包" in response.content.decode()


def test_the_conversations_actions_stay_plain_forms_without_scripts(world, account):
    receive(account, message("fan-1", "在吗", 30))
    body = browser(world.staff_a).get(conversation_of(account, "fan-1").get_absolute_url()).content.decode()
    forms = re.findall(r"<form [^>]*>", body.split('<div id="conversation"', 1)[1])
    posting = [form for form in forms if 'method="post"' in form]
    assert len(posting) == 4  # reply, assign, mark handled, hide
    assert all("hx-post=" in form for form in posting)


def test_a_saved_reply_fills_the_form_without_scripts(world, account):
    receive(account, message("fan-1", "在吗", 10, "小李"))
    saved = SavedReplyFactory(agency=world.agency_a, text="{fan}您好，{store}欢迎您")
    page = browser(world.staff_a)
    body = page.get(conversation_of(account, "fan-1").get_absolute_url(), {"saved": saved.pk}).content.decode()
    assert "小李您好，老街火锅欢迎您</textarea>" in body


def test_the_bulk_form_marks_the_ticked_conversations_handled(world, account):
    receive(account, message("fan-1", "谢谢", 10), message("fan-2", "谢谢", 10))
    ids = [conversation_of(account, "fan-1").pk, conversation_of(account, "fan-2").pk]
    page = browser(world.staff_a)
    response = page.post(
        reverse("accounts_ops:conversation-bulk"), {"conversations": ids, "action": "handled", "list": "status=all"}
    )
    assert response.status_code == 302 and response.url.endswith("?status=all")
    assert set(InboxMessage.dangerously_all_agencies.values_list("status", flat=True)) == {InboxStatus.CLOSED}
    theirs = PlatformAccountFactory(client=world.client_b)
    receive(theirs, message("fan-b", "在吗", 10))
    page.post(
        reverse("accounts_ops:conversation-bulk"),
        {"conversations": [conversation_of(theirs, "fan-b").pk], "action": "handled"},
    )
    assert InboxMessage.dangerously_all_agencies.get(sender_uid="fan-b").status == InboxStatus.OPEN


LIST_SWAP = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "list"}


def cards_of(body: str) -> list[str]:
    """The fans on the cards of a list's body, in order."""
    return re.findall(r'<strong class="inbox-fan">([^<]*)</strong>', body)


def test_the_inbox_list_swaps_its_part_for_htmx_and_answers_the_whole_page_otherwise(world, account, monkeypatch):
    monkeypatch.setattr(conversation_views, "INBOX_PAGE_SIZE", 2)
    receive(account, *(message(f"fan-{n}", "在吗", 30 - n) for n in range(3)))
    page = browser(world.staff_a)
    url = reverse("accounts_ops:conversation-list")
    whole = page.get(url, {"status": "waiting"})
    body = whole.content.decode()
    assert [t.name for t in whole.templates][0] == "accounts_ops/conversations.html"
    assert "<html" in body and '<div id="list"' in body and 'id="inbox-shortcuts"' in body
    # The tabs, the filters and the pages swap the list's part (the kit's region) and push their address.
    region = re.search(r'<div id="list"[^>]*>', body).group(0)
    assert 'hx-target="this"' in region and 'hx-select="#list"' in region and 'hx-push-url="true"' in region
    assert re.search(r'<nav class="inbox-tabs" hx-boost="true"', body)
    assert re.search(r'<form method="get" class="filters inbox-filters" hx-boost="true"', body)
    assert re.search(r'<nav class="pagination" hx-boost="true"', body)
    assert re.search(r'<form method="post" action="[^"]+" hx-post="[^"]+" hx-push-url="false" id="inbox-bulk"', body)
    # Saved replies are a page of their own, loaded whole.
    assert re.search(r'class="inbox-saved" hx-boost="false"', body)

    part = page.get(url, {"status": "waiting", "page": "2"}, **LIST_SWAP)
    body = part.content.decode()
    assert part.status_code == 200 and [t.name for t in part.templates][0] == "accounts_ops/_conversations.html"
    assert body.startswith('<div id="list"') and "<html" not in body and 'id="inbox-shortcuts"' not in body
    assert cards_of(body) == ["fan-2"]  # longest waiting first: fan-0 and fan-1 are on page 1
    assert '<span aria-current="page" class="current">2</span>' in body
    assert 'href="?status=waiting&amp;page=1" rel="prev"' in body
    assert re.search(r'<a href="\?status=queued"[^>]*>', body)  # a tab starts again from the first page
    assert "HX-Request" in part["Vary"] and "HX-Target" in part["Vary"] and "HX-Request" in whole["Vary"]
    # A filter: the part again, for the filter's query.
    mine = page.get(url, {"status": "waiting", "assigned": "mine"}, **LIST_SWAP)
    assert mine.status_code == 200 and cards_of(mine.content.decode()) == []
    # A swap aimed at another part, and htmx restoring a page from history, get the whole page.
    other = page.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="conversation")
    restore = page.get(url, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **LIST_SWAP)
    assert "<html" in other.content.decode() and "<html" in restore.content.decode()


def test_a_bulk_action_through_htmx_answers_the_list_with_its_result(world, account):
    receive(account, message("fan-1", "谢谢", 30), message("fan-2", "好的", 20), message("fan-3", "在吗", 10))
    one, two = conversation_of(account, "fan-1"), conversation_of(account, "fan-2")
    page = browser(world.staff_a)
    bulk = reverse("accounts_ops:conversation-bulk")
    listed = reverse("accounts_ops:conversation-list") + "?status=waiting"

    ticked = {"conversations": [one.pk, two.pk], "action": "handled", "list": "status=waiting"}
    done = page.post(bulk, ticked, **LIST_SWAP)
    body = done.content.decode()
    assert done.status_code == 200 and body.startswith('<div id="list"') and "<html" not in body
    assert "2 conversations done." in body and 'role="status"' in body
    assert cards_of(body) == ["fan-3"]  # the list of the same query, without the two handled
    assert done["HX-Replace-Url"] == listed and "HX-Request" in done["Vary"]
    assert set(
        InboxMessage.dangerously_all_agencies.filter(sender_uid__in=["fan-1", "fan-2"]).values_list("status", flat=True)
    ) == {InboxStatus.CLOSED}
    # The messages were said once: the page loaded next has none of them.
    assert "conversations done." not in page.get(listed).content.decode()

    # One with nothing waiting is left as it was, and said so.
    again = page.post(bulk, {"conversations": [one.pk], "action": "handled", "list": "status=all"}, **LIST_SWAP)
    assert again.status_code == 200 and "0 conversations done." in again.content.decode()
    assert "1 had nothing waiting and was left as it was." in again.content.decode()

    # A refusal (hiding needs a reason): the list with the error, the choices and the ticks kept,
    # 400 (which htmx swaps in); nothing hidden.
    three = conversation_of(account, "fan-3")
    refused = page.post(
        bulk, {"conversations": [three.pk], "action": "hide", "note": "", "list": "status=waiting"}, **LIST_SWAP
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and body.startswith('<div id="list"')
    assert "Say why the conversations are hidden." in body
    assert f'value="{three.pk}" id="pick-{three.pk}" checked' in body
    assert '<option value="hide" selected>' in body
    assert refused["HX-Replace-Url"] == listed
    assert InboxMessage.dangerously_all_agencies.get(sender_uid="fan-3").status == InboxStatus.OPEN
    # Nothing ticked: the form's own error, the same way.
    empty = page.post(bulk, {"action": "handled", "list": "status=waiting"}, **LIST_SWAP)
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()

    # Without scripts the same form redirects to the list, which shows the result.
    plain = page.post(bulk, {"conversations": [three.pk], "action": "handled", "list": "status=waiting"})
    assert plain.status_code == 302 and plain.url == listed
    assert "1 conversation done." in page.get(plain.url).content.decode()


def test_staff_of_another_agency_get_404_and_read_only_roles_cannot_act(world, account):
    receive(account, message("fan-1", "在吗", 10))
    conversation = conversation_of(account, "fan-1")
    assert browser(world.staff_b).get(conversation.get_absolute_url()).status_code == 404
    analyst = MembershipFactory(agency=world.agency_a, role="analyst").user
    assert browser(analyst).get(conversation.get_absolute_url()).status_code == 200
    assert browser(analyst).post(conversation.get_absolute_url(), {"text": "hi"}).status_code == 403
    assert browser(analyst).post(reverse("accounts_ops:conversation-bulk"), {}).status_code == 403
    # Client people have no inbox page: they are sent to their own area.
    assert browser(world.viewer_a1).get(reverse("accounts_ops:conversation-list")).status_code == 302


def test_saved_reply_pages_create_and_edit(world):
    page = browser(world.staff_a)
    response = page.post(reverse("accounts_ops:saved-reply-create"), {"title": "欢迎", "text": "欢迎{fan}"})
    assert response.status_code == 302
    saved = SavedReply.dangerously_all_agencies.get()
    bad = page.post(reverse("accounts_ops:saved-reply-update", args=[saved.pk]), {"title": "欢迎", "text": "{x}"})
    assert bad.status_code == 400 and "Unknown variable" in bad.content.decode()
    assert page.get(reverse("accounts_ops:saved-reply-list")).status_code == 200


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_replies_and_answers_the_conversation_queued(world, api, account):
    receive(account, message("fan-1", "在吗", 10))
    conversation = conversation_of(account, "fan-1")
    listed = api(world.staff_a).get(reverse("conversation-list"), {"status": "waiting"}).json()["results"]
    assert [row["id"] for row in listed] == [conversation.pk] and listed[0]["status"] == "waiting"
    response = api(world.staff_a).post(reverse("conversation-reply", args=[conversation.pk]), {"text": "在的"})
    assert response.status_code == 201 and response.json()["status"] == "queued"
    assert api(world.staff_a).get(reverse("conversation-list"), {"status": "waiting"}).json()["results"] == []


def test_the_api_bulk_names_what_it_did(world, api, account):
    receive(account, message("fan-1", "谢谢", 10), message("fan-2", "谢谢", 10))
    ids = [conversation_of(account, "fan-1").pk, conversation_of(account, "fan-2").pk]
    response = api(world.staff_a).post(
        reverse("conversation-bulk"), {"conversations": ids, "action": "handled"}, format="json"
    )
    assert response.status_code == 200 and sorted(response.json()["done"]) == sorted(ids)
    refused = api(world.staff_a).post(
        reverse("conversation-bulk"), {"conversations": ids, "action": "hide", "note": ""}, format="json"
    )
    assert refused.status_code == 400
    theirs = api(world.staff_b).post(
        reverse("conversation-bulk"), {"conversations": ids, "action": "handled"}, format="json"
    )
    assert theirs.status_code == 400
