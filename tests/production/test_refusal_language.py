"""A refusal reads in the language of whoever reads it, whoever's language it was recorded in."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from production.rules import (
    clip_duplicate_failure,
    clip_rule_failures,
    failure_message,
    script_missing_parts,
    shoot_clip_count_problem,
)


def recorded_in_english():
    with translation.override("en"):
        failures = clip_rule_failures(display_width=1920, display_height=1080, duration_seconds=Decimal("6"))
        failures.append(clip_duplicate_failure(clip_id=7, clip_name="take-1.mp4", sha256="ab" * 32))
        return [failure.as_dict() for failure in failures]


def test_a_clip_refused_in_english_reads_in_chinese():
    stored = recorded_in_english()
    assert [item["message"] for item in stored] == [
        "resolution 1920x1080 is below 4K (3840x2160 or 2160x3840)",
        "duration 6 s is below 7 s",
        "the same content as clip “take-1.mp4” (SHA-256 abababababab…): the same footage counts once",
    ]
    with translation.override("zh-hans"):
        assert [failure_message(item) for item in stored] == [
            "分辨率 1920x1080 低于 4K（3840x2160 或 2160x3840）",
            "时长 6 秒，短于 7 秒",
            "与素材“take-1.mp4”内容相同（SHA-256 abababababab…）：相同的素材只计一次",
        ]


def test_a_failure_kept_before_its_text_had_a_key_reads_as_recorded():
    with translation.override("zh-hans"):
        assert failure_message({"rule": "readable", "message": "the file is missing"}) == "the file is missing"


def test_the_gates_say_what_is_missing_in_the_readers_language():
    script = SimpleNamespace(topic="", topic_basis="", scene_concept="", screenplay="x")
    with translation.override("zh-hans"):
        assert script_missing_parts(script, shot_count=0) == [
            "a) 选题：尚未确定选题",
            "b) 场景构思：未填写",
            "d) 分镜：没有镜头",
        ]
        assert shoot_clip_count_problem(shoot_label="拍摄 1", accepted=7) == (
            "拍摄 1 有 7 个合格素材；至少需要 8 个（还差 1 个）"
        )
    with translation.override("en"):
        assert script_missing_parts(script, shot_count=0)[0] == "a) topic: no topic chosen"
