"""The demo data, on its own: `protocol-monitor seed-demo`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect

from ..db import db
from ..services import demo


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo (homes, call-outs, one account per role) into an empty database."""
    if not inspect(db.engine).has_table("users"):
        click.echo(
            "Error: the database has no tables yet. Run  protocol-monitor setup  first.", err=True
        )
        sys.exit(1)
    result = demo.load_if_empty()
    if result is None:
        click.echo(
            "The database already has authorities, homes or users: the demo was not loaded. "
            "It loads only into an empty database."
        )
        return
    folder = current_app.config["SETTINGS"].instance_path
    click.echo(result.describe(demo.write_accounts_file(result, folder)))


COMMANDS = [seed_demo_command]
