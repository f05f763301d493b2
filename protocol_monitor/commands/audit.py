"""Data protection commands: subject access exports and the retention job."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import ServiceError, retention, subject_access


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("subject-access")
@click.argument("child_reference")
@click.option("--authority", required=True, help="GSS code of the placing authority")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file")
@with_appcontext
def subject_access_command(child_reference: str, authority: str, fmt: str, output) -> None:
    """Export everything held about one child reference (placing authority + reference).

    The export is recorded in the audit log.
    """
    try:
        text, data = subject_access.export(None, child_reference, authority, fmt)
    except ServiceError as error:
        _fail(str(error))
    if output:
        output.write_text(text, encoding="utf-8")
        output.chmod(0o600)
    else:
        click.echo(text, nl=False)
    held = len(data["callouts"])
    click.echo(
        f"{held} call-out{'' if held == 1 else 's'} and {len(data['flags'])} flag(s) held about "
        f"{data['child_reference']} ({data['placing_authority']['code']})",
        err=True,
    )


@click.command("purge-expired")
@with_appcontext
def purge_expired_command() -> None:
    """Anonymise call-outs older than the retention period (RETENTION_MONTHS); safe to re-run."""
    counts = retention.purge_expired()
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()))


COMMANDS = [subject_access_command, purge_expired_command]
