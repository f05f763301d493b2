"""No report lost (issue 14): a form posted after its author's session ended is held and given
back once they have signed in again; drafts are deleted from here.

Views whose form is worth keeping say so with ``@keeps_typing`` (below their route). Three
moments hold such a form — the session ended for want of use (identity.sessions), the browser's
session had already ended so (Flask-Login's unauthorised handler, from another tab), or no valid
CSRF token — and each sends the person where they can carry on: back to the form
(``?restore=<key>``), through signing in when they must. The form's page reads the key before it
is built (``_restore``), and GovForm fills itself from what was held.

A form is held only for a person the server knows this browser was signed in as (its record went
idle, or the signed cookie says so): never for nobody, nor after signing out, and only from a page
of this service (the Origin, else the Referer, names this host), so another site cannot plant a
form to be filled in for someone. It goes back once, to that person, in that browser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_url
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from ..extensions import login_manager
from ..forms.base import record_id
from ..i18n import _, ngettext, translate
from ..identity import sessions
from ..security import error_page
from ..services import NotFound, ServiceError, saved_forms

bp = Blueprint("saved_forms", __name__)

F = TypeVar("F", bound=Callable[..., Any])

#: The session's list of keys held for this browser (kept through signing in again).
SESSION_KEY = sessions.HELD_FORMS
#: How many keys a browser's session remembers.
REMEMBERED = 10


def keeps_typing(view: F) -> F:
    """Mark a view whose form is held when it arrives after its author's session ended."""
    view.keeps_typing = True  # type: ignore[attr-defined]
    return view


def _same_origin() -> bool:
    """The form was sent from a page of this service (browsers send Origin with every form
    post; a client that sends neither header is not a browser on another site)."""
    sent_from = request.headers.get("Origin") or request.referrer
    if not sent_from:
        return True
    return urlsplit(sent_from).netloc == request.host


def _holdable() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return (
        request.method == "POST"
        and getattr(view, "keeps_typing", False)
        and request.mimetype == "application/x-www-form-urlencoded"
        and not _autosaving()  # the page saving a draft in the background: the form is still open
        and _same_origin()
    )


def hold_and_redirect(user_id: int | None, *, signed_in: bool) -> Response | None:
    """Hold this request's form (when its view keeps typing) for its author and send them on:
    straight back to the form when still signed in, else to sign in first. None when nothing
    was held."""
    if user_id is None or not _holdable():
        return None
    key = saved_forms.hold(user_id, request.path, list(request.form.items(multi=True)))
    if key is None:
        return None
    session[SESSION_KEY] = [*(session.get(SESSION_KEY) or []), key][-REMEMBERED:]
    target = f"{request.path}?restore={key}"
    if signed_in:
        flash(
            _(
                "This page had been open too long to save what you sent. Nothing was lost: "
                "check your answers below and send them again"
            )
        )
        return redirect(target)
    flash(
        _(
            "You were signed out before this was saved. Nothing you typed is lost: sign in and "
            "you will go back to the form with your answers filled in"
        )
    )
    return redirect(url_for("auth.sign_in", next=target))


def _session_ended(user_id: int) -> Response | None:
    """identity.sessions: the person's session just ended (ended already)."""
    return hold_and_redirect(user_id, signed_in=False)


def _unauthorised() -> Response:
    """Nobody is signed in: when this browser's session ended for want of use, hold what the
    form sent for its author; else sign in as Flask-Login would."""
    held = hold_and_redirect(sessions.end_idle(), signed_in=False)
    if held is not None:
        return held
    flash(translate(login_manager.login_message))
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _csrf_failed(error: CSRFError) -> Response | tuple[Any, int]:
    """No valid CSRF token (the page is from another session, or the session's secret had
    gone): the form is held for its author when the server knows who, then they carry on."""
    if _holdable():
        # Read the person from this request's session (the CSRF check runs before
        # identity.sessions, which does the same; g can outlive a request where an app
        # context is already pushed).
        g.pop("_login_user", None)
        g.pop("_browser_session", None)
        if current_user.is_authenticated:
            held = hold_and_redirect(current_user.id, signed_in=True)
        else:
            held = hold_and_redirect(sessions.end_idle(), signed_in=False)
        if held is not None:
            return held
    return error_page(400)


def _restore() -> None:
    """Before a form's page is built: the form held under ``?restore=<key>``, once, for its
    author from the browser it was held for; GovForm fills itself from it."""
    key = request.args.get("restore")
    if request.method != "GET" or not key or not current_user.is_authenticated:
        return
    remembered = list(session.get(SESSION_KEY) or [])
    held = saved_forms.take_held(current_user, key, from_this_browser=key in remembered)
    if key in remembered:
        remembered.remove(key)
        session[SESSION_KEY] = remembered
    if held is None or held.path != request.path:
        flash(
            ngettext(
                "What you typed before you were signed out could not be found: it is kept for "
                "%(num)d day, can be used once, and only by the person who typed it, in the "
                "same browser",
                "What you typed before you were signed out could not be found: it is kept for "
                "%(num)d days, can be used once, and only by the person who typed it, in the "
                "same browser",
                saved_forms.keep_days(),
            )
        )
        return
    g.restored_formdata = MultiDict([tuple(pair) for pair in held.fields])
    flash(_("You are back where you were: check your answers, then send the form again"))


# Drafts ------------------------------------------------------------------------------------


def draft_id_sent() -> int | None:
    """The draft the form is resumed from (``?draft=<id>``) or carries (its hidden field)."""
    return request.values.get("draft", type=record_id)


def wants_draft() -> bool:
    """The form was sent to be saved as a draft (its Save as draft button, or the page saving
    it as the person types)."""
    return request.method == "POST" and request.form.get("save") == "draft"


def _autosaving() -> bool:
    return request.headers.get("Accept") == "application/json"


def save_draft(
    form: str, draft_id: int | None, again: Callable[[], Any], *, callout_id: int | None = None
):
    """Save what the form sent as the author's draft. The page saving as they type gets the
    draft's id (JSON); the Save as draft button goes to the start page, where drafts are listed.
    ``again`` renders the form again (with a message) when it cannot be saved."""
    try:
        draft = saved_forms.save_draft(
            current_user,
            request.path,
            list(request.form.items(multi=True)),
            draft_id,
            form=form,
            callout_id=callout_id,
        )
    except ServiceError as error:
        if _autosaving():
            return jsonify(error=str(error)), 400
        flash(str(error))
        return again()
    if _autosaving():
        return jsonify(draft_id=draft.id)
    flash(
        ngettext(
            "Your draft is saved. Find it on this page to carry on; it is kept for %(num)d day "
            "after you last saved it",
            "Your draft is saved. Find it on this page to carry on; it is kept for %(num)d days "
            "after you last saved it",
            saved_forms.keep_days(),
        ),
        "success",
    )
    return redirect(url_for("main.index"))


def draft_typed(form: str, draft_id: int | None, *, callout_id: int | None = None):
    """Opening the form from a draft (a GET with ``?draft=<id>``): what the author had typed,
    to fill it with. Anyone else's draft, or one of another form, is not found."""
    if request.method != "GET" or not draft_id:
        return None
    draft = saved_forms.get_draft(current_user, draft_id)
    if draft.form != form or draft.callout_id != callout_id:
        raise NotFound()
    return MultiDict([tuple(pair) for pair in draft.fields])


@bp.route("/drafts/<int:draft_id>/delete", methods=["POST"])
@login_required
def delete_draft(draft_id: int):
    saved_forms.discard_draft(current_user, draft_id)
    flash(_("Draft deleted"), "success")
    return redirect(url_for("main.index"))


def init_app(app: Flask) -> None:
    app.extensions[sessions.ENDED_HANDLER] = _session_ended
    login_manager.unauthorized_handler(_unauthorised)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.before_request(_restore)
