"""What chapter 7 hands to other chapters, registered once at start-up (``AppConfig.ready``).

- The platform figures of the clients' pages and dashboards (``clients.figures``): the daily
  series, totals and best videos from the daily metrics, and the charts of the client page and of
  the client area's dashboard, with the audience persona (7.3).

- The 7.1 sentiment classifier to the evaluation app, for free-text survey answers (10.1):
  ``evaluation.sentiment.register_sentiment_classifier``.
- Metric sources for the 8.3 account valuation, computed from ``AccountDailyMetric``
  (``extensions.valuation.register_metric_source``): average daily active fans and the
  engagement rate over the valuation's window. The returning-viewer share has no source here: the
  platforms' daily account figures do not report it, so it is entered with a note.

Each source runs inside the caller's agency context and answers ``None`` when the window has no
metrics for the account (the valuation then asks for the value to be entered).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Sum

from accounts_ops.selectors.metrics import top_videos
from accounts_ops.selectors.metrics_rollups import account_totals, client_totals, daily_series


def average_daily_active_fans(account, start: dt.date, end: dt.date) -> Decimal | None:
    """8.3 b): the mean of the reported daily active fans over the days that report them."""
    from accounts_ops.models import AccountDailyMetric

    row = AccountDailyMetric.objects.filter(
        account_id=account.pk, date__gte=start, date__lte=end, active_fans__isnull=False
    ).aggregate(mean=Avg("active_fans"), days=Count("id"))
    if not row["days"]:
        return None
    return Decimal(str(row["mean"]))


def engagement_rate(account, start: dt.date, end: dt.date) -> Decimal | None:
    """8.3 c), user stickiness: (likes + comments + shares) ÷ plays over the window, from the
    days that report plays; ``None`` when nothing was played."""
    from accounts_ops.models import AccountDailyMetric

    row = AccountDailyMetric.objects.filter(
        account_id=account.pk, date__gte=start, date__lte=end, plays__isnull=False
    ).aggregate(plays=Sum("plays"), likes=Sum("likes"), comments=Sum("comments"), shares=Sum("shares"))
    if not row["plays"]:
        return None
    interactions = (row["likes"] or 0) + (row["comments"] or 0) + (row["shares"] or 0)
    return Decimal(interactions) / Decimal(row["plays"])


class ClientFigures:
    """``clients.figures.FigureSource`` from the daily metrics and their rollups (``accounts_ops.selectors``)
    and the client pages' parts of ``accounts_ops.views.overview``."""

    def daily_series(self, actor, start, end, **filters):
        return daily_series(actor, start, end, **filters)

    def account_totals(self, actor, start, end, *, client_id):
        return account_totals(actor, start, end, client_id=client_id)

    def client_totals(self, actor, start, end):
        return client_totals(actor, start, end)

    def top_videos(self, actor, start, end, *, account_ids):
        return top_videos(actor, start, end, account_ids=account_ids)

    def page_figures(self, request, actor, client, accounts):
        from accounts_ops.views.overview import client_page_figures

        return client_page_figures(request, actor, client, accounts)

    def audience(self, actor, accounts):
        from accounts_ops.views.overview import client_audience

        return client_audience(actor, accounts)


def register() -> None:
    from accounts_ops.sentiment import label_only
    from clients.figures import register_figure_source

    register_figure_source(ClientFigures())

    try:
        from evaluation.sentiment import register_sentiment_classifier
    except ImportError:  # the evaluation app is not installed
        pass
    else:
        register_sentiment_classifier(label_only)
    try:
        from extensions.selectors import valuation
    except ImportError:  # the extensions app is not installed
        return
    valuation.register_metric_source(valuation.METRIC_DAILY_ACTIVE_FANS, average_daily_active_fans)
    valuation.register_metric_source(valuation.METRIC_ENGAGEMENT_RATE, engagement_rate)
