"""Reads of chapter 7 for its pages: the landing page's figures, the persona report beside its
snapshot, and an account's daily metrics. Fixed numbers of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.models import (
    AlertStatus,
    AudiencePersonaReport,
    CommentStatus,
    ContentPlan,
    ContentPlanTopic,
    DataImport,
    HotTopic,
    IpPersona,
    OpinionAlert,
    PlanStatus,
    Sentiment,
    VideoComment,
)
from accounts_ops.persona import DIMENSION_WORDS, key_words
from accounts_ops.portrait import DIMENSION_NAMES
from accounts_ops.services.advanced import PERSONA_MAX_AGE_DAYS
from agency.charts import BAR, Chart, Series
from agency.tenancy import Actor
from clients.models import AccountStatus, PlatformAccount

BARS_SHOWN = 8  # the largest segments a dimension shows on a page


def advanced_operations_dashboard(actor: Actor) -> dict:
    """What the chapter 7 landing page shows."""
    today = timezone.localdate(timezone=actor.agency.tz)
    fresh_since = today - dt.timedelta(days=actor.agency.setting(PERSONA_MAX_AGE_DAYS))
    month_start = today.replace(day=1)
    accounts = PlatformAccount.objects.visible_to(actor).filter(status=AccountStatus.ACTIVE)
    counts = accounts.aggregate(
        active=Count("id"),
        with_plan=Count(
            "id",
            filter=Q(
                Exists(
                    ContentPlanTopic.objects.filter(
                        plan__account=OuterRef("pk"), plan__planned_on__gte=month_start
                    ).exclude(plan__status=PlanStatus.DROPPED)
                )
            ),
        ),
        with_fresh_report=Count(
            "id",
            filter=Q(Exists(AudiencePersonaReport.objects.filter(account=OuterRef("pk"), period_end__gte=fresh_since))),
        ),
        with_persona=Count("id", filter=Q(Exists(IpPersona.objects.filter(account=OuterRef("pk"), is_current=True)))),
    )
    comments = VideoComment.objects.visible_to(actor).filter(is_from_account=False, status=CommentStatus.WAITING)
    waiting = comments.aggregate(total=Count("id"), negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)))
    return {
        "counts": counts,
        "waiting": waiting,
        "negative_waiting": list(
            comments.filter(sentiment=Sentiment.NEGATIVE).select_related("account").order_by("posted_at")[:10]
        ),
        "open_alerts": list(
            OpinionAlert.objects.visible_to(actor)
            .filter(status=AlertStatus.OPEN)
            .select_related("account")
            .order_by("raised_at")[:10]
        ),
        "hot_topics": list(HotTopic.objects.visible_to(actor).order_by("-seen_at", "rank")[:10]),
        "upcoming_plans": list(
            ContentPlan.objects.visible_to(actor)
            .filter(planned_on__gte=today)
            .exclude(status=PlanStatus.DROPPED)
            .select_related("account")
            .order_by("planned_on")[:10]
        ),
        "imports": list(DataImport.objects.visible_to(actor).order_by("-id")[:5]),
        "fresh_days": actor.agency.setting(PERSONA_MAX_AGE_DAYS),
    }


def persona_sections(report: AudiencePersonaReport, language: str) -> list[dict]:
    """Each dimension of the report's snapshot as bars (largest first) with its shift in points."""
    language = "zh" if language.startswith("zh") else "en"
    sections = []
    for name in DIMENSION_NAMES:
        distribution = getattr(report.snapshot, name) or {}
        if not distribution:
            continue
        shifts = (report.shifts or {}).get(name, {})
        rows = sorted(distribution.items(), key=lambda item: (-item[1], item[0]))[:BARS_SHOWN]
        sections.append(
            {
                "name": DIMENSION_WORDS[name][0 if language == "zh" else 1],
                "rows": [
                    {
                        "label": key_words(name, key, language),
                        "percent": round(share * 100, 1),
                        "shift": shifts.get(key),
                    }
                    for key, share in rows
                ],
            }
        )
    return sections


def persona_charts(report: AudiencePersonaReport, language: str, dimensions: tuple[str, ...] = ()) -> list[Chart]:
    """The report's dimensions as horizontal bar charts (share of fans, largest first); only the
    named ``dimensions`` when given."""
    wanted = [DIMENSION_WORDS[name][0 if language.startswith("zh") else 1] for name in dimensions]
    return [
        Chart(
            title=section["name"],
            labels=[row["label"] for row in section["rows"]],
            series=[
                Series(
                    "share",
                    _("Share of fans"),
                    [row["percent"] for row in section["rows"]],
                    style=BAR,
                    percent=True,
                )
            ],
            horizontal=True,
            over_time=False,
        )
        for section in persona_sections(report, language)
        if not wanted or section["name"] in wanted
    ]


def latest_persona_reports(actor: Actor, account_ids: list[int]) -> dict[int, AudiencePersonaReport]:
    """Each account's latest persona report, with its snapshot: one query."""
    latest: dict[int, AudiencePersonaReport] = {}
    reports = (
        AudiencePersonaReport.objects.visible_to(actor)
        .filter(account_id__in=account_ids)
        .select_related("snapshot", "account")
        .order_by("account_id", "-period_end", "-id")
    )
    for report in reports:
        latest.setdefault(report.account_id, report)
    return latest


def hot_topics_for_project(project) -> list[HotTopic]:
    """The hot topics a video project rides, through the content plans that name it: what the
    project's script can cite as its trending topics (5.1)."""
    return list(
        HotTopic.objects.filter(
            pk__in=ContentPlanTopic.objects.filter(plan__video_project=project).values("topic_id")
        ).order_by("-heat")
    )
