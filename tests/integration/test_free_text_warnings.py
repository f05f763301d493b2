"""Free text that looks like a name, date of birth, phone number or address is queried before
saving: the form explains why, and saves once the text is fixed or the person confirms it."""

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Callout, Report
from tests.conftest import error_messages
from tests.integration.test_provider_callouts import _valid_form

CONFIRM = "I have checked this contains no names, dates of birth, phone numbers or addresses"


def _reports():
    return db.session.scalar(select(func.count()).select_from(Report))


def test_flagged_text_is_explained_per_field_and_nothing_is_saved(pages, make):
    home = make.home("SC500001")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get("/callouts/new")
    soup = pages.post(
        "/callouts/new",
        _valid_form(
            home,
            immediate_risk_reason="Jane Smith had a knife",
            description="Mum rang on 07700 900123; lives at BH1 1AA",
        ),
    )
    messages = error_messages(soup)
    assert messages[0].startswith("The immediate risk may contain a name (‘Jane Smith’)")
    assert messages[1].startswith(
        "What happened may contain a phone number (‘07700 900123’) and an address or postcode"
    )
    assert soup.select_one("#description-error") is not None
    assert "pseudonymous references only" in soup.select_one(".govuk-warning-text").get_text()
    checkbox = soup.find("input", attrs={"name": "confirm_no_personal_data"})
    assert checkbox is not None and not checkbox.has_attr("checked")
    assert CONFIRM in soup.get_text()
    # What was typed is kept, so it can be fixed.
    assert "07700 900123" in soup.find("textarea", attrs={"name": "description"}).get_text()
    assert _reports() == 0


def test_fixing_the_text_saves_without_confirming(pages, make):
    home = make.home("SC500002")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get("/callouts/new")
    pages.post("/callouts/new", _valid_form(home, description="Jane Smith broke a window"))
    assert _reports() == 0
    soup = pages.post("/callouts/new", _valid_form(home, description="LCS-104233 broke a window"))
    assert soup.find("input", attrs={"name": "confirm_no_personal_data"}) is None
    assert _reports() == 1


def test_confirming_saves_and_the_audit_notes_what_was_flagged(pages, make):
    home = make.home("SC500003")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get("/callouts/new")
    data = _valid_form(home, injuries_damage="Window on Station Road side of the house broken")
    pages.post("/callouts/new", data)
    assert _reports() == 0
    pages.post("/callouts/new", {**data, "confirm_no_personal_data": "y"})
    callout = db.session.scalar(select(Callout))
    assert callout.home_report.injuries_damage.startswith("Window on Station Road")
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "callout_created"))
    assert created.changes["free_text_confirmed"] == {"injuries_damage": ["address"]}


def test_risk_reason_is_not_checked_when_there_was_no_immediate_risk(pages, make):
    home = make.home("SC500004")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get("/callouts/new")
    pages.post(
        "/callouts/new",
        _valid_form(home, immediate_risk="no", immediate_risk_reason="Jane Smith"),
    )
    assert _reports() == 1
    assert db.session.scalar(select(Report)).immediate_risk_reason is None


def test_corrections_are_checked_too(pages, make):
    home = make.home("SC500005")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get("/callouts/new")
    pages.post("/callouts/new", _valid_form(home))
    callout = db.session.scalar(select(Callout))
    url = f"/callouts/{callout.id}/home-report/edit"
    pages.get(url)
    data = _valid_form(
        home, description="DOB 01/02/2010, email kid@example.org", reason="Added what happened"
    )
    soup = pages.post(url, data)
    assert error_messages(soup)[0].startswith(
        "What happened may contain a date or date of birth (‘01/02/2010’)"
    )
    assert "an email address (‘kid@example.org’)" in error_messages(soup)[0]
    db.session.expire_all()
    assert db.session.get(Callout, callout.id).home_report.description is None
    pages.post(url, {**data, "confirm_no_personal_data": "y"})
    db.session.expire_all()
    assert db.session.get(Callout, callout.id).home_report.description.startswith("DOB")
    changed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "callout_changed"))
    assert changed.changes["free_text_confirmed"] == {"description": ["date_of_birth", "email"]}
