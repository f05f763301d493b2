"""Sign in with an organisation's account (OpenID Connect): send the browser to the identity
provider, and take it back at the callback. Everything that goes wrong is a GOV.UK page that
says what to do, with the number of the audit entry that recorded it."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from ..i18n import _, translate
from ..identity.oidc import Pending
from ..identity.sessions import end_session, start_session
from ..identity.views.sign_in import _safe_next
from ..rules.single_sign_on import Refusal
from ..services import single_sign_on
from .main import remember_language

bp = Blueprint("single_sign_on", __name__)

#: Sign-ins begun in one browser and not yet finished; older ones are forgotten.
MAX_PENDING = 3
#: How long a person has at the identity provider before the sign-in must start again.
PENDING_SECONDS = 600
#: The session key that says the identity provider vouched for the second factor.
SECOND_FACTOR = "identity_provider"

_PERSON = frozenset(
    {
        "unknown_person",
        "deactivated",
        "no_access",
        "tenant_not_allowed",
        "email_in_use",
        "no_email",
        "groups_conflict",
        "groups_overage",
        "no_multi_factor",
    }
)


def redirect_uri() -> str:
    """The one address every organisation's registration sends people back to."""
    return current_app.config["SETTINGS"].base_url + url_for("single_sign_on.callback")


@bp.app_context_processor
def _sign_in_options() -> dict:
    return {"organisation_sign_in": single_sign_on.enabled_providers}


def _problem(problem: Refusal, audit_id: int | None):
    if problem.reason == "provider_unavailable":
        status = 503
    else:
        status = 403 if problem.reason in _PERSON else 400
    return render_template(
        "single_sign_on/problem.html",
        title=_("You could not be signed in"),
        message=translate(str(problem)),
        ask_administrator=problem.reason in _PERSON or problem.reason == "not_configured",
        reference=audit_id,
    ), status


@bp.route("/sign-in/organisation/<int:provider_id>")
def start(provider_id: int):
    try:
        url, pending = single_sign_on.start_sign_in(provider_id, redirect_uri())
    except Refusal as problem:
        return _problem(problem, getattr(problem, "audit_id", None))
    flows = session.get("single_sign_on")
    flows = dict(flows) if isinstance(flows, dict) else {}
    flows[pending.state] = {
        "provider": provider_id,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "next": _safe_next(request.args.get("next")),
        "at": int(time.time()),
    }
    # Keep the newest few: a session cookie has little room, and an old flow is worthless.
    session["single_sign_on"] = dict(
        sorted(flows.items(), key=lambda item: item[1].get("at", 0))[-MAX_PENDING:]
    )
    return redirect(url)


def _take_pending(state: str) -> dict | None:
    """The sign-in this state belongs to, removed so it can be finished only once."""
    flows = session.get("single_sign_on")
    if not isinstance(flows, dict) or not state or len(state) > 200:
        return None
    flows = dict(flows)
    entry = flows.pop(state, None)
    session["single_sign_on"] = flows
    if not isinstance(entry, dict) or time.time() - entry.get("at", 0) > PENDING_SECONDS:
        return None
    return entry


@bp.route("/sign-in/organisation/callback")
def callback():
    entry = _take_pending(request.args.get("state", ""))
    if entry is None:
        problem = Refusal(
            "replayed",
            _(
                "This sign-in has already been used, has expired, or was started in another "
                "browser. Start again from the sign-in page."
            ),
        )
        return _problem(problem, single_sign_on.refused(problem, None))
    provider_id = entry["provider"]
    if "error" in request.args:
        cancelled = request.args.get("error") == "access_denied"
        problem = Refusal(
            "provider_said_no",
            _("You cancelled signing in, or your organisation did not allow it.")
            if cancelled
            else _("Your organisation’s sign-in did not complete."),
        )
        return _problem(problem, single_sign_on.refused(problem, provider_id))
    code = request.args.get("code", "")
    if not code or len(code) > 4096:
        problem = Refusal("no_code", _("The identity provider did not send a sign-in code."))
        return _problem(problem, single_sign_on.refused(problem, provider_id))
    pending = Pending(state="", nonce=entry["nonce"], code_verifier=entry["verifier"])
    try:
        signed_in = single_sign_on.complete(provider_id, pending, code, redirect_uri())
    except Refusal as problem:
        end_session()
        return _problem(problem, getattr(problem, "audit_id", None))
    start_session(signed_in.user)
    session["second_factor"] = SECOND_FACTOR
    return remember_language(redirect(_safe_next(entry.get("next"))), signed_in.user.language)
