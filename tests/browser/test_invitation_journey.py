"""An administrator invites a police user; the person opens the link, chooses a password and
sets up two-factor sign-in, which their role requires (issue 14, item 8): Chromium, axe."""

from dataclasses import replace

import pyotp
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import User

PASSWORD = "a long and unusual passphrase 42"


def test_invited_person_chooses_a_password_and_sets_up_two_factor(journey, make, app, browser):
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], require_two_factor_roles=("police",))
    make.force("E23000039", "Dorset Police")
    admin = make.user("admin")
    page = journey.page
    journey.sign_in(admin)
    journey.goto("/admin/users")
    page.get_by_role("button", name="Invite a user").click()
    page.get_by_role("heading", name="Invite a user").wait_for()
    assert page.locator("input[type=password]").count() == 0
    journey.check("invite-form")
    page.get_by_label("Email address").fill("sam.officer@example.org")
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("Police force").select_option("E23000039")
    page.get_by_role("button", name="Send invitation").click()
    link = page.locator("#invitation-link")
    link.wait_for()
    journey.check("link-shown-once")
    url = link.inner_text().strip()

    # The person, in their own browser.
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    person = context.new_page()
    person.set_default_timeout(15000)
    journey.page = person
    person.goto(url.replace("http://localhost", journey.base_url))
    person.get_by_role("heading", name="Set up your account").wait_for()
    journey.check("set-up")
    person.get_by_label("Password", exact=True).fill(PASSWORD)
    person.get_by_label("Confirm your password").fill(PASSWORD)
    person.get_by_role("button", name="Save password and continue").click()
    person.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    journey.check("two-factor")
    secret = person.locator("#totp-secret").inner_text().strip()
    person.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    person.get_by_role("button", name="Turn on two-factor sign-in").click()
    person.get_by_text("save your recovery codes").first.wait_for()
    journey.check("recovery-codes")
    user = db.session.scalar(select(User).where(User.email == "sam.officer@example.org"))
    db.session.refresh(user)
    assert user.totp_enabled_at is not None and user.role == "police"
    context.close()
