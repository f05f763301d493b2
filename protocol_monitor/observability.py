"""Structured logs (one JSON line per request and per job, never children's data) and health."""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import text

from .db import db

logger = logging.getLogger("protocol_monitor")

#: Only these keys reach the log; anything else passed in ``extra`` is dropped, so a careless
#: caller cannot log a child's reference or free text.
LOGGED_FIELDS = (
    "event",
    "method",
    "path",
    "status",
    "duration_ms",
    "user_id",
    "request_id",
    "job",
    "period",
    "outcome",
    "counts",
    "error",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in LOGGED_FIELDS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = trace(record.exc_info[2])
        return json.dumps(entry, default=str)


def trace(tb: TracebackType | None) -> list[str]:
    """Where an error happened, as ``file:line function`` frames, innermost last.

    The exception's message is left out on purpose: a database error quotes the values of the
    statement it failed on, which can be a child's reference or free text.
    """
    return [
        f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(tb)
    ]


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the service's own logger (idempotent)."""
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def log_library_as_json(name: str, level: int = logging.WARNING) -> None:
    """A library's own log (APScheduler's) as JSON lines on stderr, from ``level`` up, and not
    again through the root logger: each event is logged once, in the service's one format."""
    library = logging.getLogger(name)
    library.setLevel(level)
    library.propagate = False
    if not any(isinstance(h.formatter, JsonFormatter) for h in library.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        library.addHandler(handler)


@contextmanager
def job_log(job: str, period: str | None = None) -> Iterator[dict[str, Any]]:
    """Log one JSON line when a job finishes: name, period, outcome, duration and counts."""
    started = time.perf_counter()
    result: dict[str, Any] = {"outcome": "done", "counts": {}}
    try:
        yield result
    except Exception as error:
        result["outcome"] = "failed"
        logger.error(
            "job failed",
            extra={
                "event": "job",
                "job": job,
                "period": period,
                "outcome": "failed",
                "error": type(error).__name__,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        raise
    logger.info(
        "job finished",
        extra={
            "event": "job",
            "job": job,
            "period": period,
            "outcome": result["outcome"],
            "counts": result["counts"],
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )


health = Blueprint("health", __name__)


@health.route("/healthz")
def healthz():
    """Liveness: the process answers."""
    return jsonify(status="ok")


@health.route("/readyz")
def readyz():
    """Readiness: the database answers and its schema is at the latest migration."""
    checks: dict[str, str] = {}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        checks["database"] = "ok"
    except Exception as error:  # any failure means not ready
        checks["database"] = f"unavailable: {type(error).__name__}"
        return jsonify(status="unavailable", checks=checks), 503
    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory(migrate.directory)
    head = script.get_current_head()
    if current != head:
        checks["migrations"] = f"database at {current}, code expects {head}"
        return jsonify(status="unavailable", checks=checks), 503
    checks["migrations"] = "ok"
    return jsonify(status="ok", checks=checks)


def init_app(app: Flask) -> None:
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    app.register_blueprint(health)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        if started is not None and not request.path.startswith(("/assets/", "/govuk/", "/static/")):
            logger.info(
                "request",
                extra={
                    "event": "request",
                    "method": request.method,
                    # The path only: query strings may carry filters and are not logged.
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": current_user.get_id() if current_user else None,
                    "request_id": g.get("request_id"),
                },
            )
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response
