"""Monthly summaries: compile a month, print a compiled month."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from ..rules.export import table_csv
from ..rules.summary import EXPORT_TABLES, export_tables
from ..rules.time import Month
from ..services import ServiceError, summaries, summary_figures


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _month(value: str | None) -> Month:
    if not value:
        return Month.of(datetime.now(UTC)).previous()
    try:
        return Month.parse(value)
    except ValueError:
        _fail(f"Enter the month as YYYY-MM, like 2026-04 (not {value!r})")
        raise  # unreachable: _fail exits


@click.command("compile-summaries")
@click.option("--month", help="YYYY-MM (London time); default: last month")
@click.option(
    "--queue-digest", is_flag=True, help="Also put the digest for the group in the outbox"
)
@with_appcontext
def compile_summaries_command(month: str | None, queue_digest: bool) -> None:
    """Compile a month's summary; a new version only when a figure changed."""
    target = _month(month)
    before = summaries.latest_snapshot(target)
    try:
        snapshot = summaries.compile_month(target, queue_digest=queue_digest)
    except ServiceError as error:
        _fail(str(error))
    if before is not None and before.id == snapshot.id:
        click.echo(f"{target}: no figure changed; version {snapshot.version} stands")
    else:
        click.echo(f"{target}: compiled version {snapshot.version}")
        for line in snapshot.changes:
            click.echo(f"  {line}")
    if queue_digest:
        click.echo(f"Digest for {target} version {snapshot.version} is in the outbox")


@click.command("summary")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--version", "version", type=int, default=None, help="A version; default latest")
@click.option(
    "--table",
    type=click.Choice(list(EXPORT_TABLES)),
    default="host-authorities",
    show_default=True,
    help="With --format csv, the table to print (a CSV holds one table).",
)
@with_appcontext
def summary_command(month: str, fmt: str, version: int | None, table: str) -> None:
    """Print a compiled month as JSON, or one of its tables as CSV."""
    target = _month(month)
    snapshot = summaries.get_snapshot(target, version)
    if snapshot is None:
        _fail(
            f"No summary is compiled for {target}"
            + (f" at version {version}" if version else "")
            + f": run protocol-monitor compile-summaries --month {target}"
        )
    document = snapshot.as_document()
    if fmt == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    leading = [("Month", document["month"]), ("Version", document["version"])]
    first = summary_figures.first_month()
    last_year = first is not None and target.shift(-12) >= first
    chosen = export_tables(document, last_year=last_year)[list(EXPORT_TABLES).index(table)]
    text = table_csv(chosen, leading, lineterminator="\n")
    click.echo(text, nl=False)


COMMANDS = [compile_summaries_command, summary_command]
