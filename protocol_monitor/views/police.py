"""Police records (file, update the outcome) and call-out imports (upload a CSV or XLSX file)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from .. import access, queries
from ..access import Permission, requires
from ..forms.base import add_error, bool_to_yes_no, code_choices, home_choices
from ..forms.police import ImportForm, PoliceCorrectionForm, PoliceRecordForm
from ..i18n import _, format_number, ngettext
from ..rules.callout_import import HOME_REPORT_IMPORT_COLUMNS, POLICE_IMPORT_COLUMNS
from ..services import ServiceError, import_runs, reference
from ..services import callouts as callout_service
from ..services import police as service
from ..vocab import Source
from .callouts import flash_correction
from .saved_forms import draft_id_sent, draft_typed, keeps_typing, save_draft, wants_draft

bp = Blueprint("police", __name__)


def _record_form(typed=None) -> PoliceRecordForm:
    form = PoliceRecordForm(typed=typed)
    form.home_id.choices = home_choices(queries.fileable_homes(current_user), _("Select a home"))
    form.placing_authority.choices = code_choices(reference.authorities(), _("Not known"))
    return form


@bp.route("/police-records/new", methods=["GET", "POST"])
@keeps_typing
@requires(Permission.FILE_POLICE_RECORD)
def new():
    draft_id = draft_id_sent()

    def page(form):
        return render_template(
            "police/form.html", form=form, title=_("File a police record"), draft_id=draft_id
        )

    if wants_draft():
        return save_draft("police_record", draft_id, lambda: page(_record_form()))
    form = _record_form(typed=draft_typed("police_record", draft_id))
    if form.validate_on_submit():
        try:
            callout = service.file_police_record(current_user, form.cleaned(), draft_id=draft_id)
        except ServiceError as error:
            form.add_service_error(error, "police_reference")
        else:
            matched = callout.home_report is not None
            flash(
                _(
                    "Police record filed on call-out %(number)s, matched with the home's report",
                    number=callout.id,
                )
                if matched
                else _("Police record filed on call-out %(number)s", number=callout.id),
                "success",
            )
            return redirect(url_for("callouts.show", callout_id=callout.id))
    return page(form)


@bp.route("/callouts/<int:callout_id>/police-record/edit", methods=["GET", "POST"])
@keeps_typing
@login_required
def edit(callout_id: int):
    report = callout_service.get_report_for_edit(current_user, callout_id, Source.POLICE)
    form = PoliceCorrectionForm()
    if form.is_fresh():
        form.arrested.data = bool_to_yes_no(report.arrested)
        form.outcome.data = report.outcome
    if form.validate_on_submit():
        try:
            correction = callout_service.correct_report(
                current_user, callout_id, Source.POLICE, form.cleaned()
            )
        except ServiceError as error:
            form.add_service_error(error, "outcome")
        else:
            flash_correction(correction, Source.POLICE)
            return redirect(url_for("callouts.show", callout_id=correction.callout.id))
    return render_template(
        "police/outcome.html",
        form=form,
        report=report,
        title=_("Update the outcome of call-out %(number)s", number=callout_id),
    )


def _import_sources() -> list[tuple[str, str]]:
    sources = []
    if access.can(current_user, access.Permission.FILE_POLICE_RECORD):
        sources.append((Source.POLICE.value, _("A police extract of attendances")))
    if access.can(current_user, access.Permission.FILE_HOME_REPORT):
        sources.append((Source.HOME.value, _("Home reports")))
    return sources


def _import_form(sources: list[tuple[str, str]]) -> ImportForm:
    form = ImportForm()  # a POST's form fields and its file, as Flask-WTF reads them
    form.source.choices = sources
    if request.method == "GET" and len(sources) == 1:
        form.source.data = sources[0][0]
    return form


def _import_page(form: ImportForm, run=None):
    return render_template(
        "imports/new.html" if run is None else "imports/run.html",
        form=form,
        run=run,
        result=run.result if run is not None else None,
        title=_("Import of %(filename)s", filename=run.filename)
        if run is not None
        else _("Import call-outs"),
        columns={
            Source.POLICE.value: POLICE_IMPORT_COLUMNS,
            Source.HOME.value: HOME_REPORT_IMPORT_COLUMNS,
        },
    )


@bp.route("/imports/new", methods=["GET", "POST"])
@requires(Permission.FILE_POLICE_RECORD, Permission.FILE_HOME_REPORT)
def import_file():
    """Upload a file: its import runs in the background and the run's page shows the progress."""
    form = _import_form(_import_sources())
    if form.validate_on_submit():
        try:
            run = import_runs.start(
                current_app._get_current_object(),
                current_user,
                form.source.data,
                form.file.data,
                dry_run=form.dry_run.data == "yes",
                wait=current_app.config["SETTINGS"].import_wait_seconds,
            )
        except ServiceError as error:
            form.add_service_error(error, "file")
        else:
            return redirect(url_for("police.import_run", run_id=run.id))
    return _import_page(form)


def _own_run(run_id: str):
    return import_runs.get(current_app._get_current_object(), current_user, run_id)


@bp.route("/imports/<run_id>")
@login_required
def import_run(run_id: str):
    """Where an upload has got to; once it has finished, its counts or every bad row."""
    run = _own_run(run_id)
    form = _import_form(_import_sources() or [(run.source, Source(run.source).label)])
    form.source.data, form.dry_run.data = run.source, "yes" if run.dry_run else "no"
    result = run.result
    if run.problem:
        add_error(form.file, run.problem)
    elif result is not None and result.errors:
        add_error(
            form.file,
            ngettext(
                "The file has %(count)s problem, listed below. Nothing was imported: correct the "
                "file and upload it again",
                "The file has %(count)s problems, listed below. Nothing was imported: correct the "
                "file and upload it again",
                result.problems,
                count=format_number(result.problems),
            )
            if not result.more_errors
            else ngettext(
                "The file has %(count)s problems, the first %(listed)s listed below. Nothing was "
                "imported: correct the file and upload it again",
                "The file has %(count)s problems, the first %(listed)s listed below. Nothing was "
                "imported: correct the file and upload it again",
                result.problems,
                count=format_number(result.problems),
                listed=len(result.errors),
            ),
        )
    return _import_page(form, run)


@bp.route("/imports/<run_id>/progress")
@login_required
def import_progress(run_id: str):
    """The run's progress for the page's script (no row values: only counts and a status)."""
    run = _own_run(run_id)
    return jsonify(
        status=run.status,
        finished=run.finished,
        rows_read=run.rows_read,
        rows_expected=run.rows_expected,
        percent=run.percent(),
        text=run.progress_text(),
    )
