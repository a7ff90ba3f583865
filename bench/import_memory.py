"""Time and peak memory of a file import of platform data: a maximal import (an XLSX at the row
limit) and a row bomb (a small XLSX that unpacks to 195 MiB, 2.8 million rows), each split as
production splits it: the upload (the web request) and the import (the worker).

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/import_memory.py \
        [--rows 200000] [--bomb-rows 2800000] [--reference]

It makes its own scratch database on that server (``bench_import_<pid>``), migrates it, creates an
agency, a client and 500 accounts, and drops the database when it ends, also on failure. Each
phase runs in a fresh process, so its peak resident memory (``ru_maxrss``) is its own; the
baseline line is such a process with Django loaded and nothing imported. The maximal file is a
creator-centre export as Excel writes it: one row per account and day, the account by its handle
(shared strings), the date as a date-formatted number, nine figures. ``--reference`` also times
``openpyxl.load_workbook(read_only=True)`` on the bomb, which the upload used to run: it scans a
sheet without a stated dimension to its end. Nothing is asserted; the figures are printed (and
written as JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

ACCOUNTS = 500
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FIGURES = ("粉丝总数", "新增粉丝", "活跃粉丝", "主页访问", "播放量", "点赞", "评论", "分享", "投稿数")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the files ------------------------------------------------------------------------------------


def write_xlsx(path: Path, sheet_chunks, *, strings: list[str] | None = None, dates: bool = False) -> None:
    """A workbook as Excel lays it out, its sheet's rows streamed in from ``sheet_chunks``."""
    relationships = [f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>']
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{RELS}"/>')
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        if strings is not None:
            relationships.append(
                f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            )
            items = "".join(f"<si><t>{value}</t></si>" for value in strings)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(strings)}">{items}</sst>')
        if dates:
            relationships.append(f'<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/>')
            archive.writestr(
                "xl/styles.xml",
                f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
                "</styleSheet>",
            )
        listed = "".join(relationships)
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS}">{listed}</Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for chunk in sheet_chunks:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")


def maximal_rows(rows: int, end: dt.date):
    """``rows`` rows of an export: a header of shared texts, then account × day, newest first."""
    header = "".join(f'<c r="{chr(65 + n)}1" t="s"><v>{n}</v></c>' for n in range(len(FIGURES) + 2))
    yield f'<row r="1">{header}</row>'.encode()
    days = -(-rows // ACCOUNTS)
    epoch = dt.date(1899, 12, 30)
    chunk = []
    number = 1
    for day_index in range(days):
        serial = (end - dt.timedelta(days=day_index) - epoch).days
        for account in range(min(ACCOUNTS, rows - day_index * ACCOUNTS)):
            number += 1
            figures = "".join(
                f'<c r="{chr(67 + n)}{number}"><v>{(account * 7 + day_index * 13 + n) % 100_000}</v></c>'
                for n in range(len(FIGURES))
            )
            chunk.append(
                f'<row r="{number}"><c r="A{number}" t="s"><v>{len(FIGURES) + 2 + account}</v></c>'
                f'<c r="B{number}" s="1"><v>{serial}</v></c>{figures}</row>'
            )
            if len(chunk) == 5_000:
                yield "".join(chunk).encode()
                chunk = []
    yield "".join(chunk).encode()


def bomb_rows(rows: int):
    """A header and ``rows`` identical rows (handle, date, plays; the texts shared), without row
    numbers: 74 bytes a row, so 2.8 million rows unpack to 195 MiB and compress a thousandfold."""
    yield b'<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>'
    row = b'<row><c t="s"><v>3</v></c><c t="s"><v>4</v></c><c><v>1</v></c></row>'
    for _ in range(rows // 10_000):
        yield row * 10_000
    yield row * (rows % 10_000)


def unpacked_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(item.file_size for item in archive.infolist())


# --- one phase in a fresh process -----------------------------------------------------------------


def phase(name: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"phase {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_phase(name: str, args: list[str]) -> dict:
    import django

    django.setup()
    from accounts_ops.models import DataImport
    from agency.models import Agency, Membership
    from agency.tenancy import tenant_context

    baseline = peak_mb()
    if name == "baseline":
        return {"peak_mb": baseline}
    if name == "reference":
        import io

        from openpyxl import load_workbook

        data = Path(args[0]).read_bytes()
        started = time.perf_counter()
        load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}
    agency = Agency.objects.get(slug="bench-import")
    actor = Membership.objects.get(agency=agency).as_actor()
    if name == "upload":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from accounts_ops.services import imports

        imports.enqueue = lambda *a, **k: None  # the worker's share is timed on its own
        data = Path(args[0]).read_bytes()
        started = time.perf_counter()
        with tenant_context(agency, actor=actor):
            job = imports.data_import_request(
                actor=actor, kind="account_metrics", file=SimpleUploadedFile("export.xlsx", data)
            )
        return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "import_id": job.pk}
    from accounts_ops.services.imports import data_import_run

    started = time.perf_counter()
    with tenant_context(agency, channel="system"):
        data_import_run(import_id=int(args[0]))
    elapsed = time.perf_counter() - started
    job = DataImport.dangerously_all_agencies.get(pk=int(args[0]))
    return {
        "seconds": elapsed,
        "peak_mb": peak_mb(),
        "status": job.status,
        "rows_accepted": job.rows_accepted,
        "rows_rejected": job.rows_rejected,
        "error": job.error,
    }


def seed() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from agency import rls
    from agency.models import Agency, Membership
    from agency.tenancy import tenant_context
    from clients.models import Client, PlatformAccount

    call_command("migrate", verbosity=0)
    rls.install()
    agency = Agency.objects.create(name="Bench agency", slug="bench-import")
    user = get_user_model().objects.create(username="bench")
    Membership.objects.create(user=user, agency=agency, role="agency_admin")
    with tenant_context(agency), transaction.atomic():
        client = Client.objects.create(agency=agency, name="Bench client", kind="retail")
        PlatformAccount.objects.bulk_create(
            [
                PlatformAccount(agency=agency, client=client, platform="douyin", handle=f"bench{n}")
                for n in range(ACCOUNTS)
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=0, help="rows of the maximal file (default: the row limit)")
    parser.add_argument("--bomb-rows", type=int, default=2_800_000)
    parser.add_argument("--reference", action="store_true", help="also time openpyxl's load_workbook on the bomb")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument("--phase", default="", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, rest)))
        return

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database on it; a scratch one is made).")
    scratch = f"bench_import_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix=scratch))
    os.environ["DJANGO_MEDIA_ROOT"] = str(work / "media")
    admin_execute(base_url, f'CREATE DATABASE "{scratch}"')
    try:
        os.environ["DATABASE_URL"] = with_database(base_url, scratch)
        os.environ.pop("MIGRATION_DATABASE_URL", None)
        subprocess.run([sys.executable, "-c", "import bench.import_memory as b; b.seed()"], cwd=ROOT, check=True)
        figures = measure(args, work)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
    finally:
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
        print(f"scratch database {scratch} and its files removed")


def measure(args, work: Path) -> dict:
    import django

    django.setup()
    from accounts_ops.files import import_max_rows

    rows = args.rows or import_max_rows()
    end = dt.date.today() - dt.timedelta(days=1)
    maximal = work / "maximal.xlsx"
    strings = ["抖音号", "日期", *FIGURES, *(f"bench{n}" for n in range(ACCOUNTS))]
    write_xlsx(maximal, maximal_rows(rows, end), strings=strings, dates=True)
    bomb = work / "bomb.xlsx"
    write_xlsx(bomb, bomb_rows(args.bomb_rows), strings=["handle", "date", "new_play", "bench0", "2026-01-01"])
    figures = {"row_limit": import_max_rows(), "baseline": phase("baseline")}
    print(f"row limit {import_max_rows():,}; a process with Django loaded: {figures['baseline']['peak_mb']:.0f} MB")
    for label, path in (("maximal", maximal), ("bomb", bomb)):
        size, unpacked = path.stat().st_size, unpacked_size(path)
        print(f"\n{label}: {size / 1024:,.0f} KiB, unpacks to {unpacked / 2**20:,.1f} MiB")
        upload = phase("upload", str(path))
        print(f"  upload (web request)  {upload['seconds']:7.2f} s   peak {upload['peak_mb']:6.0f} MB")
        run = phase("run", str(upload["import_id"]))
        print(
            f"  import (worker)       {run['seconds']:7.2f} s   peak {run['peak_mb']:6.0f} MB   {run['status']}: "
            f"{run['rows_accepted']:,} accepted, {run['rows_rejected']:,} rejected {run['error'][:100]}"
        )
        figures[label] = {"bytes": size, "unpacked": unpacked, "upload": upload, "run": run}
    if args.reference:
        reference = phase("reference", str(bomb))
        print(
            f"\nreference: openpyxl load_workbook(read_only=True) on the bomb {reference['seconds']:7.2f} s"
            f"   peak {reference['peak_mb']:6.0f} MB"
        )
        figures["reference"] = reference
    return figures


if __name__ == "__main__":
    main()
