"""Two-factor sign-in, idle timeout, sign out everywhere, password change and reset links."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pyotp
from sqlalchemy import select

from protocol_monitor.db import db, utcnow
from protocol_monitor.identity import credentials
from protocol_monitor.identity import two_factor as totp
from protocol_monitor.identity.passwords import verify_password
from protocol_monitor.models import AuditEvent, BrowserSession, PasswordResetToken, User
from tests.conftest import Pages, error_messages
from tests.support.factories import PASSWORD

NEW_PASSWORD = "plum kettle orbit ribbon"


def _configure(app, **changes):
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], **changes)


def _enrol(pages: Pages) -> str:
    page = pages.get("/account/two-factor")
    secret = page.select_one("#totp-secret").get_text(strip=True)
    assert page.select_one(".app-qr svg") is not None  # a QR code drawn locally, inline
    assert "otpauth://totp/" in page.get_text()
    pages.post("/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    return secret


def _button_form(page, button: str) -> tuple[str, dict[str, str]]:
    """The POST form holding a button: its action and hidden fields (CSRF added on posting)."""
    form = page.select_one(button).find_parent("form")
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    fields.pop("csrf_token")
    return form["action"], fields


def _actions(action: str) -> int:
    return len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_user_enrols_in_two_factor_and_then_signs_in_with_a_code(pages, make, client, app):
    user = make.user("group", authorities=[make.authority()])
    pages.sign_in(user)
    wrong = pages.post("/account/two-factor", {"code": "000000"})
    assert "Enter the 6-digit code from your authenticator app" in error_messages(wrong)
    secret = _enrol(pages)
    db.session.expire_all()
    assert user.totp_enabled_at is not None
    assert secret not in (user.totp_secret or "")  # stored encrypted
    assert totp.secret_of(user) == secret
    assert "Two-factor sign-in is on" in pages.get("/account/two-factor").get_text()
    pages.raw_post("/sign-out", {})

    # Password alone is not enough: the code is asked for next.
    pages.get("/sign-in")
    response = pages.raw_post("/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/two-factor")
    assert client.get("/callouts/").status_code == 302
    page = pages.post("/sign-in/two-factor", {"code": "123"})
    assert "Enter the 6-digit code from your authenticator app" in error_messages(page)
    # The code that confirmed enrolment has been used: it cannot be replayed.
    _use_step(user, secret, step_of_now(secret) - 2)
    code = pyotp.TOTP(secret).now()
    response = pages.raw_post("/sign-in/two-factor", {"code": code})
    assert response.status_code == 302
    assert client.get("/callouts/").status_code == 200
    assert _actions("sign_in_two_factor") == 1
    pages.raw_post("/sign-out", {})
    pages.get("/sign-in")
    pages.raw_post("/sign-in", {"email": user.email, "password": PASSWORD})
    page = pages.post("/sign-in/two-factor", {"code": code})
    assert error_messages(page) == ["That code has been used. Wait for a new code, then enter it"]


def step_of_now(secret: str) -> int:
    return pyotp.TOTP(secret).timecode(utcnow())


def _use_step(user: User, secret: str, step: int) -> None:
    """Mark an earlier time step as the last used, as if enrolment happened a minute ago."""
    totp._store(user, secret, step)
    db.session.commit()


def test_wrong_codes_lock_the_account(pages, make, app):
    user = make.user("group", authorities=[make.authority()])
    pages.sign_in(user)
    _enrol(pages)
    pages.raw_post("/sign-out", {})
    pages.get("/sign-in")
    pages.raw_post("/sign-in", {"email": user.email, "password": PASSWORD})
    for _ in range(5):
        pages.post("/sign-in/two-factor", {"code": "000000"})
    db.session.expire_all()
    assert user.locked_until is not None


def test_required_roles_must_enrol_before_anything_else(pages, make, client, app):
    _configure(app, require_two_factor_roles=("police",))
    officer = make.user("police", police=make.force())
    pages.sign_in(officer)
    response = client.get("/callouts/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/two-factor")
    page = pages.get("/account/two-factor")
    assert "Your role must use two-factor sign-in" in page.get_text()
    _enrol(pages)
    assert client.get("/callouts/").status_code == 200
    # A required user cannot turn it off; an administrator's reset does.
    assert pages.raw_post("/account/two-factor/turn-off", {}).status_code == 403
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reset-two-factor", officer.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert officer.totp_enabled_at is None and officer.totp_secret is None
    # The reset ended the session too.
    assert client.get("/callouts/").headers["Location"].endswith("/sign-in")


def test_roles_not_required_may_turn_two_factor_off(pages, make, client):
    user = make.user("group", authorities=[make.authority()])
    pages.sign_in(user)
    _enrol(pages)
    response = pages.raw_post("/account/two-factor/turn-off", {})
    assert response.headers["Location"].endswith("/sign-in")
    db.session.expire_all()
    assert user.totp_enabled_at is None


def _record(user: User) -> BrowserSession:
    db.session.expire_all()
    return db.session.scalar(select(BrowserSession).where(BrowserSession.user_id == user.id))


def _last_seen(user: User, minutes_ago: float) -> None:
    record = _record(user)
    record.last_seen_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()


def test_session_expires_after_inactivity_even_with_a_live_cookie(pages, make, client, app):
    _configure(app, session_idle_minutes=30)
    user = make.user("group", authorities=[make.authority()])
    pages.sign_in(user)
    assert client.get("/callouts/").status_code == 200
    _last_seen(user, 29)  # inside the limit: still signed in, and the time moves on
    assert client.get("/callouts/").status_code == 200
    assert utcnow() - _record(user).last_seen_at < timedelta(minutes=1)
    _last_seen(user, 31)
    response = client.get("/callouts/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    page = pages.get("/sign-in")
    assert "had not used the service for 30 minutes" in page.get_text()
    assert client.get("/callouts/").status_code == 302
    assert _record(user).ended_why == "idle"


def test_a_session_without_its_record_is_refused(pages, make, client):
    user = make.user("group", authorities=[make.authority()])
    pages.sign_in(user)
    with client.session_transaction() as session:
        session["browser_session"] = "a key the server never gave out"
    assert client.get("/callouts/").status_code == 302
    pages.sign_in(user)
    with client.session_transaction() as session:
        del session["browser_session"]
    assert client.get("/callouts/").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(app, make):
    user = make.user("group", authorities=[make.authority()])
    laptop, phone = Pages(app.test_client()), Pages(app.test_client())
    laptop.sign_in(user)
    phone.sign_in(user)
    assert phone.client.get("/callouts/").status_code == 200
    laptop.get("/account/")
    response = laptop.raw_post("/account/sign-out-everywhere", {})
    assert response.headers["Location"].endswith("/sign-in")
    assert phone.client.get("/callouts/").headers["Location"].endswith("/sign-in")
    assert laptop.client.get("/callouts/").status_code == 302
    assert _actions("signed_out_everywhere") == 1
    phone.sign_in_with_form(user)  # signing in again works
    assert phone.client.get("/callouts/").status_code == 200


def test_user_changes_their_password(app, make):
    user = make.user("provider", homes=[make.home()])
    here, elsewhere = Pages(app.test_client()), Pages(app.test_client())
    here.sign_in(user)
    elsewhere.sign_in(user)
    here.get("/account/password")
    page = here.post(
        "/account/password",
        {"current_password": "wrong", "new_password": "password1234", "confirm_password": "x"},
    )
    messages = error_messages(page)
    assert "Enter the same password twice" in messages
    page = here.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Password2026!",
            "confirm_password": "Password2026!",
        },
    )
    assert error_messages(page) == [
        "Password is too common; choose a longer phrase that would be hard to guess"
    ]
    page = here.post(
        "/account/password",
        {
            "current_password": "wrong",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert error_messages(page) == ["Enter your current password correctly"]
    page = here.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert "Your password has been changed" in page.get_text()
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert here.client.get("/callouts/").status_code == 200  # this browser stays signed in
    assert elsewhere.client.get("/callouts/").status_code == 302  # the others do not


def test_admin_issued_reset_link_works_once(pages, make, client, app):
    user = make.user("authority", authorities=[make.authority()])
    user.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reset-link", user.email.upper()])
    assert result.exit_code == 0, result.output
    url = re.search(r"http://localhost(/reset-password/\S+)", result.output).group(1)
    token = url.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordResetToken))
    assert stored.token_hash != token and token not in stored.token_hash  # hashed at rest
    page = pages.get(url)
    assert user.email in page.get_text()
    page = pages.post(url, {"new_password": "short", "confirm_password": "short"})
    assert "Password must be 12 characters or more" in error_messages(page)
    page = pages.post(url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert "Sign in with your new password" in page.get_text()
    pages.get(url, status=404)  # single use
    db.session.expire_all()
    assert user.locked_until is None  # a reset also unlocks
    pages.sign_in_with_form(user, password=NEW_PASSWORD)
    assert _actions("password_reset") == 1


def test_reset_links_expire_and_a_new_link_replaces_the_old(pages, make, app):
    user = make.user("authority", authorities=[make.authority()])
    old = credentials.issue_reset_link(user, now=utcnow() - timedelta(hours=25))
    pages.get(old.replace("http://localhost", ""), status=404)
    first = credentials.issue_reset_link(user)
    second = credentials.issue_reset_link(user)
    pages.get(first.replace("http://localhost", ""), status=404)
    pages.get(second.replace("http://localhost", ""))
    pages.get("/reset-password/not-a-real-token", status=404)


def test_reset_link_command_refuses_unknown_address(app):
    result = app.test_cli_runner().invoke(args=["reset-link", "nobody@example.org"])
    assert result.exit_code == 1
    assert "no user has the email address" in result.output


def test_password_reset_by_email(pages, make, app, smtp):
    sink = smtp
    pages.get("/reset-password")  # without SMTP: "ask an administrator"
    assert not sink.messages
    _configure(app, smtp_host="127.0.0.1", smtp_port=smtp.port)
    user = make.user("police", police=make.force())
    pages.get("/reset-password")
    page = pages.post("/reset-password", {"email": "nobody@example.org"})
    assert "Check your email" in page.get_text()
    assert not sink.messages  # nothing sent, and the page says the same either way
    page = pages.post("/reset-password", {"email": user.email})
    assert "Check your email" in page.get_text()
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert message["To"] == user.email
    body = message.get_payload(decode=True).decode()
    url = re.search(r"http://localhost(/reset-password/\S+)", body).group(1)
    pages.post(url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_admin_issues_a_reset_link_and_resets_two_factor_from_pages(app, make):
    person = make.user("group", authorities=[make.authority()])
    person.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    theirs = Pages(app.test_client())
    admin = Pages(app.test_client())
    admin.sign_in(make.user("admin", authorities=[make.authority()]))
    # From the user's admin page: the reset-link button.
    user_page = admin.get(f"/admin/users/{person.id}")
    assert user_page.select_one("#reset-two-factor") is None  # no two-factor to reset yet
    assert "not set up" in user_page.select_one("#two-factor-status").get_text()
    action, fields = _button_form(user_page, "#issue-reset-link")
    assert action == f"/admin/users/{person.id}/reset-link"
    page = admin.post(action, fields)
    url = page.select_one("#reset-link").get_text(strip=True).replace("http://localhost", "")
    theirs.get(url)
    theirs.post(url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    theirs.sign_in_with_form(person, password=NEW_PASSWORD)
    _enrol(theirs)
    # They lose their phone: the two-factor reset button, back to the same page.
    action, fields = _button_form(admin.get(f"/admin/users/{person.id}"), "#reset-two-factor")
    assert action == f"/admin/users/{person.id}/two-factor/reset"
    page = admin.post(action, fields)
    assert f"Two-factor sign-in reset for {person.email}" in page.get_text()
    assert page.select_one("h1").get_text(strip=True) == person.email
    db.session.expire_all()
    assert person.totp_enabled_at is None
    assert theirs.client.get("/callouts/").status_code == 302  # the reset ended their session
    person.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    admin.post(f"/admin/users/{person.id}/unlock", {})
    db.session.expire_all()
    assert person.locked_until is None
    issued = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "password_reset_issued")
    )
    assert issued.user_id != person.id  # attributed to the administrator


def test_a_hash_made_with_old_parameters_is_upgraded_when_its_owner_next_signs_in(
    database_url, make, tmp_path
):
    from argon2 import PasswordHasher

    from protocol_monitor import create_app
    from tests.conftest import _settings

    # The server's own parameters (the suite's apps use the "fast" profile).
    application = create_app(
        _settings(database_url, tmp_path / "instance", password_hash_profile="server")
    )
    with application.app_context():
        user = make.user("police", police=make.force())
        # argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes): every hash made before this profile.
        user.password_hash = PasswordHasher().hash(PASSWORD)
        db.session.commit()
        old = user.password_hash
        pages = Pages(application.test_client())
        pages.get("/sign-in")
        refused = pages.raw_post("/sign-in", {"email": user.email, "password": NEW_PASSWORD})
        assert refused.status_code == 200
        db.session.expire_all()
        assert user.password_hash == old  # a wrong password changes nothing

        pages.sign_in_with_form(user)
        db.session.expire_all()
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert verify_password(user.password_hash, PASSWORD)
        signed_in = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in")
        ).all()
        assert [event.changes for event in signed_in] == [
            {"password_hash": "upgraded to the current parameters"}
        ]

        upgraded = user.password_hash
        pages.raw_post("/sign-out", {})
        pages.sign_in_with_form(user)  # already current: left as it is
        db.session.expire_all()
        assert user.password_hash == upgraded
        db.session.remove()
        db.engine.dispose()
