"""The one inbox keeps a conversation per fan of an account: made, or brought up to date, when the
fan's messages (6.4) and comments (7.1) arrive. Kept apart from ``services.conversations`` because
the receiving services call it and the conversation services call them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accounts_ops.models.conversations import Conversation
from agency.tenancy import require_agency

# (account id, client id, fan id, fan nickname, when)
FanActivity = tuple[int, int, str, str, dt.datetime]


def conversations_touch(activity: Iterable[FanActivity]) -> int:
    """Make the conversation of each fan that has none and move each one's last activity forward
    (and its nickname to the latest given). Items without a fan id start none. Two queries and
    one update, whatever the number of fans; returns how many conversations were made."""
    latest: dict[tuple[int, str], list] = {}
    for account_id, client_id, uid, nickname, at in activity:
        uid = (uid or "").strip()
        if not uid or at is None:
            continue
        key = (account_id, uid)
        known = latest.get(key)
        if known is None:
            latest[key] = [client_id, (nickname or "")[:100], at]
        elif at >= known[2]:
            known[1], known[2] = (nickname or known[1])[:100], at
    if not latest:
        return 0
    agency = require_agency()
    accounts = {account_id for account_id, _uid in latest}
    existing = {
        (c.account_id, c.fan_uid): c
        for c in Conversation.objects.filter(account_id__in=accounts, fan_uid__in={uid for _a, uid in latest}).only(
            "pk", "account_id", "fan_uid", "fan_nickname", "last_activity_at"
        )
    }
    new, changed = [], []
    for (account_id, uid), (client_id, nickname, at) in latest.items():
        row = existing.get((account_id, uid))
        if row is None:
            new.append(
                Conversation(
                    agency=agency,
                    client_id=client_id,
                    account_id=account_id,
                    fan_uid=uid,
                    fan_nickname=nickname,
                    last_activity_at=at,
                )
            )
        elif at > row.last_activity_at or (nickname and nickname != row.fan_nickname and at >= row.last_activity_at):
            row.last_activity_at = max(at, row.last_activity_at)
            row.fan_nickname = nickname or row.fan_nickname
            changed.append(row)
    # A fan writing through two paths at once: the other made it; its activity is no later than ours.
    Conversation.objects.bulk_create(new, ignore_conflicts=True)
    if changed:
        Conversation.objects.bulk_update(changed, ["last_activity_at", "fan_nickname"])
    return len(new)
