"""Platform data in: account and video daily metrics, validated whole, then upserted in bulk.

Two ways in, one set of rules:

- the **bulk API** (``account_metrics_ingest``, ``video_metrics_ingest``): all or nothing. Every
  row is checked before anything is written; a request with a bad row writes nothing and its
  refusal names each bad row and field (``rows[3].plays``: "-5 is negative; counts cannot be").
- the **file import** (``accounts_ops.services.imports``): the same checks per row; accepted rows
  are committed and rejected rows listed.

The rules for a row: the account (or video) exists in the actor's agency and, for client people,
their client (another agency's id reads as unknown, never as someone else's); the date is not
in the future in the agency's time zone; counts are whole and not negative; a share lies between
0 and 1; the row gives at least one figure; no two rows of one request share a key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts_ops import rows as read
from accounts_ops.bulk import Columns, UpsertResult, as_tuples, collector_paused, update_rows, upsert
from accounts_ops.models.metrics import AccountDailyMetric, VideoDailyMetric
from accounts_ops.platform_fields import ACCOUNT_METRICS, VIDEO_METRICS
from accounts_ops.services.common import (
    AccountResolver,
    Checked,
    RowProblem,
    Translator,
    VideoResolver,
    account_scope,
    checked_request,
    count_limits,
    past_day,
    video_reference,
    video_rows,
    video_scope,
)
from accounts_ops.services.metrics_rollups import refresh_stored_rollups, rollups_held
from agency.models import Agency
from agency.tenancy import Actor, require_agency
from clients.models import PlatformAccount, Video


def _read_counts(row: dict, limits: dict[str, int], index: int, problems: list[RowProblem], out: dict) -> bool:
    """Read the counts named by ``limits`` (name → the column's largest) from ``row`` into ``out``."""
    ok = True
    for name, limit in limits.items():
        value = row.get(name)
        if value is None or (type(value) is int and 0 <= value <= limit):
            out[name] = value  # the common case, without a call
            continue
        try:
            out[name] = read.count(value, maximum=limit)
        except read.BadValue as exc:
            problems.append(RowProblem(index, name, str(exc)))
            ok = False
    return ok


def check_account_metric_rows(
    rows: Sequence,
    *,
    agency: Agency,
    actor: Actor | None,
    default_account: PlatformAccount | None = None,
    numbers: Sequence[int] | None = None,
) -> Checked:
    """Check account daily metric rows (Douyin's names or ours) against ``actor``'s scope (the
    whole agency for ``None``: a task); see the module's rules. A row that repeats another names
    it by its number in ``numbers`` (a file's sheet rows), else by its position (``rows[n]``).

    Column by column where it can (``_clean_account_rows``): the rows of a request share their
    keys, so each column of a group of rows with the same keys is checked in one pass, and each
    distinct date is read once. A row that is not plainly clean there (a figure that is not a
    whole number in range, a date to read or refuse, an account named by handle) is read on its
    own (``_check_account_row``), which names its problems. When the whole request is one clean
    group whose accounts are all found and whose (account, date) keys are all distinct, the rows
    are handed over as they were read, column by column (``Columns``); otherwise row by row."""
    today = agency.today()
    translate = Translator(ACCOUNT_METRICS)
    accounts = AccountResolver(account_scope(actor), default_account)
    problems: list[RowProblem] = []
    pending: list[tuple[int, tuple, dt.date, dict]] = []
    blocks: list[_Block] = []
    groups: dict[tuple, list[int]] = {}
    for index, raw in enumerate(rows):
        if isinstance(raw, dict):
            groups.setdefault(tuple(raw), []).append(index)
        else:
            problems.append(RowProblem(index, "row", _("a row is an object of field → value")))
    for keys, indices in groups.items():
        block, unclear = _clean_account_rows(rows, keys, indices, translate, today)
        if block is not None:
            blocks.append(block)
        for index in unclear:
            _check_account_row(index, rows[index], translate, accounts, today, problems, pending)
    ids = {ref[1] for _i, ref, _d, _v in pending if ref[0] == "account"}
    for block in blocks:
        ids.update(block.accounts)
    accounts.load(ids, {ref[1] for _i, ref, _d, _v in pending if ref[0] == "handle"})
    if len(blocks) == 1 and not pending and not problems:
        columns = blocks[0].resolved(accounts.by_id, agency.pk)
        if columns is not None:
            return Checked(rows=columns, positions=blocks[0].positions)
    for block in blocks:
        pending.extend(block.pending())
    pending.sort(key=lambda item: item[0])
    checked = Checked(problems=problems)
    seen: dict[tuple[int, dt.date], int] = {}
    agency_id = agency.pk
    by_id = accounts.by_id
    for index, reference, day, values in pending:
        found = by_id.get(reference[1]) if reference[0] == "account" else None
        if found is None:
            try:
                found = accounts.resolve(reference)
            except read.BadValue as exc:
                problems.append(RowProblem(index, reference[0], str(exc)))
                continue
        account_id, client_id = found
        first = seen.setdefault((account_id, day), index)
        if first != index:
            problems.append(
                RowProblem(
                    index,
                    "date",
                    _("row %(first)d already gives account %(account)s on %(day)s")
                    % {
                        "first": first if numbers is None else numbers[first],
                        "account": account_id,
                        "day": day.isoformat(),
                    },
                )
            )
            continue
        values.update(agency_id=agency_id, client_id=client_id, account_id=account_id, date=day)
        checked.rows.append(values)
        checked.positions.append(index)
    problems.sort(key=lambda p: p.index)
    return checked


@dataclass
class _Block:
    """Rows found plainly clean by the column pass, column by column: their positions in the
    request, account ids, days, and one list per figure given."""

    positions: list[int]
    accounts: list[int]
    days: list[dt.date]
    figures: dict[str, list]

    def pending(self) -> Iterator[tuple[int, tuple, dt.date, dict]]:
        """The rows one by one, as ``_check_account_row`` leaves them."""
        names = list(self.figures)
        missing = {name: None for name in AccountDailyMetric.COUNTS if name not in self.figures}
        for index, account, day, figures in zip(
            self.positions, self.accounts, self.days, zip(*self.figures.values(), strict=True), strict=True
        ):
            values = dict(zip(names, figures, strict=True))
            values.update(missing)
            yield index, ("account", account), day, values

    def resolved(self, by_id: dict[int, tuple[int, int]], agency_id: int) -> Columns | None:
        """The rows ready to store, if every account is known and no (account, day) repeats;
        ``None`` otherwise (the rows are then read one by one, which names the problems)."""
        found = list(map(by_id.get, self.accounts))
        if None in found or len(set(zip(self.accounts, self.days, strict=True))) != len(self.accounts):
            return None
        size = len(self.accounts)
        nothing = [None] * size
        return Columns(
            {
                "agency_id": [agency_id] * size,
                "client_id": [client for _account, client in found],
                "account_id": self.accounts,
                "date": self.days,
                **{name: self.figures.get(name, nothing) for name in AccountDailyMetric.COUNTS},
            }
        )


def _clean_account_rows(rows, keys, indices, translate, today) -> tuple[_Block | None, list[int]]:
    """Column passes over rows that share ``keys``: the rows that are plainly clean (account id,
    a date read and allowed, whole counts in range, at least one) as a ``_Block``, and the
    positions of the others, to be read row by row."""
    pairs, twice = translate.plan(keys)
    ours = {name: raw_name for raw_name, name in pairs}
    account_key, date_key = ours.get("account"), ours.get("date")
    if twice or account_key is None or date_key is None:
        return None, indices
    raws = [rows[index] for index in indices] if len(indices) < len(rows) else rows
    accounts = [raw[account_key] for raw in raws]
    largest = read.key_limit(PlatformAccount)
    if set(map(type, accounts)) == {int} and min(accounts) > 0 and max(accounts) <= largest:
        clean = None  # every row so far
    else:
        clean = [type(value) is int and 0 < value <= largest for value in accounts]
    dates = [raw[date_key] for raw in raws]
    days = _read_days(dates, today)
    figures: dict[str, list] = {}
    for name, limit in count_limits(AccountDailyMetric, AccountDailyMetric.COUNTS).items():
        key = ours.get(name)
        if key is None:
            continue
        column = figures[name] = [raw[key] for raw in raws]
        if _clean_counts(column, limit):
            continue  # the whole column is clean
        if clean is None:
            clean = [True] * len(raws)
        for position, value in enumerate(column):
            if value is not None and not (type(value) is int and 0 <= value <= limit):
                clean[position] = False
    if not figures:
        return None, indices  # no figure at all: each row is refused on its own
    day_of = list(map(days.get, dates))
    if None in day_of and clean is None:
        clean = [True] * len(raws)
    if clean is not None:
        for position, day in enumerate(day_of):
            if day is None:
                clean[position] = False
    if any(None in column for column in figures.values()):
        if clean is None:
            clean = [True] * len(raws)
        for position, given in enumerate(zip(*figures.values(), strict=True)):
            if given.count(None) == len(given):
                clean[position] = False
    if clean is None or all(clean):
        return _Block(list(indices), accounts, day_of, figures), []
    keep = [position for position, ok in enumerate(clean) if ok]
    unclear = [indices[position] for position, ok in enumerate(clean) if not ok]
    if not keep:
        return None, unclear
    return (
        _Block(
            [indices[position] for position in keep],
            [accounts[position] for position in keep],
            [day_of[position] for position in keep],
            {name: [column[position] for position in keep] for name, column in figures.items()},
        ),
        unclear,
    )


def _read_days(dates: list, today: dt.date) -> dict:
    """Each distinct date of ``dates`` that reads and is allowed, read once (``{text: day}``);
    none when a date is not text."""
    days: dict = {}
    for value in set(dates) if set(map(type, dates)) == {str} else ():
        try:
            days[value] = past_day(value, today)
        except read.BadValue:
            continue
    return days


def _clean_counts(column: list, limit: int) -> bool:
    """Every value of ``column`` is a count as it stands: empty, or a whole number from 0 to
    ``limit``."""
    given = [value for value in column if value is not None] if None in column else column
    return set(map(type, given)) <= {int} and (not given or (min(given) >= 0 and max(given) <= limit))


def _check_account_row(index, raw, translate, accounts, today, problems, pending) -> None:
    """One row read on its own, naming each of its problems."""
    counts = AccountDailyMetric.COUNTS
    row, twice = translate(raw)
    for name in twice:
        problems.append(RowProblem(index, name, _("given twice (under the platform's name and ours)")))
    try:
        reference = accounts.reference(row)
    except read.BadValue as exc:
        problems.append(RowProblem(index, "account", str(exc)))
        reference = None
    try:
        day = past_day(row.get("date"), today)
    except read.BadValue as exc:
        problems.append(RowProblem(index, "date", str(exc)))
        day = None
    values: dict = {}
    ok = _read_counts(row, count_limits(AccountDailyMetric, counts), index, problems, values)
    if ok and all(values[name] is None for name in counts):
        problems.append(RowProblem(index, "row", _("the row gives no figure")))
        ok = False
    if ok and reference is not None and day is not None and not twice:
        pending.append((index, reference, day, values))


def store_account_metrics(rows: Sequence[dict] | Columns, *, user_id: int | None) -> UpsertResult:
    """Upsert checked daily account rows, and refresh the rollups over them in the same transaction
    (``accounts_ops.services.metrics_rollups``)."""
    rollups_held(require_agency().pk)
    result = upsert(
        AccountDailyMetric,
        rows,
        key=("account_id", "date"),
        fixed=("agency_id", "client_id"),
        values=AccountDailyMetric.COUNTS,
        user_id=user_id,
        written=("account_id", "client_id", "date"),
    )
    if result.created or result.updated:
        # The rows written, with the client each is stored under (PostgreSQL reads them back).
        written = result.written
        refresh_stored_rollups(written if written is not None else as_tuples(rows, ("account_id", "client_id", "date")))
    accounts_followers_refresh(rows)
    return result


def accounts_followers_refresh(rows: Sequence[dict] | Columns) -> int:
    """Set each account's follower count from its latest daily ``followers_total`` among ``rows``
    (just stored), read at the end of that day (agency time), unless the account holds a reading
    as new or newer: a later day stored before was applied when it came in, and a reading taken
    by hand is kept. Two queries for any number of accounts; returns how many changed."""
    latest: dict[int, tuple[dt.date, int]] = {}
    for account, day, total in as_tuples(rows, ("account_id", "date", "followers_total")):
        if total is not None and (account not in latest or day > latest[account][0]):
            latest[account] = (day, total)
    if not latest:
        return 0
    tz = require_agency().tz
    changes = {}
    for pk, updated_at in PlatformAccount.objects.filter(pk__in=latest).values_list("pk", "followers_updated_at"):
        day, total = latest[pk]
        read_at = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)
        if updated_at is None or updated_at < read_at:
            changes[pk] = {"followers": total, "followers_updated_at": read_at}
    return update_rows(PlatformAccount, changes, ["followers", "followers_updated_at"])


def _ingest(check: Callable[..., Checked], store: Callable[..., UpsertResult], *, actor, rows, account):
    with collector_paused():
        checked = checked_request(check, actor=actor, rows=rows, account=account)
        return store(checked.rows, user_id=actor.user.pk if actor is not None else None)


@transaction.atomic
def account_metrics_ingest(*, actor: Actor | None, rows: list, account: PlatformAccount | None = None) -> UpsertResult:
    """Upsert account daily metrics keyed by (account, date): all rows or none. ``account`` is
    the account of rows that name none. Runs inside the agency's context."""
    return _ingest(check_account_metric_rows, store_account_metrics, actor=actor, rows=rows, account=account)


WATCH_SECONDS_MAX = 10**6 - 1  # the column's eight digits, two after the point


def watch_seconds(value):
    """An average watch time in seconds, to the hundredth."""
    return read.decimal(value, places=2, minimum=0, maximum=WATCH_SECONDS_MAX)


def check_video_metric_rows(
    rows: Sequence,
    *,
    agency: Agency,
    actor: Actor | None,
    default_account: PlatformAccount | None = None,
    numbers: Sequence[int] | None = None,
) -> Checked:
    """Check video daily metric rows against ``actor``'s scope; see the module's rules. A request
    that is plainly clean is read column by column (``_video_rows_by_columns``); any other is read
    row by row, which names each problem. A row that repeats another names it by its number in
    ``numbers`` (a file's sheet rows), else by its position (``rows[n]``)."""
    today = agency.today()
    translate = Translator(VIDEO_METRICS)
    videos = VideoResolver(video_scope(actor))
    by_columns = _video_rows_by_columns(rows, agency=agency, translate=translate, videos=videos, today=today)
    if by_columns is not None:
        return by_columns
    accounts = AccountResolver(account_scope(actor), default_account)
    limits = count_limits(VideoDailyMetric, VideoDailyMetric.COUNTS)
    problems: list[RowProblem] = []
    parsed = video_rows(rows, translate, accounts, problems)
    pending = []
    for index, row in parsed:
        ok = True
        try:
            reference = video_reference(row, accounts)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "video", str(exc)))
            ok = False
        try:
            day = past_day(row.get("date"), today)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "date", str(exc)))
            ok = False
        values: dict = {}
        ok = _read_counts(row, limits, index, problems, values) and ok
        try:
            values["avg_watch_seconds"] = watch_seconds(row.get("avg_watch_seconds"))
        except read.BadValue as exc:
            problems.append(RowProblem(index, "avg_watch_seconds", str(exc)))
            ok = False
        try:
            values["completion_rate"] = read.share(row.get("completion_rate"))
        except read.BadValue as exc:
            problems.append(RowProblem(index, "completion_rate", str(exc)))
            ok = False
        if ok and all(v is None for v in values.values()):
            problems.append(RowProblem(index, "row", _("the row gives no figure")))
            ok = False
        if ok:
            pending.append((index, reference, day, values))
    videos.load(
        {ref[1] for _i, ref, _d, _v in pending if ref[0] == "video"},
        {ref[1] for _i, ref, _d, _v in pending if ref[0] == "item_id"},
    )
    checked = Checked(problems=problems)
    seen: dict[tuple[int, dt.date], int] = {}
    for index, reference, day, values in pending:
        try:
            video_id, account_id, client_id = videos.resolve(reference)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "video", str(exc)))
            continue
        first = seen.setdefault((video_id, day), index)
        if first != index:
            problems.append(
                RowProblem(
                    index,
                    "date",
                    _("row %(first)d already gives video %(video)s on %(day)s")
                    % {
                        "first": first if numbers is None else numbers[first],
                        "video": video_id,
                        "day": day.isoformat(),
                    },
                )
            )
            continue
        values.update(agency_id=agency.pk, client_id=client_id, account_id=account_id, video_id=video_id, date=day)
        checked.rows.append(values)
        checked.positions.append(index)
    problems.sort(key=lambda p: p.index)
    return checked


VIDEO_VALUES = ("plays", "likes", "comments", "shares", "avg_watch_seconds", "completion_rate")


# The readers of the video figures that are not counts, and the value types read by columns.
VIDEO_READERS = {"avg_watch_seconds": watch_seconds, "completion_rate": read.share}
NUMBERS = {int, float, type(None)}


def _video_rows_by_columns(
    rows, *, agency: Agency, translate: Translator, videos: VideoResolver, today: dt.date
) -> Checked | None:
    """The whole request read column by column, when it is plainly clean: every row an object
    with the same keys, naming its video by id; dates that read and are allowed; counts whole and
    in range; watch times and shares given as numbers that read; at least one figure a row; every
    video found; no (video, date) twice. ``None`` otherwise: the rows are then read one by one."""
    if not rows or any(type(row) is not dict for row in rows):
        return None
    keys = tuple(rows[0])
    if any(tuple(row) != keys for row in rows):
        return None
    pairs, twice = translate.plan(keys)
    ours = {name: raw_name for raw_name, name in pairs}
    if twice or "video" not in ours or "date" not in ours:
        return None
    ids = [row[ours["video"]] for row in rows]
    if set(map(type, ids)) != {int} or min(ids) <= 0 or max(ids) > read.key_limit(Video):
        return None
    dates = [row[ours["date"]] for row in rows]
    days = _read_days(dates, today)
    day_of = list(map(days.get, dates))
    if None in day_of:
        return None
    figures: dict[str, list] = {}
    for name in VIDEO_VALUES:
        key = ours.get(name)
        if key is None:
            continue
        column = [row[key] for row in rows]
        if name not in VIDEO_READERS:
            if not _clean_counts(column, read.count_limit(VideoDailyMetric, name)):
                return None
            figures[name] = column
            continue
        if not set(map(type, column)) <= NUMBERS:  # a bool is not a number here, nor text
            return None
        try:
            read_once = {value: VIDEO_READERS[name](value) for value in set(column)}
        except read.BadValue:
            return None
        figures[name] = list(map(read_once.__getitem__, column))
    if not figures:
        return None
    if any(None in column for column in figures.values()) and any(
        given.count(None) == len(given) for given in zip(*figures.values(), strict=True)
    ):
        return None
    videos.load(set(ids), set())
    found = list(map(videos.by_id.get, ids))
    if None in found or len(set(zip(ids, day_of, strict=True))) != len(rows):
        return None
    size = len(rows)
    nothing = [None] * size
    columns = Columns(
        {
            "agency_id": [agency.pk] * size,
            "client_id": [client for _video, _account, client in found],
            "account_id": [account for _video, account, _client in found],
            "video_id": ids,
            "date": day_of,
            **{name: figures.get(name, nothing) for name in VIDEO_VALUES},
        }
    )
    return Checked(rows=columns, positions=list(range(size)))


def store_video_metrics(rows: Sequence[dict] | Columns, *, user_id: int | None) -> UpsertResult:
    result = upsert(
        VideoDailyMetric,
        rows,
        key=("video_id", "date"),
        fixed=("agency_id", "client_id", "account_id"),
        values=VIDEO_VALUES,
        user_id=user_id,
    )
    return result


@transaction.atomic
def video_metrics_ingest(*, actor: Actor | None, rows: list, account: PlatformAccount | None = None) -> UpsertResult:
    """Upsert video daily metrics keyed by (video, date): all rows or none. A row names its video
    by id, or by the platform's ``item_id`` with the account (``account`` for rows naming none)."""
    return _ingest(check_video_metric_rows, store_video_metrics, actor=actor, rows=rows, account=account)
