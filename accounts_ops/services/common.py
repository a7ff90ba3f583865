"""Helpers shared by the writes of account operations: the checks every account write makes.

For the platform data coming in (bulk API, file imports and webhooks): a batch's limits, its rows'
problems and the refusal that names them, and the readers that find the accounts and videos rows
name within the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts_ops import rows as read
from accounts_ops.bulk import Columns
from accounts_ops.platform_fields import LOOKUP, spelling_key
from agency.models import Agency
from agency.tenancy import Actor, require_agency
from clients.models import PlatformAccount, Video


def _ensure_own_client(actor: Actor | None, client_id: int) -> None:
    if actor is not None and actor.is_client_person and actor.client_id != client_id:
        raise ValidationError({"account": _("You can act only on your own client's accounts.")})


def _not_after_today(agency: Agency, day: dt.date | None, field_name: str) -> None:
    if day is not None and day > agency.today():
        raise ValidationError({field_name: _("%(day)s is in the future.") % {"day": day.isoformat()}})


METRICS_BULK_MAX = 10_000  # rows per bulk request: a month of 300 accounts, or a day of 10,000
ROW_ERRORS_SHOWN = 100  # a refusal names at most this many problems (and says how many more)
ROWS_KEY = "rows"


@dataclass
class RowProblem:
    index: int  # 0-based position in the request (the file import shows spreadsheet row numbers)
    field: str
    message: str


@dataclass
class Checked:
    """Rows that passed, ready for the upsert (column attnames), with their positions; and the
    problems of the rows that did not."""

    rows: list[dict] | Columns = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected(self) -> set[int]:
        return {p.index for p in self.problems}


def refusal(problems: Sequence[RowProblem], prefix: str = ROWS_KEY) -> ValidationError:
    """One ValidationError naming each bad row and field: ``{"rows[3].plays": [...]}``."""
    errors: dict[str, list[str]] = {}
    for problem in problems[:ROW_ERRORS_SHOWN]:
        errors.setdefault(f"{prefix}[{problem.index}].{problem.field}", []).append(problem.message)
    if len(problems) > ROW_ERRORS_SHOWN:
        errors.setdefault(prefix, []).append(
            _("%(more)d more problems not listed; fix these first.") % {"more": len(problems) - ROW_ERRORS_SHOWN}
        )
    return ValidationError(errors)


def ensure_batch(rows, *, prefix: str = ROWS_KEY, maximum: int = METRICS_BULK_MAX) -> None:
    if not isinstance(rows, list):
        raise ValidationError({prefix: _("Give a list of rows.")})
    if not rows:
        raise ValidationError({prefix: _("The list of rows is empty.")})
    if len(rows) > maximum:
        raise ValidationError(
            {prefix: _("%(count)d rows; at most %(max)d per request.") % {"count": len(rows), "max": maximum}}
        )


class Translator:
    """Our names for a row's keys, remembered per key set (rows of one request share keys)."""

    def __init__(self, kind: str):
        self.lookup = LOOKUP[kind]
        self.cache: dict[tuple, tuple[list[tuple[str, str]], list[str]]] = {}

    def __call__(self, raw: dict) -> tuple[dict, list[str]]:
        pairs, twice = self.plan(tuple(raw))
        return {ours: raw[name] for name, ours in pairs}, twice

    def plan(self, keys: tuple) -> tuple[list[tuple[str, str]], list[str]]:
        """(platform name, our name) for each known key, and our names given twice."""
        plan = self.cache.get(keys)
        if plan is None:
            pairs, seen, twice = [], set(), []
            for name in keys:
                ours = self.lookup.get(name) or self.lookup.get(spelling_key(name))
                if ours is None:
                    continue
                if ours in seen:
                    twice.append(ours)
                seen.add(ours)
                pairs.append((name, ours))
            plan = self.cache[keys] = (pairs, twice)
        return plan


def past_day(value, today: dt.date) -> dt.date:
    """A row's date, not after ``today`` (the agency's): platform figures are of days that ended."""
    day = read.date(value)
    if day > today:
        raise read.BadValue(
            _("%(day)s is in the future (today is %(today)s in the agency's time zone)")
            % {"day": day.isoformat(), "today": today.isoformat()}
        )
    return day


def count_limits(model, names: Sequence[str]) -> dict[str, int]:
    """The largest count each of ``names`` stores in ``model`` (``read.count_limit``)."""
    return {name: read.count_limit(model, name) for name in names}


# --- accounts --------------------------------------------------------------------------------


class AccountResolver:
    """Finds the accounts rows name, by id or handle, among the accounts in scope, in two
    queries for any number of rows."""

    def __init__(self, scope: QuerySet, default: PlatformAccount | None = None):
        self.scope = scope
        self.default = default
        self.by_id: dict[int, tuple[int, int]] = {}
        self.by_handle: dict[str, list[tuple[int, int]]] = {}

    def load(self, ids: set[int], handles: set[str]) -> None:
        if ids:
            self.by_id = {
                pk: (pk, client) for pk, client in self.scope.filter(pk__in=ids).values_list("pk", "client_id")
            }
        if handles:
            for pk, client, handle in self.scope.filter(handle__in=handles).values_list("pk", "client_id", "handle"):
                self.by_handle.setdefault(handle, []).append((pk, client))

    def reference(self, row: dict):
        """``(field, value)`` naming the row's account, before ``load``."""
        if row.get("account") not in (None, ""):
            return "account", read.identifier(row["account"], read.key_limit(PlatformAccount))
        if row.get("handle") not in (None, ""):
            longest = read.max_chars_of(PlatformAccount, "handle")
            handle = read.ident(row["handle"], max_chars=longest + 1).lstrip("@")
            if len(handle) > longest:
                raise read.BadValue(f"{len(handle)} characters; at most {longest}")
            return "handle", handle
        if self.default is not None:
            return "account", self.default.pk
        raise read.BadValue(_("name the account (its id, or its handle)"))

    def resolve(self, reference) -> tuple[int, int]:
        kind, value = reference
        if kind == "account":
            found = self.by_id.get(value)
            if found is None:
                raise read.BadValue(_("account %(id)s does not exist in this agency") % {"id": value})
            return found
        matches = self.by_handle.get(value, [])
        if not matches:
            raise read.BadValue(_("no account with handle @%(handle)s in this agency") % {"handle": value})
        if len(matches) > 1:
            raise read.BadValue(
                _("handle @%(handle)s is on several platforms; give the account id") % {"handle": value}
            )
        return matches[0]


def account_scope(actor: Actor | None) -> QuerySet:
    return PlatformAccount.objects.visible_to(actor) if actor is not None else PlatformAccount.objects.all()


def checked_request(check: Callable[..., Checked], *, actor, rows, account) -> Checked:
    """A bulk request's rows, checked all or nothing: a ``ValidationError`` naming each bad row
    and field if one is bad. Inside the agency's context."""
    agency = require_agency()
    ensure_batch(rows)
    if account is not None and actor is not None and not account_scope(actor).filter(pk=account.pk).exists():
        raise ValidationError({"account": _("account %(id)s does not exist in this agency") % {"id": account.pk}})
    checked = check(rows, agency=agency, actor=actor, default_account=account)
    if checked.problems:
        raise refusal(checked.problems)
    return checked


# --- videos ----------------------------------------------------------------------------------


class VideoResolver:
    """Finds the videos rows name: by our id, or by the platform's item id on an account."""

    def __init__(self, scope: QuerySet):
        self.scope = scope
        self.by_id: dict[int, tuple[int, int, int]] = {}
        self.by_item: dict[tuple[int, str], tuple[int, int, int]] = {}

    def load(self, ids: set[int], items: set[tuple[int, str]]) -> None:
        columns = ("pk", "account_id", "client_id")
        if ids:
            self.by_id = {row[0]: row for row in self.scope.filter(pk__in=ids).values_list(*columns)}
        if items:
            accounts = {account for account, _item in items}
            names = {item for _account, item in items}
            for row in self.scope.filter(account_id__in=accounts, platform_item_id__in=names).values_list(
                *columns, "platform_item_id"
            ):
                self.by_item[(row[1], row[3])] = row[:3]

    def resolve(self, reference) -> tuple[int, int, int]:
        kind, value = reference
        if kind == "video":
            found = self.by_id.get(value)
            if found is None:
                raise read.BadValue(_("video %(id)s does not exist in this agency") % {"id": value})
            return found
        found = self.by_item.get(value)
        if found is None:
            raise read.BadValue(
                _("no video with item id %(item)s on account %(account)s") % {"item": value[1], "account": value[0]}
            )
        return found


def video_scope(actor: Actor | None) -> QuerySet:
    return Video.objects.visible_to(actor) if actor is not None else Video.objects.all()


def video_reference(row: dict, accounts: AccountResolver):
    """``(field, value)`` naming the row's video: our id, or the platform's item id with the
    account (the row's, or the request's). Needs ``accounts`` loaded for handles."""
    if row.get("video") not in (None, ""):
        return "video", read.identifier(row["video"], read.key_limit(Video))
    if row.get("item_id") not in (None, ""):
        item = read.ident(row["item_id"], max_chars=read.max_chars_of(Video, "platform_item_id"))
        account_id, _client = accounts.resolve(accounts.reference(row))
        return "item_id", (account_id, item)
    raise read.BadValue(_("name the video (its id, or the platform's item id and the account)"))


def video_rows(
    rows: Sequence, translate: Translator, accounts: AccountResolver, problems: list[RowProblem]
) -> list[tuple[int, dict]]:
    """``(index, row)`` of the rows that are objects, in our names (a row that is not an object,
    or gives a field under both names, is a problem). The accounts of rows that name their video
    by the platform's item id (with the account's id or handle) are loaded at once, in two queries.
    Shared by the video metrics and the comments (7.1)."""
    parsed: list[tuple[int, dict]] = []
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            problems.append(RowProblem(index, "row", _("a row is an object of field → value")))
            continue
        row, twice = translate(raw)
        for name in twice:
            problems.append(RowProblem(index, name, _("given twice (under the platform's name and ours)")))
        parsed.append((index, row))
    ids, handles = set(), set()
    for _index, row in parsed:
        if row.get("video") in (None, "") and row.get("item_id") not in (None, ""):
            try:
                kind, value = accounts.reference(row)
            except read.BadValue:
                continue
            (ids if kind == "account" else handles).add(value)
    accounts.load(ids, handles)
    return parsed


def id_reader(model, name: str, *, required: bool = False):
    """A reader of ``model.name`` as a platform id (``read.ident``) of its column's length."""
    longest = read.max_chars_of(model, name)
    return lambda value: read.ident(value, max_chars=longest, required=required)


def text_reader(model, name: str, *, required: bool = False):
    """A reader of ``model.name`` as free text (``read.text``) of its column's length."""
    longest = read.max_chars_of(model, name)
    return lambda value: read.text(value, max_chars=longest, required=required)


def count_reader(model, name: str):
    """A reader of ``model.name`` as a count within its column's range (``read.count_limit``)."""
    limit = read.count_limit(model, name)
    return lambda value: read.count(value, maximum=limit)
