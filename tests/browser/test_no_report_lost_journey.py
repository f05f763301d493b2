"""No report lost (issue 14): a provider's session ends while the call-out form is open; they
send it, sign in again, land back on the form with every answer filled in, and file it without
retyping anything. And the timeout warning: "Stay signed in" keeps the session going."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import Callout, SavedForm
from tests.browser.conftest import Journey
from tests.support.factories import PASSWORD


def _idle(app, minutes: int) -> None:
    """SESSION_IDLE_MINUTES for the served app from now on."""
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], session_idle_minutes=minutes)


def _fill_callout(page) -> None:
    page.get_by_label("Home", exact=True).select_option(label="Heathside House (SC200009)")
    page.locator("#occurred_on-day").fill("3")
    page.locator("#occurred_on-month").fill("6")
    page.locator("#occurred_on-year").fill("2026")
    page.get_by_label("Time (UK time, 24-hour clock)").fill("02:15")
    page.get_by_label("Assault on staff").check()
    page.get_by_label("Child reference").fill("LCS-55501")
    page.get_by_label("Placing authority").select_option("E06000059")
    page.get_by_role("group", name="The child's role").get_by_label("Alleged perpetrator").check()
    page.get_by_role("group", name="Who called the police?").get_by_label("Home staff").check()
    risk = page.get_by_role("group", name="Was there an immediate and unmanageable risk")
    risk.get_by_label("Yes", exact=True).check()
    page.get_by_label("Describe the immediate risk").fill("Punching staff in the hallway")
    page.get_by_label("Verbal de-escalation").check()
    page.get_by_label("Space and time").check()
    page.get_by_role("group", name="Did the police attend?").get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Restorative response").get_by_label("Planned").check()
    page.get_by_role("group", name="Was an Ofsted regulation 40").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_label("What happened (optional)").fill("Upset after a phone call; calmer by 3am.")


def test_the_session_ends_mid_form_and_the_callout_is_filed_without_retyping(journey, make, app):
    authority = make.authority("E06000059", "Dorset Council")
    home = make.home("SC200009", name="Heathside House", host=authority)
    other = make.home("SC200010", name="Other House", host=authority)
    provider = make.user("provider", homes=[home, other])
    page = journey.page
    journey.sign_in(provider)
    page.get_by_role("button", name="File a call-out").click()
    page.get_by_role("heading", name="File a call-out").wait_for()
    _fill_callout(page)
    journey.check("form-filled")

    # Night staff are called away; the session ends while the form is open.
    _idle(app, 0)  # no minutes: the session's last use is already too long ago
    page.get_by_role("button", name="File call-out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert "Nothing you typed is lost" in page.locator("main").inner_text()
    assert db.session.scalar(select(func.count()).select_from(Callout)) == 0
    journey.check("signed-out")

    # They sign in again and are back on the form, every answer as they typed it.
    _idle(app, 60)
    page.get_by_label("Email address").fill(provider.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="File a call-out").wait_for()
    assert "You are back where you were" in page.locator("main").inner_text()
    assert page.get_by_label("Home", exact=True).input_value() == str(home.id)
    assert page.get_by_label("Child reference").input_value() == "LCS-55501"
    assert page.get_by_label("Assault on staff").is_checked()
    assert page.get_by_label("Space and time").is_checked()
    assert page.get_by_label("Describe the immediate risk").input_value() == (
        "Punching staff in the hallway"
    )
    assert page.get_by_label("What happened (optional)").input_value().startswith("Upset after")
    journey.check("form-restored")

    page.get_by_role("button", name="File call-out").click()
    page.get_by_text("filed").first.wait_for()
    journey.check("filed")
    (callout,) = db.session.scalars(select(Callout)).all()
    assert callout.home_id == home.id and callout.child_reference == "LCS-55501"
    assert callout.home_report.description == "Upset after a phone call; calmer by 3am."


@pytest.mark.parametrize("width", [1280, 390])
def test_the_timeout_warning_offers_to_stay_signed_in(browser, live_server, make, app, width):
    """Under the service's own Content-Security-Policy (no bypass_csp: the warning is a script
    file of the service's own), on a wide and a small screen, by keyboard alone: the dialog takes
    the focus on Stay signed in, and Enter keeps the session going."""
    provider = make.user("provider", homes=[make.home("SC200011")])
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    journey = Journey(page, live_server, f"timeout-warning-{width}")
    _idle(app, 1)  # shorter than the warning: it shows as soon as a page opens
    journey.sign_in(provider)
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for()
    assert "we will sign you out in" in dialog.inner_text()
    journey.check("timeout-warning")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Stay signed in"

    _idle(app, 60)
    with page.expect_response(lambda r: r.url.endswith("/session/keep-alive")) as kept:
        page.keyboard.press("Enter")
    assert kept.value.status == 204
    dialog.wait_for(state="hidden")
    # Still signed in: the start page opens without signing in again.
    journey.goto("/")
    page.get_by_role("heading", name="Your homes today").wait_for()
    assert refused == []
    context.close()


def test_the_callout_form_is_saved_as_a_draft_while_it_is_filled_in(journey, make):
    """static/autosave.js: a few seconds after the person stops typing, the form is saved as
    their draft; the start page lists it, and it opens filled in."""
    authority = make.authority("E06000059", "Dorset Council")
    home = make.home("SC200009", name="Heathside House", host=authority)
    other = make.home("SC200010", name="Other House", host=authority)
    provider = make.user("provider", homes=[home, other])
    page = journey.page
    journey.sign_in(provider)
    page.get_by_role("button", name="File a call-out").click()
    page.get_by_role("heading", name="File a call-out").wait_for()
    page.get_by_label("Home", exact=True).select_option(label="Heathside House (SC200009)")
    page.get_by_label("Child reference").fill("LCS-55502")
    page.get_by_label("What happened (optional)").fill("Called away half way through")
    page.get_by_text("Draft saved at").wait_for()
    (draft,) = db.session.scalars(select(SavedForm)).all()
    assert draft.value("child_reference") == "LCS-55502"
    journey.check("draft-saved")

    journey.goto("/")
    drafts = page.locator("#draft-list")
    assert "Call-out at Heathside House" in drafts.inner_text()
    drafts.get_by_role("link").first.click()
    page.get_by_role("heading", name="File a call-out").wait_for()
    assert page.get_by_label("Child reference").input_value() == "LCS-55502"
    assert page.get_by_label("What happened (optional)").input_value().startswith("Called away")
