"""`protocol-monitor --help` lists the product's commands, each described in full, and none of
Flask's own options and commands (issue 15)."""

import re

from click.testing import CliRunner

from protocol_monitor import cli, commands


def test_help_lists_the_product_commands_in_full_and_nothing_of_flasks():
    result = CliRunner().invoke(cli.main, ["--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    listed = re.findall(r"^  (\S+)  ", result.output.split("Commands:")[1], re.MULTILINE)
    assert listed == sorted(c.name for c in commands.ALL)
    for flask_own in ("--env-file", "--app", "--debug"):
        assert flask_own not in text, flask_own
    squeezed = "".join(result.output.split())  # wrapping may break a line at a hyphen
    for command in commands.ALL:
        assert "".join(f"{command.name}{cli.summary(command)}".split()) in squeezed, command.name
    whole = 'Add a local authority by its GSS code, e.g. add-authority E06000059 "Dorset Council".'
    assert f"add-authority {whole}" in text
    assert "..." not in result.output.split("Commands:")[1]  # click's cut is "e.g...."


def test_a_command_runs_with_the_app_made_on_first_need(tmp_path):
    """A command using the app (with_appcontext) gets one from the environment's settings."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "INSTANCE_PATH": str(tmp_path)}
    result = CliRunner().invoke(cli.main, ["summary", "--month", "April"], env=env)
    assert result.exit_code == 1
    assert "Enter the month as YYYY-MM" in result.output
