"""The two kinds of sheet a file of platform data is read as (``accounts_ops.files``): a CSV
file's records, and the first worksheet of an XLSX file, streamed with expat (never a whole
workbook, see ``accounts_ops.files``), with the cell values both give and what refuses a file."""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

from django.utils.translation import gettext as _

EXCEL_MAX_ROWS = 1_048_576  # what Excel itself can hold; a sheet past it is not one Excel wrote
EXCEL_MAX_COLUMNS = 16_384
XML_CHUNK = 64 * 1024  # bytes of unpacked XML parsed at a time


class FileRefused(ValueError):
    """The file as a whole cannot be imported; ``str()`` says why."""


def header_cells(cells) -> list[str]:
    return ["" if cell is None else str(cell).strip() for cell in cells]


def uncached_message(index: int, number: int) -> str:
    return _("%(cell)s: a formula without a saved value; open the file in Excel and save it, or paste values.") % {
        "cell": f"{column_letters(index + 1)}{number}"
    }


def cell_value(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- CSV ------------------------------------------------------------------------------------------

# The line breaks of str.splitlines, to find the first line that is not blank without splitting
# the whole text.
_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


class CsvSheet:
    """A CSV file's records, numbered from 1 as a spreadsheet numbers its rows."""

    def __init__(self, data: bytes, encoding: str):
        self.encoding = encoding
        self.text = data.decode("utf-8-sig" if encoding == "utf-8" else "gb18030")
        first = next((match.group() for match in _LINE.finditer(self.text) if match.group().strip()), "")
        delimiter = max((",", "\t", ";"), key=first.count)
        self.records = enumerate(csv.reader(io.StringIO(self.text, newline=""), delimiter=delimiter), start=1)

    def header(self) -> tuple[int, list[str]]:
        for number, cells in self.records:
            if any(cell not in (None, "") for cell in cells):
                return number, header_cells(cells)
        raise FileRefused(_("The file is empty."))

    def rows(self) -> Iterator[tuple[int, list]]:
        return self.records

    @staticmethod
    def values(cells: list):
        return cells

    @staticmethod
    def cell(cells: list, index: int):
        return cell_value(cells[index]) if index < len(cells) else None

    @staticmethod
    def resolved(rows):
        return rows


# --- XLSX, streamed -------------------------------------------------------------------------------


class OverBudget(Exception):
    """The upload check read its budget of unpacked XML without finding what it looked for."""


class _Shared(int):
    """A cell's index into the shared-strings table, resolved once the sheet has been read."""

    __slots__ = ()


UNCACHED = object()  # a formula cell without a saved value

RELATIONSHIP_TYPES = "/relationships/"
MAX_RELATIONSHIPS = 10_000  # of the workbook; Excel writes a few per sheet


def column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_of(reference: str) -> int:
    """The 1-based column of a cell reference such as ``C7``."""
    column = 0
    for char in reference:
        if "A" <= char <= "Z":
            column = column * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            column = column * 26 + ord(char) - 96
        else:
            break
        if column > EXCEL_MAX_COLUMNS:
            break
    return column


class _Metered:
    """A ZIP member's stream that counts what it gives; past ``budget`` it raises ``OverBudget``."""

    def __init__(self, stream, sheet: XlsxSheet):
        self.stream, self.sheet = stream, sheet

    def read(self, size: int) -> bytes:
        chunk = self.stream.read(size)
        self.sheet.read_bytes += len(chunk)
        if self.sheet.budget is not None and self.sheet.read_bytes > self.sheet.budget:
            raise OverBudget
        return chunk


def _refuse_markup(*_args):
    raise FileRefused(_("The XLSX file declares a document type or entities, which Excel never writes."))


def _parse(stream, handler) -> Iterator[None]:
    """Feed ``stream`` to expat a chunk at a time, calling ``handler.start(local name, attrs)``,
    ``handler.end(local name)`` and ``handler.data(text)``; yields after each chunk (the caller
    takes what the handler collected) and stops early once ``handler.done``."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    names: dict[str, str] = {}

    def local(name: str) -> str:
        short = names.get(name)
        if short is None:
            short = names[name] = name.rpartition(" ")[2]
        return short

    parser.StartElementHandler = lambda name, attrs: handler.start(local(name), attrs)
    parser.EndElementHandler = lambda name: handler.end(local(name))
    parser.CharacterDataHandler = handler.data
    parser.StartDoctypeDeclHandler = _refuse_markup
    parser.EntityDeclHandler = _refuse_markup
    try:
        while not handler.done:
            chunk = stream.read(XML_CHUNK)
            parser.Parse(chunk, not chunk)
            yield
            if not chunk:
                return
    except expat.ExpatError as exc:
        raise FileRefused(
            _("The XLSX file cannot be read: its XML is damaged (%(error)s).") % {"error": expat.ErrorString(exc.code)}
        )


class _Handler:
    done = False

    def start(self, name: str, attrs: dict) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass


class _Relationships(_Handler):
    def __init__(self):
        self.found: dict[str, tuple[str, str]] = {}  # id → (type, target)

    def start(self, name, attrs):
        if name == "Relationship" and attrs.get("TargetMode") != "External":
            self.found[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))
            if len(self.found) > MAX_RELATIONSHIPS:
                raise FileRefused(_("The XLSX file cannot be read: its workbook has too many parts."))


class _Workbook(_Handler):
    """The relationship ids of the sheets, in order, and the date system."""

    def __init__(self):
        self.sheets: list[str] = []
        self.date1904 = False

    def start(self, name, attrs):
        if name == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            self.sheets.extend(value for key, value in attrs.items() if key.rpartition(" ")[2] == "id" and " " in key)
            if len(self.sheets) > MAX_RELATIONSHIPS:
                raise FileRefused(_("The XLSX file cannot be read: its workbook has too many parts."))

    def end(self, name):
        if name == "sheets":
            self.done = True


class _Styles(_Handler):
    """Which cell styles show a date (or a duration): such a cell's number is a date."""

    def __init__(self):
        self.custom: dict[int, str] = {}
        self.in_cell_xfs = False
        self.index = -1
        self.formats: dict[int, int] = {}  # style index → number format id, for ids not plain

    def start(self, name, attrs):
        if name == "numFmt":
            try:
                self.custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif name == "cellXfs":
            self.in_cell_xfs = True
        elif name == "xf" and self.in_cell_xfs:
            self.index += 1
            try:
                number_format = int(attrs.get("numFmtId", "0"))
            except ValueError:
                number_format = 0
            if number_format:
                self.formats[self.index] = number_format

    def end(self, name):
        if name == "cellXfs":
            self.in_cell_xfs = False
            self.done = True

    def date_styles(self) -> dict[int, bool]:
        """Style index → whether it is a duration, for the styles that show dates."""
        from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format

        dates = {}
        for index, number_format in self.formats.items():
            code = self.custom.get(number_format) or builtin_format_code(number_format)
            if code and is_date_format(code):
                dates[index] = is_timedelta_format(code)
        return dates


class _Strings(_Handler):
    """The strings of the shared-strings table at the indices ``wanted`` (phonetic runs left out,
    as Excel shows the text)."""

    def __init__(self, wanted: set[int]):
        self.wanted = wanted
        self.last = max(wanted)
        self.found: dict[int, str] = {}
        self.index = -1
        self.parts: list[str] | None = None
        self.text: list[str] | None = None
        self.phonetic = False

    def start(self, name, attrs):
        if name == "si":
            self.index += 1
            self.parts = [] if self.index in self.wanted else None
        elif name == "t" and self.parts is not None and not self.phonetic:
            self.text = []
        elif name == "rPh":
            self.phonetic = True

    def data(self, text):
        if self.text is not None:
            self.text.append(text)

    def end(self, name):
        if name == "t" and self.text is not None:
            self.parts.append("".join(self.text))
            self.text = None
        elif name == "rPh":
            self.phonetic = False
        elif name == "si":
            if self.parts is not None:
                self.found[self.index] = "".join(self.parts).replace("x005F_", "")
            self.parts = None
            if self.index >= self.last:
                self.done = True


class _Cells(_Handler):
    """The rows of a worksheet: ``(sheet row, {0-based column: value})`` into ``out``, a value being
    what Excel saved (a ``_Shared`` index for shared text, ``UNCACHED`` for a formula without a
    saved value); empty cells are left out."""

    def __init__(self, out: list, dates: dict[int, bool], epoch):
        self.out, self.dates, self.epoch = out, dates, epoch
        self.row_number = 0
        self.rows_seen = 0
        self.cells: dict[int, object] | None = None
        self.column = 0
        self.kind = "n"
        self.style = ""
        self.formula = False
        self.value: str | None = None
        self.inline: list[str] | None = None
        self.text: list[str] | None = None
        self.phonetic = False

    def start(self, name, attrs):
        if name == "c":
            reference = attrs.get("r")
            self.column = _column_of(reference) if reference else self.column + 1
            if not 0 < self.column <= EXCEL_MAX_COLUMNS:
                raise FileRefused(
                    _("The XLSX file is damaged: row %(row)s has a cell past column %(max)s.")
                    % {"row": self.row_number, "max": column_letters(EXCEL_MAX_COLUMNS)}
                )
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s", "")
            self.formula = False
            self.value = None
            self.inline = None
        elif name == "v":
            self.text = []
        elif name == "f":
            self.formula = True
        elif name == "is":
            self.inline = []
        elif name == "t" and self.inline is not None and not self.phonetic:
            self.text = []
        elif name == "rPh":
            self.phonetic = True
        elif name == "row":
            self.rows_seen += 1
            try:
                number = int(attrs["r"]) if "r" in attrs else self.row_number + 1
            except ValueError:
                number = 0
            if not 0 < number <= EXCEL_MAX_ROWS or self.rows_seen > EXCEL_MAX_ROWS:
                raise FileRefused(
                    _("The XLSX file is damaged: it has a row past row %(max)s, the last one Excel can hold.")
                    % {"max": f"{EXCEL_MAX_ROWS:,}"}
                )
            self.row_number = number
            self.cells = {}
            self.column = 0

    def data(self, text):
        if self.text is not None:
            self.text.append(text)

    def end(self, name):
        if name == "v" and self.text is not None:
            self.value = "".join(self.text)
            self.text = None
        elif name == "t" and self.text is not None:
            self.inline.append("".join(self.text))
            self.text = None
        elif name == "rPh":
            self.phonetic = False
        elif name == "c":
            value = self.cell_value()
            if value is not None and self.cells is not None:
                self.cells[self.column - 1] = value
        elif name == "row" and self.cells is not None:
            self.out.append((self.row_number, self.cells))
            self.cells = None

    def cell_value(self):
        kind, raw = self.kind, self.value
        if self.formula and not raw and kind != "str":
            return UNCACHED
        if kind == "inlineStr":
            return "".join(self.inline) if self.inline is not None else None
        if not raw:
            return None
        if kind == "s":
            try:
                return _Shared(raw)
            except ValueError:
                raise FileRefused(
                    _("The XLSX file is damaged: cell %(cell)s refers to no text.")
                    % {"cell": f"{column_letters(self.column)}{self.row_number}"}
                )
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            try:
                return from_ISO8601(raw)
            except ValueError:
                return raw
        try:
            number = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
        except ValueError:
            return raw
        if self.style and self.dates:
            try:
                duration = self.dates.get(int(self.style))
            except ValueError:
                duration = None
            if duration is not None:
                from openpyxl.utils.datetime import from_excel

                try:
                    return from_excel(number, self.epoch, timedelta=duration)
                except (OverflowError, ValueError):
                    return number
        return number


class XlsxSheet:
    """The first worksheet of an XLSX file, streamed. ``budget`` bounds the unpacked XML read
    (``OverBudget`` past it); ``None``: the file's own size budget bounds it."""

    encoding = ""

    def __init__(self, data: bytes, *, budget: int | None = None):
        self.budget = budget
        self.read_bytes = 0
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise FileRefused(_("The XLSX file cannot be read (it is a damaged ZIP file)."))
        self.names = set(self.archive.namelist())
        workbook = _Workbook()
        self._run("xl/workbook.xml", workbook)
        relationships = _Relationships()
        self._run("xl/_rels/workbook.xml.rels", relationships)
        parts = {rid: (kind, self._target(target)) for rid, (kind, target) in relationships.found.items()}
        self.path = next(
            (
                parts[rid][1]
                for rid in workbook.sheets
                if rid in parts and parts[rid][0].endswith("/worksheet") and parts[rid][1] in self.names
            ),
            None,
        )
        if self.path is None:
            raise FileRefused(_("The XLSX file has no sheet."))
        self.strings_path = next(
            (target for kind, target in parts.values() if kind.endswith("/sharedStrings")), "xl/sharedStrings.xml"
        )
        self.styles_path = next(
            (target for kind, target in parts.values() if kind.endswith("/styles")), "xl/styles.xml"
        )
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
        self.dates: dict[int, bool] = {}
        if budget is None:  # the import reads dates; the upload check needs the header's text only
            styles = _Styles()
            self._run(self.styles_path, styles)
            self.dates = styles.date_styles()
        self.stream = self._rows()

    @staticmethod
    def _target(target: str) -> str:
        if target.startswith("/"):
            return posixpath.normpath(target.lstrip("/"))
        return posixpath.normpath(posixpath.join("xl", target))

    def _open(self, name: str):
        try:
            return _Metered(self.archive.open(name), self)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            raise FileRefused(_("The XLSX file cannot be read: its part %(part)s is damaged.") % {"part": name})

    def _run(self, name: str, handler: _Handler) -> None:
        if name not in self.names:
            return
        for _chunk in self._feed(name, handler):
            pass

    def _feed(self, name: str, handler: _Handler) -> Iterator[None]:
        stream = self._open(name)
        try:
            yield from _parse(stream, handler)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            if isinstance(exc, FileRefused):
                raise
            raise FileRefused(_("The XLSX file cannot be read: its part %(part)s is damaged.") % {"part": name})
        finally:
            stream.stream.close()

    def _rows(self) -> Iterator[tuple[int, dict]]:
        out: list = []
        for _chunk in self._feed(self.path, _Cells(out, self.dates, self.epoch)):
            yield from out
            out.clear()

    def strings(self, wanted: set[int]) -> dict[int, str]:
        if not wanted:
            return {}
        handler = _Strings(wanted)
        self._run(self.strings_path, handler)
        if len(handler.found) < len(wanted):
            raise FileRefused(_("The XLSX file is damaged: a cell refers to a text its table of texts does not hold."))
        return handler.found

    def header(self) -> tuple[int, list[str]]:
        for number, cells in self.stream:
            if not any(value not in (None, "") for value in cells.values()):
                continue
            for column, value in cells.items():
                if value is UNCACHED:
                    raise FileRefused(uncached_message(column, number))
            strings = self.strings({value for value in cells.values() if type(value) is _Shared})
            width = max(cells) + 1
            values = [cells.get(column) for column in range(width)]
            return number, header_cells(strings[value] if type(value) is _Shared else value for value in values)
        raise FileRefused(_("The file is empty."))

    def rows(self) -> Iterator[tuple[int, dict]]:
        return self.stream

    @staticmethod
    def values(cells: dict):
        return cells.values()

    @staticmethod
    def cell(cells: dict, index: int):
        value = cells.get(index)
        return value if type(value) is _Shared or value is UNCACHED else cell_value(value)

    def resolved(self, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
        """``rows`` with their shared texts read (one pass over the table, keeping only those);
        rows left with no value are dropped."""
        wanted = {value for _number, row in rows for value in row.values() if type(value) is _Shared}
        if not wanted:
            return rows
        strings = self.strings(wanted)
        kept = []
        for number, row in rows:
            for name, value in row.items():
                if type(value) is _Shared:
                    row[name] = cell_value(strings[value])
            if any(value not in (None, "") for value in row.values()):
                kept.append((number, row))
        return kept
