"""What every CSV and XLSX file the product writes passes through, cell by cell.

``safe_cell`` makes one value safe to write:

- **characters XML 1.0 forbids are removed** (C0 controls but tab, line feed and carriage return;
  lone surrogates; U+FFFE and U+FFFF): an XLSX file is XML, and openpyxl refuses such text
  (``IllegalCharacterError``) rather than write a file no program opens. CSV gets the same text,
  so the two formats agree.
- **text that a spreadsheet would read as a formula is neutralised** (OWASP, "CSV Injection"):
  a text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading single
  quote, so ``=HYPERLINK("http://evil.example/","x")`` shows as the text it is, never as a live
  formula. A text that is only a signed number (``-5``, ``+12.5%``) is left as it is: every
  spreadsheet reads it as that number, never as a formula.
- numbers (``int``, ``float``, ``Decimal`` as ``float``) and booleans stay what they are: a
  negative number is a number, not a formula; ``None`` is an empty cell; anything else is its text.

``xlsx_cells`` makes an openpyxl row of sanitised values in which text is always a text cell
(openpyxl would otherwise take a text starting with ``=`` for a formula and ``#N/A`` for an error).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable

# XML 1.0's Char production, negated: C0 controls but \t \n \r, lone surrogates, U+FFFE, U+FFFF
# (openpyxl's ILLEGAL_CHARACTERS_RE covers the C0 controls only).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)%?")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return XML_ILLEGAL.sub("", text)


def safe_cell(value):
    """``value`` as it may be written into a CSV or XLSX cell (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    text = xml_text(str(value))
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


def xlsx_cells(sheet, values: Iterable) -> list:
    """One row for ``sheet.append``: sanitised values, text always written as text."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in safe_row(values):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells
