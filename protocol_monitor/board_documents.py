"""The board report as files: an Excel workbook with a sheet per table and native charts
(openpyxl), and a Word document laid out as a committee report section (python-docx), ready to
paste into a council's template. Both are drawn from the laid-out report
(rules.board_report.layout), so they show exactly what the page shows.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from . import charts
from .i18n import N_, _, format_number, translate
from .rules.export import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Sheet names (Excel allows 31 characters, in Welsh too) by table id, read in the reader's
#: language (``sheet_name``).
SHEETS = {
    "callouts": N_("Call-outs and homes"),
    "like_for_like": N_("Like-for-like"),
    "hosts": N_("By host authority"),
    "host_rates": N_("Places by host authority"),
    "placing": N_("Placed out of area"),
    "funnel": N_("Call-out to outcome"),
    "criminal_children": N_("Criminal outcomes"),
    "sex": N_("By sex"),
    "age": N_("By age band"),
    "categories": N_("By category"),
    "categories_by_sex": N_("Category and sex"),
    "protocol_applied": N_("Protocol applied"),
    "police_necessary": N_("Police necessary"),
    "trend": N_("Per month"),
    "repeat_children": N_("Called about repeatedly"),
}


def sheet_name(table_id: str) -> str:
    return translate(SHEETS[table_id])[:31]


def table_caption(table: Mapping[str, Any]) -> str:
    return _("Table %(number)s: %(title)s", number=table["number"], title=table["title"])


def figure_caption(chart: Mapping[str, Any]) -> str:
    return _("Figure %(number)s: %(title)s", number=chart["number"], title=chart["title"])


def cell_text(value: Any) -> str:
    """A table cell as text: a rate with one decimal, nothing to show as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def file_stem(report: Mapping[str, Any]) -> str:
    stem = f"board-report-{report['year_ending']}"
    return stem + ("-public" if report["version"] == "public" else "")


def json_document(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


# Excel ----------------------------------------------------------------------------------------


def workbook(report: Mapping[str, Any]) -> bytes:
    """A sheet "About" (title, summary, notes), then one sheet per table: its title in A1, its
    headings in row 3, its rows below; the charts as native Excel charts beside their tables."""
    book = Workbook()
    about = book.active
    about.title = _("About")
    about.append([report["title"]])
    about["A1"].font = Font(bold=True, size=14)
    if report["version"] == "public":
        made = _(
            "Public version. Made %(day)s (UK time) by protocol monitor.", day=report["made_on"]
        )
    else:
        made = _(
            "Internal version. Made %(day)s (UK time) by protocol monitor.", day=report["made_on"]
        )
    about.append([made])
    about.append([])
    about.append([_("Summary")])
    about["A4"].font = Font(bold=True)
    for sentence in report["summary"]:
        about.append([safe_cell(sentence)])
    about.append([])
    about.append([_("Tables")])
    about.cell(about.max_row, 1).font = Font(bold=True)
    for table in report["tables"]:
        about.append(
            [
                _(
                    "Table %(number)s: %(title)s (sheet '%(sheet)s')",
                    number=table["number"],
                    title=table["title"],
                    sheet=sheet_name(table["id"]),
                )
            ]
        )
    about.append([])
    about.append([_("Notes")])
    about.cell(about.max_row, 1).font = Font(bold=True)
    for note in report["notes"]:
        about.append([safe_cell(note)])
    about.column_dimensions["A"].width = 120
    for row in about.iter_rows(min_row=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    sheets = {}
    for table in report["tables"]:
        sheet = book.create_sheet(sheet_name(table["id"]))
        sheets[table["id"]] = sheet
        sheet.append([table_caption(table)])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([safe_cell(table["note"])] if table["note"] else [])
        sheet.append([safe_cell(h) for h in table["headers"]])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table["rows"]:
            sheet.append([safe_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 44
        for column in range(2, len(table["headers"]) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 16
        sheet.freeze_panes = sheet.cell(4, table["heading_columns"] + 1)

    for chart in report["charts"]:
        table = next(t for t in report["tables"] if t["number"] == chart["table"])
        sheet = sheets[table["id"]]
        if chart["kind"] == "line":
            _line_chart(sheet, chart, table)
        else:
            _bar_chart(sheet, chart, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _line_chart(sheet, chart: Mapping[str, Any], table: Mapping[str, Any]) -> None:
    rows = len(table["rows"])
    excel = LineChart()
    excel.title = figure_caption(chart)
    excel.y_axis.title = _("Call-outs")
    excel.height, excel.width = 9, 22
    data = Reference(sheet, min_col=2, max_col=len(table["headers"]), min_row=3, max_row=3 + rows)
    excel.add_data(data, titles_from_data=True)
    excel.set_categories(Reference(sheet, min_col=1, min_row=4, max_row=3 + rows))
    sheet.add_chart(excel, f"{get_column_letter(len(table['headers']) + 2)}3")


def _bar_chart(sheet, chart: Mapping[str, Any], table: Mapping[str, Any]) -> None:
    steps = len(chart["labels"])
    excel = BarChart()
    excel.type = "col"
    excel.title = figure_caption(chart)
    excel.y_axis.title = _("Call-outs")
    excel.height, excel.width = 9, 18
    # The table's columns alternate: number, then % of call-outs, for each year.
    for column in range(2, len(table["headers"]) + 1, 2):
        excel.add_data(
            Reference(sheet, min_col=column, min_row=3, max_row=3 + steps), titles_from_data=True
        )
    excel.set_categories(Reference(sheet, min_col=1, min_row=4, max_row=3 + steps))
    sheet.add_chart(excel, f"A{len(table['rows']) + 6}")


# Word -----------------------------------------------------------------------------------------


def word_document(report: Mapping[str, Any]) -> bytes:
    """A committee report section: the title, a summary stating the headline change in words,
    the numbered tables, the charts as images with their descriptions, and notes on the
    definitions and on suppression."""
    document = Document()
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)

    document.add_heading(report["title"], level=1)
    if report["version"] == "public":
        prepared = _(
            "Public version: counts from 1 to 4 are shown as <5. Prepared %(day)s from protocol "
            "monitor.",
            day=report["made_on"],
        )
    else:
        prepared = _(
            "Internal version for the multi-agency group: not for publication. Prepared %(day)s "
            "from protocol monitor.",
            day=report["made_on"],
        )
    document.add_paragraph(prepared)

    document.add_heading(_("Summary"), level=2)
    for sentence in report["summary"]:
        document.add_paragraph(sentence)

    charts_after = {chart["table"]: chart for chart in report["charts"] if chart["kind"] == "bar"}
    trend = next((c for c in report["charts"] if c["kind"] == "line"), None)
    document.add_heading(_("Figures"), level=2)
    for table in report["tables"]:
        if table["id"] == "trend" and trend is not None:
            _word_chart(document, trend)
        caption = document.add_paragraph(table_caption(table))
        caption.style = document.styles["Caption"]
        _word_table(document, table)
        if table["note"]:
            document.add_paragraph(table["note"])
        if table["number"] in charts_after:
            _word_chart(document, charts_after[table["number"]])

    document.add_heading(_("Notes on the figures"), level=2)
    for note in report["notes"][:-1]:
        document.add_paragraph(note, style="List Bullet")
    document.add_heading(_("Suppression"), level=3)
    document.add_paragraph(report["notes"][-1])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _word_table(document, table: Mapping[str, Any]) -> None:
    headers = table["headers"]
    rows = table["rows"] or [[_("None in these years"), *([""] * (len(headers) - 1))]]
    word = document.add_table(rows=1, cols=len(headers))
    word.style = document.styles["Table Grid"]
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, heading in zip(word.rows[0].cells, headers, strict=True):
        cell.text = heading
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    for values in rows:
        cells = word.add_row().cells
        for n, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = (
                value
                if isinstance(value, str) and n < table["heading_columns"]
                else (cell_text(value))
            )
    small = Pt(9 if len(headers) > 5 else 10)
    for row in word.rows:
        for n, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                if n >= table["heading_columns"]:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT  # numbers line up
                for run in paragraph.runs:
                    run.font.size = small
    document.add_paragraph()


def _word_chart(document, chart: Mapping[str, Any]) -> None:
    document.add_picture(io.BytesIO(charts.png(chart)), width=Cm(16))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = document.add_paragraph(figure_caption(chart))
    caption.style = document.styles["Caption"]
    document.add_paragraph(chart["description"])
