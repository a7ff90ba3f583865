"""Writes of chapter 7 (advanced account operations): comments and opinion alerts (7.1), hot
topics and content plans (7.2), audience snapshots and persona reports (7.3), the IP persona (7.4).

Pages, the API, tasks and the webhook call these; each validates before it writes and raises
ValidationError naming the field (for bulk data: the row and the field).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts_ops import persona
from accounts_ops import rows as read
from accounts_ops import sentiment as classifier
from accounts_ops.bulk import UpsertResult, upsert
from accounts_ops.models.advanced import (
    HANDLING_NOTE_MAX_CHARS,
    AlertStatus,
    AudiencePersonaReport,
    AudienceSnapshot,
    CommentAction,
    CommentActionKind,
    CommentActionStatus,
    CommentSource,
    CommentStatus,
    ContentPlan,
    ContentPlanTopic,
    HotTopic,
    IpPersona,
    OpinionAlert,
    PersonaTrigger,
    PlanStatus,
    Sentiment,
    VideoComment,
)
from accounts_ops.platform_fields import COMMENTS, HOT_TOPICS
from accounts_ops.portrait import DIMENSION_NAMES, PortraitError, from_platform, normalise
from accounts_ops.rules import MESSAGE_CLOCK_SKEW
from accounts_ops.services.metrics import (
    AccountResolver,
    Checked,
    RowProblem,
    Translator,
    VideoResolver,
    account_scope,
    agency_today,
    ensure_batch,
    past_day,
    refusal,
    video_reference,
    video_rows,
    video_scope,
)
from agency.adjustable import adjustable
from agency.models import Agency
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from clients.models import AccountStatus, Platform, PlatformAccount, Video

# --- 7.1 comments ------------------------------------------------------------------------------

COMMENTS_BULK_MAX = 5_000  # comments per bulk request
COMMENT_TEXT_MAX_CHARS = 2_000  # a platform comment is far shorter; longer is not a comment
COMMENT_WRITE_MAX_CHARS = 500  # what staff write (replies, guide comments)
CLASSIFY_BATCH = 500  # comments classified per database round trip
LOCAL_ID_PREFIX = "local-"  # a guide comment's id until the platform's is reported

COMMENT_FIXED = (
    "agency_id",
    "client_id",
    "video_id",
    "parent_comment_id",
    "author_uid",
    "author_nickname",
    "text",
    "posted_at",
    "source",
    "is_from_account",
    "is_guide",
    "is_pinned",
    "is_hidden",
    "sentiment",
    "status",
    "handling_note",
)
COMMENT_VALUES = ("like_count", "reply_count")


def _id_reader(model, name: str, *, required: bool = False):
    """A reader of ``model.name`` as a platform id (``read.ident``) of its column's length."""
    longest = read.max_chars_of(model, name)
    return lambda value: read.ident(value, max_chars=longest, required=required)


def _text_reader(model, name: str, *, required: bool = False):
    """A reader of ``model.name`` as free text (``read.text``) of its column's length."""
    longest = read.max_chars_of(model, name)
    return lambda value: read.text(value, max_chars=longest, required=required)


def _count_reader(model, name: str):
    """A reader of ``model.name`` as a count within its column's range (``read.count_limit``)."""
    limit = read.count_limit(model, name)
    return lambda value: read.count(value, maximum=limit)


def check_comment_rows(
    rows: Sequence,
    *,
    agency: Agency,
    actor: Actor | None,
    default_account: PlatformAccount | None = None,
    source: str = CommentSource.API,
    numbers: Sequence[int] | None = None,
) -> Checked:
    """Check comment rows (the platform's names or ours): the video exists in scope (by id, or the
    platform's item id on the account), the comment has its platform id, text and time (not in
    the future), counts are whole and not negative, no comment twice in one request (a repeat
    names the first by its number in ``numbers``, a file's sheet rows, else by its position)."""
    now = timezone.now()
    translate = Translator(COMMENTS)
    accounts = AccountResolver(account_scope(actor), default_account)
    videos = VideoResolver(video_scope(actor))
    problems: list[RowProblem] = []
    parsed = video_rows(rows, translate, accounts, problems)
    pending = []
    # Ids refused with a control character, free text cleaned; lengths and counts by the columns.
    readers = (
        ("platform_comment_id", _id_reader(VideoComment, "platform_comment_id", required=True)),
        ("parent_comment_id", _id_reader(VideoComment, "parent_comment_id")),
        ("author_uid", _id_reader(VideoComment, "author_uid")),
        ("author_nickname", _text_reader(VideoComment, "author_nickname")),
        ("text", lambda v: read.text(v, max_chars=COMMENT_TEXT_MAX_CHARS, required=True)),
        ("posted_at", lambda v: read.moment(v, agency.tz)),
        ("like_count", _count_reader(VideoComment, "like_count")),
        ("reply_count", _count_reader(VideoComment, "reply_count")),
    )
    for index, row in parsed:
        values: dict = {}
        ok = True
        try:
            reference = video_reference(row, accounts)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "video", str(exc)))
            ok = False
        for name, reader in readers:
            try:
                values[name] = reader(row.get(name))
            except read.BadValue as exc:
                problems.append(RowProblem(index, name, str(exc)))
                ok = False
        posted = values.get("posted_at")
        if posted is not None and posted > now + MESSAGE_CLOCK_SKEW:
            problems.append(RowProblem(index, "posted_at", _("%(when)s is in the future") % {"when": posted}))
            ok = False
        if values.get("platform_comment_id", "").startswith(LOCAL_ID_PREFIX):
            problems.append(RowProblem(index, "platform_comment_id", _("ids starting “local-” are ours")))
            ok = False
        if ok:
            pending.append((index, reference, values))
    videos.load(
        {ref[1] for _i, ref, _v in pending if ref[0] == "video"},
        {ref[1] for _i, ref, _v in pending if ref[0] == "item_id"},
    )
    resolved = []
    for index, reference, values in pending:
        try:
            resolved.append((index, videos.resolve(reference), values))
        except read.BadValue as exc:
            problems.append(RowProblem(index, "video", str(exc)))
    own_uids = dict(
        PlatformAccount.objects.filter(pk__in={found[1] for _i, found, _v in resolved}).values_list(
            "pk", "platform_uid"
        )
    )
    checked = Checked(problems=problems)
    seen: dict[tuple[int, str], int] = {}
    for index, (video_id, account_id, client_id), values in resolved:
        first = seen.setdefault((account_id, values["platform_comment_id"]), index)
        if first != index:
            problems.append(
                RowProblem(
                    index,
                    "platform_comment_id",
                    _("row %(first)d already gives comment %(id)s")
                    % {"first": first if numbers is None else numbers[first], "id": values["platform_comment_id"]},
                )
            )
            continue
        own = bool(values["author_uid"]) and values["author_uid"] == own_uids.get(account_id)
        values.update(
            agency_id=agency.pk,
            client_id=client_id,
            account_id=account_id,
            video_id=video_id,
            source=source,
            is_from_account=own,
            is_guide=False,
            is_pinned=False,
            is_hidden=False,
            sentiment="",
            status=CommentStatus.HANDLED if own else CommentStatus.WAITING,
            handling_note=str(_("Written by the account.")) if own else "",
        )
        checked.rows.append(values)
        checked.positions.append(index)
    problems.sort(key=lambda p: p.index)
    return checked


def store_comments(rows: Sequence[dict], *, user_id: int | None) -> UpsertResult:
    """Upsert comments keyed by (account, platform comment id); new ones are classified by a task
    once the transaction commits."""
    result = upsert(
        VideoComment,
        rows,
        key=("account_id", "platform_comment_id"),
        fixed=COMMENT_FIXED,
        values=COMMENT_VALUES,
        user_id=user_id,
        defaults={"like_count": 0, "reply_count": 0},
    )
    if result.created:
        from accounts_ops.tasks import comments_classify_task

        enqueue(comments_classify_task, agency_id=require_agency().pk)
    return result


@transaction.atomic
def comments_receive(
    *,
    actor: Actor | None,
    rows: list,
    account: PlatformAccount | None = None,
    source: str = CommentSource.API,
    prefix: str = "rows",
) -> UpsertResult:
    """Store comments (7.1) from the API, the webhook or a connector: all or none. A comment
    already stored is updated (likes, replies) and otherwise left as it was."""
    agency = require_agency()
    ensure_batch(rows, prefix=prefix, maximum=COMMENTS_BULK_MAX)
    checked = check_comment_rows(rows, agency=agency, actor=actor, default_account=account, source=source)
    if checked.problems:
        if prefix == "":
            raise ValidationError({p.field: p.message for p in checked.problems})
        raise refusal(checked.problems, prefix)
    return store_comments(checked.rows, user_id=actor.user.pk if actor is not None else None)


def comments_classify_pending(*, limit: int | None = None) -> int:
    """Give every comment without a sentiment its label and score (7.1), in batches. Idempotent:
    a classified comment is not classified again. Runs inside the agency's context."""
    done = 0
    while limit is None or done < limit:
        size = CLASSIFY_BATCH if limit is None else min(CLASSIFY_BATCH, limit - done)
        with transaction.atomic():
            batch = list(
                VideoComment.objects.select_for_update(skip_locked=True)
                .filter(sentiment="", is_from_account=False)
                .only("pk", "text")
                .order_by("pk")[:size]
            )
            if not batch:
                break
            now = timezone.now()
            for comment in batch:
                comment.sentiment, comment.sentiment_score = classifier.classify(comment.text)
                comment.classified_at = now
            VideoComment.objects.bulk_update(batch, ["sentiment", "sentiment_score", "classified_at"])
        done += len(batch)
        if len(batch) < size:
            break
    return done


def _locked(comment: VideoComment) -> VideoComment:
    return VideoComment.objects.select_for_update().get(pk=comment.pk)


def _written(text: str, field: str = "text") -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError({field: _("Write the text.")})
    if len(cleaned) > COMMENT_WRITE_MAX_CHARS:
        raise ValidationError(
            {
                field: _("%(count)d characters; at most %(max)d.")
                % {"count": len(cleaned), "max": COMMENT_WRITE_MAX_CHARS}
            }
        )
    return cleaned


def _queue(comment: VideoComment, kind: str, actor: Actor, text: str = "") -> CommentAction:
    action = CommentAction(
        agency=actor.agency,
        client_id=comment.client_id,
        account_id=comment.account_id,
        comment=comment,
        kind=kind,
        text=text,
        author=actor.user,
    )
    action.full_clean()
    action.save()
    return action


def _handle(comment: VideoComment, actor: Actor, note: str) -> None:
    if comment.status != CommentStatus.HANDLED:
        comment.status = CommentStatus.HANDLED
        comment.handled_at = timezone.now()
        comment.handled_by = actor.user
        comment.handling_note = note[:HANDLING_NOTE_MAX_CHARS]


@transaction.atomic
def comment_reply(*, actor: Actor, comment: VideoComment, text: str) -> CommentAction:
    """Answer a comment (7.1): the reply waits for the connector; the comment counts as answered."""
    cleaned = _written(text)
    comment = _locked(comment)
    if comment.is_from_account:
        raise ValidationError({"comment": _("This is the account's own comment.")})
    action = _queue(comment, CommentActionKind.REPLY, actor, cleaned)
    comment.replied_at = comment.replied_at or timezone.now()
    _handle(comment, actor, str(_("Replied.")))
    comment.save()
    return action


@transaction.atomic
def comment_pin(*, actor: Actor, comment: VideoComment, pinned: bool = True) -> CommentAction:
    """Pin a comment under its video (or unpin it). The platform keeps one pinned comment per
    video: pinning another unpins the one before."""
    comment = _locked(comment)
    if comment.is_hidden and pinned:
        raise ValidationError({"comment": _("A hidden comment cannot be pinned.")})
    if comment.is_pinned == pinned:
        raise ValidationError({"comment": _("The comment is already pinned.") if pinned else _("It is not pinned.")})
    if pinned:
        for other in VideoComment.objects.select_for_update().filter(video_id=comment.video_id, is_pinned=True):
            other.is_pinned = False
            other.save()
            _queue(other, CommentActionKind.UNPIN, actor)
    comment.is_pinned = pinned
    if pinned:
        _handle(comment, actor, str(_("Pinned.")))
    comment.save()
    return _queue(comment, CommentActionKind.PIN if pinned else CommentActionKind.UNPIN, actor)


@transaction.atomic
def comment_hide(*, actor: Actor, comment: VideoComment, hidden: bool = True, note: str = "") -> CommentAction:
    """Hide a comment (spam, abuse) or show it again. Hiding handles it, with the reason."""
    comment = _locked(comment)
    if comment.is_hidden == hidden:
        raise ValidationError({"comment": _("The comment is already hidden.") if hidden else _("It is not hidden.")})
    if hidden and not (note or "").strip():
        raise ValidationError({"note": _("Say why the comment is hidden.")})
    comment.is_hidden = hidden
    if hidden:
        comment.is_pinned = False
        _handle(comment, actor, _("Hidden: %(why)s") % {"why": note.strip()})
    comment.save()
    return _queue(comment, CommentActionKind.HIDE if hidden else CommentActionKind.UNHIDE, actor, "")


@transaction.atomic
def comment_assign(*, actor: Actor, comment: VideoComment, assignee) -> VideoComment:
    """Give a comment to a member of staff to work (``None`` takes it back)."""
    if assignee is not None and not staff_choices(actor.agency).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("%(user)s is not on this agency's staff.") % {"user": assignee}})
    comment = _locked(comment)
    comment.assignee = assignee
    comment.save()
    return comment


@transaction.atomic
def comment_mark_handled(*, actor: Actor, comment: VideoComment, note: str) -> VideoComment:
    """Record that a comment needs nothing more (a thank-you, answered elsewhere), and how."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say how the comment was handled.")})
    comment = _locked(comment)
    if comment.status == CommentStatus.HANDLED:
        raise ValidationError({"status": _("This comment is already handled.")})
    _handle(comment, actor, note.strip())
    comment.save()
    return comment


@transaction.atomic
def comment_guide_post(*, actor: Actor, video: Video, text: str) -> VideoComment:
    """Seed a guide comment under a video (7.1): a question from the account that invites
    discussion. It is recorded as a guide comment and waits for the connector to post it."""
    cleaned = _written(text)
    comment = VideoComment(
        agency=actor.agency,
        client_id=video.client_id,
        account_id=video.account_id,
        video=video,
        platform_comment_id=f"{LOCAL_ID_PREFIX}{uuid.uuid4().hex}",
        author_nickname=(PlatformAccount.objects.filter(pk=video.account_id).values_list("nickname", flat=True).first())
        or "",
        text=cleaned,
        posted_at=timezone.now(),
        source=CommentSource.STAFF,
        is_from_account=True,
        is_guide=True,
        status=CommentStatus.HANDLED,
        handling_note=str(_("Guide comment written by staff.")),
    )
    comment.full_clean()
    comment.save()
    _queue(comment, CommentActionKind.GUIDE, actor, cleaned)
    return comment


@transaction.atomic
def comment_action_mark_done(
    *, actor: Actor | None, action: CommentAction, done_at: dt.datetime | None = None, platform_comment_id: str = ""
) -> CommentAction:
    """The connector carried an action out. A reply or guide comment may report the platform's
    id for it (a guide comment then takes that id)."""
    action = CommentAction.objects.select_for_update().get(pk=action.pk)
    if action.status == CommentActionStatus.SENT:
        raise ValidationError({"status": _("This action was already reported done.")})
    if done_at is not None and not (action.created_at <= done_at <= timezone.now() + MESSAGE_CLOCK_SKEW):
        raise ValidationError({"done_at": _("An action is done after it was queued and not in the future.")})
    action.status = CommentActionStatus.SENT
    action.done_at = done_at or timezone.now()
    action.platform_comment_id = (platform_comment_id or "").strip()
    action.error = ""
    action.full_clean()
    action.save()
    if action.kind == CommentActionKind.GUIDE and action.platform_comment_id:
        comment = _locked(action.comment)
        taken = (
            VideoComment.objects.filter(account_id=comment.account_id, platform_comment_id=action.platform_comment_id)
            .exclude(pk=comment.pk)
            .exists()
        )
        if taken:
            raise ValidationError({"platform_comment_id": _("Another comment of this account has that id.")})
        comment.platform_comment_id = action.platform_comment_id
        comment.posted_at = action.done_at
        comment.save()
    return action


@transaction.atomic
def comment_action_mark_failed(*, actor: Actor | None, action: CommentAction, error: str) -> CommentAction:
    action = CommentAction.objects.select_for_update().get(pk=action.pk)
    if action.status == CommentActionStatus.SENT:
        raise ValidationError({"status": _("This action was already reported done.")})
    if not (error or "").strip():
        raise ValidationError({"error": _("Say what went wrong.")})
    action.status = CommentActionStatus.FAILED
    action.error = error.strip()
    action.save()
    return action


# --- 7.1 opinion alerts -----------------------------------------------------------------------

# 7.1: an alert is raised when, within the window, more than the threshold share of an account's
# comments read as negative, counting only windows with at least the minimum of comments.
OPINION_WINDOW_HOURS = adjustable(
    "opinion_window_hours",
    24,
    clause="7.1",
    minimum=1,
    maximum=24 * 30,
    label=gettext_lazy("Opinion alerts: hours of comments looked at (7.1)"),
)
OPINION_NEGATIVE_SHARE = adjustable(
    "opinion_negative_share",
    0.30,
    clause="7.1",
    minimum=0.01,
    maximum=1,
    label=gettext_lazy("Opinion alerts: share of negative comments that raises an alert (7.1)"),
)
OPINION_MIN_COMMENTS = adjustable(
    "opinion_min_comments",
    10,
    clause="7.1",
    minimum=1,
    maximum=100_000,
    label=gettext_lazy("Opinion alerts: fewest comments in the window to judge (7.1)"),
)
SHARE_PLACES = Decimal("0.0001")


@dataclass
class AlertsRun:
    raised: int = 0
    ended: int = 0
    continuing: int = 0


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, ROUND_HALF_UP) if whole else Decimal(0)


@transaction.atomic
def opinion_alerts_check(*, now: dt.datetime | None = None) -> AlertsRun:
    """Raise an opinion alert for each account whose negative share within the window passes
    the agency's threshold (7.1), once per episode: while the share stays above it, the
    episode's alert is kept (its peak updated); once it falls back, the episode ends. An alert
    stays open until handled. Idempotent: a second run at the same moment changes nothing."""
    agency = require_agency()
    now = now or timezone.now()
    start = now - dt.timedelta(hours=agency.setting(OPINION_WINDOW_HOURS))
    threshold = Decimal(str(agency.setting(OPINION_NEGATIVE_SHARE))).quantize(SHARE_PLACES)
    minimum = agency.setting(OPINION_MIN_COMMENTS)
    figures = {
        row["account_id"]: row
        for row in VideoComment.objects.filter(posted_at__gt=start, posted_at__lte=now, is_from_account=False)
        .exclude(sentiment="")
        .values("account_id", "client_id")
        .annotate(total=Count("id"), negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)))
    }

    def above(row) -> bool:
        return row is not None and row["total"] >= minimum and _share(row["negative"], row["total"]) > threshold

    run = AlertsRun()
    ongoing = {a.account_id: a for a in OpinionAlert.objects.select_for_update().filter(episode_ended_at__isnull=True)}
    for account_id, alert in ongoing.items():
        row = figures.get(account_id)
        if above(row):
            share = _share(row["negative"], row["total"])
            if share > alert.peak_share:
                alert.peak_share = share
                alert.save()
            run.continuing += 1
        else:
            alert.episode_ended_at = now
            alert.save()
            run.ended += 1
    open_alerts = {
        a.account_id: a
        for a in OpinionAlert.objects.select_for_update().filter(
            status=AlertStatus.OPEN, episode_ended_at__isnull=False
        )
    }
    for account_id, row in figures.items():
        if account_id in ongoing or not above(row):
            continue
        share = _share(row["negative"], row["total"])
        still_open = open_alerts.get(account_id)
        if still_open is not None:
            # Not handled yet: the same alert covers the new spike.
            still_open.episode_ended_at = None
            still_open.peak_share = max(still_open.peak_share, share)
            still_open.save()
            run.continuing += 1
            continue
        alert = OpinionAlert(
            agency=agency,
            client_id=row["client_id"],
            account_id=account_id,
            window_start=start,
            window_end=now,
            comments_count=row["total"],
            negative_count=row["negative"],
            negative_share=share,
            threshold=threshold,
            peak_share=share,
            raised_at=now,
        )
        alert.full_clean()
        alert.save()
        run.raised += 1
    return run


@transaction.atomic
def opinion_alert_handle(*, actor: Actor, alert: OpinionAlert, note: str) -> OpinionAlert:
    """Record how an opinion alert was handled (7.1); the alert closes."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Record how the alert was handled.")})
    alert = OpinionAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.HANDLED:
        raise ValidationError({"status": _("This alert was already handled.")})
    alert.status = AlertStatus.HANDLED
    alert.handled_by = actor.user
    alert.handled_at = timezone.now()
    alert.handling_note = note.strip()
    alert.full_clean()
    alert.save()
    return alert


# --- 7.2 hot topics -------------------------------------------------------------------------------

HOT_TOPICS_BULK_MAX = 2_000
url_valid = URLValidator(schemes=["http", "https"])


def check_hot_topic_rows(
    rows: Sequence,
    *,
    agency: Agency,
    actor: Actor | None = None,
    default_account: PlatformAccount | None = None,
    default_platform: str = "",
    source: str = "",
    numbers: Sequence[int] | None = None,
) -> Checked:
    """Check hot-topic rows: platform (one of ours), title, heat, rank, seen at (not in the
    future; now when left out), source, link; no topic twice in one request (a repeat names the
    first by its number in ``numbers``, a file's sheet rows, else by its position)."""
    now = timezone.now()
    translate = Translator(HOT_TOPICS)
    platforms = {value: value for value in Platform.values}
    platforms.update({str(label).lower(): value for value, label in Platform.choices})
    platforms.update({"抖音": Platform.DOUYIN, "快手": Platform.KUAISHOU, "视频号": Platform.WECHAT_CHANNELS})
    platforms.update({"小红书": Platform.XIAOHONGSHU, "哔哩哔哩": Platform.BILIBILI, "b站": Platform.BILIBILI})
    problems: list[RowProblem] = []
    checked = Checked(problems=problems)
    seen: dict[tuple[str, str], int] = {}
    readers = (
        ("title", _text_reader(HotTopic, "title", required=True)),
        ("heat", _count_reader(HotTopic, "heat")),
        ("rank", _count_reader(HotTopic, "rank")),
        ("source", _text_reader(HotTopic, "source")),
        ("url", _id_reader(HotTopic, "url")),  # a link holds no control character either
    )
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            problems.append(RowProblem(index, "row", _("a row is an object of field → value")))
            continue
        row, twice = translate(raw)
        values: dict = {}
        ok = not twice
        for name in twice:
            problems.append(RowProblem(index, name, _("given twice (under the platform's name and ours)")))
        platform = platforms.get(str(row.get("platform") or default_platform).strip().lower())
        if platform is None:
            problems.append(
                RowProblem(index, "platform", _("choose one of %(choices)s") % {"choices": ", ".join(Platform.values)})
            )
            ok = False
        for name, reader in readers:
            try:
                values[name] = reader(row.get(name))
            except read.BadValue as exc:
                problems.append(RowProblem(index, name, str(exc)))
                ok = False
        try:
            seen_at = now if row.get("seen_at") in (None, "") else read.moment(row["seen_at"], agency.tz)
            if seen_at > now + MESSAGE_CLOCK_SKEW:
                raise read.BadValue(_("%(when)s is in the future") % {"when": seen_at})
            values["seen_at"] = seen_at
        except read.BadValue as exc:
            problems.append(RowProblem(index, "seen_at", str(exc)))
            ok = False
        if values.get("rank") == 0:
            problems.append(RowProblem(index, "rank", _("ranks start at 1")))
            ok = False
        if values.get("url"):
            try:
                url_valid(values["url"])
            except ValidationError:
                problems.append(RowProblem(index, "url", _("%(url)s is not a link") % {"url": values["url"]}))
                ok = False
        if not ok:
            continue
        first = seen.setdefault((platform, values["title"]), index)
        if first != index:
            shown = first if numbers is None else numbers[first]
            problems.append(RowProblem(index, "title", _("row %(first)d already gives this topic") % {"first": shown}))
            continue
        values.update(platform=platform, heat=values["heat"] or 0, source=values["source"] or source)
        checked.rows.append(values)
        checked.positions.append(index)
    problems.sort(key=lambda p: p.index)
    return checked


def store_hot_topics(rows: Sequence[dict], *, user_id: int | None) -> UpsertResult:
    """Upsert topics keyed by (platform, title): a newer sighting replaces heat, rank, source and
    link; any sighting raises the peak heat and moves the first sighting earlier. Bulk writes,
    never one save per row (a hot list is a few hundred rows)."""
    agency = require_agency()
    result = UpsertResult(received=len(rows))
    existing = {
        (topic.platform, topic.title): topic
        for topic in HotTopic.objects.filter(title__in={row["title"] for row in rows})
    }
    new, changed = [], []
    now = timezone.now()
    for row in rows:
        topic = existing.get((row["platform"], row["title"]))
        if topic is None:
            topic = HotTopic(
                agency=agency,
                platform=row["platform"],
                title=row["title"],
                heat=row["heat"],
                peak_heat=row["heat"],
                rank=row["rank"],
                seen_at=row["seen_at"],
                first_seen_at=row["seen_at"],
                source=row["source"],
                url=row["url"],
                created_by_id=user_id,
                updated_by_id=user_id,
            )
            new.append(topic)
            existing[(row["platform"], row["title"])] = topic
            continue
        before = (topic.heat, topic.rank, topic.seen_at, topic.source, topic.url, topic.peak_heat, topic.first_seen_at)
        if row["seen_at"] >= topic.seen_at:
            topic.heat, topic.rank, topic.seen_at = row["heat"], row["rank"], row["seen_at"]
            topic.source, topic.url = row["source"] or topic.source, row["url"] or topic.url
        topic.peak_heat = max(topic.peak_heat, row["heat"], topic.heat)
        topic.first_seen_at = min(topic.first_seen_at, row["seen_at"])
        after = (topic.heat, topic.rank, topic.seen_at, topic.source, topic.url, topic.peak_heat, topic.first_seen_at)
        if after != before:
            topic.updated_at, topic.updated_by_id = now, user_id
            changed.append(topic)
    HotTopic.objects.bulk_create(new)
    fields = ["heat", "rank", "seen_at", "source", "url", "peak_heat", "first_seen_at", "updated_at", "updated_by"]
    HotTopic.objects.bulk_update(changed, fields)
    result.created, result.updated = len(new), len({id(t) for t in changed})
    return result


@transaction.atomic
def hot_topics_ingest(*, actor: Actor | None, rows: list, platform: str = "", source: str = "api") -> UpsertResult:
    """Import a hot list (7.2): all rows or none; the same list twice changes nothing."""
    agency = require_agency()
    ensure_batch(rows, maximum=HOT_TOPICS_BULK_MAX)
    checked = check_hot_topic_rows(rows, agency=agency, default_platform=platform, source=source)
    if checked.problems:
        raise refusal(checked.problems)
    return store_hot_topics(checked.rows, user_id=actor.user.pk if actor is not None else None)


@transaction.atomic
def hot_topic_save(*, actor: Actor, topic: HotTopic | None = None, **values) -> HotTopic:
    """Enter or correct a topic by hand (7.2)."""
    if topic is None:
        topic = HotTopic(agency=actor.agency, source=values.pop("source", "") or str(_("entered by hand")))
        values.setdefault("seen_at", timezone.now())
    else:
        topic = HotTopic.objects.select_for_update().get(pk=topic.pk)
    for name in ("platform", "title", "heat", "rank", "seen_at", "source", "url"):
        if name in values:
            setattr(topic, name, values[name] if name != "title" else (values[name] or "").strip())
    if topic.seen_at and topic.seen_at > timezone.now() + MESSAGE_CLOCK_SKEW:
        raise ValidationError({"seen_at": _("The topic cannot be seen in the future.")})
    topic.heat = topic.heat or 0
    topic.peak_heat = max(topic.peak_heat or 0, topic.heat)
    if topic.first_seen_at is None or (topic.seen_at and topic.seen_at < topic.first_seen_at):
        topic.first_seen_at = topic.seen_at
    topic.full_clean()
    topic.save()
    return topic


# --- 7.2 content plans ------------------------------------------------------------------------

PLAN_FIELDS = ("title", "angle", "planned_on", "status", "video_project", "notes")


def _plan_project(plan: ContentPlan) -> None:
    """A plan whose video project is set is in production (unless already published or dropped)."""
    if plan.video_project_id and plan.status == PlanStatus.PLANNED:
        plan.status = PlanStatus.IN_PRODUCTION


@transaction.atomic
def content_plan_create(
    *,
    actor: Actor,
    account: PlatformAccount,
    title: str,
    angle: str,
    planned_on: dt.date,
    topics: Sequence[HotTopic] = (),
    video_project=None,
    notes: str = "",
    status: str = PlanStatus.PLANNED,
) -> ContentPlan:
    """Plan content for an account that rides hot topics (7.2), optionally made by a video project."""
    plan = ContentPlan(
        agency=actor.agency,
        client_id=account.client_id,
        account=account,
        title=(title or "").strip(),
        angle=(angle or "").strip(),
        planned_on=planned_on,
        status=status or PlanStatus.PLANNED,
        video_project=video_project,
        notes=(notes or "").strip(),
    )
    _plan_project(plan)
    plan.full_clean()
    plan.save()
    for topic in topics:
        content_plan_link_topic(actor=actor, plan=plan, topic=topic)
    return plan


@transaction.atomic
def content_plan_update(*, actor: Actor, plan: ContentPlan, **values) -> ContentPlan:
    plan = ContentPlan.objects.select_for_update().get(pk=plan.pk)
    for name in PLAN_FIELDS:
        if name in values:
            setattr(plan, name, values[name])
    _plan_project(plan)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def content_plan_link_topic(*, actor: Actor, plan: ContentPlan, topic: HotTopic, note: str = "") -> ContentPlanTopic:
    """Say that a plan rides a hot topic (7.2). Linking it again keeps the one link (the note is
    updated)."""
    link = ContentPlanTopic.objects.filter(plan=plan, topic=topic).first()
    if link is None:
        link = ContentPlanTopic(agency=actor.agency, client_id=plan.client_id, plan=plan, topic=topic)
    link.note = (note or "").strip() or link.note
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def content_plan_unlink_topic(*, actor: Actor, link: ContentPlanTopic) -> None:
    ContentPlanTopic.objects.filter(pk=link.pk).delete()


# --- 7.3 audience snapshots --------------------------------------------------------------------

SNAPSHOTS_BULK_MAX = 2_000


def check_snapshot_rows(
    rows: Sequence, *, agency: Agency, actor: Actor | None, default_account: PlatformAccount | None = None
) -> Checked:
    """Check fan-portrait rows: the account in scope, the date not in the future, ``fans_total``
    a count, every distribution within the rules of ``accounts_ops.portrait``."""
    today = agency_today(agency)
    accounts = AccountResolver(account_scope(actor), default_account)
    problems: list[RowProblem] = []
    pending = []
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            problems.append(RowProblem(index, "row", _("a row is an object of field → value")))
            continue
        row = from_platform(raw)
        values: dict = {}
        ok = True
        try:
            reference = accounts.reference(row)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "account", str(exc)))
            ok = False
        try:
            values["date"] = past_day(row.get("date"), today)
        except read.BadValue as exc:
            problems.append(RowProblem(index, "date", str(exc)))
            ok = False
        try:
            values["fans_total"] = read.count(
                row.get("fans_total", row.get("total_fans")), maximum=read.count_limit(AudienceSnapshot, "fans_total")
            )
        except read.BadValue as exc:
            problems.append(RowProblem(index, "fans_total", str(exc)))
            ok = False
        given = 0
        for name in DIMENSION_NAMES:
            if name not in row or row[name] is None:
                values[name] = None
                continue
            try:
                _portrait_names(row[name])
                values[name] = normalise(name, row[name])
                given += 1
            except (PortraitError, read.BadValue) as exc:
                problems.append(RowProblem(index, name, str(exc)))
                ok = False
        if ok and not given and values["fans_total"] is None:
            problems.append(RowProblem(index, "row", _("the row gives no portrait")))
            ok = False
        if ok:
            pending.append((index, reference, values))
    accounts.load(
        {ref[1] for _i, ref, _v in pending if ref[0] == "account"},
        {ref[1] for _i, ref, _v in pending if ref[0] == "handle"},
    )
    checked = Checked(problems=problems)
    seen: dict[tuple[int, dt.date], int] = {}
    for index, reference, values in pending:
        try:
            account_id, client_id = accounts.resolve(reference)
        except read.BadValue as exc:
            problems.append(RowProblem(index, reference[0], str(exc)))
            continue
        first = seen.setdefault((account_id, values["date"]), index)
        if first != index:
            problems.append(
                RowProblem(index, "date", _("row %(first)d already gives this account and date") % {"first": first})
            )
            continue
        values.update(agency_id=agency.pk, client_id=client_id, account_id=account_id)
        checked.rows.append(values)
        checked.positions.append(index)
    problems.sort(key=lambda p: p.index)
    return checked


def _portrait_names(raw) -> None:
    """The names of a distribution (its keys, or its entries' ``item``) hold no control character
    and no lone surrogate: they are stored as JSON keys, which PostgreSQL refuses with a NUL (and
    no encoding carries a lone surrogate)."""
    if isinstance(raw, dict):
        names = raw.keys()
    elif isinstance(raw, list):
        names = [entry.get("item") for entry in raw if isinstance(entry, dict)]
    else:
        return
    for name in names:
        if isinstance(name, str) and not name.isprintable():
            raise read.BadValue(f"{name!r}: a name holds no control characters")


def store_snapshots(rows: Sequence[dict], *, user_id: int | None) -> UpsertResult:
    return upsert(
        AudienceSnapshot,
        rows,
        key=("account_id", "date"),
        fixed=("agency_id", "client_id"),
        values=("fans_total", *DIMENSION_NAMES),
        user_id=user_id,
        defaults=dict.fromkeys(DIMENSION_NAMES, {}),
    )


@transaction.atomic
def audience_snapshots_ingest(
    *, actor: Actor | None, rows: list, account: PlatformAccount | None = None, prefix: str = "rows"
) -> UpsertResult:
    """Upsert fan portraits keyed by (account, date) (7.3): all rows or none. A dimension left
    out keeps what is stored; one given replaces it."""
    agency = require_agency()
    ensure_batch(rows, prefix=prefix, maximum=SNAPSHOTS_BULK_MAX)
    checked = check_snapshot_rows(rows, agency=agency, actor=actor, default_account=account)
    if checked.problems:
        if prefix == "":
            raise ValidationError({p.field: p.message for p in checked.problems})
        raise refusal(checked.problems, prefix)
    return store_snapshots(checked.rows, user_id=actor.user.pk if actor is not None else None)


# --- 7.3 persona reports ---------------------------------------------------------------------

# 7.3: the scheduled job analyses each active account once per period (default every 7 days); the
# check wants a report no older than the analysis period (default 30 days).
PERSONA_PERIOD_DAYS = adjustable(
    "persona_period_days",
    7,
    clause="7.3",
    minimum=1,
    maximum=90,
    label=gettext_lazy("Audience persona: days between scheduled reports (7.3)"),
)
PERSONA_MAX_AGE_DAYS = adjustable(
    "persona_max_age_days",
    30,
    clause="7.3",
    minimum=1,
    maximum=365,
    label=gettext_lazy("Audience persona: oldest a current report may be (7.3)"),
)
PERSONA_BATCH = 500  # accounts per batch task
# Periods are counted from this Monday, so weekly periods run Monday to Sunday in every agency.
PERSONA_EPOCH = dt.date(2024, 1, 1)


def persona_period(agency: Agency, today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest whole period before ``today`` (the agency's period length, counted from
    ``PERSONA_EPOCH``): the period the scheduled job reports on."""
    days = agency.setting(PERSONA_PERIOD_DAYS)
    index = (today - PERSONA_EPOCH).days // days
    start = PERSONA_EPOCH + dt.timedelta(days=(index - 1) * days)
    return start, start + dt.timedelta(days=days - 1)


def active_account_ids() -> list[int]:
    return list(PlatformAccount.objects.filter(status=AccountStatus.ACTIVE).order_by("pk").values_list("pk", flat=True))


def _latest_snapshots(account_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, AudienceSnapshot]:
    """Each account's latest snapshot dated within the period: one query."""
    queryset = AudienceSnapshot.objects.filter(account_id__in=account_ids, date__gte=start, date__lte=end)
    if connection.vendor == "postgresql":
        return {s.account_id: s for s in queryset.order_by("account_id", "-date").distinct("account_id")}
    latest: dict[int, AudienceSnapshot] = {}
    for snapshot in queryset.order_by("account_id", "-date"):
        latest.setdefault(snapshot.account_id, snapshot)
    return latest


def _previous_reports(account_ids: Sequence[int], before: dt.date) -> dict[int, AudiencePersonaReport]:
    """Each account's latest report ending before ``before``, with its snapshot: one query."""
    queryset = AudiencePersonaReport.objects.filter(account_id__in=account_ids, period_end__lt=before).select_related(
        "snapshot"
    )
    if connection.vendor == "postgresql":
        return {r.account_id: r for r in queryset.order_by("account_id", "-period_end", "-id").distinct("account_id")}
    previous: dict[int, AudiencePersonaReport] = {}
    for report in queryset.order_by("account_id", "-period_end", "-id"):
        previous.setdefault(report.account_id, report)
    return previous


def _distributions(snapshot: AudienceSnapshot) -> dict[str, dict]:
    return {name: getattr(snapshot, name) or {} for name in DIMENSION_NAMES}


def _report(snapshot, previous, start, end, trigger, agency) -> AudiencePersonaReport:
    analysis = persona.analyse(_distributions(snapshot), _distributions(previous.snapshot) if previous else None)
    return AudiencePersonaReport(
        agency=agency,
        client_id=snapshot.client_id,
        account_id=snapshot.account_id,
        period_start=start,
        period_end=end,
        snapshot=snapshot,
        previous=previous,
        dominant=analysis.dominant,
        shifts=analysis.shifts,
        summary_zh=analysis.summary_zh,
        summary_en=analysis.summary_en,
        trigger=trigger,
    )


@transaction.atomic
def persona_reports_build(
    *, account_ids: Sequence[int], period_start: dt.date, period_end: dt.date, trigger: str = PersonaTrigger.SCHEDULE
) -> int:
    """Build the persona report of each account for the period (7.3), from its latest snapshot in
    the period compared with its previous report's. Idempotent per (account, period): accounts
    already reported are skipped, and a second run creates nothing. Accounts without a snapshot
    in the period get no report. A fixed number of queries for any number of accounts."""
    agency = require_agency()
    ids = list(
        PlatformAccount.objects.filter(pk__in=account_ids, status=AccountStatus.ACTIVE).values_list("pk", flat=True)
    )
    done = set(
        AudiencePersonaReport.objects.filter(
            account_id__in=ids, period_start=period_start, period_end=period_end
        ).values_list("account_id", flat=True)
    )
    todo = [pk for pk in ids if pk not in done]
    if not todo:
        return 0
    snapshots = _latest_snapshots(todo, period_start, period_end)
    previous = _previous_reports(list(snapshots), period_start)
    reports = [
        _report(snapshot, previous.get(account_id), period_start, period_end, trigger, agency)
        for account_id, snapshot in snapshots.items()
    ]
    created = AudiencePersonaReport.objects.bulk_create(reports, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def persona_report_request(*, actor: Actor, account: PlatformAccount) -> AudiencePersonaReport:
    """A report on demand (7.3): the period is the agency's period length ending today; asked
    again the same day, the same report is rebuilt from the latest snapshot."""
    today = agency_today(actor.agency)
    days = actor.agency.setting(PERSONA_PERIOD_DAYS)
    start = today - dt.timedelta(days=days - 1)
    snapshot = _latest_snapshots([account.pk], start, today).get(account.pk)
    if snapshot is None:
        raise ValidationError(
            {
                "account": _("@%(handle)s has no audience snapshot between %(start)s and %(end)s; import one first.")
                % {"handle": account.handle, "start": start.isoformat(), "end": today.isoformat()}
            }
        )
    previous = _previous_reports([account.pk], start).get(account.pk)
    fresh = _report(snapshot, previous, start, today, PersonaTrigger.ON_DEMAND, actor.agency)
    report = AudiencePersonaReport.objects.filter(account=account, period_start=start, period_end=today).first()
    if report is None:
        report = fresh
    else:
        for name in ("snapshot", "previous", "dominant", "shifts", "summary_zh", "summary_en", "trigger"):
            setattr(report, name, getattr(fresh, name))
    report.full_clean()
    report.save()
    return report


# --- 7.4 IP persona ---------------------------------------------------------------------------

IP_FIELDS = ("name", "age", "gender", "personality", "cultural_background", "specialty", "style", "note")


@transaction.atomic
def ip_persona_record(*, actor: Actor, account: PlatformAccount, effective_from: dt.date, **values) -> IpPersona:
    """Record a new version of the account's IP persona (7.4); it becomes the current one and the
    one before stays as history."""
    PlatformAccount.objects.select_for_update().filter(pk=account.pk).first()  # one writer per account
    current = IpPersona.objects.filter(account=account, is_current=True).first()
    if current is not None and effective_from < current.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "Version %(version)d is effective from %(day)s; a new version cannot start earlier."
                )
                % {"version": current.version, "day": current.effective_from.isoformat()}
            }
        )
    last = IpPersona.objects.filter(account=account).aggregate(last=Max("version"))["last"] or 0
    persona_row = IpPersona(
        agency=actor.agency,
        client_id=account.client_id,
        account=account,
        version=last + 1,
        effective_from=effective_from,
        **{name: (values.get(name) or "").strip() for name in IP_FIELDS},
    )
    if current is not None:  # first, so that the new version may be the one current
        current.is_current = False
        current.save()
    persona_row.full_clean()
    persona_row.save()
    return persona_row


def staff_choices(agency: Agency):
    """The people comments can be assigned to: the agency's active staff."""
    return (
        get_user_model()
        .objects.filter(memberships__agency=agency, memberships__is_active=True, memberships__client__isnull=True)
        .order_by("username")
    )
