"""Reads for the production pages: the board, the calendar, a project's cockpit, a review thread
and the client's own view. Each runs a fixed number of queries, whatever the number of rows.

One module per part of the chapter (``projects``, ``shoots``, ``post``, ``review``, ``publishing``)
and ``common`` for what they share. Code inside production imports from the topic modules; this
package still re-exports their names for callers outside it.
"""

from __future__ import annotations

from production.selectors.common import PROBED, PROBING
from production.selectors.post import cut_probing
from production.selectors.projects import (
    BOARD_PUBLISHED_LIMIT,
    board,
    calendar_month,
    client_production,
    project_cockpit,
    projects_for_board,
)
from production.selectors.publishing import calendar_posts, project_publications
from production.selectors.review import review_thread
from production.selectors.shoots import shoot_probing

__all__ = [
    "PROBED",
    "PROBING",
    "cut_probing",
    "BOARD_PUBLISHED_LIMIT",
    "board",
    "calendar_month",
    "client_production",
    "project_cockpit",
    "projects_for_board",
    "calendar_posts",
    "project_publications",
    "review_thread",
    "shoot_probing",
]
