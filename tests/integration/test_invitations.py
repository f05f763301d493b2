"""Invitations (issue 14, item 8): an administrator enters a person's email, role and links; the
person gets a single-use link — by email (the real SMTP sink), or shown once to the
administrator — to choose their password, then sets up two-factor sign-in where their role
requires it. No administrator types or sees a password."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import AuditEvent, IdentityProvider, Invitation, User
from protocol_monitor.services import invitations, single_sign_on
from tests.conftest import Person, error_messages

PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def admin(make):
    return make.user("admin", email="admin@example.org")


@pytest.fixture
def as_admin(client, admin):
    pages = Person(client)
    pages.sign_in(admin)
    return pages


def _configure(app, **changes):
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], **changes)


def _audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _invite(as_admin, **overrides):
    data = {
        "email": "pat.provider@example.org",
        "display_name": "Pat Provider",
        "role": "provider",
        "homes": ["SC700001"],
        "authorities": [],
        "police_force": "",
    }
    data.update(overrides)
    return as_admin.post("/admin/users/new", data)


def test_without_email_the_admin_sees_the_link_once_and_the_person_sets_up(app, as_admin, make):
    home = make.home("SC700001", name="Birch House")
    form = as_admin.get("/admin/users/new")
    assert form.find("input", attrs={"type": "password"}) is None  # no administrator types one
    assert "you will see the link once" in form.get_text()
    page = _invite(as_admin)
    shown = page.select_one("#invitation-link").get_text(strip=True)
    assert re.fullmatch(r"http://localhost/invitation/[\w-]{43}", shown)
    assert "Email is not set up for this service" in page.get_text()
    user = db.session.scalar(select(User).where(User.email == "pat.provider@example.org"))
    assert user.role == "provider" and [h.urn for h in user.homes] == ["SC700001"]
    token = shown.rsplit("/", 1)[1]
    (invitation,) = db.session.scalars(select(Invitation)).all()
    assert invitation.token_hash != token and token not in invitation.token_hash  # hashed
    assert invitation.emailed is False
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert _audited("invitation_sent")[0].record_id == user.id
    # Shown once: the page again has no link; the start page lists the invitation.
    again = as_admin.get(f"/admin/users/{user.id}")
    assert again.select_one("#invitation-link") is None
    assert "Not accepted yet" in again.get_text()
    start = as_admin.get("/")
    assert "pat.provider@example.org" in start.select_one("#invitation-list").get_text()

    # The person opens the link, makes a mistake, then chooses their password.
    person = Person(app.test_client())
    soup = person.get(f"/invitation/{token}")
    assert soup.h1.get_text(strip=True) == "Set up your account"
    assert "residential provider user" in soup.get_text()
    soup = person.post(
        f"/invitation/{token}", {"new_password": PASSWORD, "confirm_password": "something else"}
    )
    assert error_messages(soup) == ["Enter the same password twice"]
    soup = person.post(
        f"/invitation/{token}", {"new_password": "short", "confirm_password": "short"}
    )
    assert error_messages(soup) == ["Password must be 12 characters or more"]
    home_page = person.post(
        f"/invitation/{token}", {"new_password": PASSWORD, "confirm_password": PASSWORD}
    )
    assert home_page.h1.get_text(strip=True) == "Your homes today"
    assert "Birch House" in home_page.get_text()
    assert _audited("invitation_accepted")[0].user_id == user.id
    # The link is spent; the invitation has left the start page; the password works.
    soup = Person(app.test_client()).get(f"/invitation/{token}", status=404)
    assert "has already been used" in soup.get_text()
    assert as_admin.get("/").select_one("#invitation-list") is None
    fresh = Person(app.test_client())
    fresh.sign_in_with_form(db.session.get(User, user.id), PASSWORD)
    assert home.name in fresh.get("/").get_text()


def test_the_invitation_is_emailed_and_two_factor_is_set_up_next(app, as_admin, make, smtp):
    _configure(
        app,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        mail_from="service@protocol.example.org",
        require_two_factor_roles=("police",),
    )
    make.force()
    page = _invite(as_admin, email="sam.officer@example.org", role="police",
                   police_force="E23000039", homes=[])  # fmt: skip
    assert page.select_one("#invitation-link") is None
    assert "Invitation sent to sam.officer@example.org" in page.get_text()
    (message,) = smtp.messages
    assert smtp.envelopes[0].rcpt_tos == ["sam.officer@example.org"]
    assert message["Subject"] == "You have been invited to Protocol monitor"
    text = message.get_content()
    (url,) = re.findall(r"http://localhost/invitation/[\w-]+", text)
    assert "within 7 days" in text and "two-factor sign-in" in text
    assert "by Test admin" in text
    invitation = db.session.scalar(select(Invitation))
    assert invitation.emailed is True
    assert url.rsplit("/", 1)[1] not in str([e.changes for e in _audited("invitation_sent")])

    person = Person(app.test_client())
    path = url.removeprefix("http://localhost")
    assert "have your phone ready" in person.get(path).get_text()
    response = person.raw_post(
        path, {"new_password": PASSWORD, "confirm_password": PASSWORD}, follow_redirects=True
    )
    assert response.request.path == "/account/two-factor"  # required for police: set up now


def test_an_expired_link_fails_and_a_new_invitation_replaces_the_old(app, as_admin, make):
    make.home("SC700001")
    old = _invite(as_admin).select_one("#invitation-link").get_text(strip=True)
    user = db.session.scalar(select(User).where(User.email == "pat.provider@example.org"))
    old_token = old.rsplit("/", 1)[1]
    later = utcnow() + timedelta(days=8)
    with pytest.raises(invitations.LinkNotValid):
        invitations.invitation_for(old_token, later)
    page = as_admin.post(f"/admin/users/{user.id}/invite-again", {})
    new = page.select_one("#invitation-link").get_text(strip=True)
    assert new != old
    person = Person(app.test_client())
    person.get(old.removeprefix("http://localhost"), status=404)  # replaced
    person.get(new.removeprefix("http://localhost"))
    assert len(_audited("invitation_sent")) == 2
    assert len(invitations.waiting()) == 1


def test_invalid_invitations_store_nothing_and_name_the_field(as_admin, make):
    make.authority()
    before = db.session.scalar(select(func.count()).select_from(User))
    soup = _invite(as_admin, email="not an email")
    assert error_messages(soup) == [
        "Enter an email address in the correct format, like name@example.org"
    ]
    soup = _invite(as_admin, email="admin@example.org", role="admin", homes=[])
    assert error_messages(soup) == [
        "A user with the email address admin@example.org already exists"
    ]
    soup = _invite(as_admin, homes=["SC999999"])
    assert error_messages(soup) == ["No home has the URN 'SC999999'"]
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_organisation_sign_in_invite_still_takes_over_an_invited_account(as_admin, make):
    """An account invited by link can be invited to sign in with its organisation too (matched
    by verified email at the first sign-in, docs/single-sign-on.md); it keeps its role."""
    make.home("SC700001")
    _invite(as_admin)
    user = db.session.scalar(select(User).where(User.email == "pat.provider@example.org"))
    organisation = IdentityProvider(
        name="Birch Care", issuer="https://login.example/t/v2.0", client_id="c", enabled=True
    )
    db.session.add(organisation)
    db.session.commit()
    assert single_sign_on.invite(organisation, user.email, "group").id == user.id
    assert (user.role, user.identity_provider_id) == ("provider", organisation.id)
    # Once they have signed in (with their organisation), the invitation no longer waits.
    assert [i.user_id for i in invitations.waiting()] == [user.id]
    user.last_signed_in_at = utcnow()
    db.session.commit()
    assert invitations.waiting() == []
