"""The short path for a missing or absent call-out: only the questions it needs are asked; the
others are hidden in the browser and, sent anyway (no JavaScript), ignored (issue 14, item 6)."""

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.forms.callouts import HomeReportForm
from protocol_monitor.models import Callout
from tests.conftest import error_messages
from tests.integration.test_provider_callouts import _valid_form

#: What a missing or absent call-out is asked, by field name (the date is three boxes).
SHORT_PATH = {
    "home_id",
    "occurred_day",
    "occurred_month",
    "occurred_year",
    "occurred_time",
    "category",
    "child_reference",
    "placing_authority",
    "police_reference",
}


def _shown_names(soup) -> set[str]:
    """The names of the form's inputs that are not in a section the short path hides."""
    form = soup.select_one("form[data-module=app-short-path]")
    return {
        tag["name"]
        for tag in form.select("input[name], select[name], textarea[name]")
        if tag["name"] != "csrf_token"
        and tag.get("type") != "hidden"
        and tag.find_parent(attrs={"data-app-not-for-excluded": True}) is None
    }


def test_the_form_marks_every_question_but_the_short_paths_as_hidden_for_missing(pages, make):
    home = make.home("SC100101")
    pages.sign_in(make.user("provider", homes=[home]))
    soup = pages.get("/callouts/new")
    form = soup.select_one("form[data-module=app-short-path]")
    assert form["data-excluded-categories"] == "absent missing"
    assert _shown_names(soup) == SHORT_PATH
    hidden = {
        tag["name"]
        for section in form.select("[data-app-not-for-excluded]")
        for tag in section.select("[name]")
    }
    assert hidden == set(HomeReportForm.NOT_FOR_EXCLUDED)
    assert "only for the child's reference and the police reference" in form.get_text()


def test_missing_without_javascript_ignores_and_clears_the_other_answers(pages, make):
    """A browser without JavaScript shows every question: answers to those that do not apply,
    even wrong ones, neither stop the call-out being filed nor are stored."""
    home = make.home("SC100102")
    pages.sign_in(make.user("provider", homes=[home]))
    data = _valid_form(
        home,
        category="missing",
        child_age="not a number",
        child_sex="nonsense",
        caller_role="",
        deescalation=["none", "verbal"],  # not allowed together on the long path
        immediate_risk="yes",
        immediate_risk_reason="",  # required on the long path
        description="Jane Smith of 12 High Street, 01202 123456",  # would warn
        police_reference="dp-2026-0777",
    )
    soup = pages.post("/callouts/new", data)
    assert not error_messages(soup)
    callout = db.session.scalar(select(Callout))
    assert callout.category == "missing" and callout.in_scope is False
    assert callout.police_reference == "DP-2026-0777"
    report = callout.home_report
    assert report.child_reference == "LCS-104233"
    for name in HomeReportForm.NOT_FOR_EXCLUDED:
        assert getattr(report, name) in (None, []), name


def test_absent_asks_only_the_short_path_and_validates_only_it(pages, make):
    home = make.home("SC100103")
    pages.sign_in(make.user("provider", homes=[home]))
    data = {name: "" for name in HomeReportForm.NOT_FOR_EXCLUDED} | {
        "home_id": str(home.id),
        "occurred_day": "2",
        "occurred_month": "3",
        "occurred_year": "2026",
        "occurred_time": "25:00",
        "category": "absent",
        "child_reference": "LCS-1 2",
        "placing_authority": "",
        "police_reference": "DP 1",
    }
    soup = pages.post("/callouts/new", data)
    messages = error_messages(soup)
    assert len(messages) == 4, messages
    assert messages[0].startswith("Enter the time as hours and minutes")
    assert messages[1].startswith("Child reference must be")
    assert messages[2] == "Select the authority that placed the child"
    assert messages[3].startswith("Police reference must be")
    assert db.session.scalar(select(Callout)) is None


def test_an_in_scope_category_still_asks_everything(pages, make):
    home = make.home("SC100104")
    pages.sign_in(make.user("provider", homes=[home]))
    data = {name: "" for name in HomeReportForm.NOT_FOR_EXCLUDED} | {
        "home_id": str(home.id),
        "occurred_day": "2",
        "occurred_month": "3",
        "occurred_year": "2026",
        "occurred_time": "21:00",
        "category": "threats_abuse",
        "child_reference": "LCS-12",
        "placing_authority": "E06000059",
    }
    messages = error_messages(pages.post("/callouts/new", data))
    assert "Select who called the police" in messages
    assert "Select the restorative response" in messages


def test_after_filing_the_confirmation_says_what_happens_next_and_names_the_flags(pages, make):
    home = make.home("SC100105", name="Oak House")
    pages.sign_in(make.user("provider", homes=[home]))
    # Police attended though there was no immediate risk: a flag, named by its label.
    soup = pages.post("/callouts/new", _valid_form(home, immediate_risk="no"))
    callout = db.session.scalar(select(Callout))
    assert soup.select_one(".govuk-panel__title").get_text(strip=True) == (
        f"Call-out {callout.id} filed"
    )
    panel = soup.select_one(".govuk-panel__body")
    assert panel.get_text("|", strip=True).startswith("Oak House|")  # a line each
    assert "<" not in panel.get_text()
    flags = soup.select_one("#flags-raised").find_next("p").get_text(" ", strip=True)
    assert flags.startswith("This call-out raised a flag.")
    assert [h.get_text(strip=True) for h in soup.select("h3")] == [
        "Police attended without immediate risk"
    ]
    text = soup.select_one("main").get_text(" ", strip=True)
    assert "What happens next" in text and "review every call-out like this" in text
    assert "no_immediate_risk" not in str(soup.select_one("main"))
    assert soup.find("a", string=f"See call-out {callout.id}")["href"] == f"/callouts/{callout.id}"


def test_after_filing_a_missing_call_out_nothing_more_is_needed(pages, make):
    home = make.home("SC100106")
    pages.sign_in(make.user("provider", homes=[home]))
    soup = pages.post("/callouts/new", _valid_form(home, category="missing"))
    text = soup.select_one("main").get_text(" ", strip=True)
    assert "Nothing more is needed from you" in text
    assert soup.select_one("#flags-raised") is None


def test_a_call_out_raising_no_flag_says_so(pages, make):
    home = make.home("SC100107")
    pages.sign_in(make.user("provider", homes=[home]))
    soup = pages.post("/callouts/new", _valid_form(home))
    assert "This call-out raised no flags." in soup.select_one("main").get_text(" ", strip=True)


def test_a_police_record_of_a_missing_person_asks_no_arrest_or_outcome(pages, make):
    from tests.integration.test_police_records import _police_form

    force = make.force()
    home = make.home("SC100108", police=force)
    pages.sign_in(make.user("police", police=force))
    soup = pages.get("/police-records/new")
    form = soup.select_one("form[data-module=app-short-path]")
    hidden = {
        tag["name"]
        for section in form.select("[data-app-not-for-excluded]")
        for tag in section.select("[name]")
    }
    assert hidden == {"arrested", "outcome"}
    # Without JavaScript both are sent, even wrong: neither checked nor kept.
    data = _police_form(home, category="missing", arrested="perhaps", outcome="nonsense")
    assert not error_messages(pages.post("/police-records/new", data))
    record = db.session.scalar(select(Callout)).police_record
    assert (record.category, record.arrested, record.outcome) == ("missing", None, None)
    # Any other category still asks both.
    data = _police_form(home, police_reference="DP-2", arrested="", outcome="")
    messages = error_messages(pages.post("/police-records/new", data))
    assert "Select whether the child was arrested" in messages
