"""Find a call-out: the search box on every signed-in page (templates/find/_box.html) leads
here. One call-out found opens it; several are listed; none is said plainly (issue 14)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..i18n import _
from ..rules import find as rules
from ..services import find as service

bp = Blueprint("find", __name__)


@bp.route("/find")
@login_required
def results():
    typed = request.args.get("q", "")
    try:
        wanted = rules.read(typed)
    except rules.NotAReference as problem:
        return render_template(
            "find/results.html",
            title=_("Find a call-out"),
            typed=typed[: rules.MAX_LENGTH * 2],
            problem=str(problem),
            page_errors=True,
            found=None,
        )
    found = service.find_callouts(current_user, wanted)
    if len(found.matches) == 1:
        return redirect(url_for("callouts.show", callout_id=found.matches[0].callout.id))
    return render_template(
        "find/results.html",
        title=_("Call-outs for %(reference)s", reference=wanted.text)
        if found.matches
        else _("No call-outs for %(reference)s", reference=wanted.text),
        typed=wanted.text,
        wanted=wanted,
        problem=None,
        found=found,
        limit=service.LIMIT,
    )
