"""The API fuzzer, shared by its test modules (tests/agency/test_api_fuzz*.py, one per role):
fuzzing the API against its own OpenAPI schema (schemathesis), in-process through the WSGI
application, once per role token (agency admin, operator, analyst, client approver), with the
world's real ids in the path, and, in positive examples, ids the role may pick in the relation
filters and body fields, under every check schemathesis has (``ALL_CHECKS``):

- no server error (5xx) and no status the schema does not document (``agency.api.openapi``),
- no answer that breaks the schema (body, content type and headers of every documented status),
- invalid data refused, and valid data accepted (``positive_data_acceptance``), but for the rules
  no schema can state, named with their clauses in ``UNSTATED_RULES``,
- no operation that answers a missing or a wrong token with anything but 401/403 (the public
  ones, a signed webhook and the public survey, are named in ``PUBLIC_OPERATIONS``).

The stateful checks (``use_after_free``, ``ensure_resource_availability``) and
``object_level_authorization`` look at sequences of requests: every request here is rolled back,
so they have nothing to see; tests/agency/test_isolation_matrix.py holds what one identity may
read of another's rows.

The suite's run is bounded (``FUZZ_EXAMPLES``, one positive and one negative example per operation,
derandomized, so a failure reproduces) and fuzzes as the agency admin (``SUITE_ROLE``), who may
use every operation; ``make fuzz`` fuzzes as every role, one test module each
(tests/agency/test_api_fuzz*.py; xdist's workers, which take a module whole, share the roles out),
with more examples. FUZZ_ROLES (names from ``ROLE_TOKENS``, comma-separated, or ``all``) chooses
the roles; a role's module in a run that does not fuzz it is skipped, naming ``make fuzz``.
FUZZ_ONLY (a regular expression on "METHOD /path") narrows a run; FUZZ_REPORT names a file that
gets every failure. Every request runs in a savepoint that is rolled back, so the world reads the
same for each. Each role's test prints its requests and time.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import re
import time
from collections import Counter

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import force_instance
from drf_spectacular.settings import spectacular_settings
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from hypothesis.internal.reflection import function_digest
from rest_framework import serializers
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.transport.wsgi import WSGI_TRANSPORT

from agency.models import TenantModel
from agency.people import choices_for
from records.rules import REPORT_MAX_DAYS
from tests.agency.api_world import module_world, rolled_back, tenant_models
from tests.factories import api_token_key

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))  # positive examples per operation; half as many negative
FUZZ_ONLY = os.environ.get("FUZZ_ONLY", "")  # a regular expression: only the operations ("GET /api/v1/...") it finds
ROLE_TOKENS = ("admin_a", "operator_a", "analyst_a", "approver_a1")
# The suite fuzzes as the agency admin, who may use every operation; ``make fuzz`` as every role.
SUITE_ROLE = "admin_a"
FUZZ_ROLES = os.environ.get("FUZZ_ROLES", SUITE_ROLE)  # "all", or some of ROLE_TOKENS, comma-separated
ROLES = ROLE_TOKENS if FUZZ_ROLES == "all" else tuple(role.strip() for role in FUZZ_ROLES.split(",") if role.strip())
if not ROLES or set(ROLES) - set(ROLE_TOKENS):
    raise ValueError(f"FUZZ_ROLES={FUZZ_ROLES!r}: 'all' or some of {', '.join(ROLE_TOKENS)}")

# Operations meant to be anonymous; each has its own test of what it reveals
# (tests/agency/test_isolation_matrix.py).
PUBLIC_OPERATIONS = {
    "POST /api/v1/inbox-messages/webhooks/douyin/{account_id}/",  # authenticated by their signature
    "POST /api/v1/video-comments/webhooks/douyin/{account_id}/",
    "POST /api/v1/platforms/webhooks/douyin/",  # the platform app's events, signed with its secret
    "GET /evaluation/s/{token}/api/",  # the survey link's token is the key
    "POST /evaluation/s/{token}/api/",
    "POST /api/v1/auth/token/",  # exchanges a password for a token
    "GET /api/v1/health/",  # whether background work runs: no tenant data (test_health.py)
    "GET /api/v1/health/node/",  # for load balancers: only whether the database answers (test_health.py)
}

load_all_checks()
# Every check schemathesis has (its functions; the class-based ones are its users' own).
positive_data_acceptance = CHECKS.get_one("positive_data_acceptance")
# What no OpenAPI schema can say, so that a schema-valid request may still be refused for it:
# - the state of the seeded rows: an action that the row's state does not allow (approve a draft,
#   download an export still queued) is refused with a 400 naming ``status``, whatever the request
#   holds (``STATE_FIELDS``);
# - the rules named in ``UNSTATED_RULES``, each with its clause: a step the row's stage or the world's
#   other rows do not allow (the seeded project is in Planning, no metrics are imported), one field
#   against another (an end after its start) or against today (a due date not in the past).
# Such a refusal is recognised only on its operation, naming nothing but its field, with its message
# (the requests ask for English); any other 400 to a schema-valid request still fails the check.
STATE_FIELDS = frozenset({"status"})
STAGE = "only while the project is in"  # production.rules: each step of 5 in its stage
UNSTATED_RULES: dict[str, tuple[str, str, str]] = {
    # rule (clause): (operation, field, message), the operation and the message as regular expressions
    "5.1 one script draft at a time": ("POST /api/v1/scripts/$", "project", r"is still Draft: finish it first"),
    "5.2 clips only in Shooting": ("(POST|DELETE) /api/v1/clips/", "shoot|stage", STAGE),
    "5.3 cuts only in Post-production": ("POST /api/v1/cuts/$", "project", STAGE),
    "5.3 post-production steps only in Post-production": ("PATCH /api/v1/post-production-steps/", "stage", STAGE),
    "5 shoots only up to Shooting": ("POST /api/v1/shoots/$", "project", r"is planned only while the project is in"),
    "5 publications only when Ready to publish": ("POST /api/v1/publications/$", "project", STAGE),
    "5 stages in order": (
        "POST /api/v1/video-projects/{id}/(advance|move-back|publish)/",
        "stage",
        r"the next stage is|is not before|" + STAGE,
    ),
    "5 changes requested with what should change": (r"/request-changes/$", "comment", "Say what should change"),
    "5 a review comment's time code on a video": ("POST /api/v1/review-comments/$", "timecode_seconds", "Say where"),
    "6.2 a profile change gives the new value": (r"/api/v1/profile-changes/", "after_text", "Give the new"),
    "6.2 a rejection says why": (r"/api/v1/profile-changes/{id}/reject/", "note", "Say why the change is rejected"),
    "6.3 a pinned video of the account": ("POST /api/v1/pinned-videos/$", "video", "is not a video of this account"),
    "6.3 a boost after the pinning": ("POST /api/v1/boost-records/$", "boosted_on", "cannot come before the video"),
    "6.4 a reply after its message": (r"/mark-sent/$", "sent_at", "cannot be sent before the message arrived"),
    "6.4 a keyword or pattern rule": ("/api/v1/reply-rules/", "keywords|pattern", r"keyword rule|pattern rule"),
    "6.5 one local-life enablement per client": ("POST /api/v1/local-life-enablements/$", "client", "already exists"),
    "6.7 a campaign ends after it starts": ("/api/v1/ad-campaigns/", "ends_on", "cannot end before it starts"),
    "6.7 spend inside the campaign's period": ("POST /api/v1/ad-spend/$", "spent_on", "outside the campaign's period"),
    "6.7 an ad product named": ("/api/v1/ad-campaigns/", "ad_product", "Name the platform's ad product"),
    "7.1 comment moderation of its state": (r"/api/v1/video-comments/{id}/un(hide|pin)/", "comment", "It is not"),
    "7.3 a persona report from snapshots": (
        "/audience-persona-reports/request/",
        "account",
        "has no audience snapshot",
    ),
    "7.3 a snapshot with a portrait": ("POST /api/v1/audience-snapshots/$", "row", "gives no portrait"),
    "8.1 a session ends after it starts": ("/api/v1/live-sessions/", "planned_end", "must end after it starts"),
    "8.1 a session starts with its team": ("POST /api/v1/live-sessions/{id}/start/", "team", "cannot start"),
    "8.1 results once the session ended": (
        "POST /api/v1/live-results/$",
        "session",
        "Results are recorded once|already exists",
    ),
    "8.1 viewers within the peak": ("/api/v1/live-results/", r"\w+_viewers", "cannot exceed the (peak|viewers)"),
    "8.1 a segment within its session": ("/api/v1/live-run-sheet-segments/", "duration_minutes", "past the session's"),
    "8.1 a segment's product of its session": ("/api/v1/live-run-sheet-segments/", "product", "another session"),
    "8.1 a team member or an outside host": (
        "POST /api/v1/live-team/$",
        "person|external_name",
        r"Choose a staff person|is held by|Name an outside host only when no staff person",
    ),
    "8.1 a session's plan and team kept once it ended": ("/api/v1/live-", "session", "its plan and team are kept"),
    "8.2 a store named or picked": ("/api/v1/store-visit-campaigns/", "store_name", "Name the store or pick"),
    "8.2 a visit window ends after it starts": ("/api/v1/store-visit-campaigns/", "window_end", "must end after"),
    "8.3 metrics imported or figures given": ("POST /api/v1/account-valuations/$", r"\w+", "no metrics for"),
    "9 an asset or an account used": ("POST /api/v1/usage-records/$", "asset", "Name the asset or the account"),
    "9 check-in of a checked-out asset": ("POST /api/v1/assets/{id}/check-in/", "asset", "is not checked out"),
    "9 a report ends after it starts": ("/statistics-reports/$", "period_end", "cannot end before it starts"),
    "9 a report covers at most its days": ("/statistics-reports/$", "period_end", f"at most {REPORT_MAX_DAYS} days"),
    "9 an inspection completed with every tick": ("/api/v1/inspections/{id}/complete/", r"\w+", "Tick "),
    "10.1 a questionnaire published with questions": ("/questionnaires/{id}/publish/", "questions", "at least one"),
    "10.1 one draft version at a time": ("/questionnaires/{id}/new-version/", "version", "is still a draft"),
    "10.1 a campaign closes after it is sent": ("/api/v1/campaigns/", "closes_on", "cannot close before it is sent"),
    "10.1 an assessment of a client or a staff member": ("POST /api/v1/assessment-reports/$", "client", "staff member"),
    "10.2 an action's due date not in the past": ("POST /api/v1/improvement-actions/$", "due_date", "in the past"),
    "4.1 a requirement's due date not in the past": ("/api/v1/requirements/{id}/accept/", "due_date", "in the past"),
    "4.1 a requirement raised by now": ("/api/v1/requirements/", "raised_at", "cannot be raised in the future"),
    "10.1 a campaign sent from today": ("/api/v1/campaigns/{id}/reschedule/", "opens_on", "cannot be in the past"),
    "a day by today (the agency's time zone)": ("", r"[\w.\[\]]+", r"in the future|is after today|future date"),
    "an event resolved after it occurred": ("/api/v1/adverse-events/", "resolved_on", "cannot be resolved before"),
    "a row still used by others is kept": ("DELETE ", "|non_field_errors", "Still used by"),
    "an end after its start": ("", r"\w+", r"cannot end before it starts|must end after it starts"),
    "a day from 2000 on": ("", r"[\w.\[\]]+", r"is before 2000"),
    "a row of the same account or client": (
        "",
        r"\w+",
        r"(is for|belongs to) another (account|client|session|review round)|stays with its client",
    ),
    # A bulk row names the world's rows by what the platform calls them (a handle, a video's item id):
    # which exist is the world's (its ids of accounts and videos are picked as for any relation).
    "a bulk row's account or video of this agency": (
        "/bulk/$",
        r"rows\[\d+\]\.(account|handle|video)",
        r"no account with handle|no video with item id|is on several platforms",
    ),
    "one bulk row per key (an account's day, a comment, a topic)": ("/bulk/$", r"rows\[\d+\]\.\w+", "already gives"),
    "7.3 a portrait's shares add up, with the platform's keys": (
        "POST /api/v1/audience-snapshots/bulk/$",
        r"rows\[\d+\]\.(gender|age|provinces|cities|devices|interests|active_days|active_hours)",
        r"add up to|is not one of|is not a usable name|is given twice|cannot pass 100%|holds no control",
    ),
    "a link Django's validator takes (stricter than RFC 3986), in a bulk row": (
        "POST /api/v1/hot-topics/bulk/$",
        r"rows\[\d+\]\.url",
        "is not a link",
    ),
    "8.3 a metrics window with both ends or none": ("/api/v1/account-valuations/", r"window_\w+", "or neither"),
    "6.7 no more clicks than impressions": ("/api/v1/ad-campaigns/{id}/results/", r"\w+", "is more than"),
    "6.5 a deal price not above the list price": (
        "/api/v1/group-buy-deals/",
        "price",
        "cannot be above the list price",
    ),
    "10.1 an evaluation sent in its year": ("/api/v1/campaigns/", "opens_on", r"is sent in \d+, not on"),
    "10.2 a follow-up within its days of the improvement": ("/api/v1/campaigns/", "opens_on", "must be sent by"),
    "8.1 results once, after the session": ("/api/v1/live-results/", r"\w+", "cannot exceed the|recorded once"),
    "an export's query names only filters of its list": ("/api/v1/export-jobs/", r"query\..*", "Not a filter"),
    "an end after its start (a window)": ("", r"window_end", "ends before it starts"),
    "6.7 a partner campaign records the partner's followers": ("/api/v1/ad-campaigns/", "partner_followers", "Record"),
    "8.1 figures that agree": ("/api/v1/live-results/", r"\w+", r"cannot be fewer than|cannot exceed"),
    "8.1 a product selector of the session": ("/api/v1/live-products/", "selected_by", "not a product selector"),
    "a list that names each item once": ("", r"\w+", "listed twice"),
    "6.4 opening hours both or neither": ("/api/v1/auto-reply-settings/", "opens_at|closes_at", "or neither"),
    "6.6 a search-keyword promotion names its keywords": ("/api/v1/promotion-tasks/", "search_keywords", "names its"),
    "6.7 a partner campaign names its partner": ("/api/v1/ad-campaigns/", "partner_handle", "Name the high-follower"),
    "6.2 an image part takes an image": ("/api/v1/profile-changes/", "after_text|after_image", "image"),
    "10.1 only choice questions have choices": ("/api/v1/questions/", "choices", "choice"),
    "10.2 a finding from a campaign names it": (
        "/api/v1/improvement-cycles/",
        "campaign|complaint",
        "Name the (campaign|complaint)",
    ),
    "an integration token's expiry at most its days away": (
        "/api/v1/integration-tokens/",
        "expires_at",
        f"at most {settings.INTEGRATION_TOKEN_MAX_DAYS} days away",
    ),
    "an upload's content judged from its bytes": (
        "",
        "image|file",
        r"file is empty|not a picture|not a CSV|is a ZIP archive but not|The file lacks the column",
    ),
    "a URL Django's validator takes (stricter than RFC 3986)": ("", r"\w*url", "Enter a valid URL"),
    "a platform id holds no control character": ("/api/v1/video-comments/", r"\w+_id", "holds a control character"),
    "8.2 a deliverable listed once": ("/api/v1/store-visit-campaigns/", "deliverables", "listed twice"),
    "8.2 one booking per influencer and campaign": ("POST /api/v1/store-visits/$", "influencer", "already exists"),
    "9 h a follow-up's due date not in the past": ("POST /api/v1/inspection-follow-ups/$", "due_date", "in the past"),
    "10.2 a finished action with its evidence": ("/api/v1/improvement-actions/", "evidence", "needs its evidence of"),
    "7.1 conversations hidden with the reason": ("POST /api/v1/conversations/bulk/$", "note", "Say why the"),
    "6.4 and 7.1 a reply to an item of its conversation": (
        "POST /api/v1/conversations/{id}/reply/$",
        "target",
        "of this conversation|Nothing in this conversation can be answered",
    ),
    "one live connection per account (platforms: one_live_connection_per_account)": (
        "POST /api/v1/platform-connections/authorise/$",
        "non_field_errors",
        "This account is already connected",
    ),
    "a conformance period YYYY, YYYY-MM or a range of days": ("/api/v1/conformance-", "period", "is not YYYY"),
}


def unstated_rules(operation: str, response) -> list[str]:
    """The rules of ``UNSTATED_RULES`` that a 400 answer names, one for each field it names (the
    message for an answer naming none), or nothing when one of them is no such rule."""
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return []
    found = []
    for name, messages in (error_fields(response) or {"": [message]}).items():
        said_here = " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
        rule = next(
            (
                rule
                for rule, (where, field, said) in UNSTATED_RULES.items()
                if re.search(where, operation) and re.fullmatch(field, name) and re.search(said, said_here)
            ),
            None,
        )
        if rule is None:
            return []
        found.append(rule)
    return found


def positive_data_acceptance_but_unstated_rules(ctx, response, case):
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code != 400:
            raise
        fields = error_fields(response)
        if fields and set(fields) <= STATE_FIELDS:
            return None
        if unstated_rules(f"{case.method.upper()} {case.path}", response):
            return None
        raise


positive_data_acceptance_but_unstated_rules.__name__ = "positive_data_acceptance"


def error_fields(response) -> dict:
    try:
        return response.json()["error"].get("fields") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


ALL_CHECKS = [
    positive_data_acceptance_but_unstated_rules if check is positive_data_acceptance else check
    for check in CHECKS.get_all()
    if not isinstance(check, type)
]
ignored_auth = CHECKS.get_one("ignored_auth")
negative_data_rejection = CHECKS.get_one("negative_data_rejection")
# Whether an operation refuses a request without or with a wrong token is a property of the
# operation: ``ignored_auth`` probes it once, at its first success (as schemathesis' own runner does).
AUTH_CONFIRMED: set[str] = set()
WRONG_TOKEN = "Token " + "0" * 40


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)  # the fuzzer's server errors are collected and reported below
    # The WSGI handler would close the connection at each request (it is inside the module's
    # transaction); the test client keeps it open the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with module_world(django_db_blocker, tmp_path_factory.mktemp("fuzz-media")) as built:
            built.tokens = {name: api_token_key(built.principal(name).user) for name in ROLE_TOKENS}
            yield built
    finally:
        request_log.setLevel(level)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _world_media(_media_root, settings, world):
    settings.MEDIA_ROOT = world.media_root


# The application and its loaded schema, once per process (an xdist worker may run several of the
# fuzz modules): the modules import these fixtures, so a session scope would still be one per module.
LOADED: dict = {}


@pytest.fixture(scope="module")
def app():
    if "app" not in LOADED:
        LOADED["app"] = get_wsgi_application()
    return LOADED["app"]


@pytest.fixture(scope="module")
def api_schema(app, served_schema):
    """The schema ``/api/schema/?format=json`` serves (generated once for the session, conftest),
    as ``schemathesis.openapi.from_wsgi`` would load it from there; loaded once (read only: the
    operations and their strategies are shared by every role)."""
    if "schema" not in LOADED:
        schema = schemathesis.openapi.from_dict(copy.deepcopy(served_schema.document))
        schema.app = app
        schema.location = "/api/schema/?format=json"
        schema.config.generation.update(database="none")
        LOADED["schema"] = schema
    return LOADED["schema"]


def operations(schema):
    out = []
    for result in schema.get_all_operations():
        out.append(result.ok())
    return out


def label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def model_of(path: str):
    """The model behind an operation's path (its viewset's), or None."""
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    except Resolver404:
        return None
    viewset = getattr(match.func, "cls", None)
    model = getattr(viewset, "model", None)
    return model if isinstance(model, type) and issubclass(model, TenantModel) else None


def seeded_ids(world, model) -> list[int]:
    rows = world.rows.get(model, {})
    return [row.pk for row in rows.values()] or [1]


@functools.cache
def relation_models(model) -> dict[str, type]:
    """The relations of ``model`` (query parameters and body fields are named after them): their
    targets; and every field named after a person (an assignee, an owner) in any tenant model,
    since an action's body names them too. (Read only: cached for every operation and role.)"""
    people = {
        field.name: field.related_model
        for tenant_model in tenant_models()
        for field in tenant_model._meta.fields
        if field.is_relation and field.related_model is get_user_model()
    }
    if model is None:
        return people
    own = [*model._meta.fields, *model._meta.many_to_many]
    return people | {field.name: field.related_model for field in own if field.is_relation}


@functools.cache
def body_relations() -> dict[str, dict[str, type]]:
    """Each operation's ("METHOD /path") relations in its request body, as its serializer reads
    them (an action's own body too: ``taken_by``, ``conversations``, ``topics``): their targets."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found: dict[str, dict[str, type]] = {}
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        schema = view.schema
        schema.path, schema.path_regex, schema.path_prefix, schema.method = path, path_regex, "", method.upper()
        schema.registry = generator.registry
        serializer = force_instance(schema.get_request_serializer())
        if not isinstance(serializer, serializers.Serializer):
            continue
        relations = {}
        for name, field in serializer.fields.items():
            target = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            queryset = getattr(target, "queryset", None)
            if not field.read_only and queryset is not None:
                relations[name] = queryset.model
        found[f"{method.upper()} {path}"] = relations
    return found


def body_required(operation) -> set[str]:
    """The fields an operation's request body requires (in any of its media types)."""
    document = operation.schema.raw_schema

    def required(schema) -> set[str]:
        if not isinstance(schema, dict):
            return set()
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        names = set(schema.get("required", ()))
        for part in schema.get("allOf", ()):
            names |= required(part)
        return names

    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    return set().union(*(required(media.get("schema")) for media in content.values()))


def pickable(world, principal, model) -> list[int]:
    """The rows of ``model`` that ``principal`` may pick in a body or a filter, read once per world
    (every request is rolled back, so the world's answer stays the same)."""
    key = (principal.name, model)
    if key not in world.picks:
        if model is get_user_model():
            actor = principal.actor
            found = sorted(choices_for(model, actor).values_list("pk", flat=True)) if actor is not None else []
        else:
            found = sorted(world.world_visible(principal, model))
        world.picks[key] = found
    return world.picks[key]


FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BLANK_NULLS = {"on": False}  # set while a positive case is sent


def form_serializer(write):
    """A form says "no value" with an empty field (DRF reads it as null for a field that may be
    null, as a browser's form sends it); schemathesis would write ``None`` as ``null`` (in a
    urlencoded body it spells each property before this serializer sees it, so the generated body,
    ``ctx.case.body``, says which were ``None``). Only on the wire, and only for positive cases:
    schemathesis still judges the request as generated."""

    def serialize(ctx, value):
        generated = ctx.case.body
        if BLANK_NULLS["on"] and isinstance(value, dict) and isinstance(generated, dict):
            value = {
                name: "" if name in generated and generated[name] is None else item for name, item in value.items()
            }
        return write(ctx, value)

    return serialize


for _media_type in FORM_MEDIA_TYPES:
    _found = WSGI_TRANSPORT.get_first_matching_media_type(_media_type)
    assert _found is not None, _media_type
    WSGI_TRANSPORT.serializer(_media_type)(form_serializer(_found[1]))


STRATEGIES: dict = {}


def case_strategy(operation, mode):
    """The operation's cases of ``mode``, built once for every role (hypothesis draws from a
    strategy as often as it is given)."""
    key = (label(operation), mode)
    if key not in STRATEGIES:
        STRATEGIES[key] = operation.as_strategy(generation_mode=mode)
    return STRATEGIES[key]


def form_hides_types(case) -> bool:
    """Whether a case sent as a form carries a value that is not text (the form writes it as text)."""
    body = case.body
    if case.media_type not in FORM_MEDIA_TYPES or not isinstance(body, dict):
        return False
    return any(
        not isinstance(value, (str, bytes))
        and not (isinstance(value, list) and all(isinstance(v, (str, bytes)) for v in value))
        for value in body.values()
    )


def bulk_rows(body) -> list[dict]:
    """The rows of a bulk body (``rows``, or an inbox's ``messages``) that are objects."""
    if not isinstance(body, dict):
        return []
    rows = [row for key in ("rows", "messages") if isinstance(body.get(key), list) for row in body[key]]
    return [row for row in rows if isinstance(row, dict)]


DERANDOMIZED: dict = {}


def derandomized_seed(test) -> int:
    """The seed ``derandomize=True`` gives ``test``: hypothesis derives it from the test's source (the
    same for every operation, read anew at every one); read once here."""
    if "seed" not in DERANDOMIZED:
        DERANDOMIZED["seed"] = int.from_bytes(function_digest(test.hypothesis.inner_test), "big")
    return DERANDOMIZED["seed"]


def fuzz_operation(operation, world, app, role: str, failures: list, mode) -> int:
    principal = world.principal(role)
    headers = {"Authorization": f"Token {world.tokens[role]}", "Accept-Language": "en"}
    positive = mode == schemathesis.GenerationMode.POSITIVE
    model = model_of(operation.path)
    ids = seeded_ids(world, model)
    # A valid relation is one the person may pick (any other id is refused, 400, as it should be).
    targets = relation_models(model) | body_relations().get(label(operation), {})
    relations = {name: picks for name, target in targets.items() if (picks := pickable(world, principal, target))}
    # A relation the person may pick no row of (a client person and the agency's staff) has no valid
    # value: a positive case leaves it out where it may be left out.
    unpickable = set(targets) - set(relations) - body_required(operation)
    path_names = re.findall(r"\{([^}]+)\}", operation.path)
    sent = []

    @hypothesis.settings(
        max_examples=FUZZ_EXAMPLES if positive else max(1, FUZZ_EXAMPLES // 2),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(
        case=case_strategy(operation, mode),
        pick=st.sampled_from(ids),
        chosen=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in relations.items()}),
    )
    def run(case, pick, chosen):
        for name in path_names:
            if name in ("id", "pk") or name.endswith("_id"):
                case.path_parameters[name] = pick
        if positive:
            for container in (case.query, case.body):
                if isinstance(container, dict):
                    for name in unpickable & set(container):
                        del container[name]
                    for name, value in chosen.items():
                        if name in container and isinstance(container[name], int):
                            container[name] = value
                        elif name in container and isinstance(container[name], list) and container[name]:
                            container[name] = [value]  # (a many-to-many relation)
            # The rows of a bulk body name the world's rows too (``accounts_ops.api.imports_rows``).
            for row in bulk_rows(case.body):
                for name, value in chosen.items():
                    if type(row.get(name)) is int:
                        row[name] = value
        sent.append(1)
        checks = [check for check in ALL_CHECKS if not (check is ignored_auth and label(operation) in AUTH_CONFIRMED)]
        if not positive and form_hides_types(case):
            # A form's fields are text on the wire: a number, a boolean or an object generated where
            # text is asked for arrives as valid text ("false", "{...}"), so the case is not one that
            # violates the schema once sent, and its acceptance says nothing.
            checks = [check for check in checks if check is not negative_data_rejection]
        with rolled_back():
            response = None
            BLANK_NULLS["on"] = positive
            try:
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=checks, headers=headers, transport_kwargs={"app": app})
                if 200 <= response.status_code < 300:
                    AUTH_CONFIRMED.add(label(operation))
            except BaseExceptionGroup as group:  # collected: every failure is shown at once
                for exc in group.exceptions:
                    failures.append(failure(operation, mode, exc, case, response))
            except Exception as exc:
                failures.append(failure(operation, mode, exc, case, response))

    # No example database (``database=None``): no key for it either (hypothesis would derive one from
    # the source of ``run`` at every operation, as schemathesis' own runner avoids too).
    run._hypothesis_internal_database_key = None
    hypothesis.seed(derandomized_seed(run))(run)
    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing of this mode to generate (a negative case for an operation without inputs)
    return len(sent)


def failure(operation, mode, exc, case, response) -> str:
    sent = f"query={case.query!r} body={case.body!r} as {case.media_type}"[:400]
    answer = f"{response.status_code} {response.text[:300]}" if response is not None else "no answer"
    return f"{label(operation)} [{mode.value}]: {type(exc).__name__}: {describe(exc)} | sent {sent} | got {answer}"


def describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    keep = [line for line in text if line.strip() and not line.startswith("Reproduce")]
    return " / ".join(keep[:6])[:600]


def roles_of(*names: str) -> list:
    """A test module's parameters: the roles of ``names``, those this run does not fuzz (FUZZ_ROLES)
    skipped with the command that fuzzes them."""
    return [
        role
        if role in ROLES
        else pytest.param(role, marks=pytest.mark.skip(reason=f"{role} is fuzzed by `make fuzz` (FUZZ_ROLES=all)"))
        for role in names
    ]


def fuzz_as(role: str, api_schema, world, app, capsys) -> None:
    """Fuzz every operation as ``role``; fails with every failure found."""
    failures: list[str] = []
    sent = 0
    started = time.process_time(), time.perf_counter()
    for operation in operations(api_schema):
        if FUZZ_ONLY and not re.search(FUZZ_ONLY, label(operation)):
            continue
        if label(operation) in PUBLIC_OPERATIONS and operation.path.startswith("/api/v1/auth/"):
            continue  # the token endpoint's lockout would count the fuzzer's passwords
        if label(operation) == "GET /api/v1/health/":
            continue  # its documented 503 tells that no worker or scheduler runs here (test_health.py)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            sent += fuzz_operation(operation, world, app, role, failures, mode)
    assert sent > 0
    with capsys.disabled():  # the cost of a role's run, for the suite's budget (a figure, not an assertion)
        cpu, wall = time.process_time() - started[0], time.perf_counter() - started[1]
        print(f"\n[fuzz {role}] {sent} requests, {FUZZ_EXAMPLES} example(s): {cpu:.1f} s CPU, {wall:.1f} s wall")
    kinds = Counter(failure.split(": ", 2)[1] for failure in failures)
    if os.environ.get("FUZZ_REPORT"):  # a file to write every failure to (the assertion shows the first 80)
        with open(os.environ["FUZZ_REPORT"], "a", encoding="utf-8") as report:
            report.writelines(f"{role} {failure}\n" for failure in failures)
    shown = "\n".join(sorted(set(failures))[:80])
    assert not failures, f"{role}: {len(failures)} failures ({dict(kinds)}) in {sent} requests:\n{shown}"
