"""Reads of 7.3 for its pages: the persona report beside its snapshot, and its charts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts_ops.models.audience import AudiencePersonaReport
from accounts_ops.persona import DIMENSION_WORDS, key_words
from accounts_ops.portrait import DIMENSION_NAMES
from agency.charts import BAR, Chart, Series
from agency.tenancy import Actor

BARS_SHOWN = 8  # the largest segments a dimension shows on a page


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
