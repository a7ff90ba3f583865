"""4.2 on both databases: the same writes leave the same audit trail on PostgreSQL and on the
embedded default (SQLite), and both are held to one expected trail written here.

The tests above the last run on whatever database the suite runs on. When that is PostgreSQL (CI),
``test_the_embedded_default_keeps_the_same_trail`` runs them again in a fresh process on SQLite
(nothing set, as ``make run`` starts), has it write its whole normalised trail to a file, and
compares that, column by column, with the trail PostgreSQL kept for the same writes here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts_ops.models import AudiencePersonaReport, AudienceSnapshot, AutoReplySettings, VideoComment
from agency.conformance import Period, Status
from agency.models import Agency, Membership
from agency.tenancy import tenant_context
from clients.models import Client, PlatformAccount
from evaluation.models import SurveyAnswer
from production.models import PostProductionStep, ReviewComment
from records.audit import AUDIT_TABLE, audited_models, database_keeps_trail, tables_with_trail
from records.conformance import nothing_concealed
from records.models import Asset, AssetCheckout, AuditEvent

# Each app's factories register its row makers (tests.factories.ROW_MAKERS).
from tests.accounts_ops.factories import AutoReplySettingsFactory
from tests.evaluation.factories import QuestionFactory, full_response
from tests.extensions import factories as _extensions_factories  # noqa: F401
from tests.factories import ROW_MAKERS, PlatformAccountFactory, VideoFactory
from tests.platforms import factories as _platforms_factories  # noqa: F401
from tests.production.factories import ReviewRoundFactory, VideoProjectFactory
from tests.records import factories as _records_factories  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TRAIL_OUT = "AUDIT_TRAIL_OUT"  # where the SQLite run writes its normalised trail
# The shape PostgreSQL's to_jsonb gives a date-time: ISO 8601, in UTC, with its offset.
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$")
POSTED = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
HANDLED = dt.datetime(2026, 3, 1, 10, 15, 30, 250000, tzinfo=dt.UTC)
PORTRAIT = {"female": 0.62, "male": 0.38}


# --- the writes --------------------------------------------------------------------------------


class Names:
    """Symbolic names for the ids the trail holds, so that two databases' trails compare."""

    def __init__(self):
        self.by_id: dict[tuple[str, int], str] = {}

    def add(self, name: str, obj: models.Model) -> models.Model:
        self.by_id[(obj._meta.db_table, obj.pk)] = name
        return obj

    def of(self, table: str, pk) -> str:
        if pk is None:
            return None
        return self.by_id.get((table, int(pk)), f"<{table}>")


def setup_rows(world, names: Names) -> dict:
    """Rows the writes below hang from (their own events come before the mark)."""
    for name in ("agency_a", "agency_b", "client_a1", "client_a2", "client_b", "staff_a", "viewer_a1"):
        names.add(name, getattr(world, name))
    account = names.add("account", PlatformAccountFactory(client=world.client_a1, handle="laojie"))
    video = names.add("video", VideoFactory(account=account, platform_item_id="v-1", title="毛肚七上八下"))
    project = names.add("project", VideoProjectFactory(account=account, title="秋季新品"))
    review_round = names.add("round", ReviewRoundFactory(project=project))
    names.add("cut", review_round.cut)
    response = names.add("response", full_response(world.agency_a, world.client_a1))
    question = names.add("question", QuestionFactory(template=response.campaign.template, code="service"))
    names.add("auto-reply", AutoReplySettingsFactory(account=account))
    return {
        "account": account,
        "video": video,
        "project": project,
        "round": review_round,
        "response": response,
        "question": question,
    }


def make_writes(world, names: Names, rows: dict) -> None:
    """The same sequence of writes on every database: creates, changes (one by one and in bulk),
    a change of nothing but ``updated_at``, and deletes, across the models the trail covers."""
    actor = Membership.objects.select_related("agency", "user").get(user=world.staff_a).as_actor()
    account, video = rows["account"], rows["video"]
    with tenant_context(world.agency_a, actor, channel="ui"):
        comment = names.add(
            "comment",
            VideoComment.objects.create(
                agency=world.agency_a,
                client=world.client_a1,
                account=account,
                video=video,
                platform_comment_id="c-1",
                author_uid="fan-1",
                author_nickname="吃货小王",
                text="看饿了，明天就去",
                posted_at=POSTED,
                sentiment="positive",
                sentiment_score=0.875,
            ),
        )
        comment.status = "handled"
        comment.is_pinned = True
        comment.handled_at = HANDLED
        comment.save()
        comment.save()  # nothing changed but updated_at: no event
        more = VideoComment.objects.bulk_create(
            [
                VideoComment(
                    agency=world.agency_a,
                    client=world.client_a1,
                    account=account,
                    video=video,
                    platform_comment_id=f"c-{n}",
                    author_uid=f"fan-{n}",
                    text=text,
                    posted_at=POSTED,
                )
                for n, text in ((2, "排队多久？"), (3, "上次毛肚不新鲜"))
            ]
        )
        for n, bulk in enumerate(more, start=2):
            names.add(f"comment-{n}", bulk)
        VideoComment.objects.filter(pk__in=[c.pk for c in more]).update(sentiment="negative", is_hidden=True)
        VideoComment.objects.filter(pk=more[1].pk).delete()

        snapshot = names.add(
            "snapshot",
            AudienceSnapshot.objects.create(
                agency=world.agency_a,
                client=world.client_a1,
                account=account,
                date=dt.date(2026, 3, 1),
                fans_total=12000,
                gender=PORTRAIT,
                age={"18-23": 0.25, "24-30": 0.45},
            ),
        )
        AudienceSnapshot.objects.filter(pk=snapshot.pk).update(fans_total=12500, cities={"成都": 0.7})
        report = names.add(
            "persona",
            AudiencePersonaReport.objects.create(
                agency=world.agency_a,
                client=world.client_a1,
                account=account,
                snapshot=snapshot,
                period_start=dt.date(2026, 2, 23),
                period_end=dt.date(2026, 3, 1),
                dominant={"gender": {"key": "female", "share": 0.62}},
                summary_zh="粉丝以女性为主（62%）。",
            ),
        )
        report.summary_en = "Fans are mostly women (62%)."
        report.save()

        answer = names.add(
            "answer",
            SurveyAnswer.objects.create(
                agency=world.agency_a,
                client=world.client_a1,
                response=rows["response"],
                question=rows["question"],
                score=9,
                choices=["taste", "service"],
            ),
        )
        SurveyAnswer.objects.filter(pk=answer.pk).update(score=10, text="服务很好")

        step = names.add(
            "step",
            PostProductionStep.objects.create(
                agency=world.agency_a,
                client=world.client_a1,
                project=rows["project"],
                kind="sound",
                position=1,
            ),
        )
        step.status = "done"
        step.completed_by = world.staff_a
        step.completed_at = HANDLED
        step.evidence_note = "混音版本 v2"
        step.save()
        step.delete()

        review = names.add(
            "review",
            ReviewComment.objects.create(
                agency=world.agency_a,
                client=world.client_a1,
                round=rows["round"],
                cut=rows["round"].cut,
                author=world.viewer_a1,
                body="这里再亮一点",
                timecode_seconds=Decimal("2.50"),
            ),
        )
        ReviewComment.objects.filter(pk=review.pk).update(timecode_seconds=Decimal("3.00"))

        asset = names.add(
            "asset",
            Asset.objects.create(
                agency=world.agency_a,
                client=world.client_a2,
                identifier="CAM-1",
                name="相机",
                purchase_value=Decimal("4999.00"),
            ),
        )
        names.add(
            "checkout",
            AssetCheckout.objects.create(
                agency=world.agency_a, asset=asset, checked_out_at=POSTED, purpose="拍摄", due_back=dt.date(2026, 3, 2)
            ),
        )

        # A credential: that it changed is recorded, not to what.
        AutoReplySettings.objects.filter(account=account).update(webhook_secret="rotated", opens_at=dt.time(9, 30))

    # Outside any person's context: nobody, through the system channel.
    with tenant_context(world.agency_a):
        PlatformAccount.objects.filter(pk=account.pk).update(followers=1500)


# --- the trail, normalised -----------------------------------------------------------------------


def _plain(value, field, names: Names, since: dt.datetime):
    """One value of the trail with ids named and this run's own times as ``<now>``."""
    if value is None:
        return None
    if field is not None and field.is_relation:
        return names.of(field.related_model._meta.db_table, value)
    if field is not None and field.primary_key:
        return names.of(field.model._meta.db_table, value)
    if isinstance(value, str) and ISO_UTC.match(value):
        moment = dt.datetime.fromisoformat(value)
        if since - dt.timedelta(minutes=1) <= moment <= timezone.now() + dt.timedelta(minutes=1):
            return "<now>"
    return value


def normalised_trail(names: Names, mark: int, since: dt.datetime) -> list[dict]:
    """Every event after ``mark``, in order, as plain data naming rows, people and clients."""
    by_label = {m._meta.label_lower: m for m in audited_models()}
    events = AuditEvent.dangerously_all_agencies.filter(id__gt=mark).order_by("id")
    trail = []
    for event in events:
        model = by_label[event.model_label]
        fields = {f.column: f for f in model._meta.concrete_fields}
        assert set(event.changes) <= set(fields), (event.model_label, set(event.changes) - set(fields))
        if event.action == "update":
            values = {
                column: [_plain(old, fields[column], names, since), _plain(new, fields[column], names, since)]
                for column, (old, new) in event.changes.items()
            }
        else:
            assert set(event.changes) == set(fields), event.model_label  # a create or delete names every column
            side = 1 if event.action == "insert" else 0
            assert all(pair[1 - side] is None for pair in event.changes.values())
            values = {
                column: _plain(pair[side], fields[column], names, since) for column, pair in event.changes.items()
            }
        trail.append(
            {
                "row": f"{event.model_label} {names.of(event.table_name, event.object_pk)}",
                "action": event.action,
                "agency": names.of(Agency._meta.db_table, event.agency_id),
                "client": names.of(Client._meta.db_table, event.client_id),
                "user": names.of(AuditEvent._meta.get_field("user").related_model._meta.db_table, event.user_id),
                "channel": event.channel,
                "table": event.table_name,
                "values": values,
            }
        )
    return trail


# --- the expectation (both databases) ------------------------------------------------------------

A1 = {"agency": "agency_a", "client": "client_a1"}
BY_STAFF = {"user": "staff_a", "channel": "ui"}
# Each event: the row, what happened, whose and by whom, and the values that the writes above set
# (creates and deletes name every column of the table: checked apart; shown here are those set).
EXPECTED = [
    {"row": "accounts_ops.videocomment comment", "action": "insert", **A1, **BY_STAFF, "values": {
        "id": "comment", "agency_id": "agency_a", "client_id": "client_a1", "account_id": "account",
        "video_id": "video", "platform_comment_id": "c-1", "author_uid": "fan-1", "author_nickname": "吃货小王",
        "text": "看饿了，明天就去", "posted_at": "2026-03-01T09:30:00+00:00", "sentiment": "positive",
        "sentiment_score": 0.875, "is_pinned": False, "is_hidden": False, "handled_at": None,
        "created_at": "<now>", "updated_at": "<now>", "created_by_id": "staff_a", "updated_by_id": "staff_a",
    }},
    {"row": "accounts_ops.videocomment comment", "action": "update", **A1, **BY_STAFF, "values": {
        "status": ["waiting", "handled"], "is_pinned": [False, True],
        "handled_at": [None, "2026-03-01T10:15:30.25+00:00"],
    }},
    {"row": "accounts_ops.videocomment comment-2", "action": "insert", **A1, **BY_STAFF, "values": {
        "text": "排队多久？", "is_hidden": False, "sentiment": "", "sentiment_score": None, "created_by_id": None}},
    {"row": "accounts_ops.videocomment comment-3", "action": "insert", **A1, **BY_STAFF, "values": {
        "text": "上次毛肚不新鲜"}},
    {"row": "accounts_ops.videocomment comment-2", "action": "update", **A1, **BY_STAFF, "values": {
        "sentiment": ["", "negative"], "is_hidden": [False, True]}},
    {"row": "accounts_ops.videocomment comment-3", "action": "update", **A1, **BY_STAFF, "values": {
        "sentiment": ["", "negative"], "is_hidden": [False, True]}},
    {"row": "accounts_ops.videocomment comment-3", "action": "delete", **A1, **BY_STAFF, "values": {
        "id": "comment-3", "text": "上次毛肚不新鲜", "sentiment": "negative", "is_hidden": True,
        "posted_at": "2026-03-01T09:30:00+00:00"}},
    {"row": "accounts_ops.audiencesnapshot snapshot", "action": "insert", **A1, **BY_STAFF, "values": {
        "date": "2026-03-01", "fans_total": 12000, "gender": PORTRAIT, "age": {"18-23": 0.25, "24-30": 0.45},
        "cities": {}}},
    {"row": "accounts_ops.audiencesnapshot snapshot", "action": "update", **A1, **BY_STAFF, "values": {
        "fans_total": [12000, 12500], "cities": [{}, {"成都": 0.7}]}},
    {"row": "accounts_ops.audiencepersonareport persona", "action": "insert", **A1, **BY_STAFF, "values": {
        "snapshot_id": "snapshot", "previous_id": None, "period_start": "2026-02-23", "period_end": "2026-03-01",
        "dominant": {"gender": {"key": "female", "share": 0.62}}, "shifts": {}, "summary_zh": "粉丝以女性为主（62%）。",
        "summary_en": "", "trigger": "schedule"}},
    {"row": "accounts_ops.audiencepersonareport persona", "action": "update", **A1, **BY_STAFF, "values": {
        "summary_en": ["", "Fans are mostly women (62%)."]}},
    {"row": "evaluation.surveyanswer answer", "action": "insert", **A1, **BY_STAFF, "values": {
        "response_id": "response", "question_id": "question", "score": 9, "choices": ["taste", "service"],
        "text": ""}},
    {"row": "evaluation.surveyanswer answer", "action": "update", **A1, **BY_STAFF, "values": {
        "score": [9, 10], "text": ["", "服务很好"]}},
    {"row": "production.postproductionstep step", "action": "insert", **A1, **BY_STAFF, "values": {
        "project_id": "project", "kind": "sound", "position": 1, "status": "todo", "completed_at": None,
        "evidence_file": ""}},
    {"row": "production.postproductionstep step", "action": "update", **A1, **BY_STAFF, "values": {
        "status": ["todo", "done"], "completed_by_id": [None, "staff_a"],
        "completed_at": [None, "2026-03-01T10:15:30.25+00:00"], "evidence_note": ["", "混音版本 v2"]}},
    {"row": "production.postproductionstep step", "action": "delete", **A1, **BY_STAFF, "values": {
        "id": "step", "status": "done", "completed_by_id": "staff_a", "evidence_note": "混音版本 v2"}},
    {"row": "production.reviewcomment review", "action": "insert", **A1, **BY_STAFF, "values": {
        "round_id": "round", "cut_id": "cut", "author_id": "viewer_a1", "body": "这里再亮一点",
        "timecode_seconds": 2.5, "frame": None}},
    {"row": "production.reviewcomment review", "action": "update", **A1, **BY_STAFF, "values": {
        "timecode_seconds": [2.5, 3.0]}},
    {"row": "records.asset asset", "action": "insert", "agency": "agency_a", "client": "client_a2", **BY_STAFF,
     "values": {"identifier": "CAM-1", "client_id": "client_a2", "voided_at": None, "purchase_value": 4999.0}},
    # The checkout's client is found through its asset (records.AssetCheckout.tenant_client_path).
    {"row": "records.assetcheckout checkout", "action": "insert", "agency": "agency_a", "client": "client_a2",
     **BY_STAFF, "values": {"asset_id": "asset", "checked_out_at": "2026-03-01T09:30:00+00:00",
                            "due_back": "2026-03-02", "checked_in_at": None}},
    {"row": "accounts_ops.autoreplysettings auto-reply", "action": "update", **A1, **BY_STAFF, "values": {
        "webhook_secret": ["***", "***"], "opens_at": ["10:00:00", "09:30:00"]}},
    {"row": "clients.platformaccount account", "action": "update", **A1, "user": None, "channel": "system",
     "values": {"followers": [1000, 1500]}},
]  # fmt: skip


def expected_view(trail: list[dict]) -> list[dict]:
    """The trail cut down to what EXPECTED states (its keys, and for creates and deletes the values
    it names); updates are compared whole."""
    out = []
    for event, wanted in zip(trail, EXPECTED, strict=False):
        shown = {key: event[key] for key in ("row", "action", "agency", "client", "user", "channel")}
        values = event["values"]
        if event["action"] != "update":
            values = {column: values.get(column, "<missing>") for column in wanted["values"]}
        out.append({**shown, "values": values})
    return out + [{"unexpected": event["row"], "action": event["action"]} for event in trail[len(EXPECTED) :]]


def run_scenario(world) -> list[dict]:
    names = Names()
    rows = setup_rows(world, names)
    mark = AuditEvent.dangerously_all_agencies.order_by("-id").values_list("id", flat=True).first() or 0
    since = timezone.now()
    make_writes(world, names, rows)
    return normalised_trail(names, mark, since)


# --- the tests -----------------------------------------------------------------------------------


def test_every_audited_table_has_its_triggers_here(db):
    assert database_keeps_trail()
    expected = {model._meta.db_table for model in audited_models()}
    assert expected - tables_with_trail() == set()
    assert AUDIT_TABLE not in tables_with_trail()


def test_the_trail_matches_the_expected_one(world):
    trail = run_scenario(world)
    if os.environ.get(TRAIL_OUT):
        Path(os.environ[TRAIL_OUT]).write_text(json.dumps(trail, ensure_ascii=False, indent=1))
    assert expected_view(trail) == EXPECTED


def test_every_audited_model_is_recorded_with_its_client_here(world):
    """A row of every model the trail covers (those with a row maker) leaves its insert event,
    naming the row's client; comments, audience snapshots, persona reports, survey answers and
    post-production steps among them."""
    made = {}
    for model in audited_models():
        if model in ROW_MAKERS:
            with tenant_context(world.agency_a):
                made[model] = ROW_MAKERS[model](world.agency_a, world.client_a1)
    assert {VideoComment, AudienceSnapshot, AudiencePersonaReport, SurveyAnswer, PostProductionStep} <= set(made)
    untraced = []
    for model, row in made.items():
        events = AuditEvent.dangerously_all_agencies.filter(
            model_label=model._meta.label_lower, object_pk=str(row.pk), action="insert"
        )
        expected_client = None if model.tenant_client_path is None else world.client_a1.pk
        if Client is model:
            expected_client = row.pk
        if [e.client_id for e in events] != [expected_client]:
            untraced.append((model._meta.label, [e.client_id for e in events], expected_client))
    assert untraced == []


def test_clause_4_2_reads_met_for_a_client_whose_every_write_is_in_the_trail(world):
    run_scenario(world)
    today = timezone.localdate(timezone=world.agency_a.tz)
    with tenant_context(world.agency_a):
        result = nothing_concealed(world.client_a1, Period(today.replace(day=1), today))
    assert result.status == Status.MET, (result.summary, [str(e) for e in result.evidence])


# The plugins the four tests on SQLite use none of (the API fuzzer's and its property-based testing,
# the HTTP mocks', the async tests', the fake data fixture's): loading them took half of that run's start.
UNUSED_PLUGINS = ("schemathesis", "hypothesispytest", "respx", "anyio", "faker")


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="this run is on SQLite: the tests above are its half")
@pytest.mark.slow  # starts a process
def test_the_embedded_default_keeps_the_same_trail(world, tmp_path):
    here = run_scenario(world)
    out = tmp_path / "sqlite-trail.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "MIGRATION_DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES", "REQUIRE_RLS"}
    }
    env.update({TRAIL_OUT: str(out), "DJANGO_MEDIA_ROOT": str(tmp_path / "media")})
    embedded = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            # The tables made from the models (the migrated file database, with the demo on it, is
            # tried in tests/agency/test_embedded_default.py); the triggers are made the same way.
            "--nomigrations",
            *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
            f"{Path(__file__).relative_to(ROOT)}::test_every_audited_table_has_its_triggers_here",
            f"{Path(__file__).relative_to(ROOT)}::test_the_trail_matches_the_expected_one",
            f"{Path(__file__).relative_to(ROOT)}::test_every_audited_model_is_recorded_with_its_client_here",
            f"{Path(__file__).relative_to(ROOT)}::test_clause_4_2_reads_met_for_a_client_whose_every_write_is_in_the_trail",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert embedded.returncode == 0, embedded.stdout[-6000:] + embedded.stderr[-3000:]
    assert "4 passed" in embedded.stdout, embedded.stdout[-3000:]
    assert json.loads(out.read_text()) == here
