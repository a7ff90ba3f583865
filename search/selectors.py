"""The search: one query over the rows of every app that hold text a person looks for, within what
that person may see.

Each kind names its model, the role-table resource whose ``view`` it needs, the text columns it
searches (the columns of the model's ``TrigramIndex``), how a row is shown and which page opens it.
Rows come from ``Model.objects.visible_to(actor)``: the actor's agency, and for client people their
client only (a kind with no client path, such as the influencer registry, shows them nothing).

How text is matched: the query is split into words (at most ``MAX_TERMS``); a row matches when each
word is found in one of its columns. On PostgreSQL a word of ``TRIGRAM_MIN_CHARS`` characters or
more is matched with ``ILIKE '%word%'``, which the GIN trigram index of the model answers for the
agency (pg_trgm, by any part of a word, Chinese included); a shorter word has no trigram, so it is
matched with ``icontains`` (``UPPER(col) LIKE``), which the planner answers from the agency's rows
(the agency-first btree indexes), not from a scan of the whole trigram index. On SQLite (the
embedded default) every word is matched with ``icontains``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.db import connection, models
from django.db.models import Count, Q, Window
from django.db.models.lookups import Lookup
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.text import capfirst

from accounts_ops.models import InboxMessage, VideoComment
from agency.roles import VIEW
from agency.tenancy import Actor
from clients.models import Client, PlatformAccount, Video
from extensions.models import Influencer
from production.models import VideoProject
from records.models import Asset, DailyInspection, ImageRecord, UsageRecord

MAX_QUERY_CHARS = 100  # longer input is cut: nobody types more into a search box
MAX_TERMS = 5  # words of the query, each of which a row must contain
TRIGRAM_MIN_CHARS = 3  # pg_trgm indexes three-character trigrams; shorter words fall back (above)
RESULTS_PER_KIND = 10  # rows shown per kind on the results page and by default in the API
MAX_RESULTS_PER_KIND = 100  # one kind asked for alone (``kind=``), or the API's ``limit``
EXCERPT_CHARS = 80  # the part of a long text shown around the word found


class ContainsPart(Lookup):
    """``col ILIKE '%word%'``: the form a pg_trgm GIN index answers (Django's ``icontains`` is
    ``UPPER(col) LIKE``, which no index on the column serves). The right-hand side is the pattern,
    its own ``%``, ``_`` and ``\\`` escaped by ``like_pattern``."""

    lookup_name = "contains_part"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def terms_of(query: str) -> list[str]:
    """The words of ``query`` (whitespace separates them), each once, in order."""
    words: list[str] = []
    for word in query[:MAX_QUERY_CHARS].split():
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def word_condition(fields: tuple[str, ...], word: str) -> Q:
    """A row whose ``fields`` hold ``word`` somewhere (see the module's docstring for how)."""
    condition = Q()
    trigram = connection.vendor == "postgresql" and len(word) >= TRIGRAM_MIN_CHARS
    for name in fields:
        if trigram:
            condition |= ContainsPart(models.F(name), like_pattern(word))
        else:
            condition |= Q(**{f"{name}__icontains": word})
    return condition


def excerpt(text: str, words: list[str], width: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut to ``width`` characters around the first word found."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    lowered = text.lower()
    found = [lowered.find(w.lower()) for w in words if w and lowered.find(w.lower()) >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    end = min(len(text), start + width)
    start = max(0, end - width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def joined(*parts) -> str:
    return " · ".join(str(part) for part in parts if part not in (None, ""))


@dataclass(frozen=True)
class Kind:
    """One kind of row the search finds."""

    key: str  # in URLs and the API: ``kind=projects``
    model: type[models.Model]
    resource: str  # the role table's resource whose ``view`` the person needs (agency.roles)
    fields: tuple[str, ...]  # the text columns searched (those of the model's TrigramIndex)
    title: Callable[[models.Model, list[str]], str]
    detail: Callable[[models.Model, list[str]], str]
    url: Callable[[models.Model], str]  # the row's page (or a list showing it)
    related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("-pk",)
    # Where a client person goes when the row's page is a staff page (None: no link).
    client_url: Callable[[models.Model], str] | None = None

    @property
    def label(self) -> str:
        return capfirst(self.model._meta.verbose_name_plural)


def _list_url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _client_home(row) -> str:
    return reverse("client-area:dashboard")


KINDS: tuple[Kind, ...] = (
    Kind(
        "clients",
        Client,
        "client",
        ("name", "contact_name"),
        title=lambda row, words: row.name,
        detail=lambda row, words: joined(row.industry, row.city, row.contact_name),
        url=lambda row: row.get_absolute_url(),
        ordering=("name",),
        client_url=_client_home,
    ),
    Kind(
        "accounts",
        PlatformAccount,
        "platform_account",
        ("handle", "nickname"),
        title=lambda row, words: str(row),
        detail=lambda row, words: joined(row.nickname, row.client.name),
        url=lambda row: reverse("accounts_ops:account", args=[row.pk]),
        related=("client",),
        ordering=("handle", "pk"),
        client_url=_client_home,
    ),
    Kind(
        "videos",
        Video,
        "video",
        ("title",),
        title=lambda row, words: str(row),
        detail=lambda row, words: joined(row.account, row.published_at and row.published_at.date()),
        url=lambda row: _list_url("clients:video-list", account=row.account_id, title=row.title),
        related=("account",),
        ordering=("-published_at", "-pk"),
        client_url=_client_home,
    ),
    Kind(
        "projects",
        VideoProject,
        "video_project",
        ("title", "brief"),
        title=lambda row, words: row.title,
        detail=lambda row, words: joined(row.client.name, row.get_stage_display(), excerpt(row.brief, words)),
        url=lambda row: row.get_absolute_url(),
        related=("client",),
        ordering=("-due_date", "-pk"),
        client_url=lambda row: reverse("production:client-home"),
    ),
    Kind(
        "comments",
        VideoComment,
        "comment",
        ("text", "author_nickname"),
        title=lambda row, words: excerpt(row.text, words),
        detail=lambda row, words: joined(row.author_nickname, row.account, row.posted_at.date()),
        url=lambda row: row.get_absolute_url(),
        related=("account",),
        ordering=("-posted_at", "-pk"),
    ),
    Kind(
        "messages",
        InboxMessage,
        "inbox",
        ("text", "sender_nickname"),
        title=lambda row, words: excerpt(row.text, words) or row.sender_nickname or row.sender_uid,
        detail=lambda row, words: joined(row.sender_nickname or row.sender_uid, row.account, row.received_at.date()),
        url=lambda row: row.get_absolute_url(),
        related=("account",),
        ordering=("-received_at", "-pk"),
    ),
    Kind(
        "influencers",
        Influencer,
        "influencer",
        ("handle", "nickname", "notes"),
        title=lambda row, words: str(row),
        detail=lambda row, words: joined(row.nickname, row.category, row.city, excerpt(row.notes, words)),
        url=lambda row: row.get_absolute_url(),
        ordering=("handle", "pk"),
    ),
    Kind(
        "assets",
        Asset,
        "asset",
        ("identifier", "name", "notes"),
        title=lambda row, words: str(row),
        detail=lambda row, words: joined(row.get_kind_display(), row.location, excerpt(row.notes, words)),
        url=lambda row: row.get_absolute_url(),
        ordering=("identifier", "pk"),
    ),
    Kind(
        "inspections",
        DailyInspection,
        "inspection",
        ("problems",),
        title=lambda row, words: str(row),
        detail=lambda row, words: excerpt(row.problems, words),
        url=lambda row: row.get_absolute_url(),
        related=("account",),
        ordering=("-inspection_date", "-pk"),
    ),
    Kind(
        "usage",
        UsageRecord,
        "usage_record",
        ("note",),
        title=lambda row, words: str(row),
        detail=lambda row, words: joined(row.started_at.date(), excerpt(row.note, words)),
        url=lambda row: _list_url(
            "records:usage-list", **({"asset": row.asset_id} if row.asset_id else {"account": row.account_id})
        ),
        related=("user", "asset", "account"),
        ordering=("-started_at", "-pk"),
    ),
    Kind(
        "images",
        ImageRecord,
        "image_record",
        ("caption", "place"),
        title=lambda row, words: row.caption,
        detail=lambda row, words: joined(row.place, row.taken_on),
        url=lambda row: row.get_absolute_url(),
        ordering=("-taken_on", "-pk"),
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    detail: str
    url: str | None


@dataclass
class Group:
    kind: str
    label: str
    count: int
    results: list[Hit] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.results)


@dataclass
class Results:
    query: str
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def kinds_for(actor: Actor) -> list[Kind]:
    """The kinds whose rows ``actor``'s role may view (client people: only those with a client path)."""
    return [
        kind
        for kind in KINDS
        if actor.can(VIEW, kind.resource) and not (actor.is_client_person and kind.model.tenant_client_path is None)
    ]


def _opens_for(actor: Actor, url: str) -> bool:
    """Whether the page at ``url`` lets ``actor`` in: staff pages refuse client people and the
    client area refuses staff (``agency.views.TenantViewMixin``)."""
    try:
        view = getattr(resolve(urlsplit(url).path).func, "view_class", None)
    except Resolver404:
        return False
    if view is None or getattr(view, "allow_both", False):
        return True
    return bool(getattr(view, "client_area", False)) == actor.is_client_person


def _url_for(actor: Actor, kind: Kind, row) -> str | None:
    try:
        url = kind.url(row)
        if _opens_for(actor, url):
            return url
        return kind.client_url(row) if actor.is_client_person and kind.client_url else None
    except NoReverseMatch:
        return None


def matching(actor: Actor, kind: Kind, words: list[str]) -> models.QuerySet:
    """The rows of ``kind`` that ``actor`` may see and that hold every word."""
    queryset = kind.model.objects.visible_to(actor)
    for word in words:
        queryset = queryset.filter(word_condition(kind.fields, word))
    return queryset


def search(actor: Actor, query: str, *, kind: str | None = None, limit: int = RESULTS_PER_KIND) -> Results:
    """The rows ``actor`` may see that hold every word of ``query``, grouped by kind (the kinds with
    none left out), at most ``limit`` per kind with the count of all. ``kind`` keeps one kind."""
    query = " ".join(query[:MAX_QUERY_CHARS].split())
    words = terms_of(query)
    results = Results(query=query)
    if not words:
        return results
    limit = max(1, min(limit, MAX_RESULTS_PER_KIND))
    for each in kinds_for(actor):
        if kind and each.key != kind:
            continue
        # The count of every match comes with the first rows (``COUNT(*) OVER ()``): one query a kind.
        queryset = matching(actor, each, words).annotate(search_count=Window(Count("pk")))
        rows = list(queryset.select_related(*each.related).order_by(*each.ordering)[:limit])
        if not rows:
            continue
        count = rows[0].search_count
        hits = [
            Hit(
                kind=each.key,
                id=row.pk,
                title=each.title(row, words) or str(row),
                detail=each.detail(row, words),
                url=_url_for(actor, each, row),
            )
            for row in rows
        ]
        results.groups.append(Group(kind=each.key, label=each.label, count=count, results=hits))
    return results
