"""Running the service's processes: `protocol-monitor serve` (production: gunicorn workers and the
scheduler, supervised together), `serve-dev` (`make run`), `scheduler` (the scheduler process
alone) and `run-job NAME` (one scheduled job now, through the same claims)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import jobs
from ..config import PROJECT_ROOT
from ..process import argv, devserver, scheduler
from ..process.supervisor import Child, supervise
from ..rules.time import Month


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """What stops this environment from being served in production (empty when nothing)."""
    problems = []
    url = environ.get("DATABASE_URL", "")
    if not url:
        problems.append(
            "DATABASE_URL is not set. Production runs on PostgreSQL, for example "
            "DATABASE_URL=postgresql://protocol_monitor@127.0.0.1:5432/protocol_monitor"
        )
    elif not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        problems.append(
            "DATABASE_URL must point at PostgreSQL (postgresql://…): SQLite cannot be shared "
            "safely by several web workers and the scheduler"
        )
    secret = environ.get("SECRET_KEY", "")
    if not secret:
        problems.append(
            "SECRET_KEY is not set. Generate one with  "
            'python -c "import secrets; print(secrets.token_hex(32))"'
        )
    elif len(secret) < 32:
        problems.append("SECRET_KEY must be at least 32 characters in production")
    workers = environ.get("WEB_CONCURRENCY", "4")
    if not workers.isdigit() or int(workers) < 1:
        problems.append("WEB_CONCURRENCY must be a whole number of workers, 1 or more")
    return problems


def interpreter_warning(version: tuple[int, ...]) -> str | None:
    """A warning for an interpreter we have seen fail under load (README, "Measured load")."""
    if tuple(version[:2]) < (3, 12):
        return (
            f"Warning: Python {version[0]}.{version[1]}. Under bench/load.py, Python 3.11.7 "
            "crashed a web worker (SIGSEGV, an object freed while still in use) about once in "
            "5 000 requests; gunicorn replaces the worker but its request fails. Python 3.12 ran "
            "the same load without error: use 3.12 or later in production."
        )
    return None


@click.command("serve")
@click.option(
    "--workers", type=int, default=None, help="Web workers (default WEB_CONCURRENCY or 4)"
)
@click.option("--bind", default=None, help="Address to listen on (default BIND or 127.0.0.1:8000)")
def serve_command(workers: int | None, bind: str | None) -> None:
    """Serve in production: migrate, then gunicorn's workers and the scheduler, stopped together."""
    env = dict(os.environ)
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    if bind is not None:
        env["BIND"] = bind
    problems = production_problems(env)
    if problems:
        _fail("protocol-monitor serve refuses to start:\n  " + "\n  ".join(problems))
    env["PROTOCOL_MONITOR_ENV"] = "production"
    env.pop("FLASK_ENV", None)
    warning = interpreter_warning(tuple(sys.version_info))
    if warning:
        click.echo(warning, err=True)
    click.echo("Applying database migrations…", err=True)
    if subprocess.run(argv.cli("setup"), env=env, cwd=PROJECT_ROOT).returncode != 0:
        _fail("the database migrations failed; nothing was started")
    click.echo(
        f"Serving on http://{env.get('BIND', '127.0.0.1:8000')} with "
        f"{env.get('WEB_CONCURRENCY', '4')} workers and the scheduler (SIGTERM or Ctrl+C stops)",
        err=True,
    )
    code = supervise(
        [Child("web", argv.gunicorn()), Child("scheduler", argv.cli("scheduler"))], env
    )
    sys.exit(code)


@click.command("serve-dev")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve_dev_command(host: str, port: int) -> None:
    """Serve the app for development (Flask's server) beside the scheduler process."""
    devserver.serve(host, port)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process (monthly summary and digest, daily flags and reminders)."""
    scheduler.run(current_app._get_current_object())


@click.command(
    "run-job",
    help=f"Run a scheduled job now: NAME is one of {', '.join(jobs.JOBS)}. A job already run "
    "for its period by any process is skipped.",
)
@click.argument("name")
@click.option("--period", default=None, help="monthly_summary only: the month, YYYY-MM")
@with_appcontext
def run_job_command(name: str, period: str | None) -> None:
    if name not in jobs.JOBS:
        _fail(f"Unknown job {name!r}: use one of {', '.join(jobs.JOBS)}")
    if period is not None and name != jobs.MONTHLY_JOB:
        _fail("--period is only for monthly_summary")
    if period is not None:
        try:
            month = Month.parse(period)
        except ValueError:
            _fail("Enter the period as a month, like 2026-10")
        ran = jobs.run_monthly_for(month)
    else:
        ran = jobs.JOBS[name](None)
    if name == "deliver_alerts":
        click.echo("Delivered what was due." if ran else "Nothing to deliver.")
    else:
        click.echo(f"{name}: done." if ran else f"{name}: already run elsewhere; skipped.")


COMMANDS = [serve_command, serve_dev_command, scheduler_command, run_job_command]
