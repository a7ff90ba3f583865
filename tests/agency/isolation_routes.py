"""The isolation matrix's table of routes (``tests/agency/test_isolation_matrix.py``): every API
route by basename, what its custom actions need (a row, or a collection action's query and body
built from a row), the routes still being written and those that are not tenant data, and the
routes read from the URL resolver and the shared router."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts_ops.models import Conversation
from agency.api.routers import router
from agency.permissions import METHOD_ACTIONS
from clients.models import Client, PlatformAccount

ROW = "row"  # a custom action on one row (detail=True)


@dataclass(frozen=True)
class Collection:
    """A custom action on the collection. When it refers to a row (``model``), it is sent once per
    object with ``query``/``body`` built from that row, and a row the principal may not see must
    be refused (400 naming ``field``, or 404)."""

    model: type | None = None
    query: Callable | None = None
    body: Callable | None = None
    field: str = ""


def _bulk_body(account):
    item = {"platform_message_id": "matrix-1", "sender_uid": "u1", "received_at": "2026-01-05T10:00:00Z"}
    return {"account": account.pk, "messages": [item]}


# Every viewset registered on the router (by basename) with its custom actions. A route that is
# not here fails the first test below.
MATRIX: dict[str, dict[str, object]] = {
    # clients
    "client": {"dashboard": ROW, "overview": Collection()},
    # notifications (a person's own)
    "notification": {"read": ROW, "read-all": Collection()},
    "platformaccount": {},
    "video": {},
    "clientrequirement": {"accept": ROW, "decline": ROW, "fulfil": ROW, "evidence": ROW},
    # the standard's conformance
    "conformancesnapshot": {
        "evaluate": Collection(Client, query=lambda c: {"client": c.pk, "period": "2026-01"}, field="client"),
    },
    "conformancereport": {},
    # chapter 5
    "videoproject": {"advance": ROW, "move-back": ROW, "publish": ROW, "readiness": ROW},
    "script": {"approve": ROW, "request-changes": ROW, "submit": ROW},
    "storyboardshot": {},
    "shoot": {},
    "clip": {"download": ROW},
    "cut": {"download": ROW},
    "postproductionstep": {"download": ROW},
    "reviewround": {"approve": ROW, "request-changes": ROW},
    "reviewcomment": {"reopen": ROW, "resolve": ROW},
    "stagetransition": {},
    "publication": {"cancel": ROW},
    # chapter 6
    "accountdirection": {},
    "profilechange": {
        "apply": ROW,
        "approve": ROW,
        "image": ROW,
        "reject": ROW,
        "baseline": Collection(
            PlatformAccount,
            body=lambda a: {"account": a.pk, "field": "bio", "applied_on": "2026-01-05", "after_text": "Hotpot"},
            field="account",
        ),
        "current": Collection(PlatformAccount, query=lambda a: {"account": a.pk}, field="account"),
    },
    "pinnedvideo": {"unpin": ROW, "flagged-accounts": Collection()},
    "boosttask": {},
    "boostrecord": {},
    "autoreplysettings": {"rotate-secret": ROW},
    "replyrule": {
        "try-message": Collection(PlatformAccount, body=lambda a: {"account": a.pk, "text": "hours"}, field="account"),
    },
    "inboxmessage": {
        "close": ROW,
        "reply": ROW,
        "bulk": Collection(PlatformAccount, body=_bulk_body, field="account"),
        "douyin-webhook": "public",  # signed, no login: test_douyin_webhooks_reveal_nothing
    },
    "outboxreply": {"mark-failed": ROW, "mark-sent": ROW},
    "poilink": {},
    "groupbuydeal": {},
    "locallifeenablement": {},
    "promotiontask": {"cancel": ROW, "complete": ROW},
    "adcampaign": {"results": ROW},
    "adspend": {},
    "adbudgetapproval": {},
    # chapter 7 and the platform data (accounts_ops)
    "videocomment": {
        "assign": ROW,
        "handle": ROW,
        "hide": ROW,
        "unhide": ROW,
        "pin": ROW,
        "unpin": ROW,
        "reply": ROW,
        "bulk": Collection(),
        "guide": Collection(),
        "douyin-webhook": "public",  # signed, no login: test_douyin_webhooks_reveal_nothing
    },
    "commentaction": {"mark-done": ROW, "mark-failed": ROW},
    "opinionalert": {"handle": ROW},
    # the one inbox over 6.4 and 7.1
    "conversation": {
        "reply": ROW,
        "assign": ROW,
        "handle": ROW,
        "hide": ROW,
        "bulk": Collection(
            Conversation,
            body=lambda c: {"conversations": [c.pk], "action": "assign", "assignee": None},
            field="conversations",
        ),
    },
    "savedreply": {},
    "hottopic": {"bulk": Collection()},
    "contentplan": {},
    "contentplantopic": {},
    "audiencesnapshot": {"bulk": Collection()},
    "audiencepersonareport": {"request": Collection()},
    "ippersona": {},
    "accountdailymetric": {"bulk": Collection()},
    "videodailymetric": {"bulk": Collection()},
    "dataimport": {"upload": Collection()},
    # chapter 8
    "livesession": {"cancel": ROW, "end": ROW, "start": ROW},
    "liveproduct": {},
    "runsheetsegment": {},
    "liveteamassignment": {},
    "livesessionresult": {},
    "influencer": {},
    "storevisitcampaign": {},
    "storevisitbooking": {"advance": ROW, "cancel": ROW, "results": ROW},
    "adverseevent": {},
    "accountvaluation": {"recompute": ROW, "verify": ROW},
    "valuationfactor": {},
    # chapter 9 (records)
    "asset": {"check-in": ROW, "check-out": ROW, "void": ROW, "export": Collection()},
    "assetcheckout": {"void": ROW, "export": Collection()},
    "dailyinspection": {"complete": ROW, "void": ROW, "export": Collection()},
    "inspectionfollowup": {"resolve": ROW, "void": ROW, "export": Collection()},
    "usagerecord": {"void": ROW, "export": Collection()},
    "statisticsreport": {"file": ROW, "void": ROW, "export": Collection()},
    "workassessmentreport": {"file": ROW, "void": ROW, "export": Collection()},
    "imagerecord": {"image": ROW, "thumbnail": ROW, "void": ROW, "export": Collection()},
    "auditevent": {"export": Collection()},
    "exportjob": {"download": ROW},
    # chapter 10
    "evaluationcampaign": {"close": ROW, "launch": ROW, "qr": ROW, "reschedule": ROW, "results": ROW},
    "surveyinvitation": {},
    "surveyresponse": {},
    "surveyanswer": {},
    "serviceguarantee": {},
    "complaint": {"confirm": ROW, "resolve": ROW, "respond": ROW},
    "improvementcycle": {"thread": ROW},
    "improvementaction": {"cancel": ROW, "complete": ROW},
    "questionnairetemplate": {"new-version": ROW, "publish": ROW, "retire": ROW},
    "question": {},
    # the platform connectors
    "connection": {
        "authorise": Collection(PlatformAccount, body=lambda a: {"account": a.pk}, field="account"),
        "disconnect": ROW,
    },
    "syncrun": {},
    "delivery": {},
}

# Areas other people are writing now (records, chapter 7): their entries may run ahead of their routes.
PENDING = {
    "videocomment",
    "commentaction",
    "opinionalert",
    "hottopic",
    "contentplan",
    "contentplantopic",
    "audiencesnapshot",
    "audiencepersonareport",
    "ippersona",
    "accountdailymetric",
    "videodailymetric",
    "dataimport",
    "asset",
    "assetcheckout",
    "dailyinspection",
    "inspectionfollowup",
    "usagerecord",
    "statisticsreport",
    "workassessmentreport",
    "imagerecord",
    "auditevent",
    "exportjob",
}

# Routes under /api/ that are not tenant data: the schema, its docs, the router's index of links,
# the token endpoint (its lockout has its own tests in test_login_security.py) and the health checks
# (tests/agency/test_health.py).
NOT_TENANT_DATA = {"api-root", "api-schema", "api-docs", "api-token", "api-health", "api-health-node"}
# Signed by the platform app's secret, no login; it stores an event for the agencies that connected
# the account it names, and answers nothing of them (tests/platforms/test_webhooks.py).
NOT_TENANT_DATA |= {"platforms-webhook-douyin"}
# API tokens are not tenant rows (a person's own, or an agency's integrations read by agency): who
# sees and revokes which is tested in tests/agency/test_api_tokens.py.
NOT_TENANT_DATA |= {
    "api-token-refresh",
    "api-tokens",
    "api-tokens-detail",
    "api-integration-tokens",
    "api-integration-tokens-detail",
}
# The settings of the agency the request acts in, not a row named by id: who reads and changes them,
# and that another agency's stay as they were, is tested in tests/agency/test_two_step_required.py.
NOT_TENANT_DATA |= {"api-agency-settings"}
# A query over many tables, not a row named by id: that it stays in the agency and the client, and
# keeps to the kinds a role may view, is tested in tests/search/test_search.py.
NOT_TENANT_DATA |= {"api-search"}


# --- the routes -------------------------------------------------------------------------------


def api_route_names() -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return {name for route, name in walk(get_resolver().url_patterns) if route.startswith("api/")}


def classified_route_names() -> dict[str, str]:
    """Route name -> basename, for every route MATRIX describes."""
    out = {}
    for basename, actions in MATRIX.items():
        for suffix in ("list", "detail", *actions):
            out[f"{basename}-{suffix}"] = basename
    return out


def viewsets() -> dict[str, type]:
    return {basename: viewset for _prefix, viewset, basename in router.registry}


@dataclass
class Route:
    name: str
    basename: str
    viewset: type
    suffix: str  # list, detail or the custom action's url_name
    detail: bool
    methods: tuple[str, ...]  # the methods the route maps
    kind: object = None

    def offered(self, method: str) -> bool:
        return method in self.methods and method in self.viewset.http_method_names

    def action(self, method: str) -> str:
        if self.suffix in ("list", "detail"):
            return METHOD_ACTIONS[method.upper()]
        extra = next(a for a in self.viewset.get_extra_actions() if a.url_name == self.suffix)
        return extra.kwargs.get("required_action") or METHOD_ACTIONS[method.upper()]

    def url(self, pk=None) -> str:
        return reverse(self.name, args=[pk] if self.detail else [])


def routes() -> list[Route]:
    present = api_route_names()
    out = []
    for basename, viewset in viewsets().items():
        actions = {a.url_name: a for a in viewset.get_extra_actions()}
        table = MATRIX.get(basename, {})
        for suffix in ("list", "detail", *actions):
            name = f"{basename}-{suffix}"
            if name not in present:
                continue
            if suffix == "list":
                route = Route(name, basename, viewset, suffix, False, ("get", "post"))
            elif suffix == "detail":
                route = Route(name, basename, viewset, suffix, True, ("get", "put", "patch", "delete"))
            else:
                extra = actions[suffix]
                route = Route(name, basename, viewset, suffix, extra.detail, tuple(extra.mapping), table.get(suffix))
            out.append(route)
    return out
