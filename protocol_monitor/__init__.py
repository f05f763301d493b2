"""protocol-monitor: police call-outs to children's homes, monitored against the protocol."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from . import commands, govuk_components, i18n, observability, routing, security, templating, views
from . import db as database
from .config import PROJECT_ROOT, Settings
from .extensions import csrf, migrate
from .identity import sessions
from .services import audit_trail


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Wire the app together. No network, no threads, no scheduler."""
    if isinstance(config, Settings):
        settings = config
    else:
        settings = Settings.from_env().with_overrides(**(config or {}))

    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        static_folder=str(PROJECT_ROOT / "protocol_monitor" / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        # The server ends a session after SESSION_IDLE_MINUTES without use (identity.sessions);
        # the cookie outlives that so that a form sent after it ended still says whose it was
        # and can be held for them (views.saved_forms), for as long as a held form is kept.
        PERMANENT_SESSION_LIFETIME=max(
            timedelta(minutes=settings.session_idle_minutes), timedelta(days=settings.draft_days)
        ),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.env == "test",
        WTF_CSRF_ENABLED=settings.extra.get("csrf", True),
    )
    if settings.env != "test":
        settings.instance_path.mkdir(parents=True, exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            govuk_components.ComponentLoader(),
        ]
    )
    app.extensions["govuk_components"] = govuk_components.init_app(app.jinja_env)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    # (protocol_monitor.db stays the module: migrations name protocol_monitor.db.UTCDateTime)
    database.db.init_app(app)
    migrate.init_app(
        app,
        database.db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)

    routing.init_app(app)  # before any blueprint: every <int:…> is a record id
    observability.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    audit_trail.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    views.register_blueprints(app)
    commands.register(app)
    if settings.trusted_proxies:
        # The client's address (for the audit log) from X-Forwarded-For, believing only the
        # entries the configured proxies added; without them the header is not read at all.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    return app


def _engine_options(settings: Settings) -> dict[str, Any]:
    if settings.database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": settings.database_busy_seconds}}
    return {"pool_pre_ping": True}
