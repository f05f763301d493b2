"""The `protocol-monitor` command: the product's commands (commands/), each with its full
description in `--help`. The same commands are reachable as `flask --app wsgi ...`, which adds
Flask's own (run, shell, routes, db).
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import ScriptInfo

from . import commands, create_app
from .config import ConfigError


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:  # a clear message, not a traceback
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


def summary(command: click.Command) -> str:
    """A command's first paragraph, whole: click's own short help stops at the first full stop,
    which cut "e.g. E06000059" to "e.g...."."""
    text = (command.help or "").split("\n\n")[0]
    return " ".join(text.split())


class ProductCommands(click.Group):
    """The product's commands only; the app is made when a command first needs it (flask.cli's
    ScriptInfo, which ``with_appcontext`` reads), so ``--help`` needs no database or settings."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, summary(command))
            for name, command in sorted(self.commands.items())
            if not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=ProductCommands, context_settings={"max_content_width": 100})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Monitor police call-outs to children's homes against the protocol.

    Run `protocol-monitor COMMAND --help` for a command's options. Settings come from the
    environment (docs/operations.md#settings).
    """
    ctx.obj = ScriptInfo(create_app=_create_app, set_debug_flag=False)


for _command in commands.ALL:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
