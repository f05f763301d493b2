"""Monthly summaries, trends, downloads and the yearly report, scoped to the user's area."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from .. import access
from ..access import Permission, requires
from ..charts import line_chart
from ..i18n import _, format_day, format_month
from ..rules import export
from ..rules import summary as rules
from ..rules.time import Month, to_london
from ..services import audit_trail, summary_figures, trends, yearly_report
from ..services import digests as digests_service
from ..services import summaries as service
from ..vocab import ProtocolApplied

bp = Blueprint("summaries", __name__, url_prefix="/summaries")

TREND_MONTHS = 24
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scoped(document: dict[str, Any], scope: access.SummaryScope | None = None) -> dict[str, Any]:
    return access.scoped_summary(document, scope or access.summary_scope(current_user))


def _month_arg() -> tuple[Month, str | None]:
    value = (request.args.get("month") or "").strip()
    if value:
        try:
            return Month.parse(value), None
        except ValueError:
            return _default_month(), _("Enter the month as YYYY-MM, like 2026-04")
    return _default_month(), None


def _default_month() -> Month:
    compiled = service.compiled_months()
    if compiled:
        return Month.parse(compiled[0])
    return Month.of(datetime.now(UTC)).previous()


def _document(month: Month) -> tuple[dict[str, Any], bool]:
    """The latest compiled version, or provisional figures computed now (not stored)."""
    snapshot = service.latest_snapshot(month)
    if snapshot is not None:
        return snapshot.as_document(), True
    document = {
        "month": str(month),
        "version": None,
        "compiled_at": None,
        **summary_figures.compute_figures(month),
        "changes": [],
    }
    return document, False


def _month_choices(month: Month, first: Month | None, now_month: Month) -> list[tuple[str, str]]:
    """The months to pick from, newest first, by name: from the first with any call-out (or a
    year back, with none yet) to this month, at most 37, and the one shown."""
    oldest = max(first or now_month.shift(-12), now_month.shift(-36))
    months = {month}
    while oldest <= now_month:
        months.add(oldest)
        oldest = oldest.next()
    return [(str(m), m.label) for m in sorted(months, reverse=True)]


def _status(month: Month, first: Month | None, now_month: Month) -> str:
    """What provisional figures are: a month not over, a month before any data, or not compiled."""
    if month >= now_month:
        return _(
            "Provisional: %(month)s is not over yet. These are the call-outs so far.",
            month=month.label,
        )
    if first is None:
        return _(
            "No call-outs are recorded yet, so there are no figures for %(month)s.",
            month=month.label,
        )
    if month < first:
        return _(
            "No call-outs are recorded before %(first)s, so there are no figures for %(month)s.",
            first=first.label,
            month=month.label,
        )
    return _(
        "Provisional: %(month)s has not been compiled yet. These figures are worked out "
        "now and may change when it is.",
        month=month.label,
    )


@bp.route("/")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def index():
    month, month_error = _month_arg()
    document, compiled = _document(month)
    scope = access.summary_scope(current_user)
    document = rules.with_local_names(_scoped(document, scope), service.authority_names())
    audit_trail.read("summary_viewed", changes={"month": str(month)})
    now_month = Month.of(datetime.now(UTC))
    first = summary_figures.first_month()
    last_year = first is not None and month.shift(-12) >= first

    def change(now: int | None, before: int | None) -> str:
        return rules.Change(now or 0, before or 0).describe(last_year=last_year)

    hosts = scope.hosts
    labels, trend, criminal = trends.monthly_trend(
        month, TREND_MONTHS, access.homes_condition(current_user)
    )
    trend = {code: values for code, values in trend.items() if code in hosts}
    names = service.authority_names()
    # Months by name: in full in the tables and titles, short under the charts' axes.
    month_names = {m: Month.parse(m).label for m in labels}
    ticks = [format_month(Month.parse(m).first_day, short=True) for m in labels]
    span = rules.months_span(month_names[labels[0]], month_names[labels[-1]])
    callouts_chart = line_chart(
        "chart-callouts",
        _("Call-outs per month by host authority, %(months)s", months=span),
        _(
            "In-scope call-outs (missing and absent excluded) each month, one line per "
            "authority. The same numbers are in the table that follows."
        ),
        ticks,
        {names.get(code, code): [values[m] for m in labels] for code, values in trend.items()},
    )
    criminal_chart = line_chart(
        "chart-criminal",
        _("Criminal outcomes per month, %(months)s", months=span),
        _(
            "Call-outs with a formal out-of-court disposal or a charge, each month. "
            "The same numbers are in the table that follows."
        ),
        ticks,
        {_("Criminal outcomes"): [criminal[m] for m in labels]},
    )
    return render_template(
        "summaries/index.html",
        title=_("Summary for %(month)s", month=month.label),
        page_errors=bool(month_error),
        month=month,
        month_error=month_error,
        choices=_month_choices(month, first, now_month),
        document=document,
        compiled=compiled,
        compiled_at=datetime.fromisoformat(document["compiled_at"]) if compiled else None,
        status=_status(month, first, now_month),
        last_year=last_year,
        tables=rules.EXPORT_TABLES,
        change=change,
        changes_text=rules.changes_text,
        owner_text=rules.owner_text,
        protocol_values=ProtocolApplied,
        labels=labels,
        trend=trend,
        criminal=criminal,
        names=names,
        month_names=month_names,
        callouts_chart=callouts_chart,
        criminal_chart=criminal_chart,
    )


def _download_name(stem: str, ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{stem}.{ext}"'}


@bp.route("/download.<any(csv, xlsx):fmt>")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def download(fmt: str):
    month, error = _month_arg()
    if error:
        abort(404)
    document, _compiled = _document(month)
    document = rules.with_local_names(_scoped(document), service.authority_names())
    table = request.args.get("table", "host-authorities")
    if fmt == "csv" and table not in rules.EXPORT_TABLES:
        abort(404)
    audit_trail.read("summary_downloaded", changes={"month": str(month), "format": fmt})
    first = summary_figures.first_month()
    last_year = first is not None and month.shift(-12) >= first
    tables = rules.export_tables(document, last_year=last_year)
    stem = f"summary-{month}-v{document['version'] or 'provisional'}"
    version = document["version"] or _("provisional")
    if fmt == "csv":
        chosen = tables[list(rules.EXPORT_TABLES).index(table)]
        text = export.table_csv(chosen, [(_("Month"), str(month)), (_("Version"), version)])
        return Response(text, mimetype="text/csv", headers=_download_name(f"{stem}-{table}", "csv"))
    return Response(
        export.workbook(
            tables,
            _("Summary for %(month)s (version %(version)s)", month=month.label, version=version),
        ),
        mimetype=XLSX,
        headers=_download_name(stem, "xlsx"),
    )


def _yearly_args() -> tuple[str, int, list[tuple[str, str]]]:
    """The kind of year and the latest year asked for; by default the year we are in (its
    figures to date), which holds the newest call-outs. Errors: (the field's id, the message)."""
    errors = []
    basis = request.args.get("basis", "financial")
    if basis not in ("calendar", "financial"):
        errors.append(("basis", _("Select calendar year or financial year")))
        basis = "financial"
    current = rules.current_year(_today(), basis)
    try:
        year = int(request.args.get("year") or current)
        if not 1990 <= year <= current:
            raise ValueError
    except ValueError:
        errors.append(
            ("year", _("Enter a year as four digits, from 1990 to %(year)s", year=current))
        )
        year = current
    return basis, year, errors


def _today():
    return to_london(datetime.now(UTC)).date()


@bp.route("/yearly")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def yearly():
    basis, year, errors = _yearly_args()
    report = yearly_report.yearly_report(
        year, basis, access.homes_condition(current_user), today=_today()
    )
    headers, rows = rules.yearly_table(report)
    audit_trail.read("yearly_report_viewed", changes={"basis": basis, "year": year})
    return render_template(
        "summaries/yearly.html",
        title=_("Yearly report: call-outs by authority"),
        page_errors=bool(errors),
        basis=basis,
        year=year,
        errors=errors,
        report=report,
        headers=headers,
        rows=rows,
        now_text=format_day(_today()),
    )


@bp.route("/yearly.xlsx")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def yearly_xlsx():
    basis, year, errors = _yearly_args()
    if errors:
        abort(404)
    report = yearly_report.yearly_report(
        year, basis, access.homes_condition(current_user), today=_today()
    )
    headers, rows = rules.yearly_table(report)
    audit_trail.read("yearly_report_downloaded", changes={"basis": basis, "year": year})
    heading = _("%(heading)s (counts 1 to 4 shown as <5)", heading=report["heading"])
    return Response(
        export.workbook([(_("Yearly report"), headers, rows)], heading),
        mimetype=XLSX,
        headers=_download_name(f"yearly-report-{basis}-{year}", "xlsx"),
    )


@bp.route("/digests/")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def digests():
    months = digests_service.months(current_user)
    return render_template("summaries/digests.html", title=_("Monthly digests"), months=months)


@bp.route("/digests/<month>")
@requires(Permission.VIEW_SUMMARIES, hidden=True)
def digest(month: str):
    item = digests_service.digest(current_user, month)
    return render_template(
        "summaries/digest.html",
        title=_("Digest for %(month)s", month=item.month.label),
        digest=item,
    )
