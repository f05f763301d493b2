"""Documentation generated from the code: `protocol-monitor data-dictionary [--write]`."""

from __future__ import annotations

import click

from .. import data_dictionary


@click.command("data-dictionary")
@click.option("--write", is_flag=True, help="Write docs/data-dictionary.md instead of printing.")
def data_dictionary_command(write: bool) -> None:
    """Print (or write) the data dictionary: stored fields, vocabularies and import columns."""
    if write:
        data_dictionary.write()
        click.echo(f"Wrote {data_dictionary.PATH}")
    else:
        click.echo(data_dictionary.render(), nl=False)


COMMANDS = [data_dictionary_command]
