"""Alert tests run against local peers: mock Slack Web API, Teams receiver, SMTP sink."""

from __future__ import annotations

import pytest

from protocol_monitor import create_app
from protocol_monitor.db import db
from tests.conftest import _settings
from tests.support.alerts import SIGNING_SECRET


@pytest.fixture
def app(database_url, tmp_path, slack, smtp):
    application = create_app(
        _settings(
            database_url,
            tmp_path / "instance",
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            mail_from="alerts@protocol.example.org",
        )
    )
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def in_app(app):
    """Every test of these modules runs inside the peer-wired app's context."""
    return app
