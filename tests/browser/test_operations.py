"""Chapter 6.4 in the browser: an operator answers a private message from the inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts_ops.forms.inbox import ReplyForm
from accounts_ops.models.inbox import InboxMessage, InboxStatus, OutboxReply, OutboxStatus
from accounts_ops.services import inbox as services
from agency.tenancy import tenant_context
from clients.models import PlatformAccount
from tests.browser.conftest import both, choose, contains, expect_message, form_with

pytestmark = pytest.mark.browser

QUESTION = "请问包间最多能坐几个人？周六晚上还有位吗？"
ANSWER = "您好！大包间可坐 12 人，周六晚上还有位，我们帮您预留。"


def _message_waiting_for_a_reply(agency) -> InboxMessage:
    """A message from a returning customer, in business hours, that no rule answers."""
    with tenant_context(agency):
        account = PlatformAccount.objects.get(handle="laojie_hotpot")
        returning = InboxMessage.objects.filter(account=account).values_list("sender_uid", flat=True).first()
        yesterday = timezone.localdate(timezone=agency.tz) - dt.timedelta(days=1)
        received = dt.datetime.combine(yesterday, dt.time(15, 0), tzinfo=agency.tz)
        message = services.inbox_receive(
            account=account,
            items=[
                services.IncomingMessage(
                    platform_message_id="laojie-browser-test-001",
                    sender_uid=returning,
                    sender_nickname="周末聚餐的小李",
                    received_at=received,
                    text=QUESTION,
                )
            ],
        ).messages[0]
    assert message.status == InboxStatus.OPEN, message.decision
    return message


def test_an_operator_answers_a_private_message(browser, demo, shot):
    message = _message_waiting_for_a_reply(demo)
    operator = browser.signed_in("xinghe_operator")

    operator.get_by_role("link", name=both("Private messages")).click()
    filters = form_with(operator, "Filter")
    choose(filters.get_by_label(both(InboxMessage._meta.get_field("status").verbose_name)), InboxStatus.OPEN.label)
    filters.get_by_role("button", name=both("Filter")).click()
    row = operator.get_by_role("row").filter(has_text=QUESTION)
    expect(row).to_have_count(1)
    shot(operator, "inbox-waiting")
    row.get_by_role("link").first.click()

    expect(operator.get_by_text(QUESTION)).to_be_visible()
    reply = form_with(operator, "Queue the reply")
    reply.get_by_label(both(ReplyForm.base_fields["text"].label)).fill(ANSWER)
    reply.get_by_role("button", name=both("Queue the reply")).click()
    expect_message(operator, "Reply queued for sending.")
    expect(operator.get_by_text(ANSWER)).to_contain_text(contains(OutboxStatus.QUEUED.label))
    shot(operator, "message-reply-queued")

    # The platform connector sends it; the thread then shows it sent and the message answered.
    with tenant_context(demo):
        sent = OutboxReply.objects.get(message=message)
        assert (sent.text, sent.author.username) == (ANSWER, "xinghe_operator")
        services.outbox_mark_sent(actor=None, reply=sent)
    operator.reload()
    expect(operator.get_by_role("heading", level=1)).to_contain_text(contains(InboxStatus.ANSWERED.label))
    expect(operator.get_by_text(ANSWER)).to_contain_text(contains(OutboxStatus.SENT.label))
    shot(operator, "message-answered")
