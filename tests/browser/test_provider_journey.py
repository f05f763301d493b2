"""A provider signs in and files a call-out, meeting a validation error first; by keyboard too."""

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import Callout


def test_provider_files_a_callout_after_fixing_an_error(journey, make):
    home = make.home("SC200001", name="Heathside House")
    provider = make.user("provider", homes=[home])
    page = journey.page
    journey.sign_in(provider)
    # The start page: what needs the home, with the button to file.
    page.get_by_role("heading", name="Your homes today").wait_for()
    journey.check("start")
    page.get_by_role("button", name="File a call-out").click()
    journey.check("form")

    page.locator("#occurred_on-day").fill("3")
    page.locator("#occurred_on-month").fill("6")
    page.locator("#occurred_on-year").fill("2026")
    page.get_by_label("Time (UK time, 24-hour clock)").fill("21:40")
    page.get_by_label("Threats or verbal abuse").check()
    page.get_by_role("button", name="File call-out").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error:")
    # GOV.UK Frontend moves focus to the error summary.
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    journey.check("errors")
    summary.get_by_role(
        "link", name="Enter the child reference from the placing authority, like LCS-104233"
    ).click()
    assert page.evaluate("document.activeElement.id") == "child_reference"

    page.get_by_label("Child reference").fill("LCS-55501")
    page.get_by_label("Placing authority").select_option("E06000059")
    page.get_by_role("group", name="The child's role").get_by_label("Alleged perpetrator").check()
    page.get_by_role("group", name="Who called the police?").get_by_label("Home staff").check()
    risk = page.get_by_role("group", name="Was there an immediate and unmanageable risk")
    risk.get_by_label("No", exact=True).check()
    page.get_by_label("Verbal de-escalation").check()
    page.get_by_role("group", name="Did the police attend?").get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Restorative response").get_by_label("Planned").check()
    page.get_by_role("group", name="Was an Ofsted regulation 40").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="File call-out").click()

    page.get_by_text("filed").first.wait_for()
    journey.check("filed")
    assert db.session.scalar(select(func.count()).select_from(Callout)) == 1


def test_callout_form_works_by_keyboard_alone(journey, make):
    home = make.home("SC200002")
    provider = make.user("provider", homes=[home])
    page = journey.page
    journey.sign_in(provider)
    page.get_by_role("heading", name="Your homes today").wait_for()
    journey.goto("/callouts/new")
    # Tab from the top of the page: the skip link comes first, then on to the form in order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
    assert (
        order.index("home_id") < order.index("occurred_on-day") < order.index("occurred_on-month")
    )
    assert order.index("occurred_on-year") < order.index("occurred_time") < order.index("category")
    # Submitting the empty form by keyboard puts focus on the error summary.
    page.focus("#occurred_time")
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    journey.check("keyboard-errors")
