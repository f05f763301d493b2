"""Police file records of attendances; each is matched with the home's report of the same
incident, so the call-out is counted once and both sides stay visible."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Callout, Flag, Report, ReportRevision, Review
from protocol_monitor.services import matching
from tests.conftest import error_messages
from tests.integration.test_provider_callouts import _valid_form


def _police_form(home, **overrides):
    data = {
        "police_reference": "dp-2026-0001",
        "home_id": str(home.id),
        "occurred_day": "1",
        "occurred_month": "4",
        "occurred_year": "2026",
        "occurred_time": "01:15",
        "child_reference": "LCS-104233",
        "placing_authority": "E06000059",
        "category": "assault_staff",
        "police_attended": "yes",
        "arrested": "no",
        "outcome": "pending",
    }
    data.update(overrides)
    return data


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_police_record_filed_first_then_home_report_matches_it(pages, make):
    force = make.force()
    home = make.home("SC200001", police=force)
    officer = make.user("police", police=force)
    provider = make.user("provider", homes=[home])

    pages.sign_in(officer)
    pages.get("/police-records/new")
    soup = pages.post("/police-records/new", _police_form(home))
    assert "Call-out" in soup.h1.get_text()
    assert "Known from the police record only" in soup.get_text()
    assert _count(Callout) == 1
    police_callout = db.session.scalar(select(Callout))
    assert police_callout.police_reference == "DP-2026-0001"
    assert police_callout.outcome == "pending"

    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(provider)
    # The home files 45 minutes earlier, without the police reference: same child, within 2 hours.
    soup = pages.post(
        "/callouts/new", _valid_form(home, police_reference="", occurred_time="00:30")
    )
    db.session.expire_all()
    assert _count(Callout) == 1
    callout = db.session.scalar(select(Callout))
    assert callout.id == police_callout.id
    assert {r.source for r in callout.reports} == {"home", "police"}
    # The home's category and time stand; the police outcome stands.
    assert callout.category == "criminal_damage"
    assert callout.occurred_at == datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert callout.outcome == "pending"
    # Filing confirms it, then the call-out's page shows both reports.
    assert soup.h1.get_text(strip=True) == f"Call-out {callout.id} filed"
    soup = pages.get(f"/callouts/{callout.id}")
    text = soup.get_text()
    assert f"Call-out {callout.id}" in soup.h1.get_text()
    assert "The two reports disagree" in text
    assert "Assault on staff" in text and "Criminal damage in the home" in text
    rows = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in soup.select("#disagreements + p + .app-table-wrap table tbody tr")
    }
    assert rows["Category"] == ["Criminal damage in the home", "Assault on staff"]
    assert rows["Time"] == ["1 Apr 2026 00:30", "1 Apr 2026 01:15"]
    assert "Child reference" not in rows
    assert _count(AuditEvent, AuditEvent.action == "callout_matched") == 1


def test_home_report_first_then_police_record_matches_by_reference(pages, make):
    force = make.force()
    home = make.home("SC200002", police=force)
    provider = make.user("provider", homes=[home])
    officer = make.user("police", police=force)
    pages.sign_in(provider)
    pages.post("/callouts/new", _valid_form(home, police_reference="DP-77"))
    home_callout_id = db.session.scalar(select(Callout.id))

    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(officer)
    # Different child reference and a day later, but the same police reference.
    soup = pages.post(
        "/police-records/new",
        _police_form(home, police_reference="DP-77", occurred_day="2", child_reference=""),
    )
    db.session.expire_all()
    assert _count(Callout) == 1
    callout = db.session.scalar(select(Callout))
    assert callout.id == home_callout_id
    assert callout.police_record is not None and callout.home_report is not None
    assert "matched with the home" in soup.get_text()


def test_police_record_at_another_home_does_not_match(pages, make):
    force = make.force()
    home, other = make.home("SC200003", police=force), make.home("SC200004", police=force)
    make.home_report(home, datetime(2026, 4, 1, 0, 30), child_reference="LCS-104233")
    officer = make.user("police", police=force)
    pages.sign_in(officer)
    pages.post("/police-records/new", _police_form(other))
    assert _count(Callout) == 2


def test_duplicate_police_reference_at_the_same_home_is_refused(pages, make):
    force = make.force()
    home = make.home("SC200005", police=force)
    officer = make.user("police", police=force)
    pages.sign_in(officer)
    pages.post("/police-records/new", _police_form(home))
    soup = pages.post("/police-records/new", _police_form(home, occurred_day="3"))
    assert error_messages(soup) == [
        "A police record with reference DP-2026-0001 already exists for this home: "
        "find it in the call-outs and update its outcome instead"
    ]
    assert _count(Report) == 1


def test_police_record_form_errors_are_linked(pages, make):
    force = make.force()
    home = make.home("SC200006", police=force)
    pages.sign_in(make.user("police", police=force))
    soup = pages.post(
        "/police-records/new",
        _police_form(home, police_reference="", category="", outcome="", occurred_day=""),
    )
    assert error_messages(soup) == [
        "Enter the police reference",
        "Date of the call-out must include a day",
        "Select what the call-out was about",
        "Select the outcome, or ‘Not yet known’ if it is pending",
    ]
    assert _count(Report) == 0


def test_police_cannot_file_for_a_home_outside_their_force(pages, make):
    home = make.home("SC200007", police=make.force("E23000001", "Other Police"))
    pages.sign_in(make.user("police", police=make.force()))
    soup = pages.post("/police-records/new", _police_form(home))
    assert error_messages(soup) == ["Select the home"]
    assert _count(Report) == 0


def test_provider_cannot_file_police_records(pages, make):
    home = make.home("SC200008")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get("/police-records/new", status=403)


def test_police_update_the_pending_outcome_and_the_history_keeps_it(pages, make):
    force = make.force()
    home = make.home("SC200009", police=force)
    officer = make.user("police", police=force)
    pages.sign_in(officer)
    pages.post("/police-records/new", _police_form(home))
    callout = db.session.scalar(select(Callout))
    url = f"/callouts/{callout.id}/police-record/edit"
    soup = pages.get(url)
    assert soup.find("input", attrs={"name": "outcome", "value": "pending"}).has_attr("checked")
    soup = pages.post(
        url, {"arrested": "yes", "outcome": "youth_caution", "reason": "Outcome decided"}
    )
    db.session.expire_all()
    callout = db.session.get(Callout, callout.id)
    assert callout.outcome == "youth_caution"
    assert callout.arrested is True
    assert callout.criminal_outcome is True
    revision = db.session.scalar(select(ReportRevision))
    assert revision.changes == {"arrested": [False, True], "outcome": ["pending", "youth_caution"]}
    assert revision.changed_by_id == officer.id
    assert "History of corrections" in soup.get_text()


def test_provider_cannot_see_another_homes_police_record(pages, make):
    force = make.force()
    home, other = make.home("SC200010", police=force), make.home("SC200011", police=force)
    pages.sign_in(make.user("police", police=force))
    pages.post("/police-records/new", _police_form(other))
    callout_id = db.session.scalar(select(Callout.id))
    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get(f"/callouts/{callout_id}", status=404)
    pages.get(f"/callouts/{callout_id}/police-record/edit", status=404)
    listing = pages.get("/callouts/")
    assert "SC200011" not in listing.get_text()


def test_matching_carries_flags_and_review_onto_the_surviving_callout(app, make):
    force = make.force()
    home = make.home("SC200012", police=force)
    police_side = make.home_report(home, datetime(2026, 5, 1, 22, 0), category="theft")
    police_report = police_side.reports[0]
    police_report.source = "police"
    police_report.police_reference = "DP-9"
    home_side = make.home_report(home, datetime(2026, 5, 1, 23, 30), category="theft")
    flag = Flag(
        rule="repeat_home",
        subject_key=f"repeat_home:{home.id}:2026-05",
        home_id=home.id,
        month="2026-05",
        callouts=[home_side],
    )
    review = Review(callout=home_side, protocol_applied="appropriate", police_necessary="slow_time")
    db.session.add_all([flag, review])
    db.session.commit()
    home_side_id = home_side.id

    survivor = matching.match(home_side)
    db.session.commit()
    db.session.expire_all()
    assert survivor.id == police_side.id
    assert db.session.get(Callout, home_side_id) is None
    assert [c.id for c in db.session.get(Flag, flag.id).callouts] == [survivor.id]
    assert db.session.get(Review, review.id).callout_id == survivor.id
    assert {r.source for r in survivor.reports} == {"home", "police"}
    assert survivor.police_reference == "DP-9"


def test_a_correction_that_parts_a_matched_pair_splits_the_callout_and_rematches(pages, make):
    force = make.force()
    home = make.home("SC200020", police=force)
    officer, provider = make.user("police", police=force), make.user("provider", homes=[home])
    pages.sign_in(officer)
    pages.post("/police-records/new", _police_form(home, occurred_time="01:15"))
    pages.post(
        "/police-records/new",
        _police_form(home, police_reference="DP-2026-0777", occurred_time="09:00"),
    )
    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(provider)
    # The home's report (no police reference, same child, 45 minutes apart) matches the first.
    pages.post("/callouts/new", _valid_form(home, police_reference="", occurred_time="00:30"))
    db.session.expire_all()
    assert _count(Callout) == 2
    matched = db.session.scalar(select(Report).where(Report.source == "home")).callout
    first_police = matched.police_record
    assert first_police is not None

    # The home corrects its time to 08:40 and adds the police reference it was given: that is
    # the second record's reference, so it parts from the first and meets the second.
    edit = f"/callouts/{matched.id}/home-report/edit"
    pages.get(edit)
    soup = pages.post(
        edit,
        _valid_form(
            home,
            police_reference="DP-2026-0777",
            occurred_time="08:40",
            reason="Police reference given",
        ),
    )
    db.session.expire_all()
    assert _count(Callout) == 2
    home_report = db.session.scalar(select(Report).where(Report.source == "home"))
    now_with = home_report.callout
    assert now_with.police_record.police_reference == "DP-2026-0777"
    assert soup.h1.get_text(strip=True) == f"Call-out {now_with.id}"
    # The first police record stands alone again, counted once on its own call-out.
    alone = db.session.get(Report, first_police.id).callout
    assert alone.home_report is None and alone.police_record.id == first_police.id
    unmatched = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "callout_unmatched")
    )
    assert unmatched.changes["report_id"] == first_police.id
    assert _count(Report) == 3
