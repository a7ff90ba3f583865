"""A valuation's explanation reads in the reader's language: its formula terms, the adverse
events' kinds and severities (stored once, in the source language, with their figures)."""

from __future__ import annotations

from django.utils import translation

from extensions.models import ValuationFactor, ValuationFactorKind
from extensions.selectors.valuation import render_step


def test_the_formula_terms_and_the_events_read_in_chinese():
    adverse = ValuationFactor(
        factor=ValuationFactorKind.ADVERSE_EVENTS,
        value="2",
        source_detail="#3 2026-01-02 traffic_limit (minor); #9 2026-02-11 ban (severe)",
        effect_text="score 0.60 × weight 0.15 → -6.00%",
    )
    platform = ValuationFactor(
        factor=ValuationFactorKind.PLATFORM,
        value="douyin",
        source_detail="@laojie_hotpot · ¥0.80 / active fan",
        effect_text="base × ¥0.80 per active fan",
    )
    fans = ValuationFactor(
        factor=ValuationFactorKind.DAILY_ACTIVE_FANS, value="12,000", effect_text="base = 12,000 × ¥0.80 = ¥9,600"
    )
    step = {
        "key": "adverse_events",
        "params": {"since": "2025-03-01", "count": "2", "discounts": "minor −0.05, severe −0.35", "score": "0.60"},
    }
    with translation.override("zh-hans"):
        assert adverse.effect_display == "得分 0.60 × 权重 0.15 → -6.00%"
        assert adverse.source_detail_display == "#3 2026-01-02 限流（轻微）; #9 2026-02-11 封号或暂停使用（严重）"
        assert platform.effect_display == "基础价值 × 每活跃粉丝 ¥0.80"
        assert platform.source_detail_display == "@laojie_hotpot · 每活跃粉丝 ¥0.80"
        assert fans.effect_display == "基础价值 = 12,000 × ¥0.80 = ¥9,600"
        assert "minor" not in render_step(step) and "轻微" in render_step(step)
    with translation.override("en"):
        assert adverse.effect_display == "score 0.60 × weight 0.15 → -6.00%"
        assert adverse.source_detail_display.startswith("#3 2026-01-02 Traffic limit (Minor)")


def test_words_of_another_shape_read_as_written():
    note = ValuationFactor(factor=ValuationFactorKind.STYLE, value="clear", source_detail="店主自述", effect_text="x")
    with translation.override("zh-hans"):
        assert note.source_detail_display == "店主自述" and note.effect_display == "x"
