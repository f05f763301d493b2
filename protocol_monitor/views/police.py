"""Police records (file, update the outcome) and call-out imports (upload a CSV or XLSX file)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access, queries
from ..db import db
from ..forms_police import ImportForm, PoliceOutcomeForm, PoliceRecordForm
from ..models import Authority
from ..rules.callout_import import HOME_REPORT_IMPORT_COLUMNS, POLICE_IMPORT_COLUMNS
from ..services import NotFound, ServiceError
from ..services import callouts as callout_service
from ..services import imports as import_service
from ..services import police as service
from ..vocab import Source

bp = Blueprint("police", __name__)


def _record_form(formdata=None) -> PoliceRecordForm:
    form = PoliceRecordForm(formdata=formdata)
    homes = queries.fileable_homes(current_user)
    form.home_id.choices = [("", "Select a home")] + [
        (str(h.id), f"{h.name} ({h.urn})") for h in homes
    ]
    authorities = db.session.scalars(select(Authority).order_by(Authority.name)).all()
    form.placing_authority.choices = [("", "Not known")] + [
        (a.code, f"{a.name} ({a.code})") for a in authorities
    ]
    return form


@bp.route("/police-records/new", methods=["GET", "POST"])
@login_required
def new():
    if not access.can(current_user, access.Permission.FILE_POLICE_RECORD):
        abort(403)
    form = _record_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            callout = service.file_police_record(current_user, form.cleaned())
        except ServiceError as error:
            form.police_reference.errors = [*form.police_reference.errors, str(error)]
        else:
            matched = callout.home_report is not None
            flash(
                f"Police record filed on call-out {callout.id}"
                + (", matched with the home's report" if matched else ""),
                "success",
            )
            return redirect(url_for("callouts.show", callout_id=callout.id))
    return render_template("police/form.html", form=form, title="File a police record")


@bp.route("/callouts/<int:callout_id>/police-record/edit", methods=["GET", "POST"])
@login_required
def edit(callout_id: int):
    try:
        report = callout_service.get_report_for_edit(current_user, callout_id, Source.POLICE)
    except NotFound:
        abort(404)
    form = PoliceOutcomeForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.arrested.data = {True: "yes", False: "no"}.get(report.arrested)
        form.outcome.data = report.outcome
    if request.method == "POST" and form.validate():
        callout = callout_service.correct_report(
            current_user, callout_id, Source.POLICE, form.cleaned()
        )
        flash("The police record is updated; the history keeps what changed", "success")
        return redirect(url_for("callouts.show", callout_id=callout.id))
    return render_template(
        "police/outcome.html",
        form=form,
        report=report,
        title=f"Update the outcome of call-out {callout_id}",
    )


def _import_sources() -> list[tuple[str, str]]:
    sources = []
    if access.can(current_user, access.Permission.FILE_POLICE_RECORD):
        sources.append((Source.POLICE.value, "A police extract of attendances"))
    if access.can(current_user, access.Permission.FILE_HOME_REPORT):
        sources.append((Source.HOME.value, "Home reports"))
    return sources


@bp.route("/imports/new", methods=["GET", "POST"])
@login_required
def import_file():
    sources = _import_sources()
    if not sources:
        abort(403)
    form = ImportForm()
    form.source.choices = sources
    if request.method == "GET" and len(sources) == 1:
        form.source.data = sources[0][0]
    result = None
    if request.method == "POST" and form.validate():
        upload = form.file.data
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / ("upload" + Path(upload.filename).suffix.lower())
            upload.save(path)
            try:
                result = import_service.import_callouts(
                    path,
                    form.source.data,
                    user=current_user,
                    filename=upload.filename,
                    dry_run=form.dry_run.data == "yes",
                )
            except ServiceError as error:
                form.file.errors = [*form.file.errors, str(error)]
        if result is not None and result.errors:
            form.file.errors = [
                *form.file.errors,
                f"The file has {len(result.errors)} problems, listed below. "
                "Nothing was imported: correct the file and upload it again",
            ]
    return render_template(
        "imports/new.html",
        form=form,
        result=result,
        title="Import call-outs",
        columns={
            Source.POLICE.value: POLICE_IMPORT_COLUMNS,
            Source.HOME.value: HOME_REPORT_IMPORT_COLUMNS,
        },
    )
