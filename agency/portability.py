"""Data portability: all of one agency's data and files as one zip archive, and its import into
another installation, or beside the other agencies of this one.

The archive (format ``agency-export``, version ``FORMAT_VERSION``)::

    manifest.json                 format and version, when and from which agency, the migration
                                  state, rows per model, and the sha256 and size of every part
    agency.json                   the agency itself
    users.jsonl                   the people its rows name: username, names, email, password hash,
                                  active, dates (never platform staff or superuser rights, never tokens)
    contenttypes.jsonl            the record types its rows name, by app label and model
    data/<app>.<model>.jsonl      one JSON object per row, every column, for every tenant model
                                  (every concrete ``TenantModel`` of every app, found by itself), the
                                  agency's memberships and any many-to-many table of those models
    files/<stored name>           every file a file or image field of those rows names

JSON keeps types (dates, decimals as strings, nested JSON as JSON) and one row per line, so an
archive of any size is written and read in batches.

**Ids are remapped**: every row gets a new id here, taken from this installation's own sequences,
so an archive imports into an empty installation and beside other agencies alike. Foreign keys
(also generic ones and many-to-many tables) are translated from the models; ids kept anywhere
else (inside JSON, in stored links) are declared in ``agency.portability_references``, which every
JSON field must appear in. A person is matched to an existing login of the same username when it
is the same person (the same password hash, or the same non-empty email); a username held by
someone else stops the import.

**The audit trail (4.2) moves with the agency**: its events are exported like any other rows and
imported with their ids translated (``object_pk``, the client, the person, and each changed
column); a row that was deleted before the export keeps its history under an id reserved for it
here, which no row will ever take. The rows the import writes are not recorded a second time —
the database's audit trigger skips inserts made through the ``import`` channel into an agency
that has no trail yet (see ``records.audit``) — and the import ends with one event of its own
(``agency.agency``, insert, channel ``import``) naming the archive.

**Nothing is written until the archive is known good**: the manifest (format, version,
migration state), every part's sha256 and size, every reference, the slug and the people are
checked first; then one transaction writes everything, inside ``tenant_context(agency,
channel="import")`` so that row-level security sees whose rows they are, and checks the foreign
keys before it commits. Files stored before a failure are removed.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import shutil
import uuid
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

from agency.models import Agency, Membership, TenantModel
from agency.portability_references import REFERENCES, USERS, UnmappedLink, is_id, translate_url
from agency.tenancy import dangerously_all_agencies, tenant_context

FORMAT = "agency-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
AGENCY_PART = "agency.json"
USERS_PART = "users.jsonl"
CONTENTTYPES_PART = "contenttypes.jsonl"
FILES = "files/"
AGENCY_LABEL = "agency.agency"
# What an archive keeps of a person; never is_staff or is_superuser (platform rights do not travel).
USER_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "password",
    "is_active",
    "date_joined",
    "last_login",
)
BATCH = 500
MAX_PROBLEMS = 20


class PortabilityError(Exception):
    """The export or import cannot go on; nothing was written. ``problems`` lists each reason."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        if self.problems:
            shown = self.problems[:MAX_PROBLEMS]
            more = len(self.problems) - len(shown)
            message = message + "\n" + "\n".join(f"  - {p}" for p in shown) + (f"\n  … and {more} more" if more else "")
        super().__init__(message)


# --- what an agency's data is --------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a model and what its value names: ``pk`` (the row itself), ``agency``,
    ``row`` (a row of ``target``), ``user``, ``contenttype``, ``file``, ``gfk`` (a row of the
    type named by the column ``target``), ``refs`` (ids inside, see ``transform``) or ``plain``."""

    field: models.Field
    kind: str
    target: str | None = None
    # A real foreign key: its row must be in the archive. The trail's plain ids may name rows
    # deleted before the export.
    strict: bool = True
    transform: object = None

    @property
    def attname(self) -> str:
        return self.field.attname


@dataclass(frozen=True)
class ModelPlan:
    model: type[models.Model]
    label: str
    columns: tuple[Column, ...]
    # For a many-to-many table made by Django: the field it belongs to.
    link_of: models.ManyToManyField | None = None

    @property
    def part(self) -> str:
        return f"data/{self.label}.jsonl"

    @property
    def attnames(self) -> list[str]:
        return [column.attname for column in self.columns]

    def rows_of(self, agency: Agency):
        if self.link_of is not None:
            lookup = f"{self.link_of.m2m_field_name()}__agency_id"
            return self.model._base_manager.filter(**{lookup: agency.pk})
        if self.model is Membership:
            return Membership.objects.filter(agency_id=agency.pk)
        return self.model.objects.all()  # the tenant manager: this agency's rows


def tenant_models() -> list[type[models.Model]]:
    """Every tenant model an archive carries: all but those declaring ``agency_export = False``
    (secrets that belong to this installation, such as a platform connection's tokens)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel)
        and not model._meta.proxy
        and model._meta.managed
        and getattr(model, "agency_export", True)
    ]


def is_audit_trail(model) -> bool:
    from records.audit import AUDIT_TABLE

    return model._meta.db_table == AUDIT_TABLE


def model_plans() -> list[ModelPlan]:
    """Every table an agency's archive holds, dependencies first (topologically by foreign key;
    a cycle, always through nullable foreign keys, relies on constraints checked at commit),
    the audit trail last. Raises when a model cannot be carried (a JSON field not declared in
    ``REFERENCES``, a foreign key to a table that belongs to no agency)."""
    models_ = tenant_models()
    links = []
    for model in models_:
        if model._meta.parents:
            raise PortabilityError(f"{model._meta.label}: multi-table inheritance is not supported by the archive.")
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                links.append((m2m.remote_field.through, m2m))
    labels = {m._meta.label_lower for m in models_} | {Membership._meta.label_lower}
    labels |= {through._meta.label_lower for through, _ in links}
    problems: list[str] = []
    plans = [_plan(model, labels, problems) for model in [*models_, Membership]]
    plans += [_plan(through, labels, problems, link_of=m2m) for through, m2m in links]
    if problems:
        raise PortabilityError("These columns cannot be carried by an agency's archive:", problems)
    return _ordered(plans)


def _plan(model, labels: set[str], problems: list[str], link_of=None) -> ModelPlan:
    label = model._meta.label_lower
    generic = {
        private.fk_field: model._meta.get_field(private.ct_field).attname
        for private in model._meta.private_fields
        if isinstance(private, GenericForeignKey)
    }
    columns = []
    for field_ in model._meta.local_concrete_fields:
        key = f"{label}.{field_.name}"
        if field_.primary_key:
            columns.append(Column(field_, "pk", label))
        elif key in REFERENCES and REFERENCES[key] is not None:
            columns.append(Column(field_, "refs", transform=REFERENCES[key]))
        elif field_.is_relation:
            target = field_.related_model
            target_label = target._meta.label_lower
            strict = field_.db_constraint
            if target is Agency:
                columns.append(Column(field_, "agency", strict=strict))
            elif target_label == USERS:
                columns.append(Column(field_, "user", strict=strict))
            elif target is ContentType:
                columns.append(Column(field_, "contenttype", strict=strict))
            elif target_label in labels:
                columns.append(Column(field_, "row", target_label, strict=strict))
            else:
                problems.append(f"{key} points at {target._meta.label}, which belongs to no agency.")
        elif field_.name in generic:
            columns.append(Column(field_, "gfk", generic[field_.name], strict=False))
        elif isinstance(field_, models.FileField):
            columns.append(Column(field_, "file"))
        elif isinstance(field_, models.JSONField) and key not in REFERENCES:
            problems.append(
                f"{key} is a JSON field not declared in agency.portability_references.REFERENCES "
                "(say which ids it holds, or None)."
            )
        else:
            columns.append(Column(field_, "plain"))
    return ModelPlan(model, label, tuple(columns), link_of)


def _ordered(plans: list[ModelPlan]) -> list[ModelPlan]:
    by_label = {plan.label: plan for plan in plans}
    trail = [plan for plan in plans if is_audit_trail(plan.model)]
    deps = {
        plan.label: {c.target for c in plan.columns if c.kind == "row" and c.target != plan.label}
        for plan in plans
        if plan not in trail
    }
    order: list[str] = []
    remaining = set(deps)
    while remaining:
        ready = sorted(label for label in remaining if not deps[label] & remaining)
        if not ready:  # a cycle: take the table that waits on the fewest others
            ready = [min(remaining, key=lambda label: (len(deps[label] & remaining), label))]
        order.extend(ready)
        remaining -= set(ready)
    return [by_label[label] for label in order] + trail


def migration_state() -> dict[str, list[str]]:
    """The migrations applied here, per installed app."""
    installed = {config.label for config in apps.get_app_configs()}
    state: dict[str, list[str]] = defaultdict(list)
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if app_label in installed:
            state[app_label].append(name)
    return {app_label: sorted(names) for app_label, names in sorted(state.items())}


# --- translating ids -----------------------------------------------------------------------


class Remap:
    """Translates the ids a row names. It works in three modes:

    - exporting (``known`` is None): ids are kept; every id named is noted in ``referenced``;
    - checking an archive (``known`` set, no ``maps`` yet): ids are kept; an id that is not in
      the archive is a problem (``strict``) or the id of a deleted row (``ghosts``);
    - importing (``maps`` set): every id becomes its new id here.
    """

    def __init__(self, plans: list[ModelPlan], *, known=None, users=None, contenttypes=None, agency_id=None):
        self.plans = {plan.label: plan for plan in plans}
        self.known: dict[str, set[int]] | None = known
        self.users: set[int] = set(users or ())
        self.contenttypes: dict[int, str] = dict(contenttypes or {})  # archive id → "app_label.model"
        self.source_agency_id = agency_id
        self.referenced: dict[str, set[int]] = defaultdict(set)
        self.ghosts: dict[str, set[int]] = defaultdict(set)
        self.files: dict[str, str] = {}  # archived name → stored name here
        self.problems: list[str] = []
        self.maps: dict[str, dict[int, int]] | None = None
        self.contenttype_map: dict[int, int] = {}
        self.agency_id: int | None = None
        self.where = ""

    @property
    def exporting(self) -> bool:
        return self.known is None

    def apply(self, *, agency_id: int, maps: dict[str, dict[int, int]], contenttype_map: dict[int, int]) -> None:
        self.agency_id, self.maps, self.contenttype_map = agency_id, maps, contenttype_map

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.where}: {text}" if self.where else text)

    # -- single values --

    def row(self, label: str, old, strict: bool = False):
        if not is_id(old):
            return old
        if label == AGENCY_LABEL:
            return self.agency(old)
        if self.exporting:
            self.referenced[label].add(old)
            return old
        if label == USERS:
            domain = self.users
        elif label in self.plans:
            domain = self.known.get(label, set())
        else:
            return old  # a type the archive does not carry (it no longer exists): left as it is
        if old not in domain:
            if strict:
                self.problem(f"names {label} {old}, which is not in the archive")
                return old
            self.ghosts[label].add(old)
        return self.maps[label][old] if self.maps is not None else old

    def agency(self, old):
        if self.exporting or not is_id(old):
            return old
        if old != self.source_agency_id:
            self.problem(f"belongs to agency {old}, not to the archive's agency {self.source_agency_id}")
        return self.agency_id if self.maps is not None else old

    def contenttype(self, old):
        if not is_id(old):
            return old
        if self.exporting:
            self.referenced["contenttypes.contenttype"].add(old)
            return old
        if old not in self.contenttypes:
            self.problem(f"names record type {old}, which is not in the archive")
            return old
        return self.contenttype_map[old] if self.maps is not None else old

    def contenttype_label(self, old) -> str | None:
        if self.exporting and old not in self.contenttypes:
            model = ContentType.objects.get_for_id(old)
            self.contenttypes[old] = f"{model.app_label}.{model.model}"
        return self.contenttypes.get(old)

    def url(self, url: str) -> str:
        try:
            return translate_url(url, self.row)
        except UnmappedLink as exc:
            self.problem(str(exc))
            return url

    def file(self, name):
        if not name:
            return name
        return self.files.get(name, name)

    # -- whole rows --

    def value(self, column: Column, value, row: dict, *, history: bool = False):
        """``value`` of ``column`` translated; ``history``: a value of the audit trail, which may
        name rows deleted since."""
        if value is None:
            return None
        strict = column.strict and not history
        kind = column.kind
        if kind == "pk":
            return self.row(column.target, value, strict=not history)
        if kind == "agency":
            return self.agency(value)
        if kind == "row":
            return self.row(column.target, value, strict=strict)
        if kind == "user":
            return self.row(USERS, value, strict=strict)
        if kind == "contenttype":
            return self.contenttype(value)
        if kind == "gfk":
            type_id = row.get(column.target)
            label = self.contenttype_label(type_id) if is_id(type_id) else None
            return self.row(label, value) if label else value
        if kind == "file":
            return self.file(value)
        if kind == "refs":
            return column.transform(value, self, row)
        return value

    def translate(self, plan: ModelPlan, row: dict) -> dict:
        return {column.attname: self.value(column, row[column.attname], row) for column in plan.columns}


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


# --- values in and out of JSON ---------------------------------------------------------------


def encode(field_: models.Field, value):
    if value is None or isinstance(field_, models.JSONField):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode(field_: models.Field, value):
    if value is None or isinstance(field_, models.JSONField):
        return value
    return field_.to_python(value)


def _line(row: dict) -> bytes:
    return (json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False) + "\n").encode()


# --- export --------------------------------------------------------------------------------


@dataclass
class ExportResult:
    path: Path
    manifest: dict


class _Part:
    """A part being written: its bytes are counted and hashed on the way into the archive."""

    def __init__(self, stream):
        self.stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.rows = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.stream.write(data)

    def row(self, row: dict) -> None:
        self.write(_line(row))
        self.rows += 1


class _ArchiveWriter:
    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.parts: dict[str, dict] = {}

    @contextmanager
    def part(self, name: str, *, stored: bool = False) -> Iterator[_Part]:
        info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        with self.zf.open(info, "w", force_zip64=True) as stream:
            part = _Part(stream)
            yield part
        self.parts[name] = {"sha256": part.sha256.hexdigest(), "bytes": part.size}

    def json(self, name: str, value) -> None:
        with self.part(name) as part:
            part.write(json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2).encode())


@contextmanager
def _consistent_reads():
    """One transaction for the whole export; on PostgreSQL at REPEATABLE READ, so every table
    is read as of the same moment while the agency keeps working."""
    raw = None
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        import psycopg

        connection.ensure_connection()
        raw = connection.connection
        previous = raw.isolation_level
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with transaction.atomic():
            yield
    finally:
        if raw is not None and not raw.closed:
            raw.isolation_level = previous


def agency_export(*, agency: Agency, output: str | os.PathLike) -> ExportResult:
    """Write ``agency``'s archive to ``output`` (a new zip file; an existing one is replaced only
    once the archive is complete)."""
    plans = model_plans()
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            manifest = _write_archive(_ArchiveWriter(zf), agency, plans)
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return ExportResult(output, manifest)


def _write_archive(writer: _ArchiveWriter, agency: Agency, plans: list[ModelPlan]) -> dict:
    remap = Remap(plans)
    counts: dict[str, dict] = {}
    file_sources: dict[str, tuple[object, str]] = {}  # archived name → (storage, the row naming it)
    with _consistent_reads(), tenant_context(agency, channel="command"):
        for plan in plans:
            file_columns = [c for c in plan.columns if c.kind == "file"]
            with writer.part(plan.part) as part:
                rows = plan.rows_of(agency).order_by("pk").values(*plan.attnames)
                for row in rows.iterator(chunk_size=2000):
                    remap.where = f"{plan.label} {row[plan.model._meta.pk.attname]}"
                    remap.translate(plan, row)  # notes the people, record types and links it names
                    for column in file_columns:
                        if row[column.attname]:
                            file_sources.setdefault(row[column.attname], (column.field.storage, remap.where))
                    part.row({c.attname: encode(c.field, row[c.attname]) for c in plan.columns})
            counts[plan.label] = {"part": plan.part, "rows": part.rows}
        remap.where = ""
        if remap.problems:
            raise PortabilityError(
                "The agency's data names rows in a way an import could not translate; declare them in "
                "agency.portability_references:",
                remap.problems,
            )
        User = get_user_model()
        users = User.objects.filter(pk__in=remap.referenced[USERS]).order_by("pk").values(*USER_FIELDS)
        with writer.part(USERS_PART) as part:
            for user in users:
                part.row({name: encode(User._meta.get_field(name), user[name]) for name in USER_FIELDS})
        user_count = part.rows
        content_types = ContentType.objects.filter(pk__in=remap.referenced["contenttypes.contenttype"])
        with writer.part(CONTENTTYPES_PART) as part:
            for content_type in content_types.order_by("pk"):
                part.row({"id": content_type.pk, "app_label": content_type.app_label, "model": content_type.model})
        for name, (storage, where) in sorted(file_sources.items()):
            try:
                source = storage.open(name, "rb")
            except FileNotFoundError:
                raise PortabilityError(f"{where}: its file {name} is missing from storage.")
            with source, writer.part(FILES + name, stored=True) as part:
                shutil.copyfileobj(source, part, length=1024 * 1024)
        writer.json(
            AGENCY_PART,
            {f.attname: encode(f, getattr(agency, f.attname)) for f in Agency._meta.concrete_fields},
        )
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": timezone.now().isoformat(),
            "agency": {"id": agency.pk, "slug": agency.slug, "name": agency.name},
            "migrations": migration_state(),
            "models": counts,
            "users": user_count,
            "files": len(file_sources),
            "parts": dict(sorted(writer.parts.items())),
        }
    writer.json(MANIFEST, manifest)
    return manifest


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
    from records.models import AuditEvent

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
