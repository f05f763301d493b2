"""A provider updates an action their home owns, from the start page, and chooses their emails
(issue 14, item 3): Chromium, with axe on every page."""

from datetime import date, datetime

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import Action
from protocol_monitor.services import reviews


def test_provider_updates_the_homes_action_and_chooses_their_emails(journey, make):
    force = make.force()
    officer = make.user("police", police=force)
    home = make.home("SC600001", name="Oak House", officer=officer)
    provider = make.user("provider", homes=[home])
    callout = make.home_report(home, datetime(2026, 5, 20, 12))
    reviews.record_review(
        officer,
        callout.id,
        {
            "protocol_applied": "partly",
            "police_necessary": "slow_time",
            "learning_points": "Space and time first",
        },
        [{"text": "Hold a restorative meeting", "owner_home": True, "due_on": date(2026, 6, 1)}],
    )
    page = journey.page
    journey.sign_in(provider)
    page.get_by_role("heading", name="Your homes today").wait_for()
    actions = page.locator("#actions-table")
    assert "Oak House (the home)" in actions.inner_text()
    journey.check("start")
    actions.get_by_role("link", name="Hold a restorative meeting").click()
    page.get_by_role("heading", name="Change the status").wait_for()
    journey.check("action")
    page.get_by_label("In progress").check()
    page.get_by_label("Note (optional)").fill("Booked for Friday")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Action updated").wait_for()
    journey.check("updated")
    assert "Booked for Friday" in page.locator("#action-history").inner_text()
    action = db.session.scalar(select(Action))
    db.session.refresh(action)
    assert action.status == "in_progress"

    journey.goto("/account/")
    page.get_by_role("link", name="Change emails you get").click()
    page.get_by_role("heading", name="Emails you get").wait_for()
    journey.check("emails")
    page.get_by_label("When a flag is raised on a call-out at my homes").uncheck()
    page.get_by_role("button", name="Save your choices").click()
    page.get_by_text("Your email choices have been saved").wait_for()
    db.session.refresh(provider)
    assert (provider.email_flags, provider.email_reviews, provider.email_actions) == (
        False,
        True,
        True,
    )
