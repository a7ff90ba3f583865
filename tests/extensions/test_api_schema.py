"""The schema says what the live results answer: derived figures are decimal strings, or null."""

from __future__ import annotations

import yaml
from django.core.management import call_command


def test_derived_live_figures_are_nullable_decimal_strings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    result = yaml.safe_load(target.read_text())["components"]["schemas"]["LiveSessionResult"]["properties"]
    for name in ("uv_value", "gpm", "conversion_rate"):
        assert result[name]["type"] == "string" and result[name]["nullable"] is True, name
