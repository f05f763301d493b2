"""Only services commit, checked while the service runs: every commit of a transaction is traced
back to the code that asked for it, which must be a service (or the unit of work it opened).

tests/unit/test_structure.py reads the source for commit calls; this catches what reading cannot
(a commit reached through a helper, a library or an event handler).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import event, select

from protocol_monitor import jobs
from protocol_monitor.db import db
from protocol_monitor.identity import credentials
from protocol_monitor.services import demo
from tests.conftest import Pages
from tests.unit.test_structure import may_commit

PACKAGE = Path(__file__).resolve().parents[2] / "protocol_monitor"
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def _committer() -> str | None:
    """The package module (outside db.py) nearest the commit on the stack, as a path."""
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(PACKAGE) and path != PACKAGE / "db.py":
            return path.relative_to(PACKAGE).as_posix()
        frame = frame.f_back
    return None  # the test itself, setting up its data


@pytest.fixture
def commits(app):
    """Every commit made while the test runs, by the package module that made it."""
    seen: list[str | None] = []

    def on_commit(_connection) -> None:
        seen.append(_committer())

    event.listen(db.engine, "commit", on_commit)
    yield seen
    event.remove(db.engine, "commit", on_commit)


def _outside_services(seen: list[str | None]) -> list[str]:
    return sorted({m for m in seen if m is not None and not may_commit(m)})


def test_a_commit_outside_services_is_caught(commits):
    source = "db.session.execute(select(1))\ndb.session.commit()"
    code = compile(source, str(PACKAGE / "views" / "example.py"), "exec")
    exec(code, {"db": db, "select": select})
    assert _outside_services(commits) == ["views/example.py"]


@pytest.mark.slow  # started first, so a parallel run does not end waiting for it
def test_every_page_and_job_commits_only_through_services(app, commits):
    result = demo.load_if_empty(now=NOW)
    assert result is not None
    routes = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    for account in result.accounts:
        pages = Pages(app.test_client())
        pages.sign_in_with_form(credentials.user_by_email(account.email), account.password)
        for endpoint in routes:
            with app.test_request_context():
                url = url_for(endpoint)
            pages.client.get(url)
        for path in ("/callouts/1", "/flags/1", "/actions/1", "/api/v1/callouts"):
            pages.client.get(path)
        pages.raw_post("/sign-out", {})
    for job in jobs.JOBS.values():
        job(NOW)
    assert len([m for m in commits if m is not None]) > 100  # the demo, pages and jobs ran
    assert _outside_services(commits) == []
