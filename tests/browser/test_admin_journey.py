"""An administrator adds a home, meeting a validation error first, and sees it listed."""

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import Home


def test_admin_adds_a_home_after_fixing_an_error(journey, make):
    make.authority("E06000059", "Dorset Council")
    force = make.force("E23000039", "Dorset Police")
    officer = make.user("police", police=force)
    admin = make.user("admin")
    page = journey.page
    journey.sign_in(admin)
    page.get_by_role("heading", name="The service today").wait_for()
    journey.check("start")

    page.get_by_role("link", name="Administration", exact=True).click()
    page.get_by_role("heading", name="Administration").wait_for()
    journey.check("admin")
    page.get_by_role("link", name="Homes", exact=True).click()
    page.get_by_role("heading", name="Homes").wait_for()
    journey.check("homes-empty")
    page.get_by_role("button", name="Add a home").click()
    journey.check("home-form")

    page.get_by_label("Ofsted URN").fill("sc300001")
    page.get_by_label("Name", exact=True).fill("Willow House")
    page.get_by_label("Provider").fill("Careful Homes Ltd")
    page.get_by_label("Host authority").select_option("E06000059")
    page.get_by_label("Police force").select_option("E23000039")
    page.get_by_label("Registered places").fill("-3")
    page.get_by_label("Children's home", exact=True).check()
    opened = page.get_by_role("group", name="Date the home opened")
    opened.get_by_label("Day").fill("1")
    opened.get_by_label("Month").fill("9")
    opened.get_by_label("Year").fill("2020")
    page.get_by_role("button", name="Save home").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error:")
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    journey.check("home-errors")
    assert db.session.scalar(select(Home)) is None
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "registered_places"

    page.get_by_label("Registered places").fill("5")
    page.get_by_label("Allocated police officer (optional)").select_option(str(officer.id))
    page.get_by_role("button", name="Save home").click()
    page.get_by_text("Willow House (SC300001) saved").wait_for()
    journey.check("home-saved")

    journey.goto("/admin/homes")
    row = page.get_by_role("row", name="SC300001")
    assert "Willow House" in row.inner_text()
    journey.check("homes-listed")
    home = db.session.scalar(select(Home))
    assert (home.urn, home.registered_places, home.allocated_officer_id) == (
        "SC300001",
        5,
        officer.id,
    )
