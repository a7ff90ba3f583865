"""Clause 6.4: the private-message reply engine.

For each incoming message the engine picks the active rule with the lowest priority number that
matches it (ties: the older rule) and renders its reply. It must stay fast with many rules, so an
account's rules are compiled once into:

- one Aho-Corasick automaton over every keyword of every keyword rule (one pass over the message,
  whatever the number of rules), and
- the few other rules (patterns, first contact, outside business hours, fallback) in priority
  order, tried only while they could still beat the best keyword match.

The compiled form is cached per process, keyed by the account's rules version (count, last
change, last id), so a changed rule is picked up on the next message in every process.

Patterns are refused at save when they do not compile or could run for a long time; messages are
matched on their first ``MESSAGE_MATCH_MAX_CHARS`` characters only.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import ahocorasick
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from accounts_ops.models.inbox import WEEKDAYS, AutoReplySettings, KeywordMode, ReplyRule, ReplyTrigger

try:  # the parser of the re module (named sre_parse before Python 3.11)
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as sre
    import sre_parse

# 6.4: the numbers that keep matching fast and safe. A message is matched on its first 500
# characters; a pattern is at most 200 characters, with at most one unbounded repetition and no
# nesting of repetitions or repeated alternation (the shapes that backtrack catastrophically).
MESSAGE_MATCH_MAX_CHARS = 500  # 6.4
REGEX_MAX_PATTERN_CHARS = 200  # 6.4
REGEX_MAX_UNBOUNDED_REPEATS = 1  # 6.4
REGEX_LARGE_REPEAT = 50  # 6.4: {n,m} with m above this counts as unbounded
KEYWORD_MAX_CHARS = 50  # 6.4
KEYWORDS_PER_RULE_MAX = 100  # 6.4
REPLY_MAX_CHARS = 1000  # 6.4
PLACEHOLDERS = ("nickname", "store_address", "coupon_link")  # 6.4: what a reply may name
CACHE_MAX_ACCOUNTS = 1024


# --- checks at save --------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Full-width and half-width forms compare equal; case does not matter."""
    return unicodedata.normalize("NFKC", text).casefold()


def pattern_risk(pattern: str) -> str | None:
    """Why ``pattern`` could run for a long time, or None. Assumes it compiles."""
    if len(pattern) > REGEX_MAX_PATTERN_CHARS:
        return _("The pattern is %(length)d characters long; at most %(max)d are allowed.") % {
            "length": len(pattern),
            "max": REGEX_MAX_PATTERN_CHARS,
        }
    unbounded = 0

    def is_big(high) -> bool:
        return high == sre.MAXREPEAT or high > REGEX_LARGE_REPEAT

    def has_branch(items) -> bool:
        for op, av in items:
            if op is sre.BRANCH:
                return True
            if op is sre.SUBPATTERN and has_branch(av[-1]):
                return True
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and has_branch(av[2]):
                return True
            if op is sre.ATOMIC_GROUP and has_branch(av):
                return True
        return False

    def walk(items, outer_big: bool, outer_repeats: bool) -> str | None:
        nonlocal unbounded
        for op, av in items:
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                low, high, body = av
                big = is_big(high)
                unbounded += big
                if outer_repeats and low != high and (big or outer_big):
                    return _("Nested repetition such as (a+)+ can take exponential time; repeat once.")
                if big and has_branch(body):
                    return _(
                        "A repeated alternation such as (a|ab)* can take exponential time; "
                        "use a character class such as [ab]* or list the words without repeating them."
                    )
                found = walk(body, outer_big or big, outer_repeats or high > 1)
                if found:
                    return found
            elif op is sre.SUBPATTERN:
                found = walk(av[-1], outer_big, outer_repeats)
                if found:
                    return found
            elif op is sre.BRANCH:
                for alternative in av[1]:
                    found = walk(alternative, outer_big, outer_repeats)
                    if found:
                        return found
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                found = walk(av[1], outer_big, outer_repeats)
                if found:
                    return found
            elif op is sre.ATOMIC_GROUP:
                found = walk(av, outer_big, outer_repeats)
                if found:
                    return found
            elif op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
                return _("Back-references such as \\1 are not allowed; they can take exponential time.")
        return None

    found = walk(sre_parse.parse(pattern), False, False)
    if found:
        return found
    if unbounded > REGEX_MAX_UNBOUNDED_REPEATS:
        return _(
            "The pattern repeats without bound %(count)d times (.*, +, {n,}); at most %(max)d is allowed, "
            "more can take a long time on a long message."
        ) % {"count": unbounded, "max": REGEX_MAX_UNBOUNDED_REPEATS}
    return None


def validate_pattern(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValidationError({"pattern": _("The pattern does not compile: %(error)s.") % {"error": exc}})
    except (OverflowError, RecursionError):
        raise ValidationError({"pattern": _("The pattern does not compile: it is too large.")})
    risk = pattern_risk(pattern)
    if risk:
        raise ValidationError({"pattern": risk})


def validate_reply_text(text: str) -> None:
    if len(text) > REPLY_MAX_CHARS:
        raise ValidationError(
            {
                "reply_text": _("The reply is %(length)d characters; at most %(max)d.")
                % {"length": len(text), "max": REPLY_MAX_CHARS}
            }
        )
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError({"reply_text": _("The reply's braces do not pair up: %(error)s.") % {"error": exc}})
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise ValidationError(
                {
                    "reply_text": _("Unknown placeholder {%(name)s}; use %(known)s.")
                    % {"name": name, "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)}
                }
            )


def validate_rule(rule: ReplyRule) -> None:
    """The rule's own invariants (called by ``ReplyRule.clean``)."""
    errors: dict[str, str] = {}
    keywords = rule.keywords
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        errors["keywords"] = _("Keywords are a list of texts.")
    elif rule.trigger == ReplyTrigger.KEYWORDS:
        cleaned = [k.strip() for k in keywords]
        if not cleaned or not all(cleaned):
            errors["keywords"] = _("A keyword rule needs at least one keyword, and no empty one.")
        elif len(cleaned) > KEYWORDS_PER_RULE_MAX:
            errors["keywords"] = _("%(count)d keywords; at most %(max)d per rule.") % {
                "count": len(cleaned),
                "max": KEYWORDS_PER_RULE_MAX,
            }
        elif any(len(k) > KEYWORD_MAX_CHARS for k in cleaned):
            errors["keywords"] = _("A keyword is at most %(max)d characters.") % {"max": KEYWORD_MAX_CHARS}
    elif keywords:
        errors["keywords"] = _("Keywords apply only to keyword rules.")
    if rule.trigger == ReplyTrigger.REGEX:
        if not rule.pattern:
            errors["pattern"] = _("A pattern rule needs a regular expression.")
        else:
            try:
                validate_pattern(rule.pattern)
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
    elif rule.pattern:
        errors["pattern"] = _("A regular expression applies only to pattern rules.")
    try:
        validate_reply_text(rule.reply_text or "")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


# --- business hours ----------------------------------------------------------------------------


def within_business_hours(
    moment: dt.datetime, *, tz: ZoneInfo, opens_at: dt.time | None, closes_at: dt.time | None, days=None
) -> bool:
    """Whether ``moment`` falls in the business window, read in ``tz`` (the agency's time zone).

    A window whose closing time is earlier than its opening time runs past midnight: the window
    that opens on a business day at 20:00 and closes at 02:00 covers 01:00 of the next day, even
    when that next day is not itself a business day. Equal times mean open all day. No hours set:
    always open."""
    if opens_at is None or closes_at is None:
        return True
    days = set(days or WEEKDAYS)
    local = moment.astimezone(tz)
    now, weekday = local.time(), local.isoweekday()
    if opens_at == closes_at:
        return weekday in days
    if opens_at < closes_at:
        return weekday in days and opens_at <= now < closes_at
    if now >= opens_at:
        return weekday in days
    if now < closes_at:
        previous_day = 7 if weekday == 1 else weekday - 1
        return previous_day in days
    return False


# --- the compiled engine -----------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    trigger: str
    priority: int
    reply_text: str
    keywords: tuple[str, ...]
    all_keywords: bool
    pattern: re.Pattern | None


@dataclass(frozen=True)
class Decision:
    """What the engine decided for one message: the rule that fired (or none), why, and the reply."""

    rule_id: int | None
    rule_name: str
    reason: str
    reply: str

    @property
    def fired(self) -> bool:
        return self.rule_id is not None


NO_RULE = Decision(None, "", "", "")


class CompiledRules:
    """An account's active rules, compiled for matching."""

    def __init__(self, rules: list[CompiledRule]):
        self.rules = sorted(rules, key=lambda r: (r.priority, r.id))
        self.automaton = None
        self.needed: dict[int, int] = {}
        self.keywords: dict[int, tuple[str, ...]] = {}
        self.others: list[int] = []
        entries: dict[str, list[tuple[int, int]]] = {}
        for position, rule in enumerate(self.rules):
            if rule.trigger == ReplyTrigger.KEYWORDS:
                distinct = tuple(dict.fromkeys(normalise(k.strip()) for k in rule.keywords if k.strip()))
                self.keywords[position] = distinct
                self.needed[position] = len(distinct) if rule.all_keywords else 1
                for index, keyword in enumerate(distinct):
                    entries.setdefault(keyword, []).append((position, index))
            else:
                self.others.append(position)
        if entries:
            automaton = ahocorasick.Automaton()
            for keyword, owners in entries.items():
                automaton.add_word(keyword, tuple(owners))
            automaton.make_automaton()
            self.automaton = automaton

    def __len__(self) -> int:
        return len(self.rules)

    def decide(
        self, text: str, *, first_contact: bool, outside_hours: bool, values: dict[str, str] | None = None
    ) -> Decision:
        text = (text or "")[:MESSAGE_MATCH_MAX_CHARS]
        best: int | None = None
        best_reason = ""
        if self.automaton is not None and text:
            seen: dict[int, set[int]] = {}
            for _end, owners in self.automaton.iter(normalise(text)):
                for position, index in owners:
                    if best is not None and position >= best:
                        continue
                    if self.needed[position] > 1:
                        found = seen.setdefault(position, set())
                        found.add(index)
                        if len(found) < self.needed[position]:
                            continue
                        best_reason = _("all keywords: %(keywords)s") % {"keywords": ", ".join(self.keywords[position])}
                    else:
                        best_reason = _("keyword “%(keyword)s”") % {"keyword": self.keywords[position][index]}
                    best = position
        for position in self.others:
            if best is not None and position > best:
                break
            rule = self.rules[position]
            reason = ""
            if rule.trigger == ReplyTrigger.REGEX:
                if rule.pattern is not None and rule.pattern.search(text):
                    reason = _("pattern %(pattern)s") % {"pattern": rule.pattern.pattern}
            elif rule.trigger == ReplyTrigger.FIRST_CONTACT:
                reason = _("first contact") if first_contact else ""
            elif rule.trigger == ReplyTrigger.OUTSIDE_HOURS:
                reason = _("outside business hours") if outside_hours else ""
            elif rule.trigger == ReplyTrigger.ANY:
                reason = _("fallback for any message")
            if reason:
                best, best_reason = position, reason
                break
        if best is None:
            return NO_RULE
        rule = self.rules[best]
        return Decision(rule.id, rule.name, best_reason, render_reply(rule.reply_text, values or {}))


def render_reply(template: str, values: dict[str, str]) -> str:
    known = {name: values.get(name, "") or "" for name in PLACEHOLDERS}
    try:
        return template.format_map(known)
    except (KeyError, ValueError, IndexError, AttributeError):
        return template


def compile_rules(rules) -> CompiledRules:
    """Compile rows (``ReplyRule`` instances or dicts of their values) into the matching form."""
    compiled = []
    for rule in rules:
        get = rule.get if isinstance(rule, dict) else lambda name, r=rule: getattr(r, name)
        pattern = None
        if get("trigger") == ReplyTrigger.REGEX and get("pattern"):
            try:
                pattern = re.compile(get("pattern"))
            except re.error:
                continue  # refused at save; never let one bad row stop the others
        compiled.append(
            CompiledRule(
                id=get("id"),
                name=get("name"),
                trigger=get("trigger"),
                priority=get("priority"),
                reply_text=get("reply_text"),
                keywords=tuple(get("keywords") or ()),
                all_keywords=get("keyword_mode") == KeywordMode.ALL,
                pattern=pattern,
            )
        )
    return CompiledRules(compiled)


_cache: OrderedDict[int, tuple[tuple, CompiledRules]] = OrderedDict()
_cache_lock = threading.Lock()

RULE_FIELDS = ("id", "name", "trigger", "priority", "reply_text", "keywords", "keyword_mode", "pattern")


def rules_version(account_id: int) -> tuple:
    """Changes whenever a rule of the account is added, changed or removed."""
    found = ReplyRule.objects.filter(account_id=account_id).aggregate(
        count=Count("id"), changed=Max("updated_at"), last=Max("id")
    )
    return (found["count"], found["changed"], found["last"])


def compiled_rules_for(account_id: int) -> CompiledRules:
    """The account's active rules, compiled; from the process cache while the version holds."""
    version = rules_version(account_id)
    with _cache_lock:
        hit = _cache.get(account_id)
        if hit is not None and hit[0] == version:
            _cache.move_to_end(account_id)
            return hit[1]
    rows = ReplyRule.objects.filter(account_id=account_id, is_active=True).values(*RULE_FIELDS)
    compiled = compile_rules(list(rows))
    with _cache_lock:
        _cache[account_id] = (version, compiled)
        _cache.move_to_end(account_id)
        while len(_cache) > CACHE_MAX_ACCOUNTS:
            _cache.popitem(last=False)
    return compiled


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def decide(
    *,
    account_id: int,
    text: str,
    first_contact: bool,
    at: dt.datetime,
    tz: ZoneInfo,
    settings: AutoReplySettings | None,
    nickname: str = "",
) -> Decision:
    """The reply decision for one message to ``account_id`` received ``at``."""
    outside = False
    if settings is not None:
        outside = not within_business_hours(
            at, tz=tz, opens_at=settings.opens_at, closes_at=settings.closes_at, days=settings.business_days
        )
    values = {
        "nickname": nickname,
        "store_address": settings.store_address if settings else "",
        "coupon_link": settings.coupon_link if settings else "",
    }
    return compiled_rules_for(account_id).decide(
        text, first_contact=first_contact, outside_hours=outside, values=values
    )
