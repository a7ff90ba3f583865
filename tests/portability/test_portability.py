"""An agency's export and import (``portability.services``, ``manage.py export_agency`` and
``import_agency``): a round trip gives back the same data and files, and every refusal leaves
nothing behind.

The round trips build an agency with a row of every tenant model (``tests.factories.ROW_MAKERS``),
with ids kept inside JSON (a gate's snapshot, a frozen conformance month with its evidence links,
the team at the start of a live session, a valuation's inputs, an export's filters), a generic
link, files, a person who is no longer a member, and a trail that names a deleted row. Ids change
on import, so two archives are compared by content: every id is replaced by its rank among the
ids of its table (new ids are taken in the order of the old ones), every person by username, and
every file by its sha256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import struct
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from agency.conformance import Period, evaluate
from agency.models import Agency, Membership
from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import Client, PlatformAccount, Video
from extensions.models import AccountValuation, AdverseEvent, LiveSession
from portability.references import REFERENCES, USERS
from portability.services import imports
from portability.services.common import (
    AGENCY_PART,
    CONTENTTYPES_PART,
    FORMAT_VERSION,
    MANIFEST,
    USERS_PART,
    PortabilityError,
    Remap,
    migration_state,
    model_plans,
)
from portability.services.exports import agency_export
from portability.services.imports import agency_import
from production.models import Clip, Cut, ReviewRound, Script, Shoot, StageTransition
from records.audit import database_keeps_trail
from records.models import Asset, AuditEvent, ExportJob, ImageRecord
from reports.models import ConformanceResult, ConformanceSnapshot
from reports.services import conformance_refresh
from tests.agency.api_world import build_world
from tests.factories import ClientFactory, UserFactory, VideoFactory

# --- the agency to carry ----------------------------------------------------------------------


def enrich(world) -> dict:
    """Ids inside JSON and links, a generic link, a person who left, a deleted row in the trail."""
    agency = world.agency_a
    a1 = world.clients["a1"]
    rows = {model: by_key["a1"] for model, by_key in world.rows.items()}
    admin = world.principal("admin_a")
    former = UserFactory(username="former_staff", email="former@example.com")
    with tenant_context(agency, actor=admin.actor, channel="ui"):
        gone = VideoFactory(account=rows[PlatformAccount], title="published, then removed")
        gone_id = gone.pk
        gone.delete()
        client = Client.objects.get(pk=a1.pk)
        client.account_manager = former
        client.name = "Portable hotpot"
        client.save()
    with tenant_context(agency, channel="command"):
        StageTransition.objects.filter(pk=rows[StageTransition].pk).update(
            snapshot={
                "script": {"id": rows[Script].pk, "version": 1, "decided_by": admin.user.pk},
                "shoots": [{"id": rows[Shoot].pk, "label": "day 1", "accepted_clips": [rows[Clip].pk]}],
                "round": rows[ReviewRound].pk,
                "cut": {"id": rows[Cut].pk, "version": 1},
                "video": gone_id,
            }
        )
        LiveSession.objects.filter(pk=rows[LiveSession].pk).update(
            team_at_start={"host_assistant": [{"person_id": admin.user.pk, "name": "A host"}]}
        )
        valuation = AccountValuation.objects.get(pk=rows[AccountValuation].pk)
        inputs = dict(valuation.inputs)
        inputs["account"] = {**inputs.get("account", {}), "id": valuation.account_id}
        event = AdverseEvent.objects.filter(account=valuation.account).first() or rows[AdverseEvent]
        inputs.setdefault("factors", {})["adverse_events"] = {"since": "2026-01-01", "events": [{"id": event.pk}]}
        AccountValuation.objects.filter(pk=valuation.pk).update(inputs=inputs)
        job = ExportJob.objects.get(pk=rows[ExportJob].pk)
        assets = sorted(Asset.objects.values_list("pk", flat=True))
        ExportJob.objects.filter(pk=job.pk).update(
            dataset="assets", query={"client": str(a1.pk), "id": ",".join(map(str, assets)), "kind": "camera"}
        )
        ImageRecord.objects.filter(pk=rows[ImageRecord].pk).update(
            linked_type=ContentType.objects.get_for_model(Asset), linked_id=rows[Asset].pk
        )
        # A month frozen as the scheduled task freezes it, with this month's evidence and links.
        today = timezone.localdate()
        period = Period.month(today.year, today.month)
        ConformanceSnapshot.objects.filter(client=a1).delete()
        results = [row.as_dict() for row in evaluate(Client.objects.get(pk=a1.pk), period)]
        snapshot = ConformanceSnapshot.objects.create(
            client=a1, period_start=period.start, period_end=period.end, results=results
        )
        # This month's results kept, as the worker keeps them, with the same evidence.
        conformance_refresh(agency=agency)
    urls = [e["url"] for clause in snapshot.results for e in clause["evidence"] if e.get("url")]
    assert urls, "the frozen month should link to pages, or the test proves nothing about links"
    return {"gone_video": gone_id}


@pytest.fixture
def rich(db):
    world = build_world()
    world.extra = enrich(world)
    return world


# --- comparing two archives by content ----------------------------------------------------------


def canonical(path, *, imported: bool = False) -> dict:
    """The archive's content with ids replaced by ranks, people by username, files by sha256;
    for an imported agency's archive, without the import's own event in the trail."""
    plans = model_plans()
    reader = imports._ArchiveReader(path)
    try:
        manifest = imports.read_manifest(reader)
        source = reader.read_json(AGENCY_PART)
        people = [row for _n, row in reader.rows(USERS_PART)]
        types = {row["id"]: f"{row['app_label']}.{row['model']}" for _n, row in reader.rows(CONTENTTYPES_PART)}
        known = imports._scan(reader, plans)
        remap = Remap(plans, known=known, users={p["id"] for p in people}, contenttypes=types, agency_id=source["id"])
        imports._check_references(reader, plans, remap, manifest["parts"])
        maps = {
            plan.label: {old: rank for rank, old in enumerate(sorted(known[plan.label] | remap.ghosts[plan.label]))}
            for plan in plans
        }
        by_name = sorted(people, key=lambda p: p["username"])
        maps[USERS] = {p["id"]: rank for rank, p in enumerate(by_name)}
        maps[USERS].update({old: 10**6 + rank for rank, old in enumerate(sorted(remap.ghosts[USERS]))})
        type_ranks = {label: rank for rank, label in enumerate(sorted(set(types.values())))}
        remap.apply(agency_id=0, maps=maps, contenttype_map={old: type_ranks[label] for old, label in types.items()})
        files = {name[len("files/") :]: entry["sha256"] for name, entry in manifest["parts"].items()}
        remap.files = {name: f"sha256:{sha}" for name, sha in files.items() if not name.endswith((".json", ".jsonl"))}
        content = {}
        for plan in plans:
            rows = [remap.translate(plan, row) for _n, row in reader.rows(plan.part)]
            if imported and plan.label == "records.auditevent":
                ours = [r for r in rows if r["channel"] == "import" and r["model_label"] == "agency.agency"]
                assert len(ours) == 1, "an import records exactly one event of its own"
                rows = [r for r in rows if r not in ours]
            content[plan.label] = sorted(rows, key=lambda r: r["id"])
        assert not remap.problems, remap.problems
    finally:
        reader.close()
    agency = {key: value for key, value in source.items() if key not in ("id", "slug")}
    return {
        "agency": agency,
        "people": [{k: v for k, v in p.items() if k != "id"} for p in by_name],
        "files": sorted(entry["sha256"] for name, entry in manifest["parts"].items() if name.startswith("files/")),
        "models": content,
    }


# Derived rows: the import's own writes mark them stale and they are computed again (their
# evidence says what the import changed), so they are carried, not compared.
DERIVED = {"reports.conformanceresult"}


def assert_same_content(first: dict, second: dict) -> None:
    for label in DERIVED:
        first["models"].pop(label, None)
        second["models"].pop(label, None)
    assert first["agency"] == second["agency"]
    assert first["people"] == second["people"]
    assert first["files"] == second["files"]
    for label, rows in first["models"].items():
        assert rows == second["models"][label], f"{label} differs after the round trip"
    assert first == second


# --- round trips -------------------------------------------------------------------------------


def test_an_import_beside_other_agencies_gives_back_the_same_data_and_files(rich, tmp_path):
    first = tmp_path / "a.zip"
    call_command("export_agency", rich.agency_a.slug, output=str(first))
    manifest = json.loads(_read(first, MANIFEST))
    empty = [label for label, entry in manifest["models"].items() if entry["rows"] == 0]
    assert empty == [], f"the round trip must cover every table: {empty} have no rows"
    assert manifest["files"] > 0
    assert "former_staff" in {row["username"] for row in _rows(first, USERS_PART)}
    before_b = _checksum(rich.agency_b)
    with tenant_context(rich.agency_a):
        exported_trail = AuditEvent.objects.count()
    # Beside itself, its public survey links would be served twice: refused, nothing written.
    message = _refused(first, "must be unique across the installation", slug="matrix-a-copy")
    assert "evaluation.evaluationcampaign.public_token" in message

    remove_agency(rich.agency_a)
    call_command("import_agency", str(first))

    copy = Agency.objects.get(slug=rich.agency_a.slug)
    assert copy.pk != rich.agency_a.pk
    second = tmp_path / "copy.zip"
    agency_export(agency=copy, output=second)
    assert_same_content(canonical(first), canonical(second, imported=True))
    assert _checksum(rich.agency_b) == before_b, "another agency's data changed"
    # The same people: logins are matched, never duplicated.
    assert get_user_model().objects.filter(username="m_admin_a").count() == 1
    assert Membership.objects.filter(agency=copy, user__username="m_admin_a").exists()
    assert_ids_name_the_imported_rows(copy, rich)
    assert_the_trail_came_along_once(copy, rich, exported_trail)


def remove_agency(agency) -> None:
    """Every row of ``agency`` but its trail (append-only), its memberships and the agency."""
    quote = connection.ops.quote_name
    with tenant_context(agency, channel="command"), connection.cursor() as cursor:
        for plan in reversed(model_plans()):
            if plan.label != "records.auditevent":
                cursor.execute(f"DELETE FROM {quote(plan.model._meta.db_table)} WHERE agency_id = %s", [agency.pk])
        cursor.execute(f"DELETE FROM {quote(Agency._meta.db_table)} WHERE id = %s", [agency.pk])


def assert_ids_name_the_imported_rows(copy, rich):
    """Ids inside JSON and links name the imported agency's rows."""
    admin = get_user_model().objects.get(username="m_admin_a")
    with tenant_context(copy):
        transition = StageTransition.objects.exclude(snapshot={}).get()
        snap = transition.snapshot
        assert ReviewRound.objects.get(pk=snap["round"]).agency_id == copy.pk
        assert Cut.objects.filter(pk=snap["cut"]["id"]).exists()
        assert Script.objects.filter(pk=snap["script"]["id"]).exists()
        assert Shoot.objects.filter(pk=snap["shoots"][0]["id"]).exists()
        assert Clip.objects.filter(pk=snap["shoots"][0]["accepted_clips"][0]).exists()
        assert snap["script"]["decided_by"] == admin.pk
        # The deleted video keeps an id of its own here, which no row has or will have.
        assert snap["video"] != rich.extra["gone_video"]
        with dangerously_all_agencies():
            assert not Video.objects.filter(pk=snap["video"]).exists()
        assert AuditEvent.objects.filter(model_label="clients.video", object_pk=str(snap["video"])).count() >= 2

        session = LiveSession.objects.exclude(team_at_start={}).get()
        assert session.team_at_start["host_assistant"][0]["person_id"] == admin.pk
        valuation = AccountValuation.objects.get(inputs__factors__adverse_events__events__0__id__isnull=False)
        assert valuation.inputs["account"]["id"] == valuation.account_id
        event_id = valuation.inputs["factors"]["adverse_events"]["events"][0]["id"]
        assert AdverseEvent.objects.filter(pk=event_id).exists()
        job = ExportJob.objects.exclude(query={}).get()
        assert Client.objects.filter(pk=int(job.query["client"])).exists()
        assert {int(i) for i in job.query["id"].split(",")} == set(Asset.objects.values_list("pk", flat=True))
        image = ImageRecord.objects.exclude(linked_id=None).get()
        assert Asset.objects.filter(pk=image.linked_id).exists()

        links = 0
        for clause in ConformanceSnapshot.objects.get(results__0__isnull=False).results:
            for evidence in clause["evidence"]:
                if evidence.get("object_id"):
                    model = apps.get_model(evidence["model"])
                    assert model.objects.filter(pk=evidence["object_id"]).exists(), evidence
                if evidence.get("url"):
                    _assert_link_names_rows_of(evidence["url"])
                    links += 1
        assert links
        kept = 0
        for result in ConformanceResult.objects.exclude(computed_at=None).values_list("result", flat=True):
            for evidence in result["evidence"]:
                if evidence.get("object_id"):
                    model = apps.get_model(evidence["model"])
                    assert model.objects.filter(pk=evidence["object_id"]).exists(), evidence
                    kept += 1
        assert kept


def assert_the_trail_came_along_once(copy, rich, exported_trail):
    with tenant_context(copy):
        assert AuditEvent.objects.exclude(channel="import").count() == exported_trail, "no second history"
        own = AuditEvent.objects.get(channel="import")
        assert (own.model_label, own.object_pk, own.action) == ("agency.agency", str(copy.pk), "insert")
        assert own.changes["imported_from"][1] == {"agency_id": rich.agency_a.pk, "slug": rich.agency_a.slug}
        client = Client.objects.get(name="Portable hotpot")
        trail = AuditEvent.objects.filter(model_label="clients.client", object_pk=str(client.pk))
        assert set(trail.values_list("action", flat=True)) >= {"insert", "update"}
        changed = trail.get(action="update", changes__has_key="name")
        assert changed.changes["account_manager_id"][1] == get_user_model().objects.get(username="former_staff").pk
        assert changed.user.username == "m_admin_a"
        assert changed.client_id == client.pk


def _assert_link_names_rows_of(url):
    from urllib.parse import parse_qsl, urlsplit

    from django.urls import resolve

    from portability.references import QUERY_PARAMETERS, url_argument_model

    parts = urlsplit(url)
    match = resolve(parts.path)
    for name, value in match.kwargs.items():
        if isinstance(value, int):
            label = url_argument_model(match, name)
            model = apps.get_model(label)
            assert model.objects.filter(pk=value).exists(), f"{url} names no row of the imported agency"
    for key, value in parse_qsl(parts.query):
        if key in QUERY_PARAMETERS:
            label = QUERY_PARAMETERS[key]
            model = apps.get_model(label)
            assert model.objects.filter(pk=int(value)).exists(), url


@pytest.mark.django_db(transaction=True)
def test_an_import_into_an_empty_installation_gives_back_the_same_data_and_files(tmp_path):
    world = build_world()
    world.extra = enrich(world)
    first = tmp_path / "a.zip"
    agency_export(agency=world.agency_a, output=first)

    call_command("flush", interactive=False, reset_sequences=False)
    assert not Agency.objects.exists() and not get_user_model().objects.exists()

    result = agency_import(archive=first)
    assert result.agency.slug == world.agency_a.slug
    assert result.users_matched == []
    second = tmp_path / "again.zip"
    agency_export(agency=result.agency, output=second)
    assert_same_content(canonical(first), canonical(second, imported=True))
    # Each stored file is back in storage, byte for byte.
    for name, entry in json.loads(_read(second, MANIFEST))["parts"].items():
        if name.startswith("files/"):
            assert hashlib.sha256((Path(settings.MEDIA_ROOT) / name[6:]).read_bytes()).hexdigest() == entry["sha256"]


def test_after_an_import_every_write_is_recorded_again(small):
    assert database_keeps_trail()
    copy = agency_import(archive=small.archive, slug="a-copy").agency
    with tenant_context(copy, channel="import"):
        before = AuditEvent.objects.count()
        ClientFactory(agency=copy, name="added after the import")
        assert AuditEvent.objects.count() == before + 1


def test_the_import_channel_never_hides_an_update_or_a_delete(db):
    agency = Agency.objects.create(name="No trail yet", slug="no-trail")
    with tenant_context(agency, channel="import"):
        client = ClientFactory(agency=agency, name="inserted by an import")
        assert AuditEvent.objects.count() == 0  # an import's insert into an agency without a trail
        client.name = "changed"
        client.save()
        assert list(AuditEvent.objects.values_list("action", flat=True)) == ["update"]
        ClientFactory(agency=agency, name="another insert")  # the agency now has a trail
        assert AuditEvent.objects.count() == 2


# --- refusals: each names the problem and writes nothing ----------------------------------------


@pytest.fixture
def small(world, tmp_path):
    """The conftest world plus a file, exported."""
    from django.core.files.base import ContentFile

    from tests.factories import ClientRequirementFactory

    with tenant_context(world.agency_a):
        requirement = ClientRequirementFactory(client=world.client_a1)
        requirement.evidence_file.save("evidence.txt", ContentFile(b"proof of the work"), save=True)
    path = tmp_path / "a.zip"
    agency_export(agency=world.agency_a, output=path)
    world.archive = path
    return world


def _state() -> dict:
    """Every row of every table an archive touches, and every stored file."""
    counts = {}
    with dangerously_all_agencies():
        for plan in model_plans():
            counts[plan.label] = plan.model._base_manager.count()
    counts["agencies"] = Agency.objects.count()
    counts["people"] = get_user_model().objects.count()
    media = Path(settings.MEDIA_ROOT)
    files = sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return {"rows": counts, "files": files}


def _refused(archive, expected: str, **kwargs) -> str:
    before = _state()
    with pytest.raises(PortabilityError) as caught:
        agency_import(archive=archive, **kwargs)
    assert expected in str(caught.value)
    assert _state() == before, "a refused import wrote something"
    return str(caught.value)


def _read(path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def _rows(path, name: str) -> list[dict]:
    return [json.loads(line) for line in _read(path, name).decode().splitlines()]


def _rewrite(source, target, *, edit: dict, fix_manifest: bool = True, manifest_edit=None) -> Path:
    """A copy of an archive with some parts changed (and the manifest's hashes updated to match,
    as someone who edits an archive on purpose would)."""
    with zipfile.ZipFile(source) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    manifest = json.loads(parts[MANIFEST])
    for name, change in edit.items():
        parts[name] = change(parts[name])
        if fix_manifest:
            manifest["parts"][name] = {"sha256": hashlib.sha256(parts[name]).hexdigest(), "bytes": len(parts[name])}
    if manifest_edit:
        manifest_edit(manifest)
    parts[MANIFEST] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return Path(target)


def _edit_rows(change):
    def edit(data: bytes) -> bytes:
        rows = [json.loads(line) for line in data.decode().splitlines()]
        change(rows)
        return "".join(json.dumps(row) + "\n" for row in rows).encode()

    return edit


def test_an_unknown_format_version_is_refused(small, tmp_path):
    archive = _rewrite(small.archive, tmp_path / "v2.zip", edit={}, manifest_edit=lambda m: m.update(version=2))
    _refused(archive, "Unknown export format version 2", slug="elsewhere")


def test_an_archive_of_another_migration_state_is_refused(small, tmp_path):
    def newer(manifest):
        manifest["migrations"]["clients"].append("9999_later_change")

    archive = _rewrite(small.archive, tmp_path / "newer.zip", edit={}, manifest_edit=newer)
    message = _refused(archive, "another migration state", slug="elsewhere")
    assert "clients: the archive has 9999_later_change" in message


def test_an_existing_slug_is_refused(small):
    message = _refused(small.archive, "An agency with the slug 'agency-a' exists here already")
    assert "--slug" in message


def test_a_file_that_is_not_a_zip_is_refused(small, tmp_path):
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(small.archive.read_bytes()[: len(small.archive.read_bytes()) // 3])
    _refused(damaged, "cannot be read as a zip file", slug="elsewhere")
    noise = tmp_path / "noise.zip"
    noise.write_bytes(b"PK\x03\x04 not really a zip archive")
    _refused(noise, "cannot be read as a zip file", slug="elsewhere")


def test_a_damaged_part_is_refused(small, tmp_path):
    data = bytearray(small.archive.read_bytes())
    with zipfile.ZipFile(small.archive) as zf:
        name = next(n for n in zf.namelist() if n.startswith("files/"))
        info = zf.getinfo(name)
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    data[start] ^= 0xFF  # a stored (uncompressed) file: one byte of it flipped
    damaged = tmp_path / "flipped.zip"
    damaged.write_bytes(bytes(data))
    _refused(damaged, "corrupt", slug="elsewhere")


def test_a_part_changed_after_the_export_is_refused_by_its_sha256(small, tmp_path):
    def rename(rows):
        rows[0]["name"] = "changed afterwards"

    edit = {"data/clients.client.jsonl": _edit_rows(rename)}
    archive = _rewrite(small.archive, tmp_path / "edited.zip", edit=edit, fix_manifest=False)
    message = _refused(archive, "does not match its manifest", slug="elsewhere")
    assert "data/clients.client.jsonl: its sha256 or size differs" in message


def test_a_row_naming_what_the_archive_lacks_is_refused(small, tmp_path):
    def dangle(rows):
        rows[0]["client_id"] = 987654

    archive = _rewrite(
        small.archive, tmp_path / "dangling.zip", edit={"data/clients.clientrequirement.jsonl": _edit_rows(dangle)}
    )
    message = _refused(archive, "name what the archive does not hold", slug="elsewhere")
    assert "names clients.client 987654" in message


def test_a_username_held_by_someone_else_is_refused(small, tmp_path):
    User = get_user_model()
    archived = [p["username"] for p in _rows(small.archive, USERS_PART)]
    Membership.objects.filter(user__username="staff_a").delete()
    User.objects.filter(username="staff_a").update(password="pbkdf2_sha256$other", email="someone.else@example.com")
    assert "staff_a" in archived
    message = _refused(small.archive, "belong to other people here", slug="elsewhere")
    assert "staff_a" in message


def test_rows_the_database_refuses_leave_neither_rows_nor_files(small, tmp_path):
    def duplicate(rows):
        rows.append({**rows[0], "id": rows[0]["id"] + 100000})  # the same client twice: unique names

    def one_more(manifest):
        manifest["models"]["clients.client"]["rows"] += 1

    with tenant_context(small.agency_a):
        assert Client.objects.count() >= 1
    archive = _rewrite(
        small.archive,
        tmp_path / "duplicate.zip",
        edit={"data/clients.client.jsonl": _edit_rows(duplicate)},
        manifest_edit=one_more,
    )
    with zipfile.ZipFile(archive) as zf:
        assert any(n.startswith("files/") for n in zf.namelist())
    _refused(archive, "nothing was imported", slug="elsewhere")


def test_the_commands_report_refusals_as_errors(small, tmp_path):
    with pytest.raises(CommandError, match="exists here already"):
        call_command("import_agency", str(small.archive))
    with pytest.raises(CommandError, match="No agency with the slug 'nobody'"):
        call_command("export_agency", "nobody", output=str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


# --- what an archive must be able to carry -------------------------------------------------------


def test_every_json_field_of_every_tenant_model_is_declared(db):
    plans = model_plans()
    declared = {f"{plan.label}.{c.field.name}" for plan in plans for c in plan.columns}
    assert set(REFERENCES) <= declared, f"stale declarations: {set(REFERENCES) - declared}"


def test_an_undeclared_json_field_stops_the_export(small, tmp_path, monkeypatch):
    monkeypatch.delitem(REFERENCES, "clients.client.services")
    with pytest.raises(PortabilityError, match="clients.client.services is a JSON field not declared"):
        agency_export(agency=small.agency_a, output=tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_a_link_whose_ids_cannot_be_translated_stops_the_export(small, tmp_path):
    url = reverse("production:media-file", kwargs={"kind": "clip", "pk": 5})
    with tenant_context(small.agency_a):
        ConformanceSnapshot.objects.create(
            client=small.client_a1,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 1, 31),
            results=[{"clause_id": "5.2", "evidence": [{"label": "a clip", "model": "", "url": url}]}],
        )
    with pytest.raises(PortabilityError, match="production:media-file"):
        agency_export(agency=small.agency_a, output=tmp_path / "x.zip")


def test_a_missing_file_stops_the_export(small, tmp_path):
    for path in Path(settings.MEDIA_ROOT).rglob("*.txt"):
        path.unlink()
    with pytest.raises(PortabilityError, match="is missing from storage"):
        agency_export(agency=small.agency_a, output=tmp_path / "x.zip")


def test_the_archive_lists_every_part_with_its_sha256(small):
    manifest = json.loads(_read(small.archive, MANIFEST))
    assert (manifest["format"], manifest["version"]) == ("agency-export", FORMAT_VERSION)
    with zipfile.ZipFile(small.archive) as zf:
        names = set(zf.namelist()) - {MANIFEST}
        assert names == set(manifest["parts"])
        for name in names:
            assert hashlib.sha256(zf.read(name)).hexdigest() == manifest["parts"][name]["sha256"]
    assert manifest["models"]["clients.client"]["rows"] == 2
    assert manifest["migrations"]["agency"]
    # Platform rights never travel.
    assert all("is_superuser" not in person for person in _rows(small.archive, USERS_PART))


def _checksum(agency) -> str:
    digest = hashlib.sha256()
    with tenant_context(agency):
        for plan in model_plans():
            if plan.model is Membership or plan.link_of is not None:
                continue
            rows = plan.model.objects.order_by("pk").values_list(*plan.attnames)
            digest.update(repr(list(rows)).encode())
    return digest.hexdigest() + str(connection.vendor)


@pytest.mark.django_db
def test_the_migration_state_names_the_migrations_a_squash_replaces_never_the_squash():
    squashes = MigrationLoader(connection).replacements
    assert squashes, "this test reads the project's squashed migrations"
    state = migration_state()
    for (app_label, name), squash in squashes.items():
        assert name not in state[app_label]
        assert {replaced for label, replaced in squash.replaces} <= set(state[app_label])
