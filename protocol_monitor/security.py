"""Hardening in one place: security headers with a per-request CSP nonce, and error pages that
show GOV.UK wording and nothing about the code, the database or the server."""

from __future__ import annotations

import logging
import secrets

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .db import db
from .i18n import N_, translate
from .services import Forbidden, NotFound

log = logging.getLogger(__name__)

#: Browser features this service never uses.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: ("errors/400.html", N_("There is a problem with your request")),
    403: ("errors/403.html", N_("You cannot do that")),
    404: ("errors/404.html", N_("Page not found")),
    405: ("errors/405.html", N_("There is a problem with your request")),
    413: ("errors/413.html", N_("The file or form is too large")),
    500: ("errors/500.html", N_("Sorry, there is a problem with the service")),
    503: ("errors/503.html", N_("Sorry, the service is busy")),
}


def csp_nonce() -> str:
    """This request's nonce, for every <script> tag (templates use ``cspNonce``)."""
    environ = request.environ
    if "protocol_monitor.csp_nonce" not in environ:
        environ["protocol_monitor.csp_nonce"] = secrets.token_urlsafe(16)
    return environ["protocol_monitor.csp_nonce"]


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
        ]
    )


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/scim/"))


def database_unavailable(error: OperationalError) -> bool:
    """A database that is busy or unreachable for now (503), not a fault in the app (500):
    SQLite's "database is locked" after its busy timeout; any OperationalError from PostgreSQL's
    driver (a lost or refused connection, a lock or statement timeout)."""
    if error.connection_invalidated:
        return True
    module = type(error.orig).__module__ if error.orig is not None else ""
    if module.startswith("sqlite3"):
        return "locked" in str(error.orig) or "busy" in str(error.orig)
    return module.startswith("psycopg")


def error_page(status: int) -> tuple[Response | str, int]:
    """The service's page (or JSON) for an error status, in GOV.UK words."""
    return _error_response(status)


def _error_response(status: int) -> tuple[Response | str, int]:
    template, title = ERROR_PAGES.get(status, ERROR_PAGES[500])
    if _wants_json():
        return jsonify({"error": title, "status": status}), status
    return render_template(template, title=translate(title)), status


def init_app(app: Flask) -> None:
    @app.context_processor
    def _nonce() -> dict[str, str]:
        return {"cspNonce": csp_nonce()}

    @app.before_request
    def _refuse_nul_bytes():
        # No text anywhere in the service may contain NUL: PostgreSQL cannot store it, and no
        # person types it. Refuse such a request whole, before any form or service sees it.
        values = [*request.args.values(), *request.path.split("/")]
        # Slack's requests are checked against their signature over the raw body, which must
        # stay unread here; Bolt validates their content itself.
        if (
            request.method == "POST"
            and request.blueprint != "slack"
            and request.mimetype
            in {
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            }
        ):
            values.extend(value for _key, value in request.form.items(multi=True))
            values.extend(request.form.keys())
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure or current_app.config["SETTINGS"].hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint not in {"static", "govuk_assets", "govuk_bundle"}:
            headers.setdefault("Cache-Control", "no-store")
        headers.pop("Server", None)
        headers.pop("X-Powered-By", None)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        if status in (401,) and _wants_json():
            return jsonify({"error": "Unauthorised", "status": 401}), 401
        if status not in ERROR_PAGES:
            return error
        return _error_response(status)

    @app.errorhandler(NotFound)
    def _not_found(_error: NotFound):
        # Audited where it was raised (services.read_scoped), like every read.
        return _error_response(404)

    @app.errorhandler(Forbidden)
    def _forbidden(error: Forbidden):
        # Audited by the guard that raised it (access.require).
        return _error_response(404 if error.hidden else 403)

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError):
        # SQLite busy past DATABASE_BUSY_SECONDS, or PostgreSQL gone: the request changed nothing.
        if not database_unavailable(error):
            return _unexpected(error)  # a missing table or the like is a fault: 500
        log.warning(
            "Database unavailable on %s %s: %s",
            request.method,
            request.path,
            str(error.orig).splitlines()[0][:200] if error.orig else type(error).__name__,
            extra={"event": "database_unavailable"},
        )
        try:
            db.session.rollback()
            response = make_response(*_error_response(503))
        except Exception:  # the page itself needed the database: say the same in plain text
            response = make_response(f"{ERROR_PAGES[503][1]}. Try again in a minute.\n", 503)
            response.mimetype = "text/plain"
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        # The details go to the log for the people who run the service, never to the page.
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _error_response(500)
