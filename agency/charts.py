"""Charts as data: one JSON shape that the browser draws and the page reads out.

A selector builds a ``Chart`` (labels along the x axis, one or more ``Series``); a JSON view
returns ``chart.as_json()``, or a page embeds it with ``json_script``. In the browser,
``agency/static/agency/charts.js`` draws it with Chart.js (installed from npm by ``make install``
into ``agency/static/vendor/``). The page always renders the same data as a summary and a table
(``templates/agency/_chart.html``), which is what screen readers and browsers without scripts get.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.utils.formats import number_format
from django.utils.translation import gettext as _

LINE = "line"
BAR = "bar"
# What a series measures decides how the page sums it up in words.
LEVEL = "level"  # a count at a moment (fans): the last value and its change
FLOW = "flow"  # a count per day (plays): the total
RATE = "rate"  # a ratio (engagement rate): the last value


@dataclass
class Series:
    """One line or set of bars. ``percent``: values are percentages (0-100); ``axis``: ``"y"``
    (left) or ``"y2"`` (right, for a rate beside counts)."""

    key: str
    label: str
    values: list[float | int | None]
    style: str = LINE
    percent: bool = False
    axis: str = "y"
    measure: str = FLOW

    def known(self) -> list[float | int]:
        return [v for v in self.values if v is not None]

    @property
    def last(self) -> float | int | None:
        known = self.known()
        return known[-1] if known else None

    @property
    def first(self) -> float | int | None:
        known = self.known()
        return known[0] if known else None

    @property
    def total(self) -> float | int:
        return sum(self.known())

    @property
    def change(self) -> float | int | None:
        """Last known value minus the first: for levels (fans) the growth over the chart."""
        if self.first is None or self.last is None:
            return None
        return self.last - self.first


@dataclass
class Chart:
    """A chart: x-axis labels and the series drawn over them. ``horizontal`` bars suit long
    category labels (an audience's cities)."""

    title: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    horizontal: bool = False
    over_time: bool = True

    @property
    def has_data(self) -> bool:
        return any(s.known() for s in self.series)

    def only(self, *keys: str, title: str = "") -> Chart:
        """The same chart with only the named series (one figure per measure on a page)."""
        return replace(self, series=[s for s in self.series if s.key in keys], title=title or self.title)

    def rows(self) -> list[tuple[str, list]]:
        """The table the page shows: one row per label, one column per series."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]

    def as_json(self) -> dict:
        return {
            "title": str(self.title),
            "labels": [str(label) for label in self.labels],
            "horizontal": self.horizontal,
            "series": [
                {
                    "key": s.key,
                    "label": str(s.label),
                    "values": s.values,
                    "style": s.style,
                    "percent": s.percent,
                    "axis": s.axis,
                    "measure": s.measure,
                }
                for s in self.series
            ],
        }


def show_number(value, percent: bool = False) -> str:
    """A figure in the active language's format (grouped thousands; a percentage with its sign)."""
    if value is None:
        return "—"
    places = 0
    if isinstance(value, float) and not value.is_integer():
        places = 2 if percent else 1
        value = round(value, places)  # number_format cuts decimals off; round them instead
    text = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text}%" if percent else text


def summary(chart: Chart) -> list[str]:
    """The chart in words, one sentence per series: what a screen reader announces for the drawn
    chart and what the page shows beside it."""
    lines = []
    for s in chart.series:
        if not s.known():
            lines.append(_("%(series)s: no figures yet.") % {"series": s.label})
        elif not chart.over_time:
            top = max(range(len(s.values)), key=lambda i: s.values[i] if s.values[i] is not None else float("-inf"))
            lines.append(
                _("%(series)s: highest %(label)s, %(value)s.")
                % {"series": s.label, "label": chart.labels[top], "value": show_number(s.values[top], s.percent)}
            )
        elif s.measure == LEVEL:
            change = s.change
            lines.append(
                _("%(series)s: %(value)s on %(day)s, %(change)s since %(first)s.")
                % {
                    "series": s.label,
                    "value": show_number(s.last, s.percent),
                    "day": chart.labels[_last_index(s)],
                    "change": ("+" if change and change > 0 else "") + show_number(change, s.percent),
                    "first": chart.labels[_first_index(s)],
                }
            )
        elif s.measure == RATE:
            lines.append(
                _("%(series)s: %(value)s on %(day)s.")
                % {"series": s.label, "value": show_number(s.last, s.percent), "day": chart.labels[_last_index(s)]}
            )
        else:
            lines.append(
                _("%(series)s: %(value)s in total from %(first)s to %(last)s.")
                % {
                    "series": s.label,
                    "value": show_number(s.total, s.percent),
                    "first": chart.labels[0],
                    "last": chart.labels[-1],
                }
            )
    return lines


def _first_index(series: Series) -> int:
    return next(i for i, v in enumerate(series.values) if v is not None)


def _last_index(series: Series) -> int:
    return max(i for i, v in enumerate(series.values) if v is not None)
