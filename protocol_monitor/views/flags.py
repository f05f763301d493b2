"""Flags: the list by rule and home, each flag explaining itself, acknowledge and resolve."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access, queries
from ..access import Permission, requires
from ..forms.base import record_id
from ..forms.flags import AcknowledgeForm, FlagFilterForm, ResolveForm, ThresholdsForm
from ..i18n import _
from ..rules.flags import localise_explanation
from ..services import ServiceError, flag_workflow, flags
from ..vocab import FlagStatus

bp = Blueprint("flags", __name__, url_prefix="/flags")


@bp.route("/")
@login_required
def index():
    filters_form = FlagFilterForm(request.args)
    filters_form.set_homes(queries.homes(current_user))
    status = request.args.get("status") or None
    if status not in (None, *FlagStatus.slugs()):
        status = None
    filters = flag_workflow.FlagFilters(
        rule=request.args.get("rule") or None,
        home_id=request.args.get("home", type=record_id),
        status=status,
    )
    listing = flag_workflow.list_flags(current_user, filters)
    return render_template(
        "flags/index.html",
        title=_("Flags"),
        listing=listing,
        filters_form=filters_form,
        shown=flag_workflow.RESOLVED_SHOWN,
    )


def _render_flag(flag, acknowledge_form=None, resolve_form=None):
    # The form not posted is shown blank (formdata=None: not read from this request).
    return render_template(
        "flags/show.html",
        title=_("Flag %(id)s: %(rule)s", id=flag.id, rule=flag.rule_label),
        flag=flag,
        acknowledge_form=acknowledge_form or AcknowledgeForm(formdata=None),
        resolve_form=resolve_form or ResolveForm(formdata=None),
        form=acknowledge_form if acknowledge_form and acknowledge_form.errors else resolve_form,
        can_act=access.can(current_user, Permission.MANAGE_FLAGS)
        and flag.status != FlagStatus.RESOLVED.value,
    )


@bp.route("/<int:flag_id>")
@login_required
def show(flag_id: int):
    return _render_flag(flag_workflow.get_flag(current_user, flag_id))


def _act_on_flag(flag_id: int, form, note_field: str, act, done: str, form_name: str):
    """Acknowledge or resolve: the flag must be in scope, the user allowed to manage flags."""
    flag = flag_workflow.flag_to_act_on(current_user, flag_id)
    if form.validate_on_submit():
        try:
            act(current_user, flag_id, form[note_field].data or "")
        except ServiceError as error:
            form.add_service_error(error, note_field)
        else:
            flash(done, "success")
            return redirect(url_for("flags.show", flag_id=flag_id))
    return _render_flag(flag, **{form_name: form})


@bp.route("/<int:flag_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(flag_id: int):
    return _act_on_flag(
        flag_id,
        AcknowledgeForm(),
        "note",
        flag_workflow.acknowledge,
        _("Flag acknowledged"),
        "acknowledge_form",
    )


@bp.route("/<int:flag_id>/resolve", methods=["POST"])
@login_required
def resolve(flag_id: int):
    return _act_on_flag(
        flag_id,
        ResolveForm(),
        "resolve_note",
        flag_workflow.resolve,
        _("Flag resolved"),
        "resolve_form",
    )


@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def settings():
    current = flags.thresholds()
    form = ThresholdsForm(data=current.as_mapping())
    if form.validate_on_submit():
        values = {name: form[name].data for name in current.as_mapping()}
        try:
            flags.change_thresholds(current_user, values)
        except ServiceError as error:
            form.add_service_error(error, "repeat_child_count")
        else:
            flash(
                _(
                    "Flag thresholds saved. Existing flags keep the thresholds they were raised "
                    "with."
                ),
                "success",
            )
            return redirect(url_for("flags.settings"))
    return render_template("flags/settings.html", title=_("Flag thresholds"), form=form)


@bp.app_template_filter("flag_explanation")
def _flag_explanation(text: str | None) -> str:
    """A flag's explanation (stored in English) in the page's language: ``flag.explanation |
    flag_explanation``."""
    return localise_explanation(text)


@bp.app_context_processor
def _flag_helpers():
    def callout_flags(callout_id: int):
        if not current_user.is_authenticated:
            return []
        return flag_workflow.flags_of_callout(current_user, callout_id)

    return {"callout_flags": callout_flags}
