"""Police import their extract (a bad file first), review the matched call-out adding an action,
and find the action on the actions page."""

from datetime import datetime

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import Action, Report

HEADER = (
    "police_reference,home_urn,occurred_at,child_reference,placing_authority_code,"
    "category,police_attended,arrested,outcome\n"
)
GOOD_ROW = (
    "DP-2026-0412,SC400001,2026-04-01T00:30,LCS-104233,E06000059,criminal_damage,yes,no,pending\n"
)
BAD_ROW = "DP-2026-0413,SC999999,2026-04-03T19:05,,,criminal_damage,maybe,no,pending\n"


def _upload(page, name: str, text: str) -> None:
    page.locator("#file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Upload and import").click()


def test_police_import_an_extract_then_review_the_matched_callout(journey, make):
    force = make.force()
    officer = make.user("police", police=force, email="officer@example.org")
    home = make.home("SC400001", name="Larch House", officer=officer)
    # The home reported the call-out at 00:10; the police extract has it at 00:30.
    make.home_report(home, datetime(2026, 4, 1, 0, 10), child_reference="LCS-104233")
    page = journey.page
    journey.sign_in(officer)
    page.get_by_role("heading", name="Your work today").wait_for()
    assert "1 call-out waits for a review" in page.locator("#queue-count").inner_text()
    journey.check("start")

    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_role("heading", name="Import call-outs").wait_for()
    journey.check("import-form")

    # A file with a bad row: every problem listed, nothing stored.
    _upload(page, "extract-bad.csv", HEADER + GOOD_ROW + BAD_ROW)
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error:")
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    problems = page.locator("#import-errors")
    assert "home_urn" in problems.inner_text() and "police_attended" in problems.inner_text()
    journey.check("import-errors")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "file"
    police_reports = select(func.count()).select_from(Report).where(Report.source == "police")
    assert db.session.scalar(police_reports) == 0

    # The corrected file: one record, matched with the home's report.
    _upload(page, "extract.csv", HEADER + GOOD_ROW)
    result = page.locator("#import-result")
    result.wait_for()
    assert result.inner_text() == "Imported"
    matched = page.locator(".govuk-summary-list__row", has_text="Joined to a call-out")
    assert matched.locator(".govuk-summary-list__value").inner_text().strip() == "1"
    journey.check("imported")
    assert db.session.scalar(police_reports) == 1

    # Open the matched call-out from the list: both reports are on it.
    page.get_by_role("link", name="Call-outs", exact=True).click()
    page.get_by_role("heading", name="Call-outs").wait_for()
    journey.check("callouts")
    page.locator("table a").first.click()
    page.get_by_text("DP-2026-0412").first.wait_for()
    journey.check("callout")

    page.get_by_role("button", name="Review this call-out").click()
    page.get_by_role("heading", name="Review call-out").wait_for()
    journey.check("review-form")
    # Saving with nothing chosen: linked errors.
    page.get_by_role("button", name="Save review").click()
    page.locator(".govuk-error-summary").wait_for()
    journey.check("review-errors")

    page.get_by_role("group", name="Was the protocol applied appropriately?").get_by_label(
        "Partly applied"
    ).check()
    page.get_by_role("group", name="Was police involvement necessary?").get_by_label(
        "Could have been dealt with in slow time"
    ).check()
    page.get_by_role("group", name="Was the police response proportionate?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Was the outcome proportionate?").get_by_label(
        "Not yet known"
    ).check()
    page.get_by_label("Learning points (optional)").fill("Try space and time first")
    action = page.get_by_role("group", name="Action 1")
    action.get_by_label("What is the action?").fill("Visit the home to talk through the protocol")
    action.get_by_label("Owner").select_option(label=officer.display_name)
    action.get_by_label("Day").fill("15")
    action.get_by_label("Month").fill("6")
    action.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save review").click()
    page.locator("#review-actions").wait_for()
    journey.check("reviewed")
    stored = db.session.scalar(select(Action))
    assert (stored.owner_id, stored.due_on.isoformat()) == (officer.id, "2026-06-15")

    page.get_by_role("link", name="Actions", exact=True).click()
    row = page.locator("tr", has_text="Visit the home to talk through the protocol")
    row.wait_for()
    assert "15 June 2026" in row.inner_text()
    journey.check("actions")


def test_a_large_extract_shows_its_progress_until_it_is_imported(journey, make, app):
    """The upload page hands over at once; the run's page follows the import to its end."""
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(import_wait_seconds=0)
    force = make.force()
    officer = make.user("police", police=force, email="officer@example.org")
    make.home("SC400001", name="Larch House", officer=officer)
    rows = "".join(
        f"DP-2015-{n:05d},SC400001,2015-01-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d},"
        f"LCS-{n % 9},E06000059,criminal_damage,yes,no,nfa\n"
        for n in range(300)
    )
    page = journey.page
    journey.sign_in(officer)
    journey.goto("/imports/new")
    _upload(page, "extract-2015.csv", HEADER + rows)
    page.get_by_role("heading", name="Import of extract-2015.csv").wait_for()
    # 300 rows take seconds to match and store: the page opens while the import runs.
    assert page.locator("#import-progress-bar").count() == 1
    assert "rows read" in page.locator("#import-progress-text").inner_text()
    # The script (a module, run once the page is parsed) hides the link and polls instead.
    page.locator("#import-progress-refresh").wait_for(state="hidden")
    journey.check("import-progress")
    result = page.locator("#import-result")
    result.wait_for(timeout=120_000)  # the page reloads itself when the import finishes
    assert result.inner_text() == "Imported"
    rows_read = page.locator(".govuk-summary-list__row", has_text="Rows read")
    assert rows_read.locator(".govuk-summary-list__value").inner_text().strip() == "300"
    journey.check("large-import-done")
    police_reports = select(func.count()).select_from(Report).where(Report.source == "police")
    assert db.session.scalar(police_reports) == 300
