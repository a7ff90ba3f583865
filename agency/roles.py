"""Roles and what each may do: the one permission table of the product.

A person's role is per membership (one person may belong to several agencies). Each resource kind
(one per API resource and page family) lists, per role, the actions allowed. Viewsets and views
name their ``resource``; ``agency.permissions.RolePermission`` and ``agency.views.TenantViewMixin``
look the action up here. ``tests/agency/test_roles.py`` walks this table as a matrix.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    PRODUCER = "producer", _("Producer")
    OPERATOR = "operator", _("Operator")
    LIVE_TEAM = "live_team", _("Live team")
    ANALYST = "analyst", _("Analyst (read-only)")
    CLIENT_VIEWER = "client_viewer", _("Client viewer")
    CLIENT_APPROVER = "client_approver", _("Client approver")


STAFF_ROLES = frozenset(
    {Role.AGENCY_ADMIN, Role.ACCOUNT_MANAGER, Role.PRODUCER, Role.OPERATOR, Role.LIVE_TEAM, Role.ANALYST}
)
CLIENT_ROLES = frozenset({Role.CLIENT_VIEWER, Role.CLIENT_APPROVER})
# Roles that must sign in with two steps (password, then an authenticator code) in every agency: they
# hold the clients' platform access. An agency may extend it to all its staff
# (``Agency.require_two_step_for_staff``); ``agency.twofactor.two_step_required`` applies both.
TWO_STEP_ROLES = frozenset({Role.AGENCY_ADMIN})

# Actions. The four CRUD verbs map from HTTP methods; the others are named by custom actions.
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
DECIDE = "decide"  # accept or decline (4.1 requirements, approvals)
FULFIL = "fulfil"  # record that something promised was delivered
CRUD = frozenset({VIEW, ADD, CHANGE, DELETE})
READ = frozenset({VIEW})
WRITE = frozenset({VIEW, ADD, CHANGE})

R = Role
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Clients (委托方) and their contracts: the account manager runs them, the admin may delete.
    "client": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "platform_account": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "video": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: WRITE,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 4.1: the client raises requirements; the agency decides and fulfils them.
    "requirement": {
        R.AGENCY_ADMIN: CRUD | {DECIDE, FULFIL},
        R.ACCOUNT_MANAGER: CRUD | {DECIDE, FULFIL},
        R.PRODUCER: READ | {FULFIL},
        R.OPERATOR: READ | {FULFIL},
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ | {ADD},
    },
    # Chapter 5, video production. Projects move through stages; the producer runs them.
    "video_project": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: WRITE,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 5.1: scripts and storyboards; the client's approver (or the agency's lead) decides.
    "script": {
        R.AGENCY_ADMIN: CRUD | {DECIDE},
        R.ACCOUNT_MANAGER: CRUD | {DECIDE},
        R.PRODUCER: CRUD,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ | {DECIDE},
    },
    # 5.2: shoots and the clips read from their files.
    "shoot": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: CRUD,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 5.3: the five post-production steps and the cuts.
    "post_production": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: CRUD,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # Client review of a cut: comments at a time code, replies, approval.
    "review": {
        R.AGENCY_ADMIN: CRUD | {DECIDE},
        R.ACCOUNT_MANAGER: CRUD | {DECIDE},
        R.PRODUCER: WRITE,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ | {ADD, DECIDE},
    },
    # Chapter 10 (evaluation): questionnaires are the agency's own tool.
    "questionnaire": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    # 10.1 campaigns and 10.2 follow-ups: sent and closed (DECIDE) by the account manager; the
    # client's people see their own client's campaigns and results.
    "evaluation_campaign": {
        R.AGENCY_ADMIN: WRITE | {DECIDE},
        R.ACCOUNT_MANAGER: WRITE | {DECIDE},
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "survey_invitation": {
        R.AGENCY_ADMIN: WRITE,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    # Individual answers stay with the agency; client people see the results of their campaigns.
    "survey_response": {
        R.AGENCY_ADMIN: READ,
        R.ACCOUNT_MANAGER: READ,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    # 10.1 customer protection: the agency's guarantees, and complaints. Client people file their
    # own client's complaints and confirm (DECIDE) the resolution; staff resolve (FULFIL).
    "service_guarantee": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: READ,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    "complaint": {
        R.AGENCY_ADMIN: WRITE | {DECIDE, FULFIL},
        R.ACCOUNT_MANAGER: WRITE | {DECIDE, FULFIL},
        R.PRODUCER: READ,
        R.OPERATOR: WRITE | {FULFIL},
        R.LIVE_TEAM: WRITE | {FULFIL},
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ | {ADD, DECIDE},
        R.CLIENT_APPROVER: READ | {ADD, DECIDE},
    },
    # 10.2 improvement cycles and actions (kept, never deleted: they are the clause's evidence);
    # completing an action (FULFIL) schedules its follow-up survey.
    "improvement": {
        R.AGENCY_ADMIN: WRITE | {FULFIL},
        R.ACCOUNT_MANAGER: WRITE | {FULFIL},
        R.PRODUCER: WRITE | {FULFIL},
        R.OPERATOR: WRITE | {FULFIL},
        R.LIVE_TEAM: WRITE | {FULFIL},
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # Chapter 6, basic account operations (accounts_ops). The operator runs the accounts day to day.
    # 6.1: the account's content direction, in dated versions.
    "account_direction": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 6.2: profile changes; the client's approver may ask for one and decide it.
    "profile_change": {
        R.AGENCY_ADMIN: CRUD | {DECIDE},
        R.ACCOUNT_MANAGER: CRUD | {DECIDE},
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ | {ADD, DECIDE},
    },
    # 6.3: pinned videos with their boost plans, boost tasks and boost records.
    "pinned_video": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "boost": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 6.4: reply rules and business hours; the inbox of private messages and the outbox.
    "auto_reply": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: CRUD,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "inbox": {
        R.AGENCY_ADMIN: WRITE,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: WRITE,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 6.4 and 7.1, the one inbox: conversations per fan across messages and comments (reply,
    # assign, mark handled, hide); client people read their own client's, as they read the
    # messages and comments.
    "conversation": {
        R.AGENCY_ADMIN: WRITE,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: WRITE,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # The replies the agency keeps ready for the inbox: its own, no client sees them.
    "saved_reply": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: CRUD,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    # 6.5: group-buy deals, POI links and the enablement checklist.
    "local_life": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 6.6: promotion tasks.
    "promotion": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 6.7: ad campaigns and their spend; spend beyond budget needs an agency admin's approval.
    "ad_campaign": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "ad_budget_approval": {
        R.AGENCY_ADMIN: READ | {ADD},
        R.ACCOUNT_MANAGER: READ,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # Chapter 7, advanced account operations (accounts_ops), and the platform data it reads.
    # Platform data in: account and video daily metrics (the bulk API is ADD).
    "platform_metrics": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # Connections of platform accounts (platforms/): connecting (ADD) and disconnecting (DELETE) is
    # the account manager's or the admin's; the operator may ask for a sync (CHANGE). Sync runs
    # are read under the same resource.
    "platform_connection": {
        R.AGENCY_ADMIN: READ | {ADD, CHANGE, DELETE},
        R.ACCOUNT_MANAGER: READ | {ADD, CHANGE, DELETE},
        R.PRODUCER: READ,
        R.OPERATOR: READ | {CHANGE},
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # File imports of platform data: the agency's own work (a file may hold many clients' rows).
    "data_import": {
        R.AGENCY_ADMIN: WRITE,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    # 7.1: the comment inbox (reply, pin, hide, assign, handle; guide comments) and the actions
    # waiting for the connector.
    "comment": {
        R.AGENCY_ADMIN: WRITE,
        R.ACCOUNT_MANAGER: WRITE,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: WRITE,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 7.1: opinion alerts are raised by a task; handling one (with a note) is a change.
    "opinion_alert": {
        R.AGENCY_ADMIN: READ | {CHANGE},
        R.ACCOUNT_MANAGER: READ | {CHANGE},
        R.PRODUCER: READ,
        R.OPERATOR: READ | {CHANGE},
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 7.2: hot topics are the agency's market watch; content plans belong to the client's accounts.
    "hot_topic": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: WRITE,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    "content_plan": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: CRUD,
        R.OPERATOR: CRUD,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 7.3: audience snapshots (ADD = import) and persona reports (ADD = ask for one on demand).
    "audience": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 7.4: the IP persona, in versions.
    "ip_persona": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # Chapter 9, operation records. Records are never deleted: DELETE here is the right to void
    # one with a reason. Check-out/in and ticking an inspection are changes.
    "asset": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: WRITE,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: WRITE,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "inspection": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "usage_record": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: WRITE,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: WRITE,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "statistics_report": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "assessment_report": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    "image_record": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: WRITE,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: WRITE,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 4.2: everyone reads the trail of what they may see (client people: their own client's).
    "audit_event": dict.fromkeys(Role, READ),
    # Exports are reading: asking for one needs VIEW on the record list it exports.
    "export_job": dict.fromkeys(Role, READ),
    # 8.1: live sessions with their products, run sheet, team and results; the live team runs them.
    "live_session": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: WRITE,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 8.2: the agency's influencer registry (agency-internal: client people see their bookings).
    "influencer": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
    },
    # 8.2: store-visit campaigns and the influencers booked for them.
    "store_visit": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 8.3: adverse events of an account (violations, bans, traffic limits, negative press).
    "adverse_event": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: WRITE,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # 8.3: account valuations, dated records made (and recomputed) by the account manager.
    "valuation": {
        R.AGENCY_ADMIN: CRUD,
        R.ACCOUNT_MANAGER: CRUD,
        R.PRODUCER: READ,
        R.OPERATOR: READ,
        R.LIVE_TEAM: READ,
        R.ANALYST: READ,
        R.CLIENT_VIEWER: READ,
        R.CLIENT_APPROVER: READ,
    },
    # Notifications (issue 22): everyone reads and marks read their own (the API and pages show a
    # person only the notifications addressed to them); only the agency admin registers the
    # agency's group-bot webhooks (WeCom, Feishu, DingTalk).
    "notification": dict.fromkeys(Role, READ),
    "notification_webhook": {R.AGENCY_ADMIN: CRUD},
    # The standard's conformance view (clause checks with evidence).
    # Everyone may read it (client people for their own client); staff who run clients and the
    # client's own people may ask for a PDF report.
    "conformance": {
        **dict.fromkeys(Role, READ),
        R.AGENCY_ADMIN: READ | {ADD},
        R.ACCOUNT_MANAGER: READ | {ADD},
        R.CLIENT_VIEWER: READ | {ADD},
        R.CLIENT_APPROVER: READ | {ADD},
    },
}


def role_can(role: str, resource: str, action: str) -> bool:
    try:
        allowed = PERMISSIONS[resource]
    except KeyError:
        raise KeyError(f"Unknown resource kind {resource!r}: add it to agency.roles.PERMISSIONS.") from None
    return action in allowed.get(role, frozenset())
