"""The `protocol-monitor` command, also reachable as `flask --app wsgi ...`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from . import create_app
from .config import ConfigError


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:  # a clear message, not a traceback
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Monitor police call-outs to children's homes against the protocol."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
