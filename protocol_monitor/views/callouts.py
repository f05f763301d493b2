from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access, queries
from ..access import Permission, requires
from ..forms.base import bool_to_yes_no, code_choices, home_choices, record_id
from ..forms.callouts import CalloutFilterForm, HomeReportCorrectionForm, HomeReportForm
from ..i18n import _
from ..models import Report
from ..rules.callouts import disagreements
from ..rules.flags import localise_explanation
from ..rules.time import to_london
from ..services import ServiceError, flag_workflow, reference
from ..services import callouts as service
from ..templating import label, london
from ..vocab import FlagStatus, Source
from .saved_forms import draft_id_sent, draft_typed, keeps_typing, save_draft, wants_draft

bp = Blueprint("callouts", __name__, url_prefix="/callouts")


def _report_form(report: Report | None = None, typed=None) -> HomeReportForm:
    form = HomeReportForm(typed=typed) if report is None else HomeReportCorrectionForm()
    homes = queries.fileable_homes(current_user)
    form.home_id.choices = home_choices(homes, _("Select a home"))
    form.placing_authority.choices = code_choices(reference.authorities(), _("Select an authority"))
    if form.is_fresh():
        if report is not None:
            _fill_from_report(form, report)
        elif len(homes) == 1:
            form.home_id.data = str(homes[0].id)
        elif request.args.get("home") in {str(h.id) for h in homes}:
            form.home_id.data = request.args["home"]  # from the start page's list
    return form


def _fill_from_report(form: HomeReportForm, report: Report) -> None:
    form.home_id.data = str(report.home_id)
    form.set_occurred_at(to_london(report.occurred_at))
    form.category.data = report.category
    form.child_reference.data = report.child_reference
    form.placing_authority.data = report.placing_authority.code if report.placing_authority else ""
    form.child_sex.data = report.child_sex
    form.child_age.data = report.child_age
    form.caller_role.data = report.caller_role
    form.child_role.data = report.child_role
    form.immediate_risk.data = report.immediate_risk
    form.immediate_risk_reason.data = report.immediate_risk_reason
    form.deescalation.data = list(report.deescalation or [])
    form.police_attended.data = bool_to_yes_no(report.police_attended)
    form.police_reference.data = report.police_reference
    form.injuries_damage.data = report.injuries_damage
    form.restorative.data = report.restorative
    form.ofsted_notified.data = bool_to_yes_no(report.ofsted_notified)
    form.description.data = report.description


@bp.route("/")
@login_required
def index():
    filters_form = CalloutFilterForm(request.args)
    filters_form.set_homes(queries.homes(current_user))
    filters = queries.CalloutFilters(
        home_id=request.args.get("home", type=record_id),
        month=filters_form.checked_month(),
        category=request.args.get("category") or None,
    )
    page = queries.callouts(
        current_user,
        filters,
        page=request.args.get("page", 1, type=record_id),
        size=current_app.config["SETTINGS"].page_size,
    )
    service.list_viewed(
        current_user,
        [c.id for c in page.items],
        {
            "home_id": filters.home_id,
            "month": filters.month,
            "category": filters.category,
            "page": page.number,
        },
    )
    return render_template(
        "callouts/index.html",
        title=_("Call-outs"),
        page=page,
        filters_form=filters_form,
    )


@bp.route("/new", methods=["GET", "POST"])
@keeps_typing
@requires(Permission.FILE_HOME_REPORT)
def new():
    # A draft: resumed with ?draft=<id>, then carried in the form's hidden "draft" field.
    draft_id = draft_id_sent()

    def page(form):
        return render_template(
            "callouts/form.html",
            form=form,
            title=_("File a call-out"),
            editing=None,
            draft_id=draft_id,
        )

    if wants_draft():
        return save_draft("callout", draft_id, lambda: page(_report_form()))
    form = _report_form(typed=draft_typed("callout", draft_id))
    if form.validate_on_submit():
        try:
            callout = service.file_home_report(current_user, form.cleaned(), draft_id=draft_id)
        except ServiceError as error:
            form.add_service_error(error, "home_id")
        else:
            return redirect(url_for("callouts.filed", callout_id=callout.id))
    return page(form)


@bp.route("/<int:callout_id>/filed")
@requires(Permission.FILE_HOME_REPORT)
def filed(callout_id: int):
    """The confirmation after filing: what happens next, and the flags the call-out raised."""
    callout = service.get_callout(current_user, callout_id)
    flags = [
        f
        for f in flag_workflow.flags_of_callout(current_user, callout.id)
        if f.status != FlagStatus.RESOLVED.value
    ]
    return render_template(
        "callouts/filed.html",
        callout=callout,
        title=_("Call-out %(number)s filed", number=callout.id),
        flags=flags,
        # Stored in English (the record); read in the page's language.
        explanations={f.id: localise_explanation(f.explanation) for f in flags},
    )


@bp.route("/<int:callout_id>")
@login_required
def show(callout_id: int):
    callout = service.get_callout(current_user, callout_id)
    free_text = access.can(current_user, access.Permission.READ_FREE_TEXT)
    return render_template(
        "callouts/show.html",
        callout=callout,
        title=_("Call-out %(number)s", number=callout.id),
        free_text=free_text,
        histories={
            report.id: service.correction_history(report, free_text=free_text)
            for report in callout.reports
        },
        can_edit_home=access.can(current_user, access.Permission.FILE_HOME_REPORT),
        can_edit_police=access.can(current_user, access.Permission.FILE_POLICE_RECORD),
        differences=_differences(callout),
    )


def flash_correction(correction: service.Correction, source: str) -> None:
    """Say what a correction of the ``source`` report (home or police) did: saved, or nothing
    to save."""
    home = source == Source.HOME
    if correction.changed:
        flash(
            _("Your correction of the home report is saved, with your reason, in its history")
            if home
            else _(
                "Your correction of the police record is saved, with your reason, in its history"
            ),
            "success",
        )
    else:
        flash(
            _("You did not change anything in the home report, so there was nothing to save")
            if home
            else _(
                "You did not change anything in the police record, so there was nothing to save"
            ),
            "info",
        )


def _differences(callout) -> list[dict[str, str]]:
    """Where the home report and police record disagree, and which value counts (§5)."""
    home, police = callout.home_report, callout.police_record
    if home is None or police is None:
        return []
    names = {
        "category": _("Category"),
        "child_reference": _("Child reference"),
        "occurred_at": _("Time"),
    }
    rows = []
    for name, (home_value, police_value) in disagreements(home, police).items():
        if name == "occurred_at":
            home_value, police_value = london(home_value), london(police_value)
        elif name == "category":
            home_value, police_value = (
                label(home_value, "category"),
                label(police_value, "category"),
            )
        rows.append(
            {
                "field": names[name],
                "home": home_value or "–",
                "police": police_value or "–",
            }
        )
    return rows


@bp.route("/<int:callout_id>/home-report/edit", methods=["GET", "POST"])
@keeps_typing
@login_required
def edit(callout_id: int):
    if request.method == "POST":
        report = service.get_report_for_edit(current_user, callout_id, Source.HOME)
    else:
        report = service.open_report_for_edit(current_user, callout_id, Source.HOME)
    form = _report_form(report)
    if form.validate_on_submit():
        try:
            correction = service.correct_report(
                current_user, callout_id, Source.HOME, form.cleaned()
            )
        except ServiceError as error:
            form.add_service_error(error, "home_id")
        else:
            flash_correction(correction, Source.HOME)
            return redirect(url_for("callouts.show", callout_id=correction.callout.id))
    return render_template(
        "callouts/form.html",
        form=form,
        title=_("Correct call-out %(number)s", number=callout_id),
        editing=callout_id,
    )
