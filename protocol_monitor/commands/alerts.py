"""Alerts: the delivery relay and Slack's Socket Mode."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from slack_bolt.adapter.socket_mode import SocketModeHandler

from .. import slack_app
from ..services import relay


@click.command("deliver-alerts")
@with_appcontext
def deliver_alerts_command() -> None:
    """Send what is due in the outbox once (the scheduler does this every minute)."""
    counts = relay.deliver_due()
    if not counts:
        click.echo("Nothing to deliver.")
        return
    click.echo(", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in sorted(counts.items())))


@click.command("slack-socket")
@with_appcontext
def slack_socket_command() -> None:
    """Answer Slack buttons and /callouts over Socket Mode (no inbound HTTP needed)."""
    settings = current_app.config["SETTINGS"]
    missing = [
        name
        for name, value in (
            ("SLACK_APP_TOKEN", settings.slack_app_token),
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
        )
        if not value
    ]
    if missing:
        click.echo(f"Error: Socket Mode needs {' and '.join(missing)} to be set", err=True)
        sys.exit(1)

    bolt = slack_app.build(settings, flask_app=current_app._get_current_object())
    click.echo("Connecting to Slack in Socket Mode; press Ctrl+C to stop.")
    SocketModeHandler(bolt, settings.slack_app_token).start()


COMMANDS = [deliver_alerts_command, slack_socket_command]
