import datetime as dt
import json
from decimal import Decimal

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

# The shapes of every amount of money (yuan): accounts_ops' money_field (12 digits), extensions'
# (14: the 8.1 GMV and 8.3 valuations), a complaint's compensation, an asset's purchase value. A
# value of a decimal field of one of these shapes is money.
MONEY_SHAPES = frozenset({(12, 2), (14, 2)})
CURRENCY = "¥"
# Whole numbers that name rather than count (a year, a version): shown as they are, never 2,026.
NOT_COUNTS = frozenset({"year", "version", "number", "round", "slot", "position", "priority", "rank"})
EMPTY = "—"


@register.filter
def number(value, places=None):
    """A number as every page shows it, in the reader's language: thousands grouped (35,000;
    12,063.00), a decimal with its own places (or ``places``), "—" for none. Text passes through."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if places is None and isinstance(value, float):
        places = 2
    return formats.number_format(value, None if places is None else int(places), use_l10n=True, force_grouping=True)


@register.filter
def money(value, places=2):
    """An amount of yuan: ``¥6,000.00`` (two places, or ``places``: ``money:0`` for an estimate
    in whole yuan), grouped; "—" for none."""
    if value is None or value == "":
        return EMPTY
    return f"{CURRENCY}{number(Decimal(str(value)), places)}"


@register.filter
def person(user, empty=EMPTY):
    """A person by their name (full name, else the username); "—" (or ``empty``) for nobody."""
    if user is None or user == "":
        return empty
    if isinstance(user, AbstractBaseUser):
        return (user.get_full_name() if hasattr(user, "get_full_name") else "").strip() or user.get_username()
    return str(user)


@register.filter
def moment(value):
    """A date as ``2026-12-07``, a moment as ``2026-12-07 14:30`` in the current time zone (the agency's)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "Y-m-d")
    return value


def is_money_field(field) -> bool:
    return isinstance(field, models.DecimalField) and (field.max_digits, field.decimal_places) in MONEY_SHAPES


def _field(obj, name: str):
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return None
    try:
        return meta.get_field(name)
    except FieldDoesNotExist:
        return None


@register.filter
def attr(obj, name: str):
    """``{{ row|attr:"get_status_display" }}``: an attribute or a no-argument method."""
    value = getattr(obj, name, "")
    return value() if callable(value) else value


@register.filter
def cell(obj, name: str):
    """A list's cell: the attribute (``attr``); "—" when there is none, "yes"/"no" for a flag, a
    zero as a zero (no rows rejected is 0, not a blank), and the rest as every page shows it:
    numbers grouped (``number``; a year or a version as it is), amounts of money with the currency
    (``money``), people by name (``person``), dates and moments as ``moment``."""
    value = attr(obj, name)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, AbstractBaseUser):
        return person(value)
    if isinstance(value, dt.date):
        return moment(value)
    if isinstance(value, int | float | Decimal):
        field = _field(obj, name)
        if is_money_field(field):
            return money(value)
        if name in NOT_COUNTS:
            return str(value)
        return number(value)
    return value


@register.filter
def recorded_value(value):
    """A value as a record kept it (an audit trail's before and after): "∅" for none, "yes"/"no"
    for a flag in the reader's language, structured data as JSON inside ``<code>`` (data, not
    words of the page); anything else as it is."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict | list):
        return format_html("<code>{}</code>", json.dumps(value, ensure_ascii=False, default=str))
    return value


@register.simple_tag(takes_context=True)
def nav_current(context, url_name: str, exact: bool = False) -> str:
    """``aria-current="page"`` for the navigation link of the section being shown: the page at
    ``url_name`` or one under it; with ``exact``, only that page (an overview whose section's
    pages have links of their own)."""
    request = context.get("request")
    if request is None:
        return ""
    try:
        prefix = reverse(url_name)
    except Exception:
        return ""
    path = request.path
    current = path == prefix if exact or prefix == "/" else path.startswith(prefix)
    return mark_safe('aria-current="page"') if current else ""  # a fixed attribute, not data


@register.inclusion_tag("agency/_chart.html")
def chart(chart, dom_id: str, url: str = "", series: str = "", title: str = ""):
    """A chart figure (``agency.charts.Chart``): the canvas that ``agency/charts.js`` draws, its data
    fetched from ``url`` (a JSON view answering ``Chart.as_json()``) or embedded in the page, and
    the same figures as a summary and a table for screen readers and browsers without scripts.
    ``series`` (comma-separated keys) keeps only those series, under ``title``."""
    from agency.charts import summary

    if series:
        chart = chart.only(*series.split(","), title=title)
    return {
        "chart": chart,
        "dom_id": dom_id,
        "url": url,
        "series": series,
        "summary": summary(chart),
        "data_id": f"{dom_id}-data",
    }


@register.simple_tag
def chart_number(value, chart, index: int) -> str:
    """A cell of a chart's table, formatted as its series (``percent``) in the active language."""
    from agency.charts import show_number

    return show_number(value, chart.series[index].percent)


@register.inclusion_tag("agency/_trend.html")
def trend(value, percent: bool = False):
    """A figure's change on the previous period (``accounts_ops.selectors.metrics.Trend``) as an
    arrow with its percentage, spelt out for screen readers."""
    return {"trend": value, "percent": percent}


@register.inclusion_tag("agency/_job.html")
def job_progress(
    job, url: str, finished: str = "done failed", reload: bool = False, status=None, progress=None, labels=None
):
    """A long job's progress (its ``status`` and ``progress`` fields, or the ones given, with the
    status field's labels or ``labels``) that ``agency/static/agency/progress.js`` keeps up to date
    from ``url`` (JSON with at least ``status`` and ``progress``), stopping at one of the
    ``finished`` statuses; with ``reload`` the page is loaded again then, to show what the job made."""
    import json

    status = job.status if status is None else status
    if labels is None:
        labels = dict(job._meta.get_field("status").choices)
    labels = {str(k): str(v) for k, v in labels.items()}
    return {
        "url": url,
        "status": status,
        "status_label": labels.get(status, status),
        "progress": job.progress if progress is None else progress,
        "finished": finished,
        "finished_list": finished.split(),
        "labels": json.dumps(labels, ensure_ascii=False),
        "reload": reload,
    }
