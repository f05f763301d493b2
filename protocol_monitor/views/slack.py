"""The Slack endpoint: Bolt verifies the signature, then answers buttons and commands."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from slack_bolt.adapter.flask import SlackRequestHandler

from .. import slack_app
from ..extensions import csrf

bp = Blueprint("slack", __name__)


@bp.route("/slack/events", methods=["POST"])
@csrf.exempt
def events():
    if not slack_app.is_configured(current_app.config["SETTINGS"]):
        abort(404)
    return SlackRequestHandler(slack_app.get(current_app)).handle(request)
