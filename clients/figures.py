"""The platform figures the clients' pages and dashboards show, from a source registered at start-up.

The figures are the platforms' daily metrics, which chapter 7 keeps (``accounts_ops``, an app above
this one): ``accounts_ops.hooks`` registers its ``FigureSource`` here (``AppConfig.ready``), and
``clients`` never imports it. The client page, the client area's dashboard and the dashboards of
the API (``clients.selectors``) ask ``figure_source()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from agency.tenancy import Actor


class FigureSource(Protocol):
    def daily_series(self, actor: Actor, start: dt.date, end: dt.date, **filters) -> list[dict]:
        """The summed figures per date of the accounts matched by ``filters`` (``client_id=...``, or
        the whole agency)."""

    def account_totals(self, actor: Actor, start: dt.date, end: dt.date, *, client_id: int) -> dict[int, dict]:
        """The period's totals of each account of the client, by account id."""

    def client_totals(self, actor: Actor, start: dt.date, end: dt.date) -> list[dict]:
        """The clients with the most plays in the period, with their totals."""

    def top_videos(self, actor: Actor, start: dt.date, end: dt.date, *, account_ids: list[int]) -> list[dict]:
        """The best videos of those accounts in the period."""

    def page_figures(self, request, actor: Actor, client, accounts: list) -> dict:
        """The template context of a client's charts and of each account's key figures."""

    def audience(self, actor: Actor, accounts: list) -> dict:
        """The template context of the audience persona (7.3) of the client's largest account."""


_source: FigureSource | None = None


def register_figure_source(source: FigureSource) -> None:
    global _source
    _source = source


def figure_source() -> FigureSource:
    if _source is None:
        raise LookupError("No app registered the platform figures (clients.figures.register_figure_source).")
    return _source
