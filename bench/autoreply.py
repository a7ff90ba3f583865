"""Benchmark of the 6.4 reply engine: per-message decision time with 1,000 rules on one account,
beside a plain dict lookup (the floor for "find the reply for this text").

    .venv/bin/python bench/autoreply.py [--rules 1000] [--messages 20000]

It times the compiled engine (what every incoming message goes through once its account's rules
are cached), so no database is needed. Timings are printed, never asserted: the test suite checks
which rule fires, this script shows how long deciding takes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from accounts_ops.autoreply import MESSAGE_MATCH_MAX_CHARS, compile_rules  # noqa: E402

WORDS = [
    "价格",
    "团购",
    "优惠",
    "券",
    "地址",
    "营业",
    "停车",
    "包间",
    "预约",
    "外卖",
    "辣度",
    "锅底",
    "套餐",
    "会员",
    "生日",
    "发票",
    "排队",
    "儿童",
    "WiFi",
    "宠物",
]
FILLER = "你好请问今天晚上还有位置吗我们大概四个人想吃火锅谢谢老板"


def make_rules(count: int, rng: random.Random) -> list[dict]:
    rules = []
    for n in range(count):
        kind = n % 50
        rule = {
            "id": n + 1,
            "name": f"rule {n + 1}",
            "priority": rng.randint(1, 1000),
            "reply_text": "{nickname}，您好！门店地址：{store_address}，优惠券：{coupon_link}",
            "keywords": [],
            "keyword_mode": "any",
            "pattern": "",
            "trigger": "keywords",
        }
        if kind == 0:
            rule.update(trigger="regex", pattern=rf"订单号?\s*{n}\d{{4}}")
        elif kind == 1:
            rule.update(trigger="first_contact")
        elif kind == 2:
            rule.update(trigger="outside_hours")
        else:
            rule["keywords"] = [f"{rng.choice(WORDS)}{n}", f"{rng.choice(WORDS)}{rng.choice(WORDS)}{n % 97}"]
            rule["keyword_mode"] = "all" if kind % 7 == 0 else "any"
        rules.append(rule)
    return rules


def make_messages(count: int, rules: list[dict], rng: random.Random) -> list[str]:
    keywords = [k for r in rules for k in r["keywords"]]
    messages = []
    for n in range(count):
        parts = [FILLER[: rng.randint(4, len(FILLER))]]
        if n % 3:
            parts.append(rng.choice(keywords))
        if n % 11 == 0:
            parts.append(f"订单号 {rng.randint(0, 999)}{rng.randint(1000, 9999)}")
        if n % 97 == 0:
            parts.append("长" * MESSAGE_MATCH_MAX_CHARS)  # a long message: only the capped part is read
        rng.shuffle(parts)
        messages.append("".join(parts))
    return messages


def timed(function, items) -> list[float]:
    out = []
    clock = time.perf_counter_ns
    for item in items:
        start = clock()
        function(item)
        out.append((clock() - start) / 1000)
    return out


def report(label: str, micros: list[float]) -> dict:
    ordered = sorted(micros)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    figures = {"mean_us": statistics.fmean(micros), "median_us": statistics.median(micros), "p99_us": p99}
    print(
        f"{label:<34} mean {figures['mean_us']:8.2f} µs   median {figures['median_us']:8.2f} µs"
        f"   p99 {p99:8.2f} µs   max {ordered[-1]:8.2f} µs"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--json", default="", help="also write the figures to this file (for python -m bench)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rules = make_rules(args.rules, rng)
    messages = make_messages(args.messages, rules, rng)

    start = time.perf_counter()
    compiled = compile_rules(rules)
    compile_ms = (time.perf_counter() - start) * 1000
    values = {"nickname": "小王", "store_address": "春熙路88号", "coupon_link": "https://example.com/c"}

    def engine(text):
        return compiled.decide(text, first_contact=False, outside_hours=False, values=values)

    lookup = {k: r["reply_text"] for r in rules for k in r["keywords"]}

    def plain_dict(text):
        return lookup.get(text)

    for text in messages[:500]:  # warm up
        engine(text)
        plain_dict(text)
    fired = sum(1 for text in messages if engine(text).fired)
    print(f"{len(rules)} rules compiled in {compile_ms:.1f} ms; {len(messages)} messages, {fired} answered by a rule")
    decided = report("engine.decide (1 message)", timed(engine, messages))
    looked_up = report("dict lookup of the whole text", timed(plain_dict, messages))
    if args.json:
        Path(args.json).write_text(json.dumps({"rules": len(rules), "engine": decided, "dict": looked_up}))


if __name__ == "__main__":
    main()
