"""Clause check of 7.1, comments answered and opinion alerts handled.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.conformance.common import active_accounts, end_of_period, no_active_accounts, page_url, result_of
from accounts_ops.models.comments import AlertStatus, CommentStatus, OpinionAlert, VideoComment
from accounts_ops.rules import COMMENT_ANSWER_HOURS, COMMENT_ANSWERED_SHARE
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client


@clause_check("7.1", reads=("clients.PlatformAccount", VideoComment, OpinionAlert))
def comments_answered_and_alerts_handled(client: Client, period: Period) -> CheckResult:
    """The period's comments from users are answered (the agency's share, counting comments old
    enough to have been answered by the period's end), and every opinion alert open during the
    period was handled by its end."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    end = end_of_period(period, client)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=client.agency.tz)
    judged_until = end - dt.timedelta(hours=client.agency.setting(COMMENT_ANSWER_HOURS))
    target = client.agency.setting(COMMENT_ANSWERED_SHARE)
    figures = {
        row["account_id"]: row
        for row in VideoComment.objects.filter(
            account__in=accounts, is_from_account=False, posted_at__gte=start, posted_at__lte=judged_until
        )
        .values("account_id")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(status=CommentStatus.HANDLED, handled_at__lte=end)),
        )
    }
    alerts = list(
        OpinionAlert.objects.filter(account__in=accounts, raised_at__lte=end)
        .filter(Q(handled_at__isnull=True) | Q(handled_at__gte=start))
        .order_by("raised_at")
    )
    problems, evidence = [], []
    total = sum(row["total"] for row in figures.values())
    answered = sum(row["answered"] for row in figures.values())
    for account in accounts:
        row = figures.get(account.pk, {"total": 0, "answered": 0})
        evidence.append(
            Evidence(
                _("@%(handle)s: %(answered)d of %(total)d comments answered")
                % {"handle": account.handle, "answered": row["answered"], "total": row["total"]},
                "clients.platformaccount",
                account.pk,
                page_url("comment-list") + f"?account={account.pk}",
            )
        )
    if total and answered / total < target:
        problems.append(
            _("%(answered)d of %(total)d comments answered (%(share).0f%%), below the target of %(target).0f%%")
            % {"answered": answered, "total": total, "share": answered / total * 100, "target": target * 100}
        )
    for alert in alerts:
        handled = alert.status == AlertStatus.HANDLED and alert.handled_at is not None and alert.handled_at <= end
        evidence.append(
            Evidence(
                _("Opinion alert of %(day)s (%(share).0f%% negative): %(state)s")
                % {
                    "day": timezone.localtime(alert.raised_at, client.agency.tz).date(),
                    "share": alert.negative_share * 100,
                    "state": _("handled") if handled else _("open"),
                },
                "accounts_ops.opinionalert",
                alert.pk,
                page_url("alert-detail", alert.pk),
            )
        )
        if not handled:
            problems.append(
                _("the opinion alert of %(day)s was not handled by the period's end")
                % {"day": timezone.localtime(alert.raised_at, client.agency.tz).date()}
            )
    return result_of(
        problems,
        evidence,
        _("%(answered)d of %(total)d comments answered; %(alerts)d opinion alerts, all handled.")
        % {"answered": answered, "total": total, "alerts": len(alerts)},
    )
