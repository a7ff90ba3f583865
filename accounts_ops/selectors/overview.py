"""Reads of chapter 7 for its landing page. Fixed numbers of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts_ops.models.audience import AudiencePersonaReport
from accounts_ops.models.comments import AlertStatus, CommentStatus, OpinionAlert, Sentiment, VideoComment
from accounts_ops.models.hot_topics import ContentPlan, ContentPlanTopic, HotTopic, PlanStatus
from accounts_ops.models.imports import DataImport
from accounts_ops.models.ip_persona import IpPersona
from accounts_ops.rules import PERSONA_MAX_AGE_DAYS
from agency.tenancy import Actor
from clients.models import AccountStatus, PlatformAccount


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
