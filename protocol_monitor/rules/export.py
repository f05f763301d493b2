"""Safe exports: spreadsheet cells that cannot be read as formulas (CSV/formula injection), and
the CSV and XLSX files every download is assembled into."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

#: A table of a download: its name, its column headings and its rows.
Table = tuple[str, Sequence[str], Sequence[Sequence[Any]]]

#: A cell starting with one of these may be run as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with a leading ``'`` when it is text a spreadsheet could read as a formula.

    Numbers, booleans and None pass through unchanged (a negative *number* is data, not a formula);
    text such as ``=HYPERLINK(...)``, ``-2+3`` or ``@SUM(A1)`` becomes ``'=HYPERLINK(...)``.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document (header first) with every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def table_csv(
    table: Table, leading: Sequence[tuple[str, Any]] = (), *, lineterminator="\r\n"
) -> str:
    """One table as a CSV file: a header row, then the rows, each starting with the ``leading``
    (heading, value) columns, such as the month and the version. Every cell is neutralised."""
    _name, headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow(safe_row([*(heading for heading, _ in leading), *headers]))
    for row in rows:
        writer.writerow(safe_row([*(value for _, value in leading), *row]))
    return buffer.getvalue()


def workbook(tables: Iterable[Table], heading: str) -> bytes:
    """An XLSX workbook with a sheet per table: the heading, bold column headings, then the rows
    (every cell neutralised)."""
    book = Workbook()
    book.remove(book.active)
    for name, headers, rows in tables:
        sheet = book.create_sheet(name[:31])
        sheet.append([heading])
        sheet.append(safe_row(headers))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
