"""Sign-in plumbing: Flask-Login over the server's record of each signed-in browser
(identity.browser_sessions), the idle timeout, and enforced two-factor enrolment. (Permissions
are checked by access.require / access.requires.)

The cookie carries only the key to the browser's record; the person is signed in only while that
record is open and has been used within SESSION_IDLE_MINUTES. Nothing about the session depends
on the client's address: Flask-Login's session protection, which hashes the client-supplied
X-Forwarded-For header, is off (extensions.py).

No report lost (issue 14): when a session ends for want of use, the app's ``ENDED_HANDLER``
(views.saved_forms) may hold what the request's form sent, for the person whose record it was, and
answer in its place; the browser remembers whose session ended (``IDLE_USER``) so that a form sent
from another of its tabs afterwards is held for them too. The page's timeout warning asks
``/session/status``, which reads the time left without moving it on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import i18n
from ..db import utcnow
from ..extensions import login_manager
from ..i18n import _, ngettext, translate
from ..models import User
from . import accounts, browser_sessions

#: Where the cookie keeps the key to the browser's record.
KEY = "browser_session"

#: In app.extensions: called with the user's id when a request finds their session ended for want
#: of use; it may hold the request's form and return the response to give.
ENDED_HANDLER = "protocol_monitor.session_ended"
#: The session's keys of forms held for this browser: kept through signing in again.
HELD_FORMS = "held_forms"
#: Whose session in this browser ended for want of use (set by the server only, when it found the
#: record idle; cleared by any sign-in or sign-out).
IDLE_USER = "idle_user"
#: Asks how long the session has left without being a use of it (the timeout warning's).
PASSIVE_ENDPOINTS = frozenset({"auth.session_status"})

#: Pages a signed-in user who must still set up two-factor sign-in may reach.
_ENROLMENT_ENDPOINTS = frozenset(
    {"account.two_factor", "auth.sign_out", "static", "govuk_assets", "govuk_bundle"}
)


def _idle() -> timedelta:
    return timedelta(minutes=current_app.config["SETTINGS"].session_idle_minutes)


def _found() -> browser_sessions.Found:
    """This request's browser record (looked up once a request)."""
    if "_browser_session" not in g:
        g._browser_session = browser_sessions.find(session.get(KEY), _idle())
    return g._browser_session


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    record = _found().record
    if record is None or str(record.user_id) != user_id:
        return None
    return record.user if record.user.active else None


def start_session(user: User) -> None:
    """Sign the user in to this browser: a new record, and its key in the cookie."""
    if session.get(KEY):
        browser_sessions.end(session.get(KEY), "signed in again")
    _clear_session()
    # The language chosen with the switch before signing in becomes the account's (i18n).
    chosen = request.cookies.get(i18n.COOKIE)
    if chosen in i18n.LANGUAGES and chosen != user.language:
        accounts.set_language(user, chosen)
    login_user(user)
    session[KEY] = browser_sessions.open_session(user, _idle())
    g.pop("_browser_session", None)


def end_session(why: str = "signed out") -> None:
    """Sign this browser out: its record ends, so a copy of its cookie stops working too."""
    browser_sessions.end(session.get(KEY), why)
    logout_user()
    _clear_session()
    g.pop("_browser_session", None)


def current_key() -> str | None:
    """The key of this browser's record (to keep it when others are ended)."""
    key = session.get(KEY)
    return key if isinstance(key, str) else None


def signed_in_at() -> datetime | None:
    """When this browser signed in (its record was opened)."""
    record = _found().record
    return record.created_at if record is not None else None


def _clear_session() -> None:
    """Forget everything about the person, but keep the CSRF secret so open forms still work,
    and the keys of forms held for this browser so they can be taken back after signing in."""
    kept = {key: session[key] for key in ("csrf_token", HELD_FORMS) if key in session}
    session.clear()
    session.update(kept)


def renew() -> None:
    """Start the idle time again now (the timeout warning's "Stay signed in")."""
    record = _found().record
    if record is not None:
        browser_sessions.seen(record, step=timedelta(0))


def seconds_left(now: datetime | None = None) -> int:
    """How long this browser's session has before it ends for want of use (0 when it has)."""
    record = _found().record
    if record is None:
        return 0
    left = record.last_seen_at + _idle() - (now or utcnow())
    return max(0, int(left.total_seconds()))


def end_idle() -> int | None:
    """When this browser's session has ended for want of use: end it here too and return whose
    it was (also when it had been ended so already: ``IDLE_USER``); else None."""
    found = _found()
    if found.state == "idle" and found.user_id is not None:
        end_session("idle")
        session[IDLE_USER] = found.user_id
        return found.user_id
    if "_user_id" in session:
        return None
    remembered = session.get(IDLE_USER)
    return remembered if isinstance(remembered, int) else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # "Sign in to continue" (extensions.login_manager.login_message) in the page's language.
    login_manager.localize_callback = translate

    @app.before_request
    def _check_session():
        # The cookie's lifetime is only a backstop: the server checks the record's last-seen time
        # itself. Nothing here marks the session changed unless it did: an unchanged session is
        # not re-signed and re-sent (SESSION_REFRESH_EACH_REQUEST is off).
        if not session.permanent:
            session.permanent = True
        # Load the user from this request's session (g outlives a request when an app context
        # is already pushed, as in tests and CLI-driven clients).
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        g.pop("_browser_session", None)
        if request.endpoint in {"static", "govuk_assets", "govuk_bundle"}:
            return None
        if request.blueprint == "api" or "_user_id" not in session:
            return None
        if request.endpoint in PASSIVE_ENDPOINTS:
            return None
        settings = current_app.config["SETTINGS"]
        if not current_user.is_authenticated:
            # The cookie names someone, but their browser's record has ended (signed out, here
            # or everywhere; a new password; deactivated) or has not been used for too long.
            idle_user = end_idle()
            if idle_user is not None:
                handler = current_app.extensions.get(ENDED_HANDLER)
                response = handler(idle_user) if handler is not None else None
                if response is not None:
                    return response
                flash(
                    ngettext(
                        "You were signed out because you had not used the service for "
                        "%(num)d minute",
                        "You were signed out because you had not used the service for "
                        "%(num)d minutes",
                        settings.session_idle_minutes,
                    )
                )
            else:
                end_session()
                flash(_("You have been signed out. Sign in again to continue"))
            return redirect(url_for("auth.sign_in"))
        if browser_sessions.seen(_found().record):
            session.modified = True  # the cookie's own expiry slides with the record's
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
