"""The command lines that start the service's processes (the supervisor's children)."""

from __future__ import annotations

import sys

from ..config import PROJECT_ROOT


def cli(*args: str) -> list[str]:
    """`protocol-monitor ARGS…` run by this interpreter."""
    return [sys.executable, "-m", "protocol_monitor.cli", *args]


def gunicorn(app: str = "wsgi:app") -> list[str]:
    """gunicorn with the production settings (gunicorn_conf.py), serving ``app``."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:protocol_monitor.process.gunicorn_conf",
        "--chdir",
        str(PROJECT_ROOT),
        app,
    ]


def flask_dev(host: str, port: int) -> list[str]:
    """Flask's development server, serving wsgi:app."""
    return [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "wsgi",
        "run",
        "--host",
        host,
        "--port",
        str(port),
    ]
