"""Reading a file of platform data: CSV or XLSX, as a creator-centre export gives it.

- The format is read from the file's bytes, never its name: XLSX is a ZIP holding a workbook,
  within the unpacked-size budget of ``agency.uploads`` (a ZIP bomb is refused without being
  unpacked); the old binary ``.xls`` is refused with a hint to save as XLSX or CSV; anything else
  must be text, and not a page, a drawing or a playlist.
- **On upload** (``check_upload``, in the web request) only cheap checks run: the size, the
  magic bytes, the ZIP directory (sizes as it states them, nothing unpacked), and the header row.
  An XLSX header is read by streaming the sheet's XML up to its first non-empty row, reading at
  most ``HEADER_READ_BUDGET`` bytes of unpacked XML; a file whose header lies further in is
  judged whole by the import instead. The workbook is never opened as a whole in the request:
  ``openpyxl.load_workbook`` scans every sheet to its end to size it when the sheet does not
  state its dimension, even in read-only mode, which is what made a 680 KB file stall a web
  worker; it also loads the whole shared-strings table up front, so a bomb of strings would stall
  a worker the same way. That is why the sheet is read with expat rather than openpyxl
  (``accounts_ops.files_sheets``).
- **In the import** (``read_table``, in the worker) the sheet is streamed row by row (expat over
  the ZIP member, a chunk at a time; no XML tree is kept), and rows are counted as they are read:
  past ``import_max_rows()`` rows of data the file is refused whole, naming the limit and the
  sheet row where it was passed, so a row bomb stops at the limit plus one row. Only the columns
  we understand are kept of each row, and of the shared-strings table only the strings those
  cells use (read in a second pass, after the sheet). A sheet past Excel's own limits
  (1,048,576 rows, 16,384 columns) is refused as damaged.
- **Formulas.** A cell's value is the one Excel saved with the formula. A formula without a saved
  value (written by a program that does not calculate, e.g. openpyxl) is refused, naming the
  cell: such a row is rejected and listed, never stored as empty.
- **Memory.** A maximal import (``IMPORT_MAX_ROWS`` = 200,000 rows of account metrics, each a
  handle, a date and nine figures: an 8 MiB XLSX that unpacks to 68 MiB) peaked at 475 MB
  resident in the worker process (127 MB of it Django at rest), reading, checking and storing
  included, in about 100 s: give a worker that runs imports 500 MB. The row bomb of 2.8 million
  rows (182 MiB unpacked from 633 KiB) is refused after 200,001 rows in about 15 s at 200 MB; its
  upload takes under a second and no memory beyond the process at rest. ``python bench/import_memory.py``
  measures both on the machine at hand.
- CSV text is UTF-8 (with or without the BOM that Excel writes) or GBK/GB18030 (what Chinese
  Windows and most creator-centre exports write); the first that decodes the whole file wins.
  Commas, tabs or semicolons separate the columns (sniffed from the header).
- The header row is the first non-empty row. Its titles are mapped to our field names in
  ``accounts_ops.platform_fields`` (Douyin's names, ours, or the creator centre's Chinese titles);
  unknown columns are ignored, and a file without the columns its kind needs is refused whole,
  naming what is missing and what was found.
- The size limit is ``IMPORT_MAX_BYTES_DEFAULT``, or the ``UPLOAD_MAX_BYTES`` setting's for the
  kind ``import`` (``agency.uploads``, like every other upload), checked on upload. The row limit
  is ``IMPORT_MAX_ROWS``, or the setting of that name.

A bulk API request kept as a data import (``Prefer: respond-async``) is read by ``read_batch``:
its body as sent, ``{"rows": [...]}``, the rows numbered from 0 as the request's ``rows[n]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts_ops.files_sheets import (
    UNCACHED,
    CsvSheet,
    FileRefused,
    OverBudget,
    XlsxSheet,
    uncached_message,
)
from accounts_ops.models.imports import JSON_BATCH
from accounts_ops.platform_fields import (
    ACCOUNT_METRICS,
    COMMENTS,
    HOT_TOPICS,
    VIDEO_METRICS,
    header_map,
)
from agency.uploads import MIB, check_office_zip, size_text, sniff, upload_limit, what_it_is

IMPORT_MAX_BYTES_DEFAULT = 20 * 1024 * 1024  # 20 MiB: a year of daily figures for 2,000 accounts
IMPORT_KIND = "import"  # its key in the UPLOAD_MAX_BYTES setting
# Rows of data one import may hold (the IMPORT_MAX_ROWS setting overrides it): a year of daily
# figures for 500 accounts, or 20 times the largest bulk request. Every row is checked in memory
# before any is stored (duplicates are found across the whole file), so this bounds the worker's
# memory: about 500 MB at the limit (see the module's docstring).
IMPORT_MAX_ROWS = 200_000
# Unpacked XML the upload check may read to find an XLSX header row; a header further in is left
# to the import, which refuses such a file whole if its columns do not fit.
HEADER_READ_BUDGET = 4 * MIB
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (BOM or not), then GBK and its superset GB18030
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls

# The columns each kind needs (any one of each group).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    ACCOUNT_METRICS: (("date",),),
    VIDEO_METRICS: (("date",), ("video", "item_id")),
    COMMENTS: (("platform_comment_id",), ("text",), ("posted_at",), ("video", "item_id")),
    HOT_TOPICS: (("title",),),
}
# Columns that name the account; a file of one account's data may leave them out.
ACCOUNT_COLUMNS = ("account", "handle")


def import_max_bytes() -> int:
    return upload_limit(IMPORT_KIND, IMPORT_MAX_BYTES_DEFAULT)


def import_max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", IMPORT_MAX_ROWS))


@dataclass
class Table:
    file_format: str
    encoding: str
    headers: list[str]
    columns: dict[int, str]  # column index → our field name
    rows: list[tuple[int, dict]]  # (row number as a spreadsheet shows it, {field: value})
    # Rows refused while the file was read (a formula without a saved value), one entry per cell:
    # {"row": sheet row, "field": our field name, "message": ...}, in sheet order.
    refused: list[dict] = field(default_factory=list)

    @property
    def rows_refused(self) -> int:
        return len({problem["row"] for problem in self.refused})


def check_format(data: bytes) -> tuple[str, str]:
    """``("xlsx", "")`` or ``("csv", encoding)`` for ``data``; raises ``FileRefused`` naming what
    the file is when it is neither. Reads the ZIP directory of an XLSX, never its contents."""
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    limit = import_max_bytes()
    if len(data) > limit:
        raise FileRefused(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": size_text(len(data)), "limit": size_text(limit)}
        )
    if data.startswith(OLE_MAGIC):
        raise FileRefused(_("This is an old Excel (.xls) file: save it as .xlsx or .csv and import that."))
    if data.startswith(ZIP_MAGIC):
        try:
            fmt = check_office_zip(data, field="file", name=_("The file"))
        except ValidationError as exc:
            raise FileRefused(exc.message_dict["file"][0])
        if fmt != "xlsx":
            raise FileRefused(_("The file is a %(format)s document, not a spreadsheet.") % {"format": fmt.upper()})
        return "xlsx", ""
    code = sniff(data[:4096])
    if code != "text":
        raise FileRefused(_("The file is %(what)s, not a CSV or XLSX file.") % {"what": what_it_is(code)})
    _text, encoding = _decode(data)
    if "\x00" in _text:
        raise FileRefused(_("The file is not text: save it as CSV (UTF-8) or XLSX."))
    return "csv", encoding


def check_upload(upload, kind: str, *, account_given: bool) -> None:
    """Refuse on upload, before it is stored, a file that ``read_table`` would refuse whole: not
    CSV or XLSX by its bytes, or without the columns ``kind`` needs. Cheap checks only (see the
    module's docstring): the rows are the import's, in the worker."""
    upload.seek(0)
    data = upload.read(import_max_bytes() + 1)
    upload.seek(0)
    try:
        file_format, encoding = check_format(data)
        try:
            _number, headers = _sheet(data, file_format, encoding, budget=HEADER_READ_BUDGET).header()
        except OverBudget:
            return  # the header lies deep in the file: the import judges it
        _check_columns(kind, headers, header_map(kind, headers), account_given=account_given)
    except FileRefused as exc:
        raise ValidationError({"file": str(exc)})


def read_table(data: bytes, kind: str, *, account_given: bool) -> Table:
    """The rows of ``data`` with our field names; raises ``FileRefused`` naming the problem.
    Streams the sheet and stops past ``import_max_rows()`` rows of data."""
    file_format, encoding = check_format(data)
    sheet = _sheet(data, file_format, encoding)
    _number, headers = sheet.header()
    columns = header_map(kind, headers)
    _check_columns(kind, headers, columns, account_given=account_given)
    limit = import_max_rows()
    counted = 0
    rows: list[tuple[int, dict]] = []
    refused: list[dict] = []
    for number, cells in sheet.rows():
        if not any(value not in (None, "") for value in sheet.values(cells)):
            continue
        counted += 1
        if counted > limit:
            raise FileRefused(
                _(
                    "The file has more than %(limit)s rows of data (reading stopped at row %(row)s of the "
                    "sheet); at most %(limit)s can be imported at once: split it into several files."
                )
                % {"limit": f"{limit:,}", "row": f"{number:,}"}
            )
        row = {}
        uncached = False
        for index, name in columns.items():
            value = sheet.cell(cells, index)
            if value is UNCACHED:
                refused.append({"row": number, "field": name, "message": uncached_message(index, number)})
                uncached = True
            row[name] = value
        if uncached:
            continue
        if any(value not in (None, "") for value in row.values()):
            rows.append((number, row))
    rows = sheet.resolved(rows)
    if not rows and not refused:
        raise FileRefused(_("The file has a header row but no rows of data."))
    return Table(file_format, sheet.encoding, headers, columns, rows, refused)


def read_batch(data: bytes) -> Table:
    """The rows of a bulk API request kept as a data import; raises ``FileRefused`` if the body
    is not an object with a list of rows (it was one when the request was accepted)."""
    try:
        rows = json.loads(data)["rows"]
    except (ValueError, KeyError, TypeError):
        rows = None
    if not isinstance(rows, list):
        raise FileRefused(_("The request's body is not an object with a list of rows."))
    return Table(JSON_BATCH, "utf-8", [], {}, list(enumerate(rows)))


def _sheet(data: bytes, file_format: str, encoding: str, *, budget: int | None = None):
    if file_format == "xlsx":
        return XlsxSheet(data, budget=budget)
    return CsvSheet(data, encoding)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), ("gbk" if encoding == "gb18030" else "utf-8")
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The file is neither UTF-8 nor GBK text: save it as CSV (UTF-8) or XLSX."))


def _check_columns(kind: str, headers: list[str], columns: dict[int, str], *, account_given: bool) -> None:
    known = set(columns.values())
    missing = [" / ".join(group) for group in REQUIRED[kind] if not known.intersection(group)]
    if kind in (ACCOUNT_METRICS,) and not account_given and not known.intersection(ACCOUNT_COLUMNS):
        missing.append(" / ".join(ACCOUNT_COLUMNS))
    if kind == VIDEO_METRICS and "video" not in known and not account_given and not known & set(ACCOUNT_COLUMNS):
        missing.append(" / ".join(ACCOUNT_COLUMNS))
    if kind == COMMENTS and "video" not in known and not account_given and not known & set(ACCOUNT_COLUMNS):
        missing.append(" / ".join(ACCOUNT_COLUMNS))
    if missing:
        raise FileRefused(
            _("The file lacks the column(s) %(missing)s. Its header row has: %(found)s.")
            % {"missing": "; ".join(missing), "found": ", ".join(h for h in headers if h) or "—"}
        )
