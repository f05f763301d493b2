"""Importing call-outs from a police extract or a home's bulk file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..db import db
from ..models import User
from ..services import ServiceError, imports


@click.command("import-callouts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--source",
    type=click.Choice(["police", "home"]),
    required=True,
    help="police: a police extract; home: a home's bulk import",
)
@click.option(
    "--dry-run", is_flag=True, help="Validate and report what would change; store nothing."
)
@click.option(
    "--as-user",
    "email",
    default=None,
    help="Import as this user, limited to the homes they may file for (recorded as filer).",
)
@click.option("--every", default=500, show_default=True, help="Print progress every N rows.")
@with_appcontext
def import_callouts_command(
    file: Path, source: str, dry_run: bool, email: str | None, every: int
) -> None:
    """Import call-outs from a CSV or XLSX FILE. A file with any bad row stores nothing."""
    user = None
    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            click.echo(f"Error: no user has the email address {email}", err=True)
            sys.exit(1)

    def progress(rows: int) -> None:
        click.echo(f"… {rows} rows read", err=True)

    try:
        result = imports.import_callouts(
            file, source, user=user, dry_run=dry_run, progress=progress, every=max(every, 1)
        )
    except ServiceError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    if result.errors:
        click.echo(
            f"Error: {file.name} was not imported: {len(result.errors)} problems. "
            "Nothing was stored.",
            err=True,
        )
        for problem in result.errors:
            click.echo(f"  {problem.describe()}", err=True)
        sys.exit(1)
    prefix = "Dry run, nothing stored. " if dry_run else "Imported. "
    click.echo(prefix + result.describe())


COMMANDS = [import_callouts_command]
