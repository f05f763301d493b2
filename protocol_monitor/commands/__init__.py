"""CLI commands, one module per area. Each command parses its arguments and calls one service."""

from __future__ import annotations

import click
from flask import Flask

from . import (
    accounts,
    admin,
    alerts,
    audit,
    board_report,
    demo,
    docs,
    imports,
    serve,
    setup,
    summaries,
)

ALL: list[click.Command] = [
    *setup.COMMANDS,
    *admin.COMMANDS,
    *accounts.COMMANDS,
    *demo.COMMANDS,
    *docs.COMMANDS,
    *imports.COMMANDS,
    *audit.COMMANDS,
    *summaries.COMMANDS,
    *board_report.COMMANDS,
    *alerts.COMMANDS,
    *serve.COMMANDS,
]


def register(app: Flask) -> None:
    """Add every command to the app's CLI (``flask --app wsgi ...``)."""
    for command in ALL:
        app.cli.add_command(command)
