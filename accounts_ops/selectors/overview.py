"""Reads over a whole chapter: chapter 6's landing dashboard and one account's operations page, and
chapter 7's landing page. Fixed numbers of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q

from accounts_ops.models.ads import AdCampaign
from accounts_ops.models.audience import AudiencePersonaReport
from accounts_ops.models.comments import AlertStatus, CommentStatus, OpinionAlert, Sentiment, VideoComment
from accounts_ops.models.direction import AccountDirection
from accounts_ops.models.hot_topics import ContentPlan, ContentPlanTopic, HotTopic, PlanStatus
from accounts_ops.models.imports import DataImport
from accounts_ops.models.inbox import InboxMessage, InboxStatus, OutboxReply, OutboxStatus, ReplyRule
from accounts_ops.models.ip_persona import IpPersona
from accounts_ops.models.pinned import BoostTask, BoostTaskStatus, PinnedVideo
from accounts_ops.models.profile import ProfileChange, ProfileChangeStatus
from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS, PERSONA_MAX_AGE_DAYS
from accounts_ops.selectors.ads import with_money
from accounts_ops.selectors.inbox import inbox_overview
from accounts_ops.selectors.pinned import flagged_accounts, open_boost_tasks
from accounts_ops.selectors.profile import current_profile
from agency.tenancy import Actor
from clients.models import AccountStatus, PlatformAccount


def basic_operations_dashboard(actor: Actor) -> dict:
    """What the chapter 6 landing page shows (fixed number of queries)."""
    accounts = PlatformAccount.objects.visible_to(actor).filter(status=AccountStatus.ACTIVE)
    counts = accounts.aggregate(
        active=Count("id"),
        with_direction=Count(
            "id", filter=Q(Exists(AccountDirection.objects.filter(account=OuterRef("pk"), is_current=True)))
        ),
        with_rules=Count("id", filter=Q(Exists(ReplyRule.objects.filter(account=OuterRef("pk"), is_active=True)))),
    )
    inbox = InboxMessage.objects.visible_to(actor).aggregate(
        waiting=Count("id", filter=Q(status=InboxStatus.OPEN)),
    )
    outbox = OutboxReply.objects.visible_to(actor).filter(status=OutboxStatus.QUEUED).count()
    campaigns = list(
        with_money(AdCampaign.objects.visible_to(actor).exclude(status__in=["finished", "cancelled"]))
        .select_related("client", "account")
        .order_by("ends_on")[:10]
    )
    return {
        "counts": counts,
        "inbox": inbox,
        "outbox_queued": outbox,
        "boost_tasks": list(open_boost_tasks(actor)[:20]),
        "flagged_accounts": list(flagged_accounts(actor)[:20]),
        "profile_waiting": list(
            ProfileChange.objects.visible_to(actor)
            .filter(status=ProfileChangeStatus.REQUESTED)
            .select_related("account")
            .order_by("requested_at")[:10]
        ),
        "campaigns": campaigns,
        "response": inbox_overview(actor),
        "target_seconds": actor.agency.setting(DM_FIRST_RESPONSE_TARGET_SECONDS),
    }


def account_operations(actor: Actor, account: PlatformAccount) -> dict:
    """Everything chapter 6 knows about one account, for its page."""
    directions = list(AccountDirection.objects.visible_to(actor).filter(account=account).order_by("-version"))
    pins = list(
        PinnedVideo.objects.visible_to(actor)
        .filter(account=account)
        .select_related("video")
        .annotate(boost_count=Count("boosts"))
        .order_by("unpinned_on", "slot", "-pinned_on")
    )
    return {
        "directions": directions,
        "current_direction": next((d for d in directions if d.is_current), None),
        "profile": current_profile(account),
        "profile_history": list(
            ProfileChange.objects.visible_to(actor).filter(account=account).order_by("-requested_at")[:30]
        ),
        "pins": [p for p in pins if p.unpinned_on is None],
        "past_pins": [p for p in pins if p.unpinned_on is not None][:10],
        "boost_tasks": list(
            BoostTask.objects.visible_to(actor).filter(account=account, status=BoostTaskStatus.OPEN).order_by("due_on")
        ),
        "rules": list(ReplyRule.objects.visible_to(actor).filter(account=account).order_by("priority", "id")),
        "recent_messages": list(
            InboxMessage.objects.visible_to(actor)
            .filter(account=account)
            .select_related("matched_rule")
            .order_by("-received_at")[:20]
        ),
        "campaigns": list(
            with_money(AdCampaign.objects.visible_to(actor).filter(account=account)).order_by("-starts_on")
        ),
    }


def advanced_operations_dashboard(actor: Actor) -> dict:
    """What the chapter 7 landing page shows."""
    today = actor.agency.today()
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
