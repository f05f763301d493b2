"""Sessions that end, and API tokens that need the password and expire (issue 12, finding 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from protocol_monitor import create_app
from protocol_monitor.db import db, utcnow
from protocol_monitor.identity import accounts
from protocol_monitor.models import ApiToken, AuditEvent, BrowserSession, User
from protocol_monitor.rules.time import to_london
from tests.conftest import Pages, _settings, error_messages
from tests.support.factories import PASSWORD

NEW_PASSWORD = "plum kettle orbit ribbon"


def _copy(client: FlaskClient, app) -> FlaskClient:
    """Another browser holding a copy of this one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/callouts/").status_code == 200


def _token(pages: Pages, name: str = "Power BI", password: str = PASSWORD):
    pages.get("/account/tokens")
    return pages.post("/account/tokens", {"name": name, "current_password": password})


def _api(client: FlaskClient, token: str) -> int:
    return client.get("/api/v1/callouts", headers={"Authorization": f"Bearer {token}"}).status_code


def _person(make) -> User:
    return make.user("group", authorities=[make.authority()])


def test_a_copied_cookie_stops_working_when_its_browser_signs_out(app, make):
    """Before the fix the signed cookie was the whole session: a copy kept working after
    POST /sign-out, and each use renewed it."""
    pages = Pages(app.test_client())
    pages.sign_in_with_form(_person(make))
    thief = _copy(pages.client, app)
    assert _signed_in(thief)
    pages.raw_post("/sign-out", {})
    assert not _signed_in(pages.client)
    assert not _signed_in(thief)
    record = db.session.scalar(select(BrowserSession))
    assert record.ended_why == "signed out"
    assert len(record.key_hash) == 64  # the cookie's key is not stored, only its hash


def test_sign_out_everywhere_ends_every_copy_and_revokes_api_tokens(app, make, client):
    person = _person(make)
    laptop, phone = Pages(app.test_client()), Pages(app.test_client())
    laptop.sign_in(person)
    phone.sign_in_with_form(person)
    thief = _copy(phone.client, app)
    token = _token(laptop).select_one("#new-token").get_text(strip=True)
    assert _api(client, token) == 200
    laptop.get("/account/")
    laptop.raw_post("/account/sign-out-everywhere", {})
    assert not any(_signed_in(c) for c in (laptop.client, phone.client, thief))
    assert _api(client, token) == 401
    revoked = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_token_revoked")
    ).all()
    assert [e.changes for e in revoked] == [{"why": "signed out everywhere"}]
    assert revoked[0].user_id == person.id


def test_an_administrators_new_password_ends_sessions_and_revokes_tokens(app, make, client):
    """Before the fix a password set by an administrator left every session and token alive."""
    person = _person(make)
    theirs = Pages(app.test_client())
    theirs.sign_in(person)
    token = _token(theirs).select_one("#new-token").get_text(strip=True)
    admin = Pages(app.test_client())
    administrator = make.user("admin", authorities=[make.authority()])
    admin.sign_in(administrator)
    # No page lets an administrator type a password any more (issue 14: invitations and reset
    # links); the service that sets one stays, and still ends everything.
    accounts.set_password(person, NEW_PASSWORD, actor=administrator)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_password_set"))
        is not None
    )
    assert not _signed_in(theirs.client)
    assert _api(client, token) == 401
    assert _signed_in(admin.client)  # the administrator's own session is untouched


def test_a_reset_link_ends_sessions_and_revokes_tokens(app, make, client):
    person = _person(make)
    theirs = Pages(app.test_client())
    theirs.sign_in(person)
    token = _token(theirs).select_one("#new-token").get_text(strip=True)
    result = app.test_cli_runner().invoke(args=["reset-link", person.email])
    url = result.output.strip().splitlines()[-1].replace("http://localhost", "")
    other = Pages(app.test_client())
    other.get(url)
    other.post(url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert not _signed_in(theirs.client)
    assert _api(client, token) == 401


def test_deactivation_ends_sessions_and_revokes_tokens_for_good(app, make, client):
    """Before the fix both came back to life when the account was reactivated."""
    person = _person(make)
    theirs = Pages(app.test_client())
    theirs.sign_in(person)
    token = _token(theirs).select_one("#new-token").get_text(strip=True)
    admin = Pages(app.test_client())
    admin.sign_in(make.user("admin", authorities=[make.authority()]))
    admin.get(f"/admin/users/{person.id}")
    admin.post(f"/admin/users/{person.id}/deactivate", {})
    assert not _signed_in(theirs.client)
    assert _api(client, token) == 401
    admin.post(f"/admin/users/{person.id}/reactivate", {})
    assert not _signed_in(theirs.client)
    assert _api(client, token) == 401
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).revoked_at is not None


def test_a_password_change_keeps_this_browser_and_the_tokens(app, make, client):
    person = _person(make)
    here, elsewhere = Pages(app.test_client()), Pages(app.test_client())
    here.sign_in(person)
    elsewhere.sign_in(person)
    token = _token(here).select_one("#new-token").get_text(strip=True)
    here.get("/account/password")
    here.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert _signed_in(here.client) and not _signed_in(elsewhere.client)
    assert _api(client, token) == 200  # a token has its own expiry


def test_the_client_supplied_forwarded_for_header_decides_nothing(
    app, make, database_url, tmp_path
):
    """Flask-Login's strong protection hashed X-Forwarded-For, whoever sent it: a thief could
    send the victim's, and a change of it signed people out. Now the session is the server's
    record, and the header is believed only from configured proxies (for the audit log)."""
    person = _person(make)
    pages = Pages(app.test_client())
    pages.client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    pages.sign_in_with_form(person)
    thief = _copy(pages.client, app)
    thief.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.66"
    assert _signed_in(thief)  # the header neither protects nor signs anyone out
    signed_in = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in"))
    assert signed_in.ip == "127.0.0.1"  # no proxy configured: the header is not read

    behind_proxy = create_app(_settings(database_url, tmp_path / "proxied", trusted_proxies=1))
    browser = Pages(behind_proxy.test_client())
    # The client claims an address; the proxy appends the one it saw.
    browser.client.environ_base["HTTP_X_FORWARDED_FOR"] = "10.0.0.1, 198.51.100.7"
    with behind_proxy.app_context():
        browser.sign_in_with_form(person)
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in").order_by(AuditEvent.id)
        ).all()
        assert events[-1].ip == "198.51.100.7"
        db.session.remove()


def test_making_a_token_needs_the_password_and_the_token_expires(app, make, client):
    person = _person(make)
    pages = Pages(client)
    pages.sign_in(person)
    page = _token(pages, password="not my password")
    assert error_messages(page) == ["Enter your current password correctly"]
    assert page.select_one("#new-token") is None
    page = _token(pages, password="")
    assert error_messages(page) == ["Enter your current password"]
    assert db.session.scalar(select(ApiToken)) is None
    page = _token(pages)
    token = page.select_one("#new-token").get_text(strip=True)
    day = to_london(utcnow() + timedelta(days=90)).strftime("%-d %B %Y")
    assert f"It works until {day}" in page.get_text()
    assert f"1 active, expires {day}" in pages.get("/account/").get_text()
    assert _api(client, token) == 200
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _api(client, token) == 401
    assert "0 active" in pages.get("/account/").get_text()

    app.config["SETTINGS"] = replace(app.config["SETTINGS"], api_token_days=7)
    page = _token(pages, "Excel")
    day = to_london(utcnow() + timedelta(days=7)).strftime("%-d %B %Y")
    assert f"It works until {day}" in page.get_text()


def test_someone_without_a_password_makes_a_token_soon_after_signing_in(app, make, client):
    """Password sign-in turned off (they sign in through their organisation): a sign-in within
    the last 10 minutes stands in for the password."""
    person = _person(make)
    person.password_sign_in = False
    db.session.commit()
    pages = Pages(client)
    pages.sign_in(person)
    page = pages.get("/account/tokens")
    assert page.select_one("#current_password") is None
    record = db.session.scalar(select(BrowserSession))
    record.created_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    page = pages.post("/account/tokens", {"name": "Power BI"})
    assert error_messages(page) == [
        "Sign out and sign in again with your organisation’s account, then make the token "
        "within 10 minutes"
    ]
    record.created_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    page = pages.post("/account/tokens", {"name": "Power BI"})
    assert page.select_one("#new-token") is not None
