"""The administrator's pages for organisation sign-in: settings checked against the issuer's
real discovery document, group roles, invitations, the SCIM token shown once, and password
sign-in per person."""

from __future__ import annotations

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, GroupMapping, IdentityProvider, User
from tests.conftest import error_messages
from tests.support.identity_provider import CLIENT_ID, CLIENT_SECRET, TENANT


def admin(make):
    return make.user("admin", authorities=[make.authority()])


def form(identity_provider, **changes) -> dict:
    values = {
        "name": "Dorset Police",
        "issuer": identity_provider.issuer(),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "tenant_ids": "",
        "options": ["enabled"],
    }
    values.update(changes)
    return values


def test_an_administrator_sets_up_an_organisation(pages, make, identity_provider):
    pages.sign_in(admin(make))
    pages.get("/admin/single-sign-on/")

    page = pages.post(
        "/admin/single-sign-on/new", form(identity_provider, options=["enabled", "password_off"])
    )

    provider = db.session.scalar(select(IdentityProvider))
    assert provider.name == "Dorset Police" and not provider.password_sign_in
    text = page.get_text(" ", strip=True)
    assert "Sign-in for Dorset Police saved" in text
    assert "http://localhost/sign-in/organisation/callback" in text
    assert "<span" not in text and "&lt;" not in text  # markup shown as markup, not as text
    assert CLIENT_SECRET not in str(page)
    entry = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "identity_provider_created")
    )
    assert entry.changes["client_secret"] == ["(withheld)", "(changed)"]
    assert CLIENT_SECRET not in str(entry.changes)
    sign_in = pages.client.application.test_client().get("/sign-in").get_data(as_text=True)
    assert "Sign in with Dorset Police" in sign_in

    # Changing a setting keeps the stored secret when the field is left blank.
    pages.post(
        f"/admin/single-sign-on/{provider.id}/edit",
        form(identity_provider, client_secret="", name="Dorset Police Force"),
    )
    db.session.expire_all()
    assert db.session.get(IdentityProvider, provider.id).name == "Dorset Police Force"
    from protocol_monitor.services import single_sign_on as sso

    assert sso.client_secret(provider) == CLIENT_SECRET


def test_settings_are_checked_and_errors_name_the_field(pages, make, identity_provider):
    pages.sign_in(admin(make))
    cases = [
        (form(identity_provider, issuer="http://login.example/x"), "must start https://"),
        (
            form(identity_provider, issuer=identity_provider.url + "/nowhere"),
            "could not be used",
        ),
        (form(identity_provider, client_secret=""), "Enter the client secret"),
        (form(identity_provider, tenant_ids="not-a-tenant"), "is not a tenant id"),
        (
            form(identity_provider, issuer=identity_provider.multi_tenant_issuer),
            "enter the tenant ids to allow",
        ),
    ]
    for values, message in cases:
        page = pages.post("/admin/single-sign-on/new", values)
        assert any(message in m for m in error_messages(page)), (message, error_messages(page))
    assert db.session.scalar(select(IdentityProvider)) is None

    page = pages.post(
        "/admin/single-sign-on/new",
        form(identity_provider, issuer=identity_provider.multi_tenant_issuer, tenant_ids=TENANT),
    )
    assert db.session.scalar(select(IdentityProvider)).allowed_tenant_ids == [TENANT]


def test_groups_invitations_and_the_scim_token(pages, make, identity_provider):
    pages.sign_in(admin(make))
    make.force()
    pages.post("/admin/single-sign-on/new", form(identity_provider))
    provider = db.session.scalar(select(IdentityProvider))
    base = f"/admin/single-sign-on/{provider.id}"

    missing = pages.post(
        base + "/groups/new", {"group_id": "g-1", "label": "Liaison", "role": "police"}
    )
    assert "Select the police user's force" in error_messages(missing)
    pages.post(
        base + "/groups/new",
        {"group_id": "g-1", "label": "Liaison", "role": "police", "police_force": "E23000039"},
    )
    mapping = db.session.scalar(select(GroupMapping))
    assert (mapping.group_id, mapping.role, mapping.police_force.code) == (
        "g-1",
        "police",
        "E23000039",
    )

    pages.post(
        base + "/invite",
        {"email": "alex@dorset.example", "role": "police", "police_force": "E23000039"},
    )
    invited = db.session.scalar(select(User).where(User.email == "alex@dorset.example"))
    assert invited.identity_provider_id == provider.id and not invited.password_sign_in

    page = pages.post(base + "/scim-token", {})
    token = page.select_one("#scim-token").get_text(strip=True)
    assert token.startswith("scim_")
    again = pages.get(base)
    assert token not in str(again)
    assert "Liaison" in again.get_text()

    pages.post(base + f"/groups/{mapping.id}/remove", {})
    assert db.session.scalar(select(GroupMapping)) is None


def test_password_sign_in_per_person(pages, make):
    me = admin(make)
    other = make.user("police", police=make.force())
    pages.sign_in(me)

    page = pages.post(
        f"/admin/single-sign-on/people/{other.id}/password-sign-in", {"allowed": "no"}
    )

    assert f"Password sign-in is off for {other.email}" in page.get_text()
    db.session.expire_all()
    assert not db.session.get(User, other.id).password_sign_in
    mine = pages.post(f"/admin/single-sign-on/people/{me.id}/password-sign-in", {"allowed": "no"})
    assert "You cannot turn off password sign-in for your own account" in mine.get_text()
    assert (
        pages.raw_post(
            f"/admin/single-sign-on/people/{other.id}/password-sign-in", {"allowed": "maybe"}
        ).status_code
        == 400
    )


def test_only_administrators_reach_the_pages(pages, make):
    pages.sign_in(make.user("police", police=make.force()))

    for path in ("/admin/single-sign-on/", "/admin/single-sign-on/new"):
        pages.get(path, status=403)
