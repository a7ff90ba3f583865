"""Writes of 7.2, hot topics and content plans: the hot lists coming in, and the plans that take a
topic up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops import rows as read
from accounts_ops.bulk import UpsertResult
from accounts_ops.models.hot_topics import ContentPlan, ContentPlanTopic, HotTopic, PlanStatus
from accounts_ops.platform_fields import HOT_TOPICS
from accounts_ops.rules import MESSAGE_CLOCK_SKEW
from accounts_ops.services.common import (
    Checked,
    RowProblem,
    Translator,
    count_reader,
    ensure_batch,
    id_reader,
    refusal,
    text_reader,
)
from agency.models import Agency
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor, require_agency
from clients.models import Platform, PlatformAccount

HOT_TOPICS_BULK_MAX = 2_000
url_valid = URLValidator(schemes=["http", "https"])


def platform_names() -> dict[str, str]:
    """The names a row may give its platform by (its value, its name, the name its users know
    it by), in lower case → the platform."""
    platforms = {value: value for value in Platform.values}
    platforms.update({str(label).lower(): value for value, label in Platform.choices})
    platforms.update({"抖音": Platform.DOUYIN, "快手": Platform.KUAISHOU, "视频号": Platform.WECHAT_CHANNELS})
    platforms.update({"小红书": Platform.XIAOHONGSHU, "哔哩哔哩": Platform.BILIBILI, "b站": Platform.BILIBILI})
    return platforms


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
    platforms = platform_names()
    problems: list[RowProblem] = []
    checked = Checked(problems=problems)
    seen: dict[tuple[str, str], int] = {}
    readers = (
        ("title", text_reader(HotTopic, "title", required=True)),
        ("heat", count_reader(HotTopic, "heat")),
        ("rank", count_reader(HotTopic, "rank")),
        ("source", text_reader(HotTopic, "source")),
        ("url", id_reader(HotTopic, "url")),  # a link holds no control character either
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
def hot_topic_save(
    *,
    actor: Actor,
    topic: HotTopic | None = None,
    platform: str = UNCHANGED,
    title: str = UNCHANGED,
    heat: int = UNCHANGED,
    rank: int | None = UNCHANGED,
    seen_at: dt.datetime = UNCHANGED,
    source: str = UNCHANGED,
    url: str = UNCHANGED,
) -> HotTopic:
    """Enter or correct a topic by hand (7.2; the fields given)."""
    values = given(platform=platform, title=title, heat=heat, rank=rank, seen_at=seen_at, source=source, url=url)
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
    return validated_save(topic)


# --- 7.2 content plans ------------------------------------------------------------------------


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
        account=account,
        title=(title or "").strip(),
        angle=(angle or "").strip(),
        planned_on=planned_on,
        status=status or PlanStatus.PLANNED,
        video_project=video_project,
        notes=(notes or "").strip(),
    )
    _plan_project(plan)
    validated_save(plan)
    for topic in topics:
        content_plan_link_topic(actor=actor, plan=plan, topic=topic)
    return plan


@transaction.atomic
def content_plan_update(
    *,
    actor: Actor,
    plan: ContentPlan,
    title: str = UNCHANGED,
    angle: str = UNCHANGED,
    planned_on: dt.date = UNCHANGED,
    status: str = UNCHANGED,
    video_project=UNCHANGED,
    notes: str = UNCHANGED,
) -> ContentPlan:
    """Change a content plan (the fields given); one given a video project is in production."""
    values = given(
        title=title, angle=angle, planned_on=planned_on, status=status, video_project=video_project, notes=notes
    )
    plan = ContentPlan.objects.select_for_update().get(pk=plan.pk)
    for name, value in values.items():
        setattr(plan, name, value)
    _plan_project(plan)
    return validated_save(plan)


@transaction.atomic
def content_plan_link_topic(*, actor: Actor, plan: ContentPlan, topic: HotTopic, note: str = "") -> ContentPlanTopic:
    """Say that a plan rides a hot topic (7.2). Linking it again keeps the one link (the note is
    updated)."""
    link = ContentPlanTopic.objects.filter(plan=plan, topic=topic).first()
    if link is None:
        link = ContentPlanTopic(agency=actor.agency, plan=plan, topic=topic)
    link.note = (note or "").strip() or link.note
    return validated_save(link)


@transaction.atomic
def content_plan_unlink_topic(*, actor: Actor, link: ContentPlanTopic) -> None:
    ContentPlanTopic.objects.filter(pk=link.pk).delete()
