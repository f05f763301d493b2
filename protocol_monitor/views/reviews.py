"""Reviews: the queue, the review form on a call-out, and the actions agreed."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access, queries
from ..access import Permission, requires
from ..forms.base import bool_to_yes_no, record_id
from ..forms.reviews import HOME_OWNER, ActionStatusForm, QueueFilterForm, ReviewForm
from ..i18n import _, _l
from ..rules.time import LONDON
from ..services import ServiceError
from ..services import reviews as service
from ..vocab import FlagRule
from .saved_forms import draft_id_sent, draft_typed, keeps_typing, save_draft, wants_draft

bp = Blueprint("reviews", __name__)


def _today():
    return datetime.now(LONDON).date()


@bp.route("/reviews/")
@requires(Permission.REVIEW)
def queue():
    filters_form = QueueFilterForm(request.args)
    homes = queries.homes(current_user)
    filters_form.set_homes(homes)
    authorities = sorted({h.host_authority for h in homes}, key=lambda a: a.name)
    filters_form.authority.choices = [("", _("All authorities"))] + [
        (str(a.id), a.name) for a in authorities
    ]
    filters_form.rule.choices = [("", _("Any or none")), *FlagRule.choices()]
    sort = request.args.get("sort")
    filters = service.QueueFilters(
        authority_id=request.args.get("authority", type=record_id),
        home_id=request.args.get("home", type=record_id),
        month=filters_form.checked_month(),
        rule=request.args.get("rule") or None,
        sort=sort if sort in service.QUEUE_SORTS else service.QUEUE_SORTS[0],
    )
    page = service.queue(
        current_user,
        filters,
        page=request.args.get("page", 1, type=record_id),
        size=current_app.config["SETTINGS"].page_size,
    )
    return render_template(
        "reviews/queue.html",
        title=_("Call-outs to review"),
        page=page,
        filters_form=filters_form,
        sort=filters.sort,
        sorts=[(key, SORT_LABELS[key], _sort_url(key)) for key in service.QUEUE_SORTS],
    )


#: The queue's orders, as the sort links name them.
SORT_LABELS = {
    "oldest": _l("Waiting longest"),
    "newest": _l("Newest"),
    "home": _l("Home (A to Z)"),
    "flags": _l("Most flags"),
}


def _sort_url(sort: str) -> str:
    """The queue with the same filters in another order, from its first page."""
    args = {k: v for k, v in request.args.items() if k not in ("sort", "page")}
    return url_for("reviews.queue", **args, sort=sort)


def _owner_choices(callout) -> tuple[list[tuple[str, str]], str]:
    officer = callout.home.allocated_officer
    owners = service.possible_owners(callout.home)
    choices = [
        ("", _("No owner yet")),
        (HOME_OWNER, _("%(home)s (the home)", home=callout.home.name)),
        *((str(u.id), str(u)) for u in owners),
    ]
    if officer is not None and str(officer.id) not in {c for c, _ in choices}:
        choices.append((str(officer.id), str(officer)))
    return choices, str(officer.id) if officer else ""


@bp.route("/callouts/<int:callout_id>/review", methods=["GET", "POST"])
@keeps_typing
@requires(Permission.REVIEW)
def review(callout_id: int):
    callout = service.callout_for_review(current_user, callout_id)
    existing = callout.review
    draft_id = draft_id_sent()
    choices, default = _owner_choices(callout)

    def page(form):
        return render_template(
            "reviews/form.html",
            title=_("Review call-out %(id)s", id=callout.id),
            form=form,
            callout=callout,
            existing=existing,
            draft_id=draft_id,
        )

    if wants_draft():

        def again():
            form = ReviewForm()
            form.set_owner_choices(choices, default)
            return page(form)

        return save_draft("review", draft_id, again, callout_id=callout.id)
    form = ReviewForm(typed=draft_typed("review", draft_id, callout_id=callout.id))
    if existing is not None and form.is_fresh():
        form.protocol_applied.data = existing.protocol_applied
        form.police_necessary.data = existing.police_necessary
        form.police_response_proportionate.data = bool_to_yes_no(
            existing.police_response_proportionate
        )
        form.outcome_proportionate.data = (
            bool_to_yes_no(existing.outcome_proportionate) or "not_known"
        )
        form.learning_points.data = existing.learning_points
    if request.method == "POST" and "add_action" in request.form:
        form.actions.append_entry()
        form.set_owner_choices(choices, default)
    else:
        form.set_owner_choices(choices, default)
        if form.validate_on_submit():
            try:
                service.record_review(
                    current_user,
                    callout_id,
                    form.review_values(),
                    form.action_values(),
                    draft_id=draft_id,
                )
            except ServiceError as error:
                form.add_service_error(error, "protocol_applied")
            else:
                flash(_("Review of call-out %(id)s saved", id=callout_id), "success")
                return redirect(url_for("callouts.show", callout_id=callout_id))
    return page(form)


@bp.route("/actions/")
@login_required
def actions():
    mine = request.args.get("owner") == "me"
    include_closed = request.args.get("closed") == "yes"
    today = _today()
    groups = service.list_actions(
        current_user, today=today, mine=mine, include_closed=include_closed
    )
    return render_template(
        "actions/index.html",
        title=_("Actions"),
        groups=groups,
        mine=mine,
        include_closed=include_closed,
    )


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@keeps_typing
@login_required
def action(action_id: int):
    item = service.get_action(current_user, action_id, audit_read=request.method == "GET")
    may_update = access.can_update_action(current_user, item)
    if request.method == "POST":
        service.require_update(current_user, item)
    form = ActionStatusForm()
    if form.is_fresh():
        form.status.data = item.status
    if form.validate_on_submit():
        try:
            service.change_status(current_user, action_id, form.status.data, form.note.data or "")
        except ServiceError as error:
            form.add_service_error(error, "status")
        else:
            flash(_("Action updated"), "success")
            return redirect(url_for("reviews.action", action_id=action_id))
    return render_template(
        "actions/show.html",
        title=_("Action %(number)s", number=item.id),
        action=item,
        form=form,
        may_update=may_update,
        overdue=service.is_overdue(item, _today()),
    )
