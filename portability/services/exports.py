"""An agency's export: all its rows, the people they name and its files, as one archive (the
format is described in ``portability.services.common``)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from agency.models import Agency
from agency.tenancy import tenant_context
from portability.references import USERS
from portability.services.common import (
    AGENCY_PART,
    CONTENTTYPES_PART,
    FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    USER_FIELDS,
    USERS_PART,
    ModelPlan,
    PortabilityError,
    Remap,
    _line,
    encode,
    migration_state,
    model_plans,
)

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
                "portability.references:",
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
