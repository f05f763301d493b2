"""Sign-in plumbing: Flask-Login, the idle-session timeout, sign out everywhere and enforced
two-factor enrolment. (Permissions are checked by access.require / access.requires.)

When a session ends for want of use or by "sign out everywhere", the app's ``ENDED_HANDLER``
(views.saved_forms) may hold what the request's form sent and answer in its place, so a report
typed before the timeout is never lost. The page's timeout warning asks ``/session/status``, which
reads the time left without moving it on."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..db import db
from ..extensions import login_manager
from ..models import User


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


#: last_seen moves (and the cookie is re-signed and re-sent) at most this often, so the idle
#: timeout is exact to within this much.
LAST_SEEN_STEP_SECONDS = 60

#: In app.extensions: called with the user's id when a request ends their session; it may hold the
#: request's form and return the response to give (else the person is sent to sign in).
ENDED_HANDLER = "protocol_monitor.session_ended"
#: The session's keys of forms held for this browser: kept through signing in again.
HELD_FORMS = "held_forms"
#: Asks how long the session has left without being a use of it (the timeout warning's).
PASSIVE_ENDPOINTS = frozenset({"auth.session_status"})

#: Pages a signed-in user who must still set up two-factor sign-in may reach.
_ENROLMENT_ENDPOINTS = frozenset(
    {"account.two_factor", "auth.sign_out", "static", "govuk_assets", "govuk_bundle"}
)


def start_session(user: User) -> None:
    """Sign the user in to this browser, remembering which generation of sessions it belongs to."""
    _clear_session()
    login_user(user)
    session["session_version"] = user.session_version or 0
    session["last_seen"] = int(time.time())


def end_session() -> None:
    logout_user()
    _clear_session()


def _clear_session() -> None:
    """Forget everything about the person, but keep the CSRF secret so open forms still work,
    and the keys of forms held for this browser so they can be taken back after signing in."""
    kept = {key: session[key] for key in ("csrf_token", HELD_FORMS) if key in session}
    session.clear()
    session.update(kept)


def renew() -> None:
    """Start the idle time again now (the timeout warning's "Stay signed in")."""
    session["last_seen"] = int(time.time())


def _idle_seconds() -> int:
    return current_app.config["SETTINGS"].session_idle_minutes * 60


def seconds_left(now: int | None = None) -> int:
    """How long the signed-in session has before it ends for want of use (0 when it has)."""
    if not current_user.is_authenticated:
        return 0
    last_seen = session.get("last_seen")
    if not isinstance(last_seen, int):
        return 0
    return max(0, last_seen + _idle_seconds() - (now or int(time.time())))


def _ended_because(now: int) -> str | None:
    """Why the signed-in session has ended: "idle", "everywhere" (signed out everywhere), or
    None while it is live."""
    last_seen = session.get("last_seen")
    if not isinstance(last_seen, int) or now - last_seen > _idle_seconds():
        return "idle"
    if session.get("session_version") != (current_user.session_version or 0):
        return "everywhere"
    return None


def is_live() -> bool:
    """Whether this request's person is signed in and their session has not ended."""
    return current_user.is_authenticated and _ended_because(int(time.time())) is None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)

    @app.before_request
    def _check_session():
        # The cookie's lifetime is only a backstop: the server checks the last-seen time itself,
        # so a copied cookie stops working after the idle timeout too.
        # Neither this nor last_seen marks the session changed unless it did: an unchanged
        # session is not re-signed and re-sent (SESSION_REFRESH_EACH_REQUEST is off).
        if not session.permanent:
            session.permanent = True
        # Load the user from this request's session (g outlives a request when an app context
        # is already pushed, as in tests and CLI-driven clients).
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        if request.endpoint in {"static", "govuk_assets", "govuk_bundle"}:
            return None
        if request.blueprint == "api" or not current_user.is_authenticated:
            return None
        if request.endpoint in PASSIVE_ENDPOINTS:
            return None
        settings = current_app.config["SETTINGS"]
        now = int(time.time())
        ended = _ended_because(now)
        if ended is not None:
            user_id = current_user.id
            end_session()
            handler = current_app.extensions.get(ENDED_HANDLER)
            response = handler(user_id) if handler is not None else None
            if response is not None:
                return response
            if ended == "idle":
                flash(
                    f"You were signed out because you had not used the service for "
                    f"{settings.session_idle_minutes} minutes"
                )
            else:
                flash("You have been signed out. Sign in again to continue")
            return redirect(url_for("auth.sign_in"))
        last_seen = session["last_seen"]
        if now - last_seen >= LAST_SEEN_STEP_SECONDS:
            session["last_seen"] = now
        if (
            current_user.role in settings.require_two_factor_roles
            and current_user.totp_enabled_at is None
            # Signed in through the organisation's identity provider: its MFA is the second
            # factor (views.single_sign_on).
            and session.get("second_factor") != "identity_provider"
            and request.endpoint not in _ENROLMENT_ENDPOINTS
        ):
            return redirect(url_for("account.two_factor"))
        return None
