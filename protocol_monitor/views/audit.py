"""Admin pages: the audit log (search and CSV export) and subject access exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from ..access import Permission, requires
from ..forms.audit import AuditFilterForm, SubjectAccessForm
from ..forms.base import code_choices, record_id
from ..i18n import _
from ..rules.time import parse_day
from ..services import ServiceError, audit_log, subject_access, subject_access_document

bp = Blueprint("audit", __name__, url_prefix="/admin")


def _filter_form() -> tuple[AuditFilterForm, audit_log.AuditFilters]:
    form = AuditFilterForm(request.args)
    form.record_type.choices = [("", _("Any record")), *audit_log.record_types()]
    form.action.choices = [("", _("Any kind")), *audit_log.actions()]
    filters = audit_log.AuditFilters()
    if not request.args or form.validate():
        filters = audit_log.AuditFilters(
            user_email=form.user.data or None,
            record_type=form.record_type.data or None,
            record_id=int(form.record_id.data) if form.record_id.data else None,
            action=form.action.data or None,
            date_from=parse_day(form.date_from.data, uk=True),
            date_to=parse_day(form.date_to.data, uk=True),
        )
    return form, filters


@bp.route("/audit")
@requires(Permission.ADMINISTER)
def audit_log_page():
    form, filters = _filter_form()
    if form.errors:
        return render_template("audit/index.html", title=_("Audit log"), form=form, page=None)
    page = audit_log.search(
        current_user,
        filters,
        page=request.args.get("page", 1, type=record_id),
        size=current_app.config["SETTINGS"].page_size,
    )
    export_args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/index.html",
        title=_("Audit log"),
        form=form,
        page=page,
        entries=audit_log.describe(page.items),
        export_args=export_args,
    )


@bp.route("/audit/export.csv")
@requires(Permission.ADMINISTER)
def audit_log_export():
    form, filters = _filter_form()
    if form.errors:
        abort(400)
    text = audit_log.export_csv(current_user, filters)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@bp.route("/subject-access", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def subject_access_page():
    form = SubjectAccessForm()
    form.placing_authority.choices = code_choices(
        subject_access.authorities(current_user), _("Select an authority")
    )
    if request.method == "GET" and not form.format.data:
        form.format.data = "page"
    if form.validate_on_submit():
        fmt = form.format.data
        reference, code = form.child_reference.data, form.placing_authority.data
        try:
            if fmt in subject_access.FORMATS:
                body, _data = subject_access.export(current_user, reference, code, fmt)
            else:
                doc = subject_access_document.document(current_user, reference, code, fmt=fmt)
        except ServiceError as error:
            form.add_service_error(error, "child_reference")
        else:
            if fmt == "page":
                return render_template(
                    "audit/subject_access_document.html", title=doc.title, doc=doc
                )
            if fmt == "docx":
                body = subject_access_document.to_docx(doc)
            name = f"subject-access-{code}-{reference}.{fmt}"
            return Response(
                body,
                mimetype=MIMETYPES[fmt],
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
    return render_template("audit/subject_access.html", title=_("Subject access"), form=form)


MIMETYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
