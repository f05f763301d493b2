"""Administering from the command line: authorities, police forces, homes and locked accounts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..identity import accounts
from ..services import ServiceError, homes, reference
from ..services.homes import ImportRejected


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("add-authority")
@click.argument("code")
@click.argument("name")
@with_appcontext
def add_authority_command(code: str, name: str) -> None:
    """Add a local authority by its GSS code, e.g. add-authority E06000059 "Dorset Council"."""
    try:
        authority = reference.add_authority(code, name)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Added authority {authority.code} {authority.name}")


@click.command("add-force")
@click.argument("code")
@click.argument("name")
@with_appcontext
def add_force_command(code: str, name: str) -> None:
    """Add a police force by its area's ONS code, e.g. add-force E23000039 "Dorset Police"."""
    try:
        force = reference.add_force(code, name)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Added police force {force.code} {force.name}")


@click.command("import-homes")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_homes_command(path: Path) -> None:
    """Create or update homes by URN from a CSV file; any bad row rejects the whole file.

    Columns: urn,name,provider,host_authority_code,police_force_code,registered_places,
    setting_type,opened_on,closed_on (dates YYYY-MM-DD; closed_on may be blank).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        _fail(f"No file at {path}")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"Cannot read {path} as a UTF-8 CSV file: {error}")
    try:
        result = homes.import_homes(text)
    except ImportRejected as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        _fail(str(error))
    click.echo(f"Imported {path.name}: {result.describe()}")


@click.command("unlock-user")
@click.argument("email")
@with_appcontext
def unlock_user_command(email: str) -> None:
    """Unlock an account locked after repeated failed sign-ins."""
    try:
        user = accounts.find_user(email)
        accounts.unlock(user)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Unlocked {user.email}")


COMMANDS = [add_authority_command, add_force_command, import_homes_command, unlock_user_command]
