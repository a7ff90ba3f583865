import json

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.filter
def attr(obj, name: str):
    """``{{ row|attr:"get_status_display" }}``: an attribute or a no-argument method."""
    value = getattr(obj, name, "")
    return value() if callable(value) else value


@register.filter
def cell(obj, name: str):
    """A list's cell: the attribute (``attr``); "—" when there is none, "yes"/"no" for a flag, and
    a zero as a zero (no rows rejected is 0, not a blank)."""
    value = attr(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
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
    return 'aria-current="page"' if current else ""


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
