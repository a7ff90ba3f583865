"""The cells of the generic list pages: nothing is a dash, a flag is yes or no, a zero is a zero;
and numbers, money, people and dates shown the same on every page, in both languages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from agency.templatetags.agency_tags import cell, money, number, person


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
        ("zero", "0"),
        ("money", "0.00"),
        ("on", "yes"),
        ("off", "no"),
        ("day", "2026-11-26"),
        ("get_status_display", "Done"),
    ],
)
def test_a_list_cell_shows_what_the_row_holds(name, shown):
    assert cell(Row(), name) == shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_numbers_are_grouped_in_both_languages_and_a_year_is_not(language):
    with translation.override(language):
        assert number(35000) == "35,000"
        assert number(Decimal("12063.00")) == "12,063.00"
        assert number(Decimal("0.3500")) == "0.3500"  # a share keeps its places
        assert number(2.5) == "2.50"
        assert number(None) == "—" and number("text") == "text"
        assert money(Decimal("6000")) == "¥6,000.00" and money(6000.5) == "¥6,000.50" and money(None) == "—"


def test_a_model_rows_cells_know_money_counts_years_and_moments():
    from accounts_ops.models import AdCampaign
    from clients.models import PlatformAccount
    from evaluation.models import EvaluationCampaign

    with translation.override("en"):
        assert cell(AdCampaign(budget=Decimal("6000.00")), "budget") == "¥6,000.00"
        assert cell(PlatformAccount(followers=35000), "followers") == "35,000"
        assert cell(EvaluationCampaign(year=2026), "year") == "2026"
        moment = dt.datetime(2026, 12, 7, 2, 30, tzinfo=dt.UTC)
        with timezone.override("Asia/Shanghai"):
            assert cell(PlatformAccount(followers_updated_at=moment), "followers_updated_at") == "2026-12-07 10:30"
            assert cell(type("Row", (), {"on": moment.date()})(), "on") == "2026-12-07"


def test_people_are_named_by_their_name_else_their_username():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    assert person(user_model(username="li_na", first_name="李娜")) == "李娜"
    assert person(user_model(username="wang")) == "wang"
    assert person(None) == "—"

    class Row:
        custodian = user_model(username="zhao", first_name="赵", last_name="")

    assert cell(Row(), "custodian") == "赵"
