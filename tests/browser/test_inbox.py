"""The one inbox in the browser (6.4 and 7.1): an operator clears the conversations given to them
with saved replies, "reply and next", keyboard shortcuts and bulk actions; the inbox is kept as
screenshots in Chinese, in English and on a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts_ops.models import (
    CommentAction,
    Conversation,
    ConversationStatus,
    InboxMessage,
    InboxStatus,
    OutboxReply,
    ReplySource,
    SavedReply,
    VideoComment,
)
from accounts_ops.services import inbox as inbox_services
from accounts_ops.services.comments import comments_receive
from accounts_ops.services.conversations import BulkAction, conversations_bulk
from accounts_ops.views import conversations as conversation_views
from agency.models import Membership
from agency.tenancy import tenant_context
from clients.models import PlatformAccount, Video
from tests.browser.conftest import both, choose, contains, expect_message, form_with
from tests.browser.test_client_area import switch_language
from tests.browser.test_list_kit import mark_the_page, same_document

pytestmark = pytest.mark.browser

HOURS = "{fan}您好，{store}每天 11:00-23:00 营业，欢迎光临！"
ROOMS = "{fan}您好，{store}的大包间可坐 12 人，周六晚上还有位，我们帮您预留。"


def expect_done(page, count: int) -> None:
    """The bulk action's confirmation, in whichever language the page is in."""
    said = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            said.append(
                translation.ngettext("%(count)d conversation done.", "%(count)d conversations done.", count)
                % {"count": count}
            )
    pattern = re.compile("|".join(re.escape(text) for text in said))
    expect(page.get_by_role("status").filter(has_text=pattern)).to_be_visible()


def _work_for_the_operator(agency) -> dict:
    """Four fans of the hot-pot account wait, given to the operator by the manager: two questions,
    a thank-you (from fans who wrote before, in business hours, so that no auto-reply answers), and
    a spam comment."""
    with tenant_context(agency):
        account = PlatformAccount.objects.get(handle="laojie_hotpot")
        video = Video.objects.filter(account=account).order_by("pk").first()
        yesterday = timezone.localdate(timezone=agency.tz) - dt.timedelta(days=1)

        def at(day, minutes):
            return dt.datetime.combine(day, dt.time(15, 0), tzinfo=agency.tz) + dt.timedelta(minutes=minutes)

        def receive(uid, nickname, text, when):
            return inbox_services.inbox_receive(
                account=account,
                items=[
                    inbox_services.IncomingMessage(
                        platform_message_id=f"browser-{uid}-{when:%d%H%M}",
                        sender_uid=uid,
                        sender_nickname=nickname,
                        received_at=when,
                        text=text,
                    )
                ],
            ).messages[0]

        for uid, nickname, text, minutes in (
            ("inbox-fan-a", "周末聚餐的小李", "你们几点开门？", 0),
            ("inbox-fan-b", "公司团建的王姐", "周六晚上有大包间吗？", 10),
            ("inbox-fan-c", "老顾客阿杰", "昨天吃得很开心，谢谢！", 20),
        ):
            # They wrote before (the greeting answered them then): no rule answers them now.
            first = receive(uid, nickname, "你好", at(yesterday - dt.timedelta(days=1), minutes))
            for greeting in OutboxReply.objects.filter(message=first):
                inbox_services.outbox_confirm_sent(reply=greeting, sent_at=first.received_at + dt.timedelta(seconds=4))
            waiting = receive(uid, nickname, text, at(yesterday, minutes))
            assert waiting.status == InboxStatus.OPEN, waiting.decision
        comments_receive(
            actor=None,
            rows=[
                {
                    "video": video.pk,
                    "platform_comment_id": "browser-spam-1",
                    "author_uid": "inbox-fan-d",
                    "author_nickname": "领红包小助手",
                    "text": "加微信领红包，免费吃火锅",
                    "posted_at": at(yesterday, 30).isoformat(),
                }
            ],
        )
        manager = Membership.objects.get(user__username="xinghe_manager").as_actor()
        operator = Membership.objects.get(user__username="xinghe_operator").user
        mine = list(Conversation.objects.filter(account=account, fan_uid__startswith="inbox-fan-").order_by("fan_uid"))
        conversations_bulk(actor=manager, conversations=mine, action=BulkAction.ASSIGN, assignee=operator)
        # The demo agency keeps its opening hours as a saved reply (accounts_ops.demo).
        assert SavedReply.objects.get(title="营业时间").text == HOURS
        return {"account": account, "conversations": mine}


def test_an_operator_clears_the_inbox_with_saved_replies_and_bulk_actions(browser, demo, shot):
    work = _work_for_the_operator(demo)
    store = work["account"].nickname or work["account"].handle
    operator = browser.signed_in("xinghe_operator")

    # The agency keeps a second saved reply, written on its page.
    operator.goto(reverse("accounts_ops:saved-reply-create"))
    operator.get_by_label(both("title")).fill("包间")
    operator.get_by_label(both("text")).fill(ROOMS)
    form_with(operator, "Save").get_by_role("button", name=both("Save")).click()
    expect_message(operator, "Saved.")

    # The inbox: what waits for the operator, longest waiting first.
    operator.get_by_role("navigation", name=both("Sections")).get_by_role(
        "link", name=contains("All conversations")
    ).click()
    filters = form_with(operator, "Filter")
    choose(filters.get_by_label(both("Assigned to")), "Mine")
    filters.get_by_role("button", name=both("Filter")).click()
    cards = operator.locator(".inbox-card")
    expect(cards).to_have_count(4)
    expect(cards.first).to_contain_text("周末聚餐的小李")
    expect(cards.first.locator(".inbox-clock")).to_be_visible()
    shot(operator, "inbox-list-chinese")

    # The first conversation: a saved reply, filled for this fan and store, then "reply and next".
    cards.first.locator(".inbox-open").click()
    expect(operator.get_by_role("heading", level=1)).to_contain_text("周末聚餐的小李")
    expect(operator.locator(".inbox-thread").get_by_text("你们几点开门？")).to_be_visible()
    shot(operator, "conversation-chinese")
    choose(operator.get_by_label(both("Saved reply")), "营业时间")
    reply = operator.locator("#id_text")
    expect(reply).to_have_value(re.compile(rf"^周末聚餐的小李您好，{re.escape(store)}每天"))
    operator.get_by_role("button", name=both("Reply and next")).click()
    expect_message(operator, "Reply queued for sending.")
    expect(operator.get_by_role("heading", level=1)).to_contain_text("公司团建的王姐")

    # The second, with the keyboard: r to write, Ctrl+Enter to reply and go on.
    choose(operator.get_by_label(both("Saved reply")), "包间")
    operator.keyboard.press("Escape")  # leave the text: the letters are shortcuts again
    operator.keyboard.press("r")
    expect(reply).to_be_focused()
    operator.keyboard.press("Control+Enter")
    expect_message(operator, "Reply queued for sending.")
    expect(operator.get_by_role("heading", level=1)).to_contain_text("老顾客阿杰")

    # Back to the list (u): the thank-you and the spam comment are left.
    operator.keyboard.press("u")
    expect(cards).to_have_count(2)
    # Bulk: hide the spam, with the reason.
    spam = cards.filter(has_text="领红包小助手")
    spam.get_by_role("checkbox").check()
    bulk = operator.locator("#inbox-bulk")
    choose(bulk.get_by_label(both("Action")), "Hide")
    bulk.get_by_label(both("Note")).fill("广告引流")
    bulk.get_by_role("button", name=both("Apply")).click()
    expect_done(operator, 1)
    expect(cards).to_have_count(1)
    # The thank-you needs nothing: j to focus it, e to mark it handled.
    operator.keyboard.press("j")
    operator.keyboard.press("e")
    expect_done(operator, 1)
    expect(operator.get_by_text(contains("Nothing here. The inbox is clear."))).to_be_visible()
    shot(operator, "inbox-cleared-chinese")

    with tenant_context(demo):
        by_hand = OutboxReply.objects.filter(
            source=ReplySource.MANUAL, message__sender_uid__in=["inbox-fan-a", "inbox-fan-b"]
        )
        assert sorted(r.text[:4] for r in by_hand) == ["公司团建", "周末聚餐"]
        assert all(store in r.text and r.author.username == "xinghe_operator" for r in by_hand)
        questions = InboxMessage.objects.filter(sender_uid__in=["inbox-fan-a", "inbox-fan-b"]).exclude(text="你好")
        assert set(questions.values_list("status", flat=True)) == {InboxStatus.QUEUED}
        assert InboxMessage.objects.get(sender_uid="inbox-fan-c", text="昨天吃得很开心，谢谢！").status == (
            InboxStatus.CLOSED
        )
        assert VideoComment.objects.get(platform_comment_id="browser-spam-1").is_hidden
        assert CommentAction.objects.filter(comment__platform_comment_id="browser-spam-1", kind="hide").exists()

    # The replies on their way show as such (not 待回复) in the "Reply queued" tab.
    operator.locator(".inbox-tabs").get_by_role("link", name=contains(ConversationStatus.QUEUED.label)).click()
    expect(cards.filter(has_text="周末聚餐的小李")).to_contain_text(contains(ConversationStatus.QUEUED.label))

    # The same inbox in English: the list and a conversation.
    switch_language(operator, "English")
    expect(operator.get_by_role("heading", level=1)).to_contain_text("Inbox")
    shot(operator, "inbox-list-english")
    cards.filter(has_text="周末聚餐的小李").locator(".inbox-open").click()
    expect(operator.get_by_role("button", name="Reply and next")).to_be_visible()
    shot(operator, "conversation-english")
    switch_language(operator, "简体中文")

    # On a phone: a list of cards and the conversation, the buttons within a thumb's reach.
    phone = browser.signed_in("xinghe_operator", width=375, height=812)
    phone.goto(reverse("accounts_ops:conversation-list") + "?status=queued&assigned=mine")
    phone_cards = phone.locator(".inbox-card")
    expect(phone_cards.first).to_be_visible()
    box = phone_cards.first.bounding_box()
    assert box["width"] <= 375 and box["height"] >= 44
    shot(phone, "inbox-list-375px")
    phone_cards.first.locator(".inbox-open").click()
    next_button = phone.get_by_role("button", name=both("Reply and next"))
    expect(next_button).to_be_visible()
    assert next_button.bounding_box()["height"] >= 44
    shot(phone, "conversation-375px")


def test_the_inbox_list_swaps_its_tabs_filters_pages_and_bulk_actions(browser, demo, shot, monkeypatch):
    """The list's tabs, filters, pages and bulk actions swap the list's part (the list kit's region)
    without loading the page again; the address follows, so back, forward and a reload give the
    same list; the keyboard keeps working on the swapped list. Kept as screenshots in Chinese and
    in English, on a desk and on a phone (375 px)."""
    _work_for_the_operator(demo)  # four fans wait for the operator
    # A short page, so that the operator's four fill two.
    monkeypatch.setattr(conversation_views, "INBOX_PAGE_SIZE", 3)
    operator = browser.signed_in("xinghe_operator")
    operator.goto(reverse("accounts_ops:conversation-list"))
    region = operator.locator("#list")
    tabs = region.locator(".inbox-tabs")
    cards = region.locator(".inbox-card")
    expect(tabs.locator("a[aria-current='page']")).to_contain_text(contains(ConversationStatus.WAITING.label))
    mark_the_page(operator)

    # A tab: the replies on their way; and back to what waits.
    tabs.get_by_role("link", name=contains(ConversationStatus.QUEUED.label)).click()
    expect(operator).to_have_url(re.compile(r"\?status=queued$"))
    expect(tabs.locator("a[aria-current='page']")).to_contain_text(contains(ConversationStatus.QUEUED.label))
    tabs.get_by_role("link", name=contains(ConversationStatus.WAITING.label)).click()
    expect(operator).to_have_url(re.compile(r"\?status=waiting$"))
    # A filter: the operator's own.
    filters = region.locator("form.inbox-filters")
    choose(filters.get_by_label(both("Assigned to")), "Mine")
    filters.get_by_role("button", name=both("Filter")).click()
    expect(operator).to_have_url(re.compile(r"\?status=waiting&assigned=mine&account=&q=$"))
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("周末聚餐的小李")  # longest waiting first
    # A page: the next one holds the fourth.
    region.locator(".pagination a[rel='next']").click()
    expect(operator).to_have_url(re.compile(r"assigned=mine&account=&q=&page=2$"))
    expect(region.locator(".pagination [aria-current='page']")).to_have_text("2")
    expect(cards).to_have_count(1)
    assert same_document(operator), "a tab, a filter or a page loaded the whole page again"

    # Back and forward: the list of each address (loaded again: no copy is kept in the browser).
    operator.go_back()
    expect(operator).to_have_url(re.compile(r"assigned=mine&account=&q=$"))
    expect(cards).to_have_count(3)
    operator.go_forward()
    expect(operator).to_have_url(re.compile(r"&page=2$"))
    expect(cards).to_have_count(1)
    mark_the_page(operator)
    region.locator(".pagination a[rel='prev']").click()
    expect(cards).to_have_count(3)
    shot(operator, "inbox-list-filtered-chinese")

    # Bulk: the two questions ticked and marked handled; the list of the same filters comes back
    # with the result, at the list's address.
    for fan in ("周末聚餐的小李", "公司团建的王姐"):
        cards.filter(has_text=fan).get_by_role("checkbox").check()
    bulk = region.locator("#inbox-bulk")
    choose(bulk.get_by_label(both("Action")), "Mark handled")
    bulk.get_by_role("button", name=both("Apply")).click()
    expect_done(operator, 2)
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="周末聚餐的小李")).to_have_count(0)
    expect(region.locator(".pagination")).to_have_count(0)
    expect(operator).to_have_url(re.compile(r"\?status=waiting&assigned=mine&account=&q=$"))
    assert same_document(operator), "the bulk action loaded the whole page again"
    with tenant_context(demo):
        questions = InboxMessage.objects.filter(sender_uid__in=["inbox-fan-a", "inbox-fan-b"]).exclude(text="你好")
        assert set(questions.values_list("status", flat=True)) == {InboxStatus.CLOSED}

    # The keys work on the swapped list: j/k move, x ticks, ? shows the shortcuts, e marks the
    # focused one handled (another swap), o opens, r writes, u comes back.
    operator.keyboard.press("j")
    operator.keyboard.press("j")
    operator.keyboard.press("k")
    expect(region.locator(".inbox-card.focused")).to_contain_text("老顾客阿杰")
    operator.keyboard.press("x")
    expect(region.locator(".inbox-card.focused").get_by_role("checkbox")).to_be_checked()
    operator.keyboard.press("x")
    expect(region.locator(".inbox-card.focused").get_by_role("checkbox")).not_to_be_checked()
    operator.keyboard.press("?")
    expect(operator.locator("#inbox-shortcuts")).to_have_attribute("open", "")
    operator.keyboard.press("e")
    expect_done(operator, 1)
    expect(cards).to_have_count(1)
    assert same_document(operator), "the e key loaded the whole page again"
    operator.keyboard.press("j")
    operator.keyboard.press("o")
    expect(operator.get_by_role("heading", level=1)).to_contain_text("领红包小助手")
    operator.keyboard.press("r")
    expect(operator.locator("#id_text")).to_be_focused()
    operator.keyboard.press("Escape")
    operator.keyboard.press("u")
    expect(operator).to_have_url(re.compile(r"\?status=waiting&assigned=mine&account=&q=$"))
    expect(cards).to_have_count(1)

    # Every status of the operator's (a swap), then the same list in English: the language switch
    # comes back to the address the swap pushed.
    mark_the_page(operator)
    choose(filters.get_by_label(both("Status")), "Every status")
    filters.get_by_role("button", name=both("Filter")).click()
    expect(operator).to_have_url(re.compile(r"\?status=all&assigned=mine&account=&q=$"))
    expect(cards).to_have_count(3)
    assert same_document(operator), "a filter loaded the whole page again"
    switch_language(operator, "English")
    expect(operator).to_have_url(re.compile(r"\?status=all&assigned=mine&account=&q=$"))
    expect(operator.get_by_role("heading", level=1)).to_contain_text("Inbox")
    expect(cards).to_have_count(3)
    shot(operator, "inbox-list-english")
    # On a phone, in English and in Chinese: cards, one above the other, within the screen.
    for language in ("english", "chinese"):
        if language == "chinese":
            switch_language(operator, "简体中文")
        phone = browser.signed_in("xinghe_operator", width=375, height=812)
        phone.goto(reverse("accounts_ops:conversation-list") + "?status=all&assigned=mine&page=2")
        expect(phone.locator("html")).to_have_attribute("lang", "en" if language == "english" else "zh-hans")
        phone_cards = phone.locator("#list .inbox-card")
        expect(phone_cards).to_have_count(1)
        phone.locator("#list .pagination a[rel='prev']").click()
        expect(phone_cards).to_have_count(3)
        boxes = [phone_cards.nth(n).bounding_box() for n in range(3)]
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 44 for box in boxes)
        assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"] <= boxes[2]["y"]
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "the page is wider than the phone"
        shot(phone, f"inbox-list-375px-{language}")
