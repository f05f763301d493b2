"""Security headers on every response, and error pages that give nothing away."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from protocol_monitor import create_app
from protocol_monitor.db import db
from tests.conftest import Pages, _settings


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def test_pages_carry_a_nonce_csp_on_every_script(pages, make, client):
    pages.sign_in(make.user("provider", homes=[make.home()]))
    first, second = client.get("/callouts/"), client.get("/callouts/")
    policy = _csp(first)
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    assert policy["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'none'"
    html = first.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) >= 3  # GOV.UK's inline js-enabled script, the bundle and init.js
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert _csp(second)["script-src"] != policy["script-src"]  # a new nonce per request


@pytest.mark.parametrize(
    "url", ["/sign-in", "/static/app.css", "/no-such-page", "/api/v1/callouts"]
)
def test_headers_on_every_kind_of_response(client, url):
    response = client.get(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Server" not in response.headers
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_hsts_only_over_https_or_when_set(client, app):
    response = client.get("/sign-in", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    from dataclasses import replace

    app.config["SETTINGS"] = replace(app.config["SETTINGS"], hsts=True)
    assert "Strict-Transport-Security" in client.get("/sign-in").headers


def test_not_found_and_method_not_allowed_are_gov_uk_pages(pages, client):
    page = pages.get("/no-such-page", status=404)
    assert page.h1.get_text(strip=True) == "Page not found"
    response = client.put("/sign-in")
    assert response.status_code == 405
    assert "There is a problem with your request" in response.get_data(as_text=True)
    response = client.post("/sign-in", data={"email": "a@example.org"})  # no CSRF token
    assert response.status_code == 400
    assert "CSRF" not in response.get_data(as_text=True)


def test_too_large_request_is_a_gov_uk_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/sign-in", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "The file or form is too large" in response.get_data(as_text=True)


def test_a_crash_shows_a_page_that_leaks_nothing(database_url, tmp_path):
    app = create_app(_settings(database_url, tmp_path / "crash"))
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/test-only/crash")
    def crash():
        db.session.execute(text("SELECT secret_column FROM no_such_table"))

    with app.app_context():
        response = Pages(app.test_client()).client.get("/test-only/crash")
        db.session.remove()
        db.engine.dispose()
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    for leak in (
        "Traceback",
        "no_such_table",
        "secret_column",
        "SELECT",
        "/work/",
        ".py",
        "sqlalchemy",
    ):
        assert leak not in body, leak
    assert "nonce-" in response.headers["Content-Security-Policy"]
