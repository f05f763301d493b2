"""A provider files, lists, opens and corrects call-outs for their own homes only."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Callout, Report, ReportRevision
from tests.conftest import error_messages


def _valid_form(home, **overrides):
    data = {
        "home_id": str(home.id),
        "occurred_day": "1",
        "occurred_month": "4",
        "occurred_year": "2026",
        "occurred_time": "00:30",
        "category": "criminal_damage",
        "child_reference": "lcs-104233",
        "placing_authority": "E06000059",
        "child_sex": "female",
        "child_age": "15",
        "caller_role": "home_staff",
        "child_role": "alleged_perpetrator",
        "immediate_risk": "yes",
        "immediate_risk_reason": "Throwing furniture at staff",
        "deescalation": ["verbal", "space_time"],
        "police_attended": "yes",
        "police_reference": "DP-2026-0001",
        "injuries_damage": "Broken window",
        "restorative": "planned",
        "ofsted_notified": "no",
        "description": "",
    }
    data.update(overrides)
    return data


def test_provider_files_a_callout_in_london_time(pages, make):
    home = make.home("SC100001")
    provider = make.user("provider", homes=[home])
    pages.sign_in(provider)
    pages.get("/callouts/new")
    soup = pages.post("/callouts/new", _valid_form(home))
    assert "Call-out" in soup.h1.get_text()
    callout = db.session.scalar(select(Callout))
    assert callout.month == "2026-04"  # 00:30 BST on 1 April is 23:30 UTC on 31 March
    assert callout.occurred_at == datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert callout.child_reference == "LCS-104233"
    assert callout.in_scope is True
    report = callout.home_report
    assert report.source == "home"
    assert report.filed_by_id == provider.id
    assert report.deescalation == ["verbal", "space_time"]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "callout_created")
        )
        == 1
    )


def test_invalid_form_shows_linked_errors_and_stores_nothing(pages, make):
    home = make.home("SC100002")
    pages.sign_in(make.user("provider", homes=[home]))
    data = _valid_form(
        home,
        occurred_day="31",
        occurred_month="2",
        category="",
        child_reference="Jane Smith",
        immediate_risk_reason="",
        deescalation=["none", "verbal"],
    )
    soup = pages.post("/callouts/new", data)
    messages = error_messages(soup)
    assert "Date of the call-out must be a real date" in messages
    assert "Select what the call-out was about" in messages
    assert any(m.startswith("Child reference must be") for m in messages)
    assert "Describe the immediate risk" in messages
    assert "Select ‘None’ on its own, or the de-escalation tried" in messages
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_missing_person_callout_needs_only_minimal_fields_and_is_excluded(pages, make):
    home = make.home("SC100003")
    pages.sign_in(make.user("provider", homes=[home]))
    data = {
        "home_id": str(home.id),
        "occurred_day": "12",
        "occurred_month": "1",
        "occurred_year": "2026",
        "occurred_time": "22:15",
        "category": "missing",
    }
    pages.post("/callouts/new", data)
    callout = db.session.scalar(select(Callout))
    assert callout.in_scope is False
    assert callout.category == "missing"


def test_time_in_the_spring_gap_is_refused(pages, make):
    home = make.home("SC100004")
    pages.sign_in(make.user("provider", homes=[home]))
    soup = pages.post(
        "/callouts/new",
        _valid_form(home, occurred_day="29", occurred_month="3", occurred_time="01:30"),
    )
    assert any("did not happen" in m for m in error_messages(soup))


def test_provider_cannot_see_another_homes_callout(pages, make):
    mine, theirs = make.home("SC100005"), make.home("SC100006")
    other = make.home_report(theirs, datetime(2026, 5, 2, 20, 0))
    own = make.home_report(mine, datetime(2026, 5, 3, 20, 0))
    pages.sign_in(make.user("provider", homes=[mine]))
    listing = pages.get("/callouts/")
    links = [a["href"] for a in listing.select("table a")]
    assert f"/callouts/{own.id}" in links and f"/callouts/{other.id}" not in links
    pages.get(f"/callouts/{other.id}", status=404)
    pages.get(f"/callouts/{other.id}/home-report/edit", status=404)
    response = pages.raw_post(f"/callouts/{other.id}/home-report/edit", _valid_form(mine))
    assert response.status_code == 404
    # Filing against another home's id is refused too.
    soup = pages.post("/callouts/new", _valid_form(theirs))
    assert "Select the home" in error_messages(soup)


def test_correction_keeps_history(pages, make):
    home = make.home("SC100007")
    provider = make.user("provider", homes=[home])
    pages.sign_in(provider)
    pages.post("/callouts/new", _valid_form(home))
    callout = db.session.scalar(select(Callout))
    form = pages.get(f"/callouts/{callout.id}/home-report/edit")
    assert form.find("input", attrs={"name": "child_reference"})["value"] == "LCS-104233"
    pages.post(
        f"/callouts/{callout.id}/home-report/edit",
        _valid_form(home, category="assault_staff", occurred_time="01:15", reason="Wrong category"),
    )
    db.session.expire_all()
    revision = db.session.scalar(select(ReportRevision))
    assert revision.changes["category"] == ["criminal_damage", "assault_staff"]
    assert "occurred_at" in revision.changes
    assert revision.changed_by_id == provider.id
    page = pages.get(f"/callouts/{callout.id}")
    assert "History of corrections" in page.get_text()
    assert db.session.get(Callout, callout.id).category == "assault_staff"


def test_list_filters_and_paginates_newest_first(pages, make, app):
    home_a, home_b = make.home("SC100008"), make.home("SC100009")
    for day in range(1, 31):
        make.home_report(home_a, datetime(2026, 6, day, 12, 0))
    make.home_report(home_b, datetime(2026, 5, 5, 12, 0), category="theft")
    pages.sign_in(make.user("provider", homes=[home_a, home_b]))
    first = pages.get("/callouts/")
    assert "31 call-outs" in first.get_text()
    dates = [row.select("td")[1].get_text() for row in first.select("tbody tr")]
    assert dates[0].startswith("30 Jun 2026") and len(dates) == 25
    second = pages.get("/callouts/?page=2")
    assert len(second.select("tbody tr")) == 6
    assert "1 call-out" in pages.get("/callouts/?category=theft").get_text()
    assert "30 call-outs" in pages.get(f"/callouts/?home={home_a.id}&month=2026-06").get_text()
    assert "0 call-outs" in pages.get("/callouts/?month=2026-07").get_text()


def test_a_correction_asks_why_and_one_that_changes_nothing_says_so(pages, make):
    home = make.home("SC100017")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.post("/callouts/new", _valid_form(home))
    callout = db.session.scalar(select(Callout))
    url = f"/callouts/{callout.id}/home-report/edit"
    pages.get(url)
    soup = pages.post(url, _valid_form(home, category="threats_abuse"))
    assert error_messages(soup) == ["Enter why you are correcting the report"]
    soup = pages.post(url, _valid_form(home, reason="Checked it again"))
    assert "You did not change anything in the home report" in soup.get_text()
    assert db.session.scalar(select(ReportRevision)) is None
    soup = pages.post(url, _valid_form(home, category="threats_abuse", reason="Staff threatened"))
    text = " ".join(soup.get_text().split())
    assert "Your correction of the home report is saved" in text
    assert "Criminal damage in the home" in text and "Threats or verbal abuse" in text
    assert "“Staff threatened”" in text and "threats_abuse" not in text
