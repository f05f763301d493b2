"""Setting up: migrate, demo data, users."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from ..identity import accounts
from ..services import ServiceError
from ..services import demo as demo_service


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("setup")
@click.option("--demo", is_flag=True, help="Load the demo data if the database has none yet.")
@with_appcontext
def setup_command(demo: bool) -> None:
    """Create or upgrade the database; with --demo, load the demo once and print its accounts."""

    where = _safe_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        upgrade()
    except OperationalError as error:  # one line, not the driver's traceback
        reason = str(error.orig or error).strip().splitlines()[0][:300]
        _fail(
            f"Cannot reach the database at {where} ({reason}). Check that the database server "
            "is running and DATABASE_URL is right, then run setup again"
        )
    click.echo(f"Database is up to date ({where})")
    if demo:
        result = demo_service.load_if_empty()
        if result is None:
            click.echo(
                "The database already has data: the demo was not loaded; leaving it as it is."
            )
        else:
            folder = current_app.config["SETTINGS"].instance_path
            click.echo(result.describe(demo_service.write_accounts_file(result, folder)))


def _safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, help="provider, police, authority, group or admin")
@click.option("--home", "homes", multiple=True, help="Ofsted URN of a home (providers); repeatable")
@click.option("--authority", "authorities", multiple=True, help="GSS code; repeatable")
@click.option("--force", "force", default=None, help="Police force area code (police users)")
@click.option("--name", default="", help="Display name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@with_appcontext
def create_user_command(email, role, homes, authorities, force, name, password_stdin) -> None:
    """Create a user. The password comes from a prompt, or from stdin with --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(
            email,
            role,
            password,
            display_name=name,
            home_urns=homes,
            authority_codes=authorities,
            force_code=force,
        )
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Created {user.role} user {user.email}")


COMMANDS = [setup_command, create_user_command]
