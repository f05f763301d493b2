"""CLI commands, one module per area. Each command parses its arguments and calls one service."""

from __future__ import annotations

import click

from . import accounts, setup

ALL: list[click.Command] = [*setup.COMMANDS, *accounts.COMMANDS]
