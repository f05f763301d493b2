"""Test wiring: a database built by running the migrations, an app per test, and page checks.

SQLite by default. Set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/pm_test) to run the
same suite against PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import hypothesis
import psycopg
import pytest
from bs4 import BeautifulSoup
from flask import Flask, g
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine, create_engine, event, text

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.identity.sessions import start_session
from protocol_monitor.services import import_runs, monthly_facts
from tests.support import factories, url_rules
from tests.support.identity_provider import OpenIDProvider
from tests.support.peers import MockSlack, SmtpSink, TeamsReceiver
from tests.support.templates import SharedBytecode

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")

# Every app this process creates compiles each template once between them, not once each.
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedBytecode()}
# …and builds each URL rule's builder once between them (tests/support/url_rules.py).
url_rules.install()


@event.listens_for(Engine, "connect")
def _sqlite_without_waiting_for_the_disk(dbapi_connection, _record) -> None:
    """Test databases are thrown away after each test: SQLite need not flush to the disk at every
    commit (a few milliseconds each). Everything else about its behaviour is unchanged."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


# Hypothesis: "ci" (the default) tries a few examples per property, so the suite stays quick;
# HYPOTHESIS_PROFILE=thorough tries many more (before a release, or after changing a rule).
hypothesis.settings.register_profile("ci", max_examples=20, deadline=None, print_blob=True)
hypothesis.settings.register_profile("thorough", max_examples=500, deadline=None)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: The fixtures through which a test reaches the test database (``app`` and everything built on
#: it ask for ``database_url``).
DATABASE_FIXTURES = {"database_url", "migrated_database"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser journeys ``browser``, so a run can leave them out (-m "not browser"); mark
    ``database`` every test that reaches the test database (through its fixtures, or marked
    ``postgres``), so the PostgreSQL run repeats those and not the pure rules, documents and
    processes that never see it; and start the slow tests and the journeys first: run in
    parallel, the suite then ends on many short tests shared between the workers rather than on
    one long one."""
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & DATABASE_FIXTURES or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.database)
    items.sort(
        key=lambda item: not (item.get_closest_marker("slow") or item.get_closest_marker("browser"))
    )


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, hand each worker its next test when it is ready for one
    (``--maxschedchunk 1``), so the order above holds across the workers. By default xdist first
    gives each worker a run of an eighth of the suite: every slow test and journey went to one
    worker, which was still on them long after the other had finished everything else."""
    if config.pluginmanager.hasplugin("xdist") and config.getoption("maxschedchunk") is None:
        config.option.maxschedchunk = 1


def pytest_report_header(config: pytest.Config) -> str:
    if TEST_DATABASE_URL:
        return f"database: PostgreSQL ({TEST_DATABASE_URL.rsplit('@', 1)[-1]})"
    return "database: SQLite (set TEST_DATABASE_URL to run against PostgreSQL as well)"


def _settings(url: str, instance: Path, **extra: object) -> dict[str, object]:
    return {
        "env": "test",
        "database_url": url,
        "instance_path": instance,
        "secret_key": "test-secret",
        "base_url": "http://localhost",
        # argon2's cheapest parameters: the server's cost ~20 ms per hash (test_passwords.py
        # checks the server profile and the upgrade of old hashes on sign-in).
        "password_hash_profile": "fast",
        **extra,
    }


def _upgrade(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(_settings(url, instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(_sqlalchemy_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _worker_database(url: str) -> str:
    """The PostgreSQL database this process tests in: TEST_DATABASE_URL's own, or under
    pytest-xdist one per worker (``<database>_gw0``, ``<database>_gw1``…), created on the same
    server when missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_{worker}"
    with psycopg.connect(url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _empty_postgres(url: str) -> None:
    """Delete every row and restart every sequence, in one round trip. (DELETE, not TRUNCATE:
    on tables this small TRUNCATE's new files cost far more.) The audit log refuses DELETE and
    TRUNCATE through triggers (migrations 0008, 0011); between tests the superuser running them
    switches triggers off for this transaction only."""
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename != 'alembic_version'"
        ).fetchall()
        sequences = connection.execute(
            "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
        statements = [
            "SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {table}" for (table,) in tables),
            *(f"ALTER SEQUENCE {sequence} RESTART" for (sequence,) in sequences),
        ]
        connection.execute("; ".join(statements).encode())


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once per session (per xdist worker) by running every migration from
    empty. SQLite: a template file each test copies. PostgreSQL: the worker's database."""
    instance = tmp_path_factory.mktemp("instance")
    if TEST_DATABASE_URL:
        url = _worker_database(TEST_DATABASE_URL)
        _reset_postgres(url)
        _upgrade(url, instance)
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    _upgrade(f"sqlite:///{path}", instance)
    return str(path)


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if TEST_DATABASE_URL:
        yield migrated_database
        _empty_postgres(migrated_database)
    else:
        path = tmp_path / "test.db"
        shutil.copy(migrated_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = create_app(_settings(database_url, tmp_path / "instance"))
    with application.app_context():
        yield application
        import_runs.join_all()  # an upload's import runs in a thread: let it finish first
        db.session.remove()
        # Whatever the test did to call-outs and reviews, the monthly fact tables still count
        # them exactly (services.monthly_facts keeps them in the same transactions).
        try:
            assert monthly_facts.differences() == [], "the monthly fact tables disagree"
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make():
    """The factories module, for building test data: ``make.home()``, ``make.user('provider')``."""
    return factories


class Pages:
    """Fetch pages as a signed-in user and check every page is well formed.

    Each page must have a title, unique ids, a CSRF token in every POST form, and — when it shows
    an error summary — a title starting "Error:" and links that point at real inputs.
    """

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf_token: str | None = None

    def sign_in(self, user) -> None:
        """Start a signed-in session for ``user`` the way every sign-in does
        (``identity.sessions.start_session``), without posting the form: for tests of what a
        signed-in person sees. Tests of signing in itself use ``sign_in_with_form``."""
        application = self.client.application
        # A request context of its own (its own `g`), shaped like this client's requests, so
        # Flask-Login's strong session protection accepts the session on the next request.
        with (
            application.app_context(),
            application.test_request_context(environ_base=self.client.environ_base),
        ):
            start_session(user)
            self.csrf_token = generate_csrf()
            values = dict(flask_session)
        with self.client.session_transaction() as stored:
            stored.clear()
            stored.update(values)

    def sign_in_with_form(self, user, password: str = factories.PASSWORD) -> None:
        """Sign in through the sign-in page, as a person does."""
        self.get("/sign-in")
        response = self.client.post(
            "/sign-in",
            data={"email": user.email, "password": password, "csrf_token": self.csrf_token},
            follow_redirects=False,
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    def raw_post(self, url: str, data: dict, **kwargs):
        """POST with the session's CSRF token and no page checks (for refusals and redirects)."""
        if self.csrf_token is None:
            self.get("/sign-in")
        return self.client.post(url, data={"csrf_token": self.csrf_token, **data}, **kwargs)

    def get(self, url: str, status: int = 200) -> BeautifulSoup:
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return self._check(response)

    def post(self, url: str, data: dict, status: int = 200, follow: bool = True) -> BeautifulSoup:
        response = self.raw_post(url, data, follow_redirects=follow)
        assert response.status_code == status, (url, response.status_code)
        return self._check(response)

    def _check(self, response) -> BeautifulSoup:
        if not response.content_type.startswith("text/html"):
            return BeautifulSoup("", "html.parser")
        html = response.get_data(as_text=True)
        # Python's own parser: these checks (title, ids, CSRF tokens, error summary) need no
        # browser-grade tree building, and html5lib cost a tenth of the suite's CPU. The pages'
        # markup as a browser builds it is checked by the journeys (axe, in Chromium).
        soup = BeautifulSoup(html, "html.parser")
        title = soup.title.get_text(strip=True) if soup.title else ""
        assert title, "page has no title"
        ids = Counter(tag["id"] for tag in soup.find_all(id=True))
        duplicates = [i for i, n in ids.items() if n > 1]
        assert not duplicates, f"duplicate ids: {duplicates}"
        for form in soup.find_all("form"):
            if (form.get("method") or "get").lower() == "post":
                token = form.find("input", attrs={"name": "csrf_token"})
                assert token, "POST form without CSRF token"
                self.csrf_token = token["value"]
        summary = soup.select_one(".govuk-error-summary")
        if summary is not None:
            assert title.startswith(("Error:", "Gwall:")), f"an error page says so: {title}"
            for link in summary.select("a"):
                target = link["href"].lstrip("#")
                assert soup.find(id=target), f"error summary links to missing #{target}"
        return soup


class Person(Pages):
    """Pages for one of several people signed in at once in a test.

    The tests run inside one app context, whose ``g`` caches the CSRF token of whichever client
    asked first; forget it before each request so every client gets its own session's token.
    """

    def get(self, url: str, status: int = 200):
        g.pop("csrf_token", None)
        return super().get(url, status)

    def raw_post(self, url: str, data: dict, **kwargs):
        g.pop("csrf_token", None)
        return super().raw_post(url, data, **kwargs)


@pytest.fixture
def pages(client: FlaskClient) -> Pages:
    return Pages(client)


def error_messages(soup: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select(".govuk-error-summary a")]


@pytest.fixture
def slack() -> Iterator[MockSlack]:
    """A mock Slack Web API on 127.0.0.1, recording every request."""
    server = MockSlack().start()
    yield server
    server.stop()


@pytest.fixture
def teams() -> Iterator[TeamsReceiver]:
    """A Teams Workflows webhook receiver on 127.0.0.1."""
    server = TeamsReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """An aiosmtpd SMTP sink on 127.0.0.1."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def identity_provider() -> Iterator[OpenIDProvider]:
    """A real OpenID Connect provider (Entra-shaped) on 127.0.0.1, issuing signed ID tokens."""
    from protocol_monitor.identity import oidc

    oidc.cache.clear()
    server = OpenIDProvider().start()
    yield server
    server.stop()
    oidc.cache.clear()
