"""Account recovery from the command line: reset links and two-factor resets."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..identity import credentials, two_factor


def _user(email: str):
    user = credentials.user_by_email(email)
    if user is None:
        click.echo(f"Error: no user has the email address {email!r}", err=True)
        sys.exit(1)
    return user


@click.command("reset-link")
@click.argument("email")
@with_appcontext
def reset_link_command(email: str) -> None:
    """Print a one-time link for EMAIL to choose a new password (valid PASSWORD_RESET_HOURS)."""

    user = _user(email)
    if not user.active:
        click.echo(f"Error: the account {user.email} is deactivated; activate it first", err=True)
        sys.exit(1)
    url = credentials.issue_reset_link(user)
    hours = current_app.config["SETTINGS"].password_reset_hours
    click.echo(f"Reset link for {user.email} (works once, for {hours} hours):")
    click.echo(url)


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor_command(email: str) -> None:
    """Turn off two-factor sign-in for EMAIL (a lost phone); they enrol again after signing in."""
    user = _user(email)
    two_factor.disable(user)
    click.echo(f"Two-factor sign-in reset for {user.email}")


COMMANDS = [reset_link_command, reset_two_factor_command]
