"""The schema says what the live results answer: derived figures are decimal strings, or null."""

from __future__ import annotations


def test_derived_live_figures_are_nullable_decimal_strings(openapi):
    result = openapi["components"]["schemas"]["LiveSessionResult"]["properties"]
    for name in ("uv_value", "gpm", "conversion_rate"):
        assert result[name]["type"] == "string" and result[name]["nullable"] is True, name
