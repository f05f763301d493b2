"""Police and group review call-outs, agree actions, and the home sees the review."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import Action, ActionEvent, AuditEvent, OutboxMessage, Review
from protocol_monitor.services import reviews as service
from tests.conftest import error_messages

pytestmark = pytest.mark.usefixtures("app")


def _review_form(**overrides):
    data = {
        "protocol_applied": "partly",
        "police_necessary": "slow_time",
        "police_response_proportionate": "yes",
        "outcome_proportionate": "not_known",
        "learning_points": "Try space and time before calling",
        "actions-0-text": "",
        "actions-0-owner_id": "",
        "actions-0-due_day": "",
        "actions-0-due_month": "",
        "actions-0-due_year": "",
        "actions-0-status": "open",
    }
    data.update(overrides)
    return data


def _world(make):
    force = make.force()
    officer = make.user("police", police=force, email="officer@example.org")
    home = make.home("SC300001", officer=officer)
    other = make.home("SC300002", officer=officer)
    return force, officer, home, other


def test_queue_lists_unreviewed_in_scope_callouts_oldest_first_with_filters(pages, make):
    _force, officer, home, other = _world(make)
    newer = make.home_report(home, datetime(2026, 5, 20, 12))
    older = make.home_report(other, datetime(2026, 4, 2, 12), child_reference="LCS-7")
    missing = make.home_report(home, datetime(2026, 3, 1, 12), category="missing")
    pages.sign_in(officer)
    soup = pages.get("/reviews/")
    ids = [row.select("td a")[0].get_text() for row in soup.select("tbody tr")]
    assert ids == [str(older.id), str(newer.id)]
    assert str(missing.id) not in ids
    assert "1 call-out" in pages.get(f"/reviews/?home={home.id}").find(id="queue-count").text
    assert "1 call-out" in pages.get("/reviews/?month=2026-04").find(id="queue-count").text
    authority = home.host_authority_id
    assert "2 call-outs" in pages.get(f"/reviews/?authority={authority}").get_text()
    assert "0 call-outs" in pages.get("/reviews/?rule=repeat_child").get_text()
    pages.get(f"/callouts/{missing.id}/review", status=404)


def test_review_with_two_actions_then_the_home_sees_it(pages, make):
    force, officer, home, _other = _world(make)
    colleague = make.user("police", police=force, email="colleague@example.org")
    provider = make.user("provider", homes=[home])
    callout = make.home_report(home, datetime(2026, 5, 20, 12))
    pages.sign_in(officer)
    form = pages.get(f"/callouts/{callout.id}/review")
    selected = form.find("select", attrs={"name": "actions-0-owner_id"}).find(selected=True)
    assert selected["value"] == str(officer.id)  # the home's allocated officer by default
    # Ask for a second action row, without saving.
    first = {
        "actions-0-text": "Visit the home to talk through the protocol",
        "actions-0-owner_id": str(officer.id),
        "actions-0-due_day": "1",
        "actions-0-due_month": "6",
        "actions-0-due_year": "2026",
    }
    soup = pages.post(f"/callouts/{callout.id}/review", _review_form(**first, add_action="1"))
    assert soup.find("textarea", attrs={"name": "actions-1-text"}) is not None
    assert db.session.scalar(select(Review)) is None
    # An incomplete second action is refused with a linked error.
    second = {
        "actions-1-text": "Share the learning at the providers' forum",
        "actions-1-owner_id": str(colleague.id),
        "actions-1-due_day": "31",
        "actions-1-due_month": "2",
        "actions-1-due_year": "2026",
        "actions-1-status": "in_progress",
    }
    soup = pages.post(f"/callouts/{callout.id}/review", _review_form(**first, **second))
    assert error_messages(soup) == ["Due date of the action must be a real date"]
    second["actions-1-due_month"] = "7"
    second["actions-1-due_day"] = "15"
    pages.post(f"/callouts/{callout.id}/review", _review_form(**first, **second))
    review = db.session.scalar(select(Review))
    assert (review.protocol_applied, review.police_necessary) == ("partly", "slow_time")
    assert review.police_response_proportionate is True and review.outcome_proportionate is None
    assert [(a.owner_id, a.due_on, a.status) for a in review.actions] == [
        (officer.id, date(2026, 6, 1), "open"),
        (colleague.id, date(2026, 7, 15), "in_progress"),
    ]
    assert pages.get("/reviews/").find(id="queue-count").text.startswith("0 call-outs")

    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(provider)
    page = pages.get(f"/callouts/{callout.id}")
    assert "Try space and time before calling" in page.get_text()
    assert len(page.select("#review-actions tbody tr")) == 2
    assert "Review this call-out" not in page.get_text()
    pages.get(f"/callouts/{callout.id}/review", status=403)


def test_review_form_errors_are_linked(pages, make):
    _force, officer, home, _other = _world(make)
    callout = make.home_report(home, datetime(2026, 5, 20, 12))
    pages.sign_in(officer)
    soup = pages.post(
        f"/callouts/{callout.id}/review",
        _review_form(protocol_applied="", **{"actions-0-due_day": "3"}),
    )
    assert error_messages(soup) == [
        "Select whether the protocol was applied",
        "Enter what the action is",
        "Due date of the action must be a real date",
    ]


def test_group_reviews_without_free_text_and_sees_reviews(pages, make):
    _force, _officer, home, _other = _world(make)
    group = make.user("group", authorities=[home.host_authority])
    callout = make.home_report(home, datetime(2026, 5, 20, 12))
    pages.sign_in(group)
    page = pages.get(f"/callouts/{callout.id}")
    assert "Threatening staff with a chair" not in page.get_text()
    pages.post(f"/callouts/{callout.id}/review", _review_form())
    page = pages.get(f"/callouts/{callout.id}")
    assert "Try space and time before calling" in page.get_text()
    assert "Threatening staff with a chair" not in page.get_text()


def test_action_status_history_and_overdue_first(pages, make):
    _force, officer, home, _other = _world(make)
    callout = make.home_report(home, datetime(2026, 5, 20, 12))
    service.record_review(
        officer,
        callout.id,
        {
            "protocol_applied": "appropriate",
            "police_necessary": "yes_immediate_risk",
            "police_response_proportionate": True,
            "outcome_proportionate": True,
        },
        [
            {"text": "Later", "owner_id": None, "due_on": date(2099, 1, 1), "status": "open"},
            {"text": "Late", "owner_id": None, "due_on": date(2020, 1, 1), "status": "open"},
        ],
    )
    later, late = db.session.scalars(select(Action).order_by(Action.id)).all()
    assert later.owner_id == officer.id  # defaulted to the allocated officer
    pages.sign_in(officer)
    listing = pages.get("/actions/")
    rows = listing.select(f"#owner-{officer.id} tbody tr")
    assert [r.select("td a")[0].text for r in rows] == [f"Action {late.id}", f"Action {later.id}"]
    assert "Overdue" in rows[0].text and "Overdue" not in rows[1].text
    pages.get(f"/actions/{late.id}")
    soup = pages.post(f"/actions/{late.id}", {"status": "open", "note": ""})
    assert error_messages(soup) == ["Select a different status, or enter a note"]
    pages.post(f"/actions/{late.id}", {"status": "in_progress", "note": "Visit booked"})
    pages.post(f"/actions/{late.id}", {"status": "done", "note": ""})
    events = db.session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == late.id).order_by(ActionEvent.id)
    ).all()
    assert [(e.status, e.note, e.by_id) for e in events] == [
        ("open", "Action agreed", officer.id),
        ("in_progress", "Visit booked", officer.id),
        ("done", None, officer.id),
    ]
    history = pages.get(f"/actions/{late.id}").select("#action-history tbody tr")
    assert len(history) == 3 and "Visit booked" in history[1].text
    assert f"Action {late.id}" not in pages.get("/actions/").get_text()
    assert f"Action {late.id}" in pages.get("/actions/?closed=yes").get_text()
    audited = {e.action for e in db.session.scalars(select(AuditEvent))}
    assert {"review_recorded", "action_created", "action_status_changed"} <= audited


def test_overdue_reminders_once_per_action_per_london_day(make):
    _force, officer, home, _other = _world(make)
    callout = make.home_report(home, datetime(2026, 5, 20, 12))
    service.record_review(
        officer,
        callout.id,
        {
            "protocol_applied": "appropriate",
            "police_necessary": "slow_time",
            "police_response_proportionate": False,
            "outcome_proportionate": None,
        },
        [
            {"text": "Due 1 June", "due_on": date(2026, 6, 1), "status": "open"},
            {"text": "Done already", "due_on": date(2026, 6, 1), "status": "done"},
        ],
    )
    # 23:30 UTC on 1 June is 00:30 BST on 2 June: the action due on 1 June is overdue.
    assert service.queue_overdue_reminders(datetime(2026, 6, 1, 22, 30, tzinfo=UTC)) == 0
    assert service.queue_overdue_reminders(datetime(2026, 6, 1, 23, 30, tzinfo=UTC)) == 1
    assert service.queue_overdue_reminders(datetime(2026, 6, 2, 12, 0, tzinfo=UTC)) == 0
    assert service.queue_overdue_reminders(datetime(2026, 6, 3, 12, 0, tzinfo=UTC)) == 1
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "action_reminder")
        .order_by(OutboxMessage.id)
    ).all()
    action = db.session.scalar(select(Action).where(Action.status == "open"))
    assert [m.idempotency_key for m in messages] == [
        f"action:{action.id}:overdue:2026-06-02",
        f"action:{action.id}:overdue:2026-06-03",
    ]
    assert "Due 1 June" not in str(messages[0].payload)  # no free text in a notice
    assert messages[0].payload["link_path"] == f"/actions/{action.id}"


def test_provider_cannot_see_reviews_or_actions_of_another_home(pages, make):
    _force, officer, home, other = _world(make)
    provider = make.user("provider", homes=[home])
    theirs = make.home_report(other, datetime(2026, 5, 20, 12))
    review = service.record_review(
        officer,
        theirs.id,
        {
            "protocol_applied": "appropriate",
            "police_necessary": "slow_time",
            "police_response_proportionate": True,
            "outcome_proportionate": True,
        },
        [{"text": "Secret", "due_on": date(2026, 6, 1), "status": "open"}],
    )
    action_id = review.actions[0].id
    pages.sign_in(provider)
    pages.get(f"/callouts/{theirs.id}", status=404)
    pages.get(f"/actions/{action_id}", status=404)
    assert "Secret" not in pages.get("/actions/").get_text()
    assert pages.raw_post(f"/actions/{action_id}", {"status": "done"}).status_code == 404
    pages.get("/reviews/", status=403)
    nav = [
        a.get_text(strip=True) for a in pages.get("/actions/").select(".govuk-service-navigation a")
    ]
    assert "Reviews" not in nav and "Actions" in nav
