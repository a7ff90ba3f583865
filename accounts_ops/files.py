"""Reading a file of platform data: CSV or XLSX, as a creator-centre export gives it.

- The format is read from the file's bytes, never its name: XLSX is a ZIP holding a workbook,
  within the unpacked-size budget of ``agency.uploads`` (a ZIP bomb is refused without being
  unpacked); the old binary ``.xls`` is refused with a hint to save as XLSX or CSV; anything else
  must be text, and not a page, a drawing or a playlist. ``check_format`` runs on upload, so such
  a file is refused before it is stored; ``read_table`` runs it again in the import.
- CSV text is UTF-8 (with or without the BOM that Excel writes) or GBK/GB18030 (what Chinese
  Windows and most creator-centre exports write); the first that decodes the whole file wins.
  Commas, tabs or semicolons separate the columns (sniffed from the header).
- The header row is the first non-empty row. Its titles are mapped to our field names in
  ``accounts_ops.platform_fields`` (Douyin's names, ours, or the creator centre's Chinese titles);
  unknown columns are ignored, and a file without the columns its kind needs is refused whole,
  naming what is missing and what was found.
- The size limit is ``IMPORT_MAX_BYTES_DEFAULT``, or the ``UPLOAD_MAX_BYTES`` setting's for the
  kind ``import`` (``agency.uploads``, like every other upload), checked on upload.

A bulk API request kept as a data import (``Prefer: respond-async``) is read by ``read_batch``:
its body as sent, ``{"rows": [...]}``, the rows numbered from 0 as the request's ``rows[n]``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts_ops.models.metrics import JSON_BATCH
from accounts_ops.platform_fields import (
    ACCOUNT_METRICS,
    COMMENTS,
    HOT_TOPICS,
    VIDEO_METRICS,
    header_map,
)
from agency.uploads import check_office_zip, size_text, sniff, upload_limit, what_it_is

IMPORT_MAX_BYTES_DEFAULT = 20 * 1024 * 1024  # 20 MiB: a year of daily figures for 2,000 accounts
IMPORT_KIND = "import"  # its key in the UPLOAD_MAX_BYTES setting
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


class FileRefused(ValueError):
    """The file as a whole cannot be imported; ``str()`` says why."""


@dataclass
class Table:
    file_format: str
    encoding: str
    headers: list[str]
    columns: dict[int, str]  # column index → our field name
    rows: list[tuple[int, dict]]  # (row number as a spreadsheet shows it, {field: value})


def check_format(data: bytes) -> tuple[str, str]:
    """``("xlsx", "")`` or ``("csv", encoding)`` for ``data``; raises ``FileRefused`` naming what
    the file is when it is neither."""
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
    CSV or XLSX by its bytes, or without the columns ``kind`` needs (its rows are the import's)."""
    upload.seek(0)
    data = upload.read(import_max_bytes() + 1)
    upload.seek(0)
    try:
        file_format, encoding = check_format(data)
        grid = _grid(data, file_format, encoding)
        headers = next((_header(cells) for cells in grid if any(cell not in (None, "") for cell in cells)), None)
        if headers is None:
            raise FileRefused(_("The file is empty."))
        _check_columns(kind, headers, header_map(kind, headers), account_given=account_given)
    except FileRefused as exc:
        raise ValidationError({"file": str(exc)})


def _grid(data: bytes, file_format: str, encoding: str):
    if file_format == "xlsx":
        return _xlsx_rows(data)
    return _csv_rows(data.decode("utf-8-sig" if encoding == "utf-8" else "gb18030"))


def _header(cells) -> list[str]:
    return ["" if cell is None else str(cell).strip() for cell in cells]


def read_table(data: bytes, kind: str, *, account_given: bool) -> Table:
    """The rows of ``data`` with our field names; raises ``FileRefused`` naming the problem."""
    file_format, encoding = check_format(data)
    grid = _grid(data, file_format, encoding)
    headers, numbered = _split_header(grid)
    columns = header_map(kind, headers)
    _check_columns(kind, headers, columns, account_given=account_given)
    rows = []
    for number, cells in numbered:
        row = {name: _cell(cells[index]) for index, name in columns.items() if index < len(cells)}
        if any(value not in (None, "") for value in row.values()):
            rows.append((number, row))
    if not rows:
        raise FileRefused(_("The file has a header row but no rows of data."))
    return Table(file_format, encoding, headers, columns, rows)


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


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), ("gbk" if encoding == "gb18030" else "utf-8")
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The file is neither UTF-8 nor GBK text: save it as CSV (UTF-8) or XLSX."))


def _csv_rows(text: str) -> Iterator[list]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(_("The XLSX file cannot be read (%(error)s).") % {"error": exc.__class__.__name__})
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise FileRefused(_("The XLSX file has no sheet."))
    return sheet.iter_rows(values_only=True)


def _split_header(grid) -> tuple[list[str], list[tuple[int, list]]]:
    headers: list[str] | None = None
    numbered: list[tuple[int, list]] = []
    for number, cells in enumerate(grid, start=1):
        cells = list(cells)
        if headers is None:
            if any(cell not in (None, "") for cell in cells):
                headers = _header(cells)
            continue
        numbered.append((number, cells))
    if headers is None:
        raise FileRefused(_("The file is empty."))
    return headers, numbered


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


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
