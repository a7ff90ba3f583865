"""Writes of 7.1, comments and public opinion: comments received (bulk API, file, webhook), their
sentiment, the actions staff take on them (queued to the platform), and the opinion alerts.

Each validates before it writes and raises ValidationError naming the field (for bulk data: the
row and the field)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops import rows as read
from accounts_ops import sentiment as classifier
from accounts_ops.bulk import UpsertResult, upsert
from accounts_ops.models.comments import (
    HANDLING_NOTE_MAX_CHARS,
    AlertStatus,
    CommentAction,
    CommentActionKind,
    CommentActionStatus,
    CommentSource,
    CommentStatus,
    OpinionAlert,
    Sentiment,
    VideoComment,
)
from accounts_ops.platform_fields import COMMENTS
from accounts_ops.rules import MESSAGE_CLOCK_SKEW, OPINION_MIN_COMMENTS, OPINION_NEGATIVE_SHARE, OPINION_WINDOW_HOURS
from accounts_ops.services.common import (
    AccountResolver,
    Checked,
    RowProblem,
    Translator,
    VideoResolver,
    account_scope,
    count_reader,
    ensure_batch,
    id_reader,
    refusal,
    text_reader,
    video_reference,
    video_rows,
    video_scope,
)
from accounts_ops.services.conversations_touch import conversations_touch
from agency.models import Agency
from agency.services import validated_save
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from clients.models import PlatformAccount, Video

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
        ("platform_comment_id", id_reader(VideoComment, "platform_comment_id", required=True)),
        ("parent_comment_id", id_reader(VideoComment, "parent_comment_id")),
        ("author_uid", id_reader(VideoComment, "author_uid")),
        ("author_nickname", text_reader(VideoComment, "author_nickname")),
        ("text", lambda v: read.text(v, max_chars=COMMENT_TEXT_MAX_CHARS, required=True)),
        ("posted_at", lambda v: read.moment(v, agency.tz)),
        ("like_count", count_reader(VideoComment, "like_count")),
        ("reply_count", count_reader(VideoComment, "reply_count")),
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
        enqueue("accounts_ops.tasks.comments_classify_task", agency_id=require_agency().pk)
    conversations_touch(
        (row["account_id"], row["client_id"], row["author_uid"], row["author_nickname"], row["posted_at"])
        for row in rows
        if not row["is_from_account"]
    )
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
    return validated_save(action)


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
    validated_save(comment)
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
    validated_save(action)
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


# --- 7.1 opinion alerts (thresholds in ``accounts_ops.rules``) ------------------------------

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
        validated_save(alert)
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
    return validated_save(alert)


def staff_choices(agency: Agency):
    """The people comments can be assigned to: the agency's active staff."""
    return (
        get_user_model()
        .objects.filter(memberships__agency=agency, memberships__is_active=True, memberships__client_id__isnull=True)
        .order_by("username")
    )
