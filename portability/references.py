"""Row ids that live outside foreign keys, for an agency's export and import (``portability.services``).

An import gives every row a new id, so every place that names a row by its id has to be
translated. Foreign keys (and generic foreign keys) are found from the models themselves; what
this module declares is the rest: ids kept inside JSON (what a gate found, the evidence of a
frozen conformance month, the team at the start of a live session, the filters of an export)
and inside the links such JSON keeps.

Every JSON field of every tenant model must be listed in ``REFERENCES``: with the function that
translates its ids, or with ``None`` when it holds none. An unlisted one stops the export with
its name (``portability.services.common.model_plans``), so a new JSON field cannot silently keep ids that
point at other rows after an import. A translation function is called as
``fn(value, remap, row)``: ``remap`` translates ids (``remap.row(label, id)``, ``remap.url``),
``row`` is the whole row as stored in the archive.

Free text is never rewritten: a label or note that quotes an id keeps quoting the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import django_filters
from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from records.exports.datasets import DATASETS

if TYPE_CHECKING:
    from portability.services.common import Remap

USERS = settings.AUTH_USER_MODEL.lower()

Transform = Callable[[Any, Any, dict], Any]


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def at_paths(spec: dict[str, str]) -> Transform:
    """Translate the ids found at dotted paths of a JSON value; ``*`` is every item of a list or
    every value of an object. A path that is absent, or holds something other than an integer
    (null, a nested object), is left as it is."""
    compiled = [(path.split("."), label) for path, label in spec.items()]

    def transform(value, remap, row):
        for parts, label in compiled:
            value = _map_path(value, parts, lambda old, label=label: remap.row(label, old))
        return value

    return transform


def _map_path(node, parts: list[str], translate):
    if not parts:
        return translate(node) if is_id(node) else node
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(node, list):
            return [_map_path(item, rest, translate) for item in node]
        if isinstance(node, dict):
            return {key: _map_path(item, rest, translate) for key, item in node.items()}
        return node
    if isinstance(node, dict) and head in node:
        return {**node, head: _map_path(node[head], rest, translate)}
    return node


def _ids_in_text(raw, label: str, remap):
    """An id given as a filter value: an integer, digits, comma-separated digits, or a list."""
    if is_id(raw):
        return remap.row(label, raw)
    if isinstance(raw, list):
        return [_ids_in_text(item, label, remap) for item in raw]
    if isinstance(raw, str) and raw and all(part.strip().isdigit() for part in raw.split(",")):
        return ",".join(str(remap.row(label, int(part))) for part in raw.split(","))
    return raw


# --- links -----------------------------------------------------------------------------------

# Query parameters that name a row in the links the product stores (``?account=12``).
QUERY_PARAMETERS = {"account": "clients.platformaccount", "client": "clients.client"}

# The row each integer argument of a page's URL names, for pages whose view does not say it by
# its ``model`` (a view with ``model`` or ``queryset`` needs no entry: its ``pk`` is that model's).
URL_ARGUMENTS: dict[str, dict[str, str]] = {
    "conformance-client": {"pk": "clients.client"},
    "conformance-report-download": {"pk": "reports.conformancereport"},
    "clients:requirement-action": {"pk": "clients.clientrequirement"},
    "production:project-detail": {"pk": "production.videoproject"},
    "production:project-update": {"pk": "production.videoproject"},
    "production:project-action": {"pk": "production.videoproject"},
    "production:shoot-create": {"pk": "production.videoproject"},
    "production:script-detail": {"pk": "production.script"},
    "production:script-action": {"pk": "production.script"},
    "production:shoot-detail": {"pk": "production.shoot"},
    "production:clip-delete": {"pk": "production.clip"},
    "production:step-update": {"pk": "production.postproductionstep"},
    "production:review-detail": {"pk": "production.reviewround"},
    "production:publication-action": {"pk": "production.publication"},
    "production:review-action": {"pk": "production.reviewround"},
    "accounts_ops:account": {"pk": "clients.platformaccount"},
    "accounts_ops:profile-detail": {"pk": "accounts_ops.profilechange"},
    "accounts_ops:pin-plan": {"pk": "accounts_ops.pinnedvideo"},
    "accounts_ops:pin-unpin": {"pk": "accounts_ops.pinnedvideo"},
    "accounts_ops:rule-update": {"pk": "accounts_ops.replyrule"},
    "accounts_ops:settings": {"account": "clients.platformaccount"},
    "accounts_ops:inbox-detail": {"pk": "accounts_ops.inboxmessage"},
    "accounts_ops:deal-update": {"pk": "accounts_ops.groupbuydeal"},
    "accounts_ops:poi-update": {"pk": "accounts_ops.poilink"},
    "accounts_ops:promotion-complete": {"pk": "accounts_ops.promotiontask"},
    "accounts_ops:campaign-detail": {"pk": "accounts_ops.adcampaign"},
    "accounts_ops:comment-detail": {"pk": "accounts_ops.videocomment"},
    "accounts_ops:alert-detail": {"pk": "accounts_ops.opinionalert"},
    "accounts_ops:conversation-detail": {"pk": "accounts_ops.conversation"},
    "accounts_ops:saved-reply-update": {"pk": "accounts_ops.savedreply"},
    "accounts_ops:plan-detail": {"pk": "accounts_ops.contentplan"},
    "accounts_ops:persona-detail": {"pk": "accounts_ops.audiencepersonareport"},
    "accounts_ops:import-detail": {"pk": "accounts_ops.dataimport"},
    "extensions:live-update": {"pk": "extensions.livesession"},
    "extensions:live-action": {"pk": "extensions.livesession"},
    "extensions:campaign-book": {"pk": "extensions.storevisitcampaign"},
    "extensions:booking-action": {"pk": "extensions.storevisitbooking"},
    "extensions:valuation-recompute": {"pk": "extensions.accountvaluation"},
    "extensions:client-valuation": {"pk": "extensions.accountvaluation"},
    "records:asset-action": {"pk": "records.asset"},
    "records:inspection-action": {"pk": "records.dailyinspection"},
    "records:image-file": {"pk": "records.imagerecord"},
    "records:export-download": {"pk": "records.exportjob"},
    "evaluation:campaign-qr": {"pk": "evaluation.evaluationcampaign"},
    "evaluation:question-remove": {"pk": "evaluation.question"},
    "evaluation:action-step": {"pk": "evaluation.improvementaction"},
}


class UnmappedLink(ValueError):
    """A stored link names a row in a way this module does not know how to translate."""


def url_argument_model(match, name: str) -> str | None:
    declared = URL_ARGUMENTS.get(match.view_name, {})
    if name in declared:
        return declared[name]
    if name == "pk":
        view_class = getattr(match.func, "view_class", None)
        model = getattr(view_class, "model", None)
        queryset = getattr(view_class, "queryset", None)
        if model is None and queryset is not None:
            model = queryset.model
        if model is not None:
            return model._meta.label_lower
    return None


def translate_url(url: str, row_id: Callable[[str, int], int]) -> str:
    """The link with every row id in its path and query translated; ``UnmappedLink`` when an
    integer in its path cannot be told apart from a row id."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return url  # a link elsewhere names no row of ours
    path = parts.path
    try:
        match = resolve(path)
    except Resolver404:
        if any(segment.isdigit() for segment in path.split("/")):
            raise UnmappedLink(f"{url}: no page of this product answers it, yet it names an id.")
        match = None
    if match is not None and match.args:
        raise UnmappedLink(f"{url}: positional URL arguments cannot be translated.")
    if match is not None and any(is_id(value) for value in match.kwargs.values()):
        kwargs = {}
        for name, value in match.kwargs.items():
            if is_id(value):
                label = url_argument_model(match, name)
                if label is None:
                    raise UnmappedLink(
                        f"{url}: which row {match.view_name!r} names by {name!r} is not declared "
                        "(portability.references.URL_ARGUMENTS)."
                    )
                value = row_id(label, value)
            kwargs[name] = value
        path = reverse(match.view_name, kwargs=kwargs)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key in QUERY_PARAMETERS and value.isdigit() for key, value in pairs):
            pairs = [
                (key, str(row_id(QUERY_PARAMETERS[key], int(value))))
                if key in QUERY_PARAMETERS and value.isdigit()
                # Other parameters name no row.
                else (key, value)
                for key, value in pairs
            ]
            query = urlencode(pairs)
    return urlunsplit(("", "", path, query, parts.fragment))


# --- the JSON fields -------------------------------------------------------------------------


def conformance_results(value, remap, row):
    """A frozen month's clauses: each piece of evidence names a row (model and id) and a page."""
    if not isinstance(value, list):
        return value
    out = []
    for clause in value:
        if isinstance(clause, dict) and isinstance(clause.get("evidence"), list):
            clause = {**clause, "evidence": [_evidence(item, remap) for item in clause["evidence"]]}
        out.append(clause)
    return out


def conformance_result(value, remap, row):
    """One kept clause result: its evidence, as in a frozen month's."""
    return conformance_results([value], remap, row)[0] if isinstance(value, dict) else value


def _evidence(item, remap):
    if not isinstance(item, dict):
        return item
    item = dict(item)
    if item.get("model") and is_id(item.get("object_id")):
        item["object_id"] = remap.row(item["model"], item["object_id"])
    if item.get("url"):
        item["url"] = remap.url(item["url"])
    return item


def export_query(value, remap, row):
    """An export's filters, as the list's filterset reads them: a choice among rows is an id
    of that filter's model; ``id`` lists the dataset's own rows."""
    if not isinstance(value, dict):
        return value
    spec = DATASETS.get(row.get("dataset"))
    if spec is None:
        return value
    out = {}
    for key, raw in value.items():
        label = _filter_model(spec, key)
        out[key] = _ids_in_text(raw, label, remap) if label else raw
    return out


def _filter_model(spec, key: str) -> str | None:
    if key == "id":
        return spec.model._meta.label_lower
    flt = spec.filterset.base_filters.get(key)
    if not isinstance(flt, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)):
        return None
    queryset = flt.extra.get("queryset")
    if callable(queryset):
        queryset = queryset(None)
    return queryset.model._meta.label_lower if queryset is not None else None


def audit_object_pk(value, remap: Remap, row: dict):
    """The id of the row an audit event is about, kept as text."""
    label = row.get("model_label")
    if isinstance(value, str) and value.isdigit() and label:
        return str(remap.row(label, int(value)))
    return value


def audit_changes(value, remap: Remap, row: dict):
    """``{column: [old, new]}`` of an audit event, each side translated as that column of the
    audited model would be (ids of rows deleted since are allowed)."""
    plan = remap.plans.get(row.get("model_label") or "")
    if plan is None or not isinstance(value, dict):
        return value
    by_column = {column.field.column: column for column in plan.columns}
    context = {}
    for name, pair in value.items():
        if name in by_column and isinstance(pair, list) and len(pair) == 2:
            context[by_column[name].attname] = pair[1] if pair[1] is not None else pair[0]
    out = {}
    for name, pair in value.items():
        column = by_column.get(name)
        if column is None or not (isinstance(pair, list) and len(pair) == 2):
            out[name] = pair
        else:
            out[name] = [remap.value(column, side, context, history=True) for side in pair]
    return out


# "app_label.model.field" → how its ids are translated (None: it holds none).
REFERENCES: dict[str, Transform | None] = {
    # A client person's client, kept by its id (the core holds no foreign key to an app above it).
    "agency.membership.client_id": lambda value, remap, row: remap.row("clients.client", value),
    "reports.conformancesnapshot.results": conformance_results,
    "reports.conformanceresult.result": conformance_result,
    "reports.conformancereport.clauses": None,  # the clause ids the PDF holds
    "clients.client.services": None,
    "production.script.topic_basis": None,
    # A clip that repeats another's content names that clip (production.rules.DuplicateFailure).
    "production.clip.rule_failures": at_paths({"*.clip": "production.clip"}),
    "production.publication.topics": None,
    # What the gate found (production.services: the gates and the review and publishing steps).
    "production.stagetransition.snapshot": at_paths(
        {
            "script.id": "production.script",
            "script.decided_by": USERS,
            "shoots.*.id": "production.shoot",
            "shoots.*.accepted_clips.*": "production.clip",
            "steps.*.id": "production.postproductionstep",
            "cut.id": "production.cut",
            "cut": "production.cut",
            "round": "production.reviewround",
            "video": "clients.video",
            "publication": "production.publication",
        }
    ),
    "accounts_ops.accountdirection.content_pillars": None,
    "accounts_ops.autoreplysettings.business_days": None,
    "accounts_ops.replyrule.keywords": None,
    "accounts_ops.promotiontask.search_keywords": None,
    "accounts_ops.audiencesnapshot.gender": None,
    "accounts_ops.audiencesnapshot.age": None,
    "accounts_ops.audiencesnapshot.provinces": None,
    "accounts_ops.audiencesnapshot.cities": None,
    "accounts_ops.audiencesnapshot.devices": None,
    "accounts_ops.audiencesnapshot.interests": None,
    "accounts_ops.audiencesnapshot.active_days": None,
    "accounts_ops.audiencesnapshot.active_hours": None,
    "accounts_ops.audiencepersonareport.dominant": None,
    "accounts_ops.audiencepersonareport.shifts": None,
    "accounts_ops.dataimport.row_errors": None,
    "extensions.livesession.team_at_start": at_paths({"*.*.person_id": USERS}),
    "extensions.accountvaluation.inputs": at_paths(
        {"account.id": "clients.platformaccount", "factors.adverse_events.events.*.id": "extensions.adverseevent"}
    ),
    "extensions.accountvaluation.steps": None,
    "extensions.storevisitcampaign.deliverables": None,
    "records.auditevent.object_pk": audit_object_pk,
    "records.auditevent.changes": audit_changes,
    "records.exportjob.query": export_query,
    "records.statisticsreport.data": None,
    "records.workassessmentreport.data": None,
    "evaluation.question.choices": None,
    "evaluation.surveyanswer.choices": None,
    "platforms.connection.scopes": None,
    "platforms.connection.missing_scopes": None,
    "platforms.connection.cursors": None,
    "platforms.syncrun.counts": None,
    "platforms.syncrun.errors": None,
    "notifications.notification.params": None,  # the figures a notification's text is said with
    "notifications.notificationpreference.channels": None,
}
