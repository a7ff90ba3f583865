"""Hostile text through every CSV and XLSX the product writes (list exports inline and as jobs,
from the API and the pages, the audit trail, reports): control characters are dropped, formulas
are neutralised (OWASP "CSV Injection"), numbers stay numbers, and a failed export leaves the
connection fit for the next request."""

from __future__ import annotations

import csv
import dataclasses
import decimal
import gc
import io
import types

import pytest
from django.test import Client as Browser
from django.urls import reverse
from openpyxl import load_workbook

from agency.exports import safe_cell
from records.exports import datasets, tables
from records.models import ExportJob, JobStatus, ReportStatus
from tests.factories import UserFactory
from tests.records.factories import AssetFactory, AuditEventFactory, StatisticsReportFactory

FORMULAS = ['=HYPERLINK("http://evil.example/","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
CONTROLS = {
    "a\x01b": "ab",
    "x\x0by\x1fz": "xyz",
    "老街\x01火锅 🍲": "老街火锅 🍲",
    "\x01=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
}
PLAIN = ["老街火锅 🍲", "成都仓库", "line one\nline two", "a\tb"]


def expected(text: str) -> str:
    """What a hostile text reads back as."""
    if text in CONTROLS:
        return CONTROLS[text]
    return "'" + text if text in FORMULAS else text


# --- the sanitiser ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_gets_a_leading_quote_and_stays_readable(text):
    assert safe_cell(text) == "'" + text


def test_characters_xml_forbids_are_removed_tab_and_newlines_kept():
    assert safe_cell("a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh") == "abcdefgh"
    assert safe_cell("a\tb\nc\rd") == "a\tb\nc\rd"
    assert safe_cell("x\ud800y\ufffez\uffff") == "xyz"
    assert safe_cell("\x00=1+2") == "'=1+2"  # removed first, then neutralised


def test_numbers_stay_numbers_and_plain_text_is_unchanged():
    assert safe_cell(-5) == -5 and safe_cell(-2.5) == -2.5 and safe_cell(decimal.Decimal("-5.50")) == -5.5
    assert safe_cell(True) is True and safe_cell(None) == ""
    assert safe_cell("-5") == "-5" and safe_cell("+12.5%") == "+12.5%"  # read as numbers, never formulas
    for text in PLAIN:
        assert safe_cell(text) == text


# --- reading files back ---------------------------------------------------------------------------


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula cell"
    return cells


def texts_of(content: bytes, fmt: str) -> set:
    if fmt == "csv":
        return {value for row in csv_rows(content) for value in row}
    return {cell.value for cell in xlsx_cells(content)}


def assert_safe(content: bytes, fmt: str, corpus) -> set:
    values = texts_of(content, fmt)
    for text in corpus:
        want = expected(text)
        if fmt == "xlsx":  # XML reads a carriage return as a line feed, whoever wrote it
            want = want.replace("\r", "\n")
        assert want in values, (fmt, text, want)
    for value in values:
        if isinstance(value, str):
            assert not value.startswith(("=", "+", "@", "\t", "\r")) or value == "", value
            assert "\x01" not in value and "\x0b" not in value and "\x1f" not in value
    return values


def download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def hostile_assets(world):
    for index, text in enumerate([*FORMULAS, *CONTROLS, *PLAIN]):
        AssetFactory(
            agency=world.agency_a,
            client=world.client_a1,
            identifier=f"H-{index:02d}",
            name=text,
            location=text,
            purchase_value=decimal.Decimal("5.50"),
        )
    return [*FORMULAS, *CONTROLS, *PLAIN]


def hostile_trail(world):
    """Audit events naming hostile text: a person whose name is a formula, changes with control
    characters (the trail is append-only: such an event stays for good)."""
    person = UserFactory(username="mallory", first_name='=HYPERLINK("http://evil.example/","x")', last_name="")
    for text in [*CONTROLS, *FORMULAS]:
        AuditEventFactory(
            agency=world.agency_a, user=person, action="insert", object_pk=text[:60], changes={"note": [None, text]}
        )
    return [FORMULAS[0], *FORMULAS, *CONTROLS]  # the person's name, the record ids


def another_request_works(api, world):
    response = api(world.staff_a).get(reverse("asset-list"))
    assert response.status_code == 200, response.content[:300]


# --- list exports through the API (inline) --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_hostile_list_exports_safely_from_the_api(world, api, fmt):
    corpus = hostile_assets(world)
    response = api(world.staff_a).get(reverse("asset-export"), {"file_format": fmt})
    assert response.status_code == 200, response.content[:300]
    values = assert_safe(response.content, fmt, corpus)
    if fmt == "xlsx":
        assert 5.5 in values  # the purchase value is still a number
    else:
        assert "5.5" in values
    another_request_works(api, world)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_the_audit_trail_with_control_characters_exports_and_the_next_request_works(world, api, fmt):
    corpus = hostile_trail(world)
    client = api(world.staff_a)
    client.raise_request_exception = False
    response = client.get(reverse("auditevent-export"), {"file_format": fmt})
    assert response.status_code == 200, response.content[:300]
    if fmt != "pdf":
        values = assert_safe(response.content, fmt, corpus)
        assert "note: 老街火锅 🍲" in values
    del response
    gc.collect()
    another_request_works(api, world)


def test_every_list_exports_hostile_text_safely(world, api, monkeypatch):
    """Any column of any list: each dataset's second column is made to answer hostile text."""
    from tests.factories import ROW_MAKERS

    for spec in datasets.DATASETS.values():
        ROW_MAKERS[spec.model](world.agency_a, world.client_a1)
    hostile = '\x01=HYPERLINK("http://evil.example/","x")'
    exported = []
    for key, spec in datasets.DATASETS.items():
        label, _getter = spec.columns[1]
        columns = (spec.columns[0], (label, lambda _obj: hostile), *spec.columns[2:])
        monkeypatch.setitem(datasets.DATASETS, key, dataclasses.replace(spec, columns=columns))
        basename = spec.model._meta.model_name
        for fmt in ("csv", "xlsx"):
            response = api(world.staff_a).get(reverse(f"{basename}-export"), {"file_format": fmt})
            assert response.status_code == 200, (key, fmt, response.content[:300])
            assert_safe(response.content, fmt, ['=HYPERLINK("http://evil.example/","x")'])
        exported.append(key)
    assert sorted(exported) == sorted(datasets.DATASETS)


# --- export jobs (API and page) -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_job_of_the_hostile_audit_trail_is_done_and_safe(world, api, fmt, django_capture_on_commit_callbacks):
    corpus = hostile_trail(world)
    with django_capture_on_commit_callbacks(execute=True):
        created = api(world.staff_a).post(
            reverse("exportjob-list"), {"dataset": "audit_events", "format": fmt}, format="json"
        )
    assert created.status_code == 201, created.content
    job = api(world.staff_a).get(reverse("exportjob-detail", args=[created.json()["id"]])).json()
    assert job["status"] == "done", job
    assert_safe(download(api(world.staff_a).get(job["download_url"])), fmt, corpus)
    another_request_works(api, world)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_from_the_page_of_a_hostile_list_is_done_and_safe(
    world, api, fmt, django_capture_on_commit_callbacks
):
    corpus = hostile_assets(world)
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(world.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = b.post(reverse("records:export-create"), {"dataset": "assets", "format": fmt, "query": ""})
    assert response.status_code == 302
    job = ExportJob.dangerously_all_agencies.get()
    assert job.status == JobStatus.DONE, job.error
    content = download(b.get(reverse("records:export-download", args=[job.pk])))
    values = assert_safe(content, fmt, corpus)
    assert (5.5 if fmt == "xlsx" else "5.5") in values
    assert b.get(reverse("records:asset-list")).status_code == 200


# --- a failure in the middle of a list ------------------------------------------------------------


def failing_in_the_middle(monkeypatch):
    """The assets' export fails in the writer, at its second row, while the rows are still being
    read (as openpyxl failed on a control character)."""
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    written = []

    def boom():
        written.append(1)
        if len(written) == 3:  # the header, one row, then the failure
            raise RuntimeError("the export failed")

    real_append = WriteOnlyWorksheet.append

    def append(sheet, row):
        boom()
        real_append(sheet, row)

    real_writer = csv.writer

    class Writer:
        def __init__(self, out):
            self.writer = real_writer(out)

        def writerow(self, row):
            boom()
            self.writer.writerow(row)

    monkeypatch.setattr(WriteOnlyWorksheet, "append", append)
    monkeypatch.setattr(tables, "csv", types.SimpleNamespace(writer=Writer))


def suspended_cursors() -> list:
    """The chunked reads (Django's ``cursor_iter``) begun and neither finished nor closed."""
    gc.collect()
    return [
        obj
        for obj in gc.get_objects()
        # type(), not isinstance: a weak proxy among the objects whose referent is gone raises then
        if type(obj) is types.GeneratorType and obj.gi_code.co_name == "cursor_iter" and obj.gi_frame is not None
    ]


def finalise(leftovers) -> None:
    """What the garbage collector does to them at some later moment, in whatever transaction is
    open then: close them (PostgreSQL: ``CLOSE`` a cursor that died with its transaction)."""
    from django.db import DatabaseError

    for generator in leftovers:
        try:
            generator.close()
        except DatabaseError:
            pass  # the collector too ignores it; the transaction it ran in is aborted all the same


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_failing_mid_stream_leaves_the_connection_fit_for_the_next_request(world, api, monkeypatch, fmt):
    for index in range(3):
        AssetFactory(agency=world.agency_a, client=world.client_a1, identifier=f"M-{index}")
    failing_in_the_middle(monkeypatch)
    client = api(world.staff_a)
    client.raise_request_exception = False
    response = client.get(reverse("asset-export"), {"file_format": fmt})
    assert response.status_code == 500
    assert response.exc_info  # the failure's traceback is still held (as by a log handler)
    leftovers = suspended_cursors()
    finalise(leftovers)
    another_request_works(api, world)  # PostgreSQL: "current transaction is aborted" if one was left
    assert leftovers == []


def test_an_export_job_failing_mid_stream_leaves_no_file_and_no_cursor(world, monkeypatch):
    from django.db import connection

    from agency.tenancy import tenant_context
    from records.services.exports import export_run

    for index in range(3):
        AssetFactory(agency=world.agency_a, client=world.client_a1, identifier=f"M-{index}")
    failing_in_the_middle(monkeypatch)
    job = ExportJob.objects.create(agency=world.agency_a, dataset="assets", format="xlsx", requested_by=world.staff_a)
    with tenant_context(world.agency_a), pytest.raises(RuntimeError) as failure:
        export_run(job_id=job.pk)
    assert failure.traceback  # still held
    leftovers = suspended_cursors()
    finalise(leftovers)
    assert leftovers == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
            assert cursor.fetchone()[0] == 0
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file


# --- reports ----------------------------------------------------------------------------------------


def hostile_report(world):
    data = {
        "title": "Data statistics report",
        "subject": "老街\x01火锅 🍲",
        "previous_period": ["2025-01-01", "2025-01-31"],
        "sections": [
            {
                "title": '=HYPERLINK("http://evil.example/","x")',
                "figures": [
                    {"label": "+1+2", "value": -5, "previous": 3, "change_pct": -12.5},
                    {"label": "a\x01b", "value": 2.5, "previous": None, "change_pct": None},
                ],
                "tables": [{"title": "x\x0by\x1fz", "columns": ["@SUM(A1)", "n"], "rows": [["-2+3", -5], ["\t=1", 7]]}],
                "charts": [{"title": "老街\x01火锅 🍲", "labels": ["=1+1", "a\x01b"], "values": [-5, 3]}],
                "notes": ["\r=1"],
            }
        ],
    }
    return StatisticsReportFactory(client=world.client_a1, status=ReportStatus.READY, has_data=True, data=data)


# The notes (last) are in the CSV only.
REPORT_CORPUS = ['=HYPERLINK("http://evil.example/","x")', "+1+2", "a\x01b", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_hostile_report_exports_safely_from_the_api_and_the_page(world, api, fmt):
    report = hostile_report(world)
    api_file = api(world.staff_a).get(reverse("statisticsreport-file", args=[report.pk]), {"file_format": fmt})
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(world.staff_a)
    page_file = b.get(reverse("records:statistics-file", args=[report.pk, fmt]))
    for response in (api_file, page_file):
        assert response.status_code == 200, response.content[:300]
        values = assert_safe(response.content, fmt, REPORT_CORPUS if fmt == "csv" else REPORT_CORPUS[:-1])
        if fmt == "xlsx":
            assert -5 in values and 2.5 in values and "'=1+1" in values
            assert "-12.5%" in values  # a change is a signed number: left as it is
        else:
            assert "-5" in values and "-12.5%" in values
    assert b.get(reverse("records:statistics-list")).status_code == 200
    another_request_works(api, world)


# --- hostile requests for an export ----------------------------------------------------------------

HOSTILE_FILTERS = {
    "nul": {"search": "a\x00b"},
    "control": {"search": "\x01=cmd|' /C calc'!A0"},
    "id-past-bigint": {"id": "9" * 40},
    "id-not-a-number": {"id": "1,=1+1"},
    "client-nul": {"client": "1\x00"},
    "client-over-long": {"client": "9" * 400},
    "format-unknown": {"file_format": "exe"},
    "format-nul": {"file_format": "csv\x00"},
}


@pytest.mark.parametrize("query", HOSTILE_FILTERS.values(), ids=HOSTILE_FILTERS.keys())
def test_every_list_export_answers_a_hostile_query_with_a_4xx_naming_it_or_a_safe_file(world, api, query):
    """Each dataset's inline export: a filter value or a format it cannot read is a 4xx naming the
    parameter; what it reads (a search for control characters) gives a safe file."""
    hostile_assets(world)
    client = api(world.staff_a)
    client.raise_request_exception = False
    for spec in datasets.DATASETS.values():
        url = reverse(f"{spec.model._meta.model_name}-export")
        fmt = query.get("file_format", "csv")
        response = client.get(url, {"file_format": "csv", **query})
        assert response.status_code < 500, (url, query, response.status_code)
        if response.status_code >= 400:
            assert 400 <= response.status_code < 500, (url, query, response.status_code)
            error = response.json()["error"]
            named = {name.removeprefix("query.") for name in error.get("fields", {})}  # a filter is query.<name>
            assert named & set(query), (url, query, error)
        else:  # a filter this list does not have is no filter of it; a format is always read
            assert fmt == "csv", (url, query, "a file in a format nobody asked for")
            assert_safe(download(response), "csv", [])
    another_request_works(api, world)


HOSTILE_JOBS = {
    "dataset-unknown": ({"dataset": "../../etc/passwd", "format": "csv"}, "dataset"),
    "dataset-nul": ({"dataset": "assets\x00", "format": "csv"}, "dataset"),
    "format-unknown": ({"dataset": "assets", "format": "exe"}, "format"),
    "query-not-an-object": ({"dataset": "assets", "format": "csv", "query": ["client", "1"]}, "query"),
    "query-nul": ({"dataset": "assets", "format": "csv", "query": {"search": "a\x00b"}}, "query"),
    "query-id-past-bigint": ({"dataset": "assets", "format": "csv", "query": {"id": "9" * 40}}, "query"),
    "query-not-a-filter": ({"dataset": "assets", "format": "csv", "query": {"=1+1": "x"}}, "query"),
    "query-nested": ({"dataset": "assets", "format": "csv", "query": {"client": {"id": 1}}}, "query"),
}


@pytest.mark.parametrize("body, field", HOSTILE_JOBS.values(), ids=HOSTILE_JOBS.keys())
def test_a_hostile_export_job_is_refused_naming_the_field_and_nothing_is_written(world, api, body, field):
    client = api(world.staff_a)
    client.raise_request_exception = False
    response = client.post(reverse("exportjob-list"), body, format="json")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    fields = response.json()["error"].get("fields", {})
    assert any(name == field or name.startswith(f"{field}.") for name in fields), fields
    assert not ExportJob.dangerously_all_agencies.exists()


@pytest.mark.parametrize(
    "body",
    [b"{", b'{"dataset": "assets", "format": "csv"', b"\xff\xfe\x00", b'{"dataset": NaN}', b"[" * 50_000],
    ids=["cut-short", "unclosed", "not-utf8", "nan", "nested-too-deep"],
)
def test_a_broken_json_export_job_is_a_400_and_nothing_is_written(world, api, body):
    client = api(world.staff_a)
    client.raise_request_exception = False
    response = client.generic("POST", reverse("exportjob-list"), body, content_type="application/json")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response.json()["error"]["code"] == "parse_error"
    assert not ExportJob.dangerously_all_agencies.exists()
