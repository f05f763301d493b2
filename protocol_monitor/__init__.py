"""protocol-monitor: police call-outs to children's homes, monitored against the protocol."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from . import commands, observability, security, templating, views
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
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes),
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
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
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

    observability.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    audit_trail.init_app(app)
    templating.init_app(app)
    views.register_blueprints(app)
    commands.register(app)
    return app


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
