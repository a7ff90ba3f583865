"""Hostile files for the import of platform data: a row bomb (a small XLSX that unpacks to
millions of rows), formula cells without a saved value, repeated rows, damaged or crafted XML.

The web request does only cheap checks (it never reads a sheet past its header row); the worker
streams the sheet under a row limit, refuses a formula it cannot read naming the cell, and names a
repeated row's first occurrence by its sheet row. Nothing here asserts on time: what is bounded is
what is read (bytes of unpacked XML), counted."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts_ops import files
from accounts_ops.models import AccountDailyMetric, DataImport, HotTopic, ImportStatus, VideoComment, VideoDailyMetric
from accounts_ops.services.imports import data_import_request, data_import_run
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.factories import PlatformAccountFactory, VideoFactory

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def yesterday(agency) -> dt.date:
    return timezone.localdate(timezone=agency.tz) - dt.timedelta(days=1)


def xlsx(
    sheet_data, *, strings: list[str] | None = None, styles: str = "", head: str = "", date1904: bool = False
) -> bytes:
    """A minimal workbook as Excel lays it out, its one sheet's ``<sheetData>`` given as XML text
    or as an iterable of byte chunks (streamed into the ZIP: a bomb is never held whole)."""
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if strings is not None
            else ""
        )
        + (
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            if styles
            else ""
        )
        + "</Types>"
    )
    relationships = (
        f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="/xl/styles.xml"/></Relationships>'
    )
    workbook = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><workbookPr date1904="{int(date1904)}"/>'
        '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{RELS}"/>')
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", relationships)
        if styles:
            archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>')
        if strings is not None:
            items = "".join(strings)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{items}</sst>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0"?>{head}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for chunk in [sheet_data.encode()] if isinstance(sheet_data, str) else sheet_data:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def bomb_rows(rows: int, day: dt.date) -> bytes:
    """``rows`` rows of account figures after a header: a row bomb's sheet, in chunks."""
    yield f'<row r="1">{text("A1", "日期")}{text("B1", "播放量")}</row>'.encode()
    chunk = []
    for number in range(2, rows + 2):
        chunk.append(
            b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d"><v>%d</v></c></row>'
            % (number, number, day.isoformat().encode(), number, number)
        )
        if len(chunk) == 10_000:
            yield b"".join(chunk)
            chunk = []
    yield b"".join(chunk)


def workbook_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1, handle="shop")


@pytest.fixture
def actor(world):
    return Membership.objects.get(user=world.staff_a).as_actor()


def upload(world, actor, data: bytes, *, kind="account_metrics", account=None, name="export.xlsx") -> DataImport:
    with tenant_context(world.agency_a, actor=actor):
        return data_import_request(actor=actor, kind=kind, file=SimpleUploadedFile(name, data), account=account)


def run(world, actor, job: DataImport) -> DataImport:
    with tenant_context(world.agency_a, actor=actor):
        data_import_run(import_id=job.pk)
    return DataImport.dangerously_all_agencies.get(pk=job.pk)


def run_import(world, actor, data: bytes, **kwargs) -> DataImport:
    return run(world, actor, upload(world, actor, data, **kwargs))


@pytest.fixture
def unpacked(monkeypatch):
    """Bytes of unpacked ZIP members read so far (every reader of a ZIP member goes through
    ``ZipExtFile.read``), as a one-item list."""
    counted = [0]
    original = zipfile.ZipExtFile.read

    def read(self, n=-1):
        data = original(self, n)
        counted[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return counted


# --- the row bomb ------------------------------------------------------------------------------------


def test_the_upload_of_a_row_bomb_reads_its_header_only(world, actor, account, unpacked):
    """A sheet without a stated dimension: opening the workbook (openpyxl, even read-only) would
    scan it to its end, in the web request."""
    data = xlsx(bomb_rows(120_000, yesterday(world.agency_a)))
    sheet_size = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size
    assert len(data) * 8 < sheet_size and sheet_size > 10 * 1024 * 1024  # it unpacks to 8 times its size and more
    unpacked[0] = 0
    job = upload(world, actor, data, account=account)
    assert job.status == ImportStatus.QUEUED
    assert unpacked[0] < 256 * 1024, f"the web request unpacked {unpacked[0]:,} bytes"


def test_a_row_bomb_is_refused_by_the_worker_at_the_row_limit_plus_one(world, actor, account, unpacked, settings):
    settings.IMPORT_MAX_ROWS = 1_000
    data = xlsx(bomb_rows(120_000, yesterday(world.agency_a)))
    sheet_size = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size
    job = upload(world, actor, data, account=account)
    unpacked[0] = 0
    job = run(world, actor, job)
    assert job.status == ImportStatus.FAILED
    assert "more than 1,000 rows of data" in job.error and "row 1,002 of the sheet" in job.error
    assert unpacked[0] < sheet_size / 20, f"the worker unpacked {unpacked[0]:,} of {sheet_size:,} bytes"
    assert (job.rows_accepted, job.rows_total) == (0, 0)
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_a_file_at_the_row_limit_is_imported_and_one_row_more_is_refused_whole(world, actor, account, settings):
    settings.IMPORT_MAX_ROWS = 3
    end = yesterday(world.agency_a)
    lines = ["日期,播放量", *(f"{end - dt.timedelta(days=n)},{n}" for n in range(4))]
    at_limit = run_import(world, actor, "\n".join(lines[:4]).encode(), account=account, name="a.csv")
    assert (at_limit.status, at_limit.rows_accepted) == (ImportStatus.DONE, 3)
    AccountDailyMetric.dangerously_all_agencies.all().delete()
    over = run_import(world, actor, "\n\n".join(lines).encode(), account=account, name="b.csv")
    assert over.status == ImportStatus.FAILED
    assert "more than 3 rows of data" in over.error and "row 9 of the sheet" in over.error  # blank lines between
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_the_default_row_limit_is_a_named_constant_the_setting_overrides(settings):
    assert files.import_max_rows() == files.IMPORT_MAX_ROWS >= 100_000
    settings.IMPORT_MAX_ROWS = 7
    assert files.import_max_rows() == 7


def test_a_header_beyond_what_the_upload_reads_is_judged_by_the_worker(world, actor, account, monkeypatch):
    monkeypatch.setattr(files, "HEADER_READ_BUDGET", 64 * 1024)
    blank = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(1, 20_000))
    data = xlsx(blank + f'<row r="20000">{text("A20000", "name")}{text("B20000", "colour")}</row>')
    job = upload(world, actor, data, account=account)  # the upload cannot tell: it is stored
    job = run(world, actor, job)
    assert job.status == ImportStatus.FAILED and "date" in job.error and "name, colour" in job.error


# --- formulas ------------------------------------------------------------------------------------------


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(world, actor, account):
    end = yesterday(world.agency_a)
    data = workbook_bytes(
        [
            ["日期", "播放量", "点赞"],
            [end, 1500, 80],
            [end - dt.timedelta(days=1), "=1+1", 90],  # B3: openpyxl saves no value with it
            [end - dt.timedelta(days=2), 1300, "=B2*2"],  # C4
        ]
    )
    job = run_import(world, actor, data, account=account)
    assert (job.status, job.rows_total, job.rows_accepted, job.rows_rejected) == (ImportStatus.DONE, 3, 1, 2)
    assert [(e["row"], e["field"]) for e in job.row_errors] == [(3, "plays"), (4, "likes")]
    assert job.row_errors[0]["message"].startswith("B3: a formula without a saved value")
    assert job.row_errors[1]["message"].startswith("C4: a formula without a saved value")
    assert list(AccountDailyMetric.dangerously_all_agencies.values_list("date", "plays")) == [(end, 1500)]


def test_a_formula_with_its_saved_value_is_read_as_that_value(world, actor, account):
    end = yesterday(world.agency_a)
    data = xlsx(
        f'<row r="1">{text("A1", "日期")}{text("B1", "播放量")}{text("C1", "账号名")}</row>'
        f'<row r="2">{text("A2", str(end))}<c r="B2"><f>1+1</f><v>2</v></c>'
        f'<c r="C2" t="str"><f>"sh"&amp;"op"</f><v>shop</v></c></row>'
    )
    job = run_import(world, actor, data)
    assert (job.status, job.rows_accepted, job.row_errors) == (ImportStatus.DONE, 1, [])
    assert AccountDailyMetric.dangerously_all_agencies.get(account=account).plays == 2


def test_a_header_cell_that_is_a_formula_without_a_value_is_refused_on_upload(world, actor, account):
    data = xlsx(f'<row r="1"><c r="A1"><f>"日"&amp;"期"</f></c>{text("B1", "播放量")}</row>')
    with pytest.raises(ValidationError) as error:
        upload(world, actor, data, account=account)
    assert error.value.message_dict["file"][0].startswith("A1: a formula without a saved value")
    assert not DataImport.dangerously_all_agencies.exists()


# --- repeated rows name the sheet row of the first ------------------------------------------------


def test_a_repeated_day_names_the_sheet_row_of_its_first_occurrence(world, actor, account):
    end = yesterday(world.agency_a)
    book = Workbook()
    sheet = book.active
    sheet["A2"], sheet["B2"] = "日期", "播放量"  # a blank first row: the header is row 2
    for number, (day, plays) in enumerate([(end, 10), (end - dt.timedelta(days=1), 11), (end, 12)], start=3):
        sheet.cell(number, 1, day.isoformat())
        sheet.cell(number, 2, plays)
    buffer = io.BytesIO()
    book.save(buffer)
    job = run_import(world, actor, buffer.getvalue(), account=account)
    assert (job.rows_accepted, job.rows_rejected) == (2, 1)
    [error] = job.row_errors
    assert (error["row"], error["field"]) == (5, "date")
    assert error["message"].startswith("row 3 already gives account")


def test_repeats_in_files_of_every_kind_name_sheet_rows(world, actor, account):
    video = VideoFactory(account=account, platform_item_id="7300001")
    end = yesterday(world.agency_a)
    posted = f"{timezone.localtime(timezone.now() - dt.timedelta(hours=2), world.agency_a.tz):%Y-%m-%d %H:%M:%S}"
    videos = run_import(
        world,
        actor,
        f"作品id,日期,播放量\n7300001,{end},5\n7300001,{end},6\n".encode(),
        kind="video_metrics",
        account=account,
        name="v.csv",
    )
    comments = run_import(
        world,
        actor,
        f"作品id,评论id,评论内容,评论时间\n7300001,c-1,好吃,{posted}\n7300001,c-2,好,{posted}\n"
        f"7300001,c-1,又来,{posted}\n".encode(),
        kind="comments",
        account=account,
        name="c.csv",
    )
    topics = run_import(
        world, actor, "平台,话题,热度\n抖音,秋天,5\n\n抖音,秋天,6\n".encode(), kind="hot_topics", name="t.csv"
    )
    assert [(e["row"], e["message"][:6]) for e in videos.row_errors] == [(3, "row 2 ")]
    assert [(e["row"], e["message"][:6]) for e in comments.row_errors] == [(4, "row 2 ")]
    assert [(e["row"], e["message"][:6]) for e in topics.row_errors] == [(4, "row 2 ")]
    assert VideoDailyMetric.dangerously_all_agencies.get(video=video).plays == 5
    assert VideoComment.dangerously_all_agencies.count() == 2 and HotTopic.dangerously_all_agencies.count() == 1


# --- the XLSX reader: what Excel writes, and what it never does ---------------------------------------


def test_shared_texts_rich_runs_and_dates_are_read_as_excel_shows_them(world, actor):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    end = yesterday(world.agency_a)
    serial_1904 = (end - dt.date(1904, 1, 1)).days
    strings = [
        "<si><t>日期</t></si>",
        "<si><r><t>播放</t></r><r><rPr><b/></rPr><t>量</t></r></si>",
        "<si><t>抖音号</t><rPh sb='0' eb='1'><t>phonetic</t></rPh></si>",
        "<si><t xml:space='preserve'> @laojie </t></si>",
    ]
    data = xlsx(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
        f'<row r="2"><c r="A2" s="1"><v>{serial_1904}</v></c><c r="B2"><v>77</v></c><c r="C2" t="s"><v>3</v></c>'
        "</row>",
        strings=strings,
        styles='<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>',
        date1904=True,
    )
    job = run_import(world, actor, data)
    assert (job.status, job.rows_accepted, job.row_errors) == (ImportStatus.DONE, 1, [])
    assert AccountDailyMetric.dangerously_all_agencies.filter(account=account, date=end, plays=77).exists()


@pytest.mark.parametrize(
    ("sheet", "strings", "head", "said"),
    [
        pytest.param(
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>9</v></c></row>',
            ["<si><t>日期</t></si>"],
            "",
            "does not hold",
            id="a-shared-text-the-table-lacks",
        ),
        pytest.param(
            f'<row r="1">{text("A1", "&bomb;")}</row>',
            None,
            '<!DOCTYPE worksheet [<!ENTITY bomb "日期">]>',
            "document type",
            id="entities",
        ),
        pytest.param(f'<row r="1">{text("A1", "日期")}</row><row r="2"><c r="A2"', None, "", "XML", id="cut-xml"),
        pytest.param(f'<row r="1">{text("XFE1", "日期")}</row>', None, "", "column XFD", id="past-the-last-column"),
        pytest.param(
            f'<row r="1">{text("A1", "日期")}{text("B1", "播放量")}</row>'
            f'<row r="2">{text("A2", "2026-01-02")}<c r="B2"><v>5</v></c></row>'
            f'<row r="1048577">{text("A1048577", "2026-01-03")}<c r="B1048577"><v>5</v></c></row>',
            None,
            "",
            "1,048,576",
            id="past-the-last-row",
        ),
    ],
)
def test_a_crafted_or_damaged_sheet_is_a_clear_refusal(world, actor, account, sheet, strings, head, said):
    data = xlsx(sheet, strings=strings, head=head)
    try:
        job = run_import(world, actor, data, account=account)
    except ValidationError as refused:  # refused on upload, if the header shows it
        message = refused.message_dict["file"][0]
    else:
        assert job.status == ImportStatus.FAILED
        message = job.error
    assert said in message, message
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_a_csv_with_many_blank_lines_before_its_header_is_read(world, actor, account):
    end = yesterday(world.agency_a)
    data = ("\r\n" * 5_000 + f"日期;播放量\r\n{end};42\r\n").encode()
    job = run_import(world, actor, data, account=account, name="x.csv")
    assert (job.status, job.rows_accepted) == (ImportStatus.DONE, 1)
    assert AccountDailyMetric.dangerously_all_agencies.get(account=account).plays == 42
