"""The board report (domain.md §9): the page, and the same report as Excel, Word and JSON."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from .. import board_documents, charts
from ..access import Permission, requires
from ..forms.board_report import BoardReportForm
from ..i18n import _, translate
from ..rules import board_report as rules
from ..services import board_report as service

bp = Blueprint("board_report", __name__, url_prefix="/summaries/board-report")

FORMATS = {
    "xlsx": board_documents.XLSX,
    "docx": board_documents.DOCX,
    "json": "application/json",
}


def _form() -> BoardReportForm:
    form = BoardReportForm(request.args)
    areas = service.host_authorities(current_user)
    form.area.choices = [("", _("The whole area you can see"))] + [
        (a.code, a.local_name) for a in areas
    ]
    return form


@bp.route("/")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def index():
    form = _form()
    today = service.today()
    last = form.year_ending(today)
    report = service.board_report(
        current_user, last, authority_code=form.area.data or None, public=form.public()
    )
    query = {
        "ending_month": last.month,
        "ending_year": last.year,
        "version": "public" if form.public() else "internal",
        "area": form.area.data or "",
    }
    return render_template(
        "board_report/index.html",
        title=report["title"],
        form=form,
        report=report,
        images={chart["id"]: charts.svg_data_uri(chart) for chart in report["charts"]},
        cell_text=board_documents.cell_text,
        presets=[
            (
                translate(label),
                url_for(
                    "board_report.index",
                    **{**query, "ending_month": latest.month, "ending_year": latest.year},
                ),
            )
            for name, (label, _month) in rules.PRESETS.items()
            for latest in [rules.latest_year_ending(today, name)]
        ],
        downloads={fmt: url_for("board_report.download", fmt=fmt, **query) for fmt in FORMATS},
    )


@bp.route("/download.<fmt>")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def download(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    form = _form()
    last = form.year_ending(service.today())
    if form.errors:
        abort(404)
    report = service.board_report(
        current_user,
        last,
        authority_code=form.area.data or None,
        public=form.public(),
        audit_action="board_report_downloaded",
        output=fmt,
    )
    body = {
        "xlsx": board_documents.workbook,
        "docx": board_documents.word_document,
        "json": board_documents.json_document,
    }[fmt](report)
    name = f"{board_documents.file_stem(report)}.{fmt}"
    return Response(
        body,
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
