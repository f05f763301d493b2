"""Faults that once answered 500: ids past the database's integers on every ``<int:…>`` route,
malformed Slack requests, a button pressed twice, a database that is busy or unreachable."""

from __future__ import annotations

import re

import pytest

from protocol_monitor.forms.base import MAX_RECORD_ID
from protocol_monitor.routing import RecordIdConverter

TOO_BIG = [MAX_RECORD_ID + 1, 2**63, 10**30]


def _int_routes(app) -> list[tuple[str, set[str]]]:
    return [
        (rule.rule, rule.methods - {"HEAD", "OPTIONS"})
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule
    ]


def _fill(rule: str, value: int) -> str:
    return re.sub(r"<int:[a-z_]+>", str(value), re.sub(r"<(?:string:)?[a-z_]+>", "x", rule))


def test_every_int_route_is_bounded_by_one_converter(app):
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) >= 15  # every <int:…> route in the app, whichever blueprint holds it
    for rule in rules:
        ints = [c for c in rule._converters.values() if c.regex == r"\d+"]
        assert ints == [], rule.rule
        assert all(
            isinstance(c, RecordIdConverter) for c in rule._converters.values() if hasattr(c, "max")
        ), rule.rule


@pytest.mark.parametrize("role", ["admin", "group", "police"])
def test_an_id_past_the_database_integers_is_not_found_on_every_route(app, pages, make, role):
    force = make.force()
    user = make.user(role, police=force if role == "police" else None)
    pages.sign_in(user)
    tried = 0
    for rule, methods in _int_routes(app):
        for value in TOO_BIG:
            url = _fill(rule, value)
            if "GET" in methods:
                assert pages.client.get(url).status_code == 404, url
                tried += 1
            if "POST" in methods:
                assert pages.raw_post(url, {}).status_code == 404, url
                tried += 1
    assert tried >= 3 * 15


def test_a_csv_value_past_the_csv_field_limit_names_its_row_and_column(pages, make, tmp_path):
    from protocol_monitor.rules.callout_import import HOME_REPORT_IMPORT_COLUMNS
    from tests.integration.test_imports import _upload, home_rows, setup_home, write_csv

    home = setup_home(make)
    pages.sign_in(make.user("provider", homes=[home]))
    rows = list(home_rows(count=4))
    rows[2]["description"] = 'a,\n"b' * 40_000  # 200,000 characters with commas, quotes, lines
    soup = _upload(
        pages, write_csv(tmp_path / "long.csv", rows, HOME_REPORT_IMPORT_COLUMNS), "home"
    )
    text = soup.select_one("main").get_text(" ", strip=True)
    assert "Row 4, column ‘description’: a value is longer than 131,072 characters" in text
    assert "Try again later" not in text


def test_busy_database_answers_a_clear_503_well_before_the_worker_timeout(
    database_url, make, tmp_path
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    import sqlite3

    from sqlalchemy import text

    from protocol_monitor import create_app
    from protocol_monitor.config import Settings
    from protocol_monitor.db import db
    from protocol_monitor.process import gunicorn_conf
    from tests.conftest import Pages, _settings
    from tests.support import factories

    assert Settings.database_busy_seconds * 2 <= gunicorn_conf.timeout
    application = create_app(
        _settings(database_url, tmp_path / "instance", database_busy_seconds=0.2)
    )
    with application.app_context():
        # The wait is the setting's (a busy_timeout pragma once overrode it with 30 s).
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 200
        police = make.user("police", police=make.force())
        pages = Pages(application.test_client())
        pages.get("/sign-in")
        writer = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:  # signing in writes (the session, the audit log)
            response = pages.raw_post(
                "/sign-in", {"email": police.email, "password": factories.PASSWORD}
            )
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "30"
            page = pages._check(response)
            assert page.h1.get_text(strip=True) == "Sorry, the service is busy"
            assert "Try again in a minute" in page.get_text()
        finally:
            writer.rollback()
            writer.close()
        pages.sign_in(police)
        assert pages.client.get("/callouts/").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_setup_with_the_database_unreachable_says_so_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    from tests.support import live

    port = live.free_port()  # nothing listens there
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://someone:secret-pw@127.0.0.1:{port}/protocol_monitor",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "x" * 40,
    }
    done = subprocess.run(
        [sys.executable, "-m", "protocol_monitor.cli", "setup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr[-3000:]
    assert lines[0].startswith(
        f"Error: Cannot reach the database at postgresql+psycopg://someone@127.0.0.1:{port}/"
    )
    assert "secret-pw" not in done.stderr + done.stdout
