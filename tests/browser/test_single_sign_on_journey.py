"""An administrator sets up sign-in for a police force and invites an officer; the officer signs
in with their organisation's account through a real OpenID Connect provider on 127.0.0.1; a
stranger is refused with a page that says what to do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import ExternalIdentity, IdentityProvider
from tests.support.identity_provider import CLIENT_ID, CLIENT_SECRET, Person
from tests.support.live import free_port, serving

OFFICER = "alex.officer@dorset.police.example"


@pytest.fixture
def live_server(app):
    """The app on a known port, with BASE_URL pointing at it (the redirect URI depends on it)."""
    port = free_port()
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(base_url=f"http://127.0.0.1:{port}")
    with serving(app, port) as url:
        yield url


def test_an_officer_signs_in_with_their_forces_account(journey, make, identity_provider, browser):
    make.authority("E06000059", "Dorset Council")
    make.force("E23000039", "Dorset Police")
    admin = make.user("admin")
    page = journey.page
    journey.sign_in(admin)

    journey.goto("/admin/")
    page.get_by_role("link", name="Organisation sign-in").click()
    page.get_by_role("heading", name="Organisation sign-in").wait_for()
    journey.check("organisations-empty")
    page.get_by_role("button", name="Add an organisation").click()
    page.get_by_label("Organisation name").fill("Dorset Police")
    page.get_by_label("Issuer URL").fill("http://login.example/tenant/v2.0")
    page.get_by_label("Application (client) ID").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    journey.check("organisation-error")
    assert db.session.scalar(select(IdentityProvider)) is None

    page.get_by_label("Issuer URL").fill(identity_provider.issuer())
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Sign-in for Dorset Police saved").wait_for()
    journey.check("organisation")
    page.get_by_role("button", name="Invite someone").click()
    page.get_by_label("Email address").fill(OFFICER)
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("Police force").select_option("E23000039")
    page.get_by_role("button", name="Invite").click()
    page.get_by_text(f"{OFFICER} can now sign in with Dorset Police").wait_for()

    # The officer, in a browser of their own.
    officer = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    journey.page = officer.new_page()
    page = journey.page
    identity_provider.sign_in_as(Person(oid="0d3e6c1a-7f7b-4e0e-9d5c-2a1b3c4d5e6f", email=OFFICER))
    journey.goto("/sign-in")
    journey.check("sign-in-with-organisation")
    page.get_by_role("button", name="Sign in with Dorset Police").click()
    page.get_by_text(f"Signed in as {OFFICER}").wait_for()
    journey.check("signed-in")
    binding = db.session.scalar(select(ExternalIdentity))
    assert binding.subject == "0d3e6c1a-7f7b-4e0e-9d5c-2a1b3c4d5e6f"

    # Someone the service does not know.
    stranger = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    journey.page = stranger.new_page()
    page = journey.page
    identity_provider.sign_in_as(
        Person(oid="9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", email="x@x.org")
    )
    journey.goto("/sign-in")
    page.get_by_role("button", name="Sign in with Dorset Police").click()
    page.get_by_role("heading", name="You could not be signed in").wait_for()
    assert "Ask your administrator" in page.inner_text("main")
    assert "Reference:" in page.inner_text("main")
    journey.check("refused")
    officer.close()
    stranger.close()
