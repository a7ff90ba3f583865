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
else (inside JSON, in stored links) are declared in ``portability.references``, which every
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
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.duration import duration_iso_string

from agency.models import Agency, Membership, TenantModel
from portability.references import REFERENCES, USERS, UnmappedLink, is_id, translate_url
from records.audit import AUDIT_TABLE

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
                f"{key} is a JSON field not declared in portability.references.REFERENCES "
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
    """The migrations applied here, per installed app. A squashed migration is left out: it stands
    for the migrations it replaces, which are listed, so an installation made before a squash and
    one made after it read the same."""
    installed = {config.label for config in apps.get_app_configs()}
    squashes = set(MigrationLoader(connection, ignore_no_migrations=True).replacements)
    state: dict[str, list[str]] = defaultdict(list)
    for key in MigrationRecorder(connection).applied_migrations():
        app_label, name = key
        if app_label in installed and key not in squashes:
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
