"""An agency's import from an archive: into an empty installation or beside other agencies, its
ids remapped, nothing written until the whole archive is known good (``portability.services.common``)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from agency.models import Agency
from agency.tenancy import dangerously_all_agencies, tenant_context
from portability.references import USERS, is_id
from portability.services.common import (
    AGENCY_LABEL,
    AGENCY_PART,
    BATCH,
    CONTENTTYPES_PART,
    FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_PROBLEMS,
    USER_FIELDS,
    USERS_PART,
    ModelPlan,
    PortabilityError,
    Remap,
    decode,
    migration_state,
    model_plans,
)
from records.models import AuditEvent

# --- import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    agency: Agency
    rows: dict[str, int]
    users_created: list[str] = field(default_factory=list)
    users_matched: list[str] = field(default_factory=list)
    files: int = 0


class _ArchiveReader:
    def __init__(self, source):
        try:
            self.zf = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise PortabilityError(f"The archive cannot be read as a zip file ({exc}).")

    def close(self) -> None:
        self.zf.close()

    def open(self, name: str):
        return self.zf.open(name)

    def read_json(self, name: str):
        try:
            with self.zf.open(name) as stream:
                return json.load(stream)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PortabilityError(f"{name} is not valid JSON ({exc}).")

    def rows(self, name: str) -> Iterator[tuple[int, dict]]:
        with self.zf.open(name) as stream:
            for number, line in enumerate(io.TextIOWrapper(stream, encoding="utf-8"), 1):
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise PortabilityError(f"{name}, line {number}: not valid JSON ({exc}).")
                if not isinstance(row, dict):
                    raise PortabilityError(f"{name}, line {number}: a row must be a JSON object.")
                yield number, row


def read_manifest(reader: _ArchiveReader) -> dict:
    names = reader.zf.namelist()
    if MANIFEST not in names:
        raise PortabilityError(f"The archive has no {MANIFEST}: it is not an agency export.")
    manifest = reader.read_json(MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PortabilityError(f"{MANIFEST} does not describe an agency export (format {FORMAT!r}).")
    version = manifest.get("version")
    if version != FORMAT_VERSION:
        raise PortabilityError(
            f"Unknown export format version {version!r}: this installation reads version {FORMAT_VERSION}."
        )
    for key, kind in (("agency", dict), ("migrations", dict), ("models", dict), ("parts", dict)):
        if not isinstance(manifest.get(key), kind):
            raise PortabilityError(f"{MANIFEST} lacks {key!r}.")
    return manifest


def check_migrations(manifest: dict) -> None:
    here = migration_state()
    there = manifest["migrations"]
    problems = []
    for app_label in sorted(set(here) | set(there)):
        missing_here = sorted(set(there.get(app_label, [])) - set(here.get(app_label, [])))
        missing_there = sorted(set(here.get(app_label, [])) - set(there.get(app_label, [])))
        if missing_here:
            problems.append(f"{app_label}: the archive has {', '.join(missing_here)}, not applied here")
        if missing_there:
            problems.append(f"{app_label}: applied here but not where the archive was made: {', '.join(missing_there)}")
    if problems:
        raise PortabilityError(
            "The archive was made at another migration state; bring both installations to the same version first:",
            problems,
        )


def verify_parts(reader: _ArchiveReader, manifest: dict, plans: list[ModelPlan]) -> None:
    """Every part listed is present with its size and sha256, nothing else is in the archive, and
    the rows per model are those the manifest counts."""
    parts = manifest["parts"]
    names = reader.zf.namelist()
    if len(names) != len(set(names)):
        raise PortabilityError("The archive holds the same name twice.")
    present = set(names) - {MANIFEST}
    problems = [f"{name}: listed in the manifest, missing from the archive" for name in sorted(set(parts) - present)]
    problems += [f"{name}: in the archive, not in the manifest" for name in sorted(present - set(parts))]
    expected = {plan.label for plan in plans}
    counted = set(manifest["models"])
    problems += [f"{label}: a table this installation has, missing from the archive" for label in expected - counted]
    problems += [f"{label}: not a table of this installation" for label in counted - expected]
    for required in (AGENCY_PART, USERS_PART, CONTENTTYPES_PART):
        if required not in parts:
            problems.append(f"{required}: missing")
    if problems:
        raise PortabilityError("The archive is incomplete or holds unexpected parts:", sorted(set(problems)))
    rows_in = {}
    for name in sorted(parts):
        listed = parts[name]
        digest, size, lines = hashlib.sha256(), 0, 0
        try:
            with reader.open(name) as stream:
                while chunk := stream.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
                    lines += chunk.count(b"\n")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise PortabilityError(f"The archive is corrupt: {name} cannot be read ({exc}).")
        if not isinstance(listed, dict) or digest.hexdigest() != listed.get("sha256") or size != listed.get("bytes"):
            problems.append(f"{name}: its sha256 or size differs from the manifest's")
        rows_in[name] = lines
    for plan in plans:
        entry = manifest["models"][plan.label]
        if not isinstance(entry, dict) or entry.get("part") != plan.part or rows_in.get(plan.part) != entry.get("rows"):
            held = rows_in.get(plan.part)
            problems.append(f"{plan.label}: the manifest counts {entry}, the archive holds {held} rows")
    if problems:
        raise PortabilityError("The archive does not match its manifest (it was changed or damaged):", problems)


def _scan(reader: _ArchiveReader, plans: list[ModelPlan]) -> dict[str, set[int]]:
    """The ids of every table, after checking that each row has exactly this installation's
    columns and a unique integer id."""
    known = {}
    for plan in plans:
        pk = plan.model._meta.pk.attname
        columns = set(plan.attnames)
        ids: set[int] = set()
        for number, row in reader.rows(plan.part):
            if set(row) != columns:
                missing, extra = sorted(columns - set(row)), sorted(set(row) - columns)
                raise PortabilityError(
                    f"{plan.part}, line {number}: the columns differ from this installation's "
                    f"(missing {missing}, unexpected {extra})."
                )
            if not is_id(row[pk]) or row[pk] in ids:
                raise PortabilityError(f"{plan.part}, line {number}: the id {row[pk]!r} is not a new integer.")
            ids.add(row[pk])
        known[plan.label] = ids
    return known


def _check_references(reader: _ArchiveReader, plans: list[ModelPlan], remap: Remap, parts: dict) -> None:
    for plan in plans:
        pk = plan.model._meta.pk.attname
        file_columns = [c for c in plan.columns if c.kind == "file"]
        for _number, row in reader.rows(plan.part):
            remap.where = f"{plan.label} {row[pk]}"
            remap.translate(plan, row)
            for column in file_columns:
                name = row[column.attname]
                if name and FILES + name not in parts:
                    remap.problem(f"its file {name} is not in the archive")
            if len(remap.problems) > MAX_PROBLEMS:
                break
    remap.where = ""
    if remap.problems:
        raise PortabilityError("The archive's rows name what the archive does not hold:", remap.problems)


def _unique_columns(plan: ModelPlan) -> list[tuple[str, ...]]:
    """Sets of plain columns whose values must be unique across the installation (a public
    link's token), as opposed to unique within a row's parent, which a new parent keeps apart."""
    plain = {column.field.name: column.attname for column in plan.columns if column.kind == "plain"}
    sets = [(plain[f.name],) for f in plan.model._meta.local_concrete_fields if f.unique and f.name in plain]
    for constraint in plan.model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
            and all(name in plain for name in constraint.fields)
        ):
            sets.append(tuple(plain[name] for name in constraint.fields))
    return sets


def _check_unique_values(reader: _ArchiveReader, plans: list[ModelPlan]) -> None:
    """Values that must be unique across the installation, and that some row here holds already
    (most likely the same agency, imported or never removed)."""
    problems = []
    for plan in plans:
        fields = {column.attname: column.field for column in plan.columns}
        for columns in _unique_columns(plan):
            values = [tuple(decode(fields[c], row[c]) for c in columns) for _n, row in reader.rows(plan.part)]
            taken = 0
            for start in range(0, len(values), BATCH):
                query = models.Q()
                for value in values[start : start + BATCH]:
                    query |= models.Q(**dict(zip(columns, value, strict=True)))
                with dangerously_all_agencies():
                    taken += plan.model._base_manager.filter(query).count()
            if taken:
                problems.append(f"{plan.label}.{'+'.join(columns)}: {taken} of the archive's values are taken here")
    if problems:
        raise PortabilityError(
            "Values that must be unique across the installation exist here already (is this agency here "
            "already, under another slug?):",
            problems,
        )


def _match_users(archived: list[dict]) -> tuple[dict[int, int], list[dict], list[str]]:
    """Archived people → existing logins of the same person (same password hash, or same
    non-empty email); the rest are new. A username taken by someone else stops the import."""
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__in=[a["username"] for a in archived])}
    matched, new, conflicts = {}, [], []
    for person in archived:
        found = existing.get(person["username"])
        if found is None:
            new.append(person)
        elif (found.password and found.password == person["password"]) or (
            found.email and found.email.strip().lower() == (person["email"] or "").strip().lower()
        ):
            matched[person["id"]] = found.pk
        else:
            conflicts.append(person["username"])
    if conflicts:
        raise PortabilityError(
            "These usernames belong to other people here (their email and password differ):",
            [f"{username}" for username in sorted(conflicts)],
        )
    return matched, new, sorted(existing[p["username"]].username for p in archived if p["id"] in matched)


def _reserve_ids(model, count: int) -> list[int]:
    """``count`` ids of ``model``'s table that no row will ever take, from its own sequence."""
    if count == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, count],
            )
            ids = sorted(value for (value,) in cursor.fetchall())
            if None in ids:
                raise PortabilityError(f"{table} has no sequence for its ids.")
            return ids
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
            if "AUTOINCREMENT" not in (cursor.fetchone() or [""])[0].upper():
                raise PortabilityError(f"{table} does not keep its ids from being reused (AUTOINCREMENT).")
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            current = cursor.fetchone()
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk)}) FROM {connection.ops.quote_name(table)}")
            base = max(current[0] if current else 0, cursor.fetchone()[0] or 0)
            if current:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [base + count, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, base + count])
            return list(range(base + 1, base + count + 1))
    raise PortabilityError(f"Importing is not supported on {connection.vendor}.")


def _insert(model, objs: list, fields: list) -> None:
    """Insert rows exactly as given (``raw``: no auto_now, no defaults computed again)."""
    if not objs:
        return
    size = max(1, connection.ops.bulk_batch_size(fields, objs))
    for start in range(0, len(objs), size):
        model._base_manager._insert(objs[start : start + size], fields=fields, raw=True, using=connection.alias)


def agency_import(*, archive, slug: str | None = None) -> ImportResult:
    """Import the agency of ``archive`` (a path or a binary file), under ``slug`` or its own.
    Everything is checked before anything is written; then one transaction writes it all."""
    plans = model_plans()
    reader = _ArchiveReader(archive)
    try:
        manifest = read_manifest(reader)
        check_migrations(manifest)
        verify_parts(reader, manifest, plans)
        source = reader.read_json(AGENCY_PART)
        if not isinstance(source, dict) or not is_id(source.get("id")):
            raise PortabilityError(f"{AGENCY_PART} does not describe an agency.")
        users = [row for _n, row in reader.rows(USERS_PART)]
        if any(set(user) != set(USER_FIELDS) for user in users):
            raise PortabilityError(f"{USERS_PART}: every person needs exactly {', '.join(USER_FIELDS)}.")
        contenttypes = {row["id"]: f"{row['app_label']}.{row['model']}" for _n, row in reader.rows(CONTENTTYPES_PART)}
        known = _scan(reader, plans)
        remap = Remap(
            plans, known=known, users={u["id"] for u in users}, contenttypes=contenttypes, agency_id=source["id"]
        )
        _check_references(reader, plans, remap, manifest["parts"])

        slug = slug or source.get("slug")
        agency = Agency(**{f.attname: decode(f, source.get(f.attname)) for f in Agency._meta.concrete_fields})
        agency.slug = slug
        try:
            agency.full_clean(exclude=["id", "slug"], validate_unique=False)
            Agency._meta.get_field("slug").clean(slug, agency)
        except ValidationError as exc:
            raise PortabilityError(f"{AGENCY_PART}: the agency is not valid here ({'; '.join(exc.messages)}).")
        if Agency.objects.filter(slug=slug).exists():
            raise PortabilityError(
                f"An agency with the slug {slug!r} exists here already: import under another slug (--slug)."
            )
        _check_unique_values(reader, plans)
        matched, new_users, matched_names = _match_users(users)
        contenttype_map = {}
        for old, label in contenttypes.items():
            app_label, model_name = label.split(".", 1)
            try:
                contenttype_map[old] = ContentType.objects.get_by_natural_key(app_label, model_name).pk
            except ContentType.DoesNotExist:
                raise PortabilityError(f"The record type {label} does not exist here.")
        return _write(reader, plans, remap, source, agency, users, matched, new_users, matched_names, contenttype_map)
    finally:
        reader.close()


def _write(reader, plans, remap, source, agency, users, matched, new_users, matched_names, contenttype_map):
    User = get_user_model()
    stored: list[tuple[object, str]] = []
    counts: dict[str, int] = {}
    try:
        with transaction.atomic(durable=True):
            agency.pk = _reserve_ids(Agency, 1)[0]
            _insert(Agency, [agency], Agency._meta.local_concrete_fields)
            agency._state.adding, agency._state.db = False, connection.alias
            with tenant_context(agency, channel="import"):
                maps = {}
                for plan in plans:
                    olds = sorted(remap.known[plan.label] | remap.ghosts[plan.label])
                    maps[plan.label] = dict(zip(olds, _reserve_ids(plan.model, len(olds)), strict=True))
                unmatched = sorted({u["id"] for u in new_users} | (remap.ghosts[USERS] - set(matched)))
                maps[USERS] = {**matched, **dict(zip(unmatched, _reserve_ids(User, len(unmatched)), strict=True))}
                remap.apply(agency_id=agency.pk, maps=maps, contenttype_map=contenttype_map)

                people = []
                for person in new_users:
                    values = {name: decode(User._meta.get_field(name), person[name]) for name in USER_FIELDS}
                    values["id"] = maps[USERS][person["id"]]
                    people.append(User(**values))
                _insert(User, people, User._meta.local_concrete_fields)

                for plan in plans:
                    counts[plan.label] = _write_rows(reader, plan, remap, stored)
                _record_import(agency, source, counts)
                connection.check_constraints(table_names=[plan.model._meta.db_table for plan in plans])
    except BaseException as exc:
        _remove(stored)
        if isinstance(exc, DatabaseError):
            raise PortabilityError(f"The database refused the archive's rows; nothing was imported ({exc}).")
        raise
    return ImportResult(
        agency=agency,
        rows=counts,
        users_created=sorted(u["username"] for u in new_users),
        users_matched=matched_names,
        files=len(remap.files),
    )


def _write_rows(reader: _ArchiveReader, plan: ModelPlan, remap: Remap, stored: list) -> int:
    fields = [column.field for column in plan.columns]
    file_columns = [column for column in plan.columns if column.kind == "file"]
    batch, count = [], 0
    for _number, row in reader.rows(plan.part):
        values = remap.translate(plan, row)
        obj = plan.model(*[decode(f, values[f.attname]) for f in plan.model._meta.concrete_fields])
        for column in file_columns:
            name = row[column.attname]
            if name:
                setattr(obj, column.attname, _store_file(reader, column.field, obj, name, remap, stored))
        batch.append(obj)
        if len(batch) >= BATCH:
            _insert(plan.model, batch, fields)
            count, batch = count + len(batch), []
    _insert(plan.model, batch, fields)
    return count + len(batch)


def _store_file(reader: _ArchiveReader, field_: models.FileField, obj, name: str, remap: Remap, stored: list) -> str:
    """Store an archived file under the name its field gives it for the imported row (which may
    carry the new agency's and rows' ids)."""
    if name in remap.files:
        return remap.files[name]
    target = field_.generate_filename(obj, os.path.basename(name))
    with reader.open(FILES + name) as stream:
        saved = field_.storage.save(target, File(stream, name=os.path.basename(name)), max_length=field_.max_length)
    stored.append((field_.storage, saved))
    remap.files[name] = saved
    return saved


def _record_import(agency: Agency, source: dict, counts: dict[str, int]) -> None:
    """The import's own event in the trail, after which every write is recorded again."""
    transaction_id = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
            transaction_id = cursor.fetchone()[0]
    AuditEvent(
        agency=agency,
        occurred_at=timezone.now(),
        table_name=Agency._meta.db_table,
        model_label=AGENCY_LABEL,
        object_pk=str(agency.pk),
        action="insert",
        changes={
            "slug": [None, agency.slug],
            "name": [None, agency.name],
            "imported_from": [None, {"agency_id": source["id"], "slug": source.get("slug")}],
            "rows": [None, sum(counts.values())],
        },
        channel="import",
        transaction_id=transaction_id,
    ).save()


def _remove(stored: list[tuple[object, str]]) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            pass
