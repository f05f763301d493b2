"""The board report from the command line, as the service (every home): Word, Excel or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .. import board_documents
from ..rules.time import Month
from ..services import NotFound
from ..services import board_report as service


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("board-report")
@click.option(
    "--year-ending",
    required=True,
    help="The month the latest of the three years ends with, YYYY-MM (2026-09: October 2025 to "
    "September 2026, and the two years before it)",
)
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx", "json"]), default="docx")
@click.option("--public", is_flag=True, help="The public version: counts from 1 to 4 as <5.")
@click.option("--authority", help="Only the homes of this host authority (its code).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write it. Default: board-report-YYYY-MM[-public].FORMAT here; "
    "JSON is printed when there is no --output.",
)
@with_appcontext
def board_report_command(
    year_ending: str, fmt: str, public: bool, authority: str | None, output: Path | None
) -> None:
    """Write the board report: call-outs, children and criminal outcomes over three years."""
    try:
        last = Month.parse(year_ending)
    except ValueError:
        _fail(f"Enter --year-ending as YYYY-MM, like 2026-09 (not {year_ending!r})")
        return
    try:
        report = service.board_report(
            None,
            last,
            authority_code=authority,
            public=public,
            audit_action="board_report_downloaded",
            output=fmt,
        )
    except NotFound:
        _fail(f"No homes of an authority with the code {authority!r}")
        return
    if fmt == "json" and output is None:
        click.echo(board_documents.json_document(report))
        return
    render = {"docx": board_documents.word_document, "xlsx": board_documents.workbook}
    body = board_documents.json_document(report).encode() if fmt == "json" else render[fmt](report)
    path = output or Path(f"{board_documents.file_stem(report)}.{fmt}")
    path.write_bytes(body)
    click.echo(f"Wrote {report['title']} ({report['version']} version) to {path}")


COMMANDS = [board_report_command]
