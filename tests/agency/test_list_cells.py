"""The cells of the generic list pages: nothing is a dash, a flag is yes or no, a zero is a zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from agency.templatetags.agency_tags import cell


class Row:
    empty = ""
    none = None
    zero = 0
    money = Decimal("0.00")
    on = True
    off = False
    day = dt.date(2026, 11, 26)

    def get_status_display(self):
        return "Done"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("empty", "—"),
        ("none", "—"),
        ("missing", "—"),
        ("zero", 0),
        ("money", Decimal("0.00")),
        ("on", "yes"),
        ("off", "no"),
        ("day", dt.date(2026, 11, 26)),
        ("get_status_display", "Done"),
    ],
)
def test_a_list_cell_shows_what_the_row_holds(name, shown):
    assert cell(Row(), name) == shown
