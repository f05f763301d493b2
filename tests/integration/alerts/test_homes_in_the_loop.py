"""Homes in the loop (issue 14, item 3): a home's staff are told — on their start page and by
email, through the outbox and the real SMTP sink — of a flag raised on their call-out, a review of
it completed, an action given to their home or to them, and the action falling due; each person
chooses these emails on their account page; an action the home owns is seen and updated by every
provider user linked to it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import Action, AuditEvent, Delivery, OutboxMessage
from protocol_monitor.services import flags, reviews
from protocol_monitor.services.relay import deliver_due
from tests.conftest import error_messages
from tests.support import alerts

CHILD = "LCS-5555"
TYPED = "Threatening staff with a chair"  # the call-out's free text (factories.home_report)
LEARNING = "Sam's social worker to join the next meeting"
ACTION = "Hold a restorative meeting with Sam"


def _mail(smtp) -> dict[str, list]:
    """Each recipient's emails: (subject, plain text, whole message)."""
    by: dict[str, list] = {}
    for envelope, message in zip(smtp.envelopes, smtp.messages, strict=True):
        text = message.get_body(preferencelist=("plain",)).get_content()
        for to in envelope.rcpt_tos:
            by.setdefault(to, []).append((message["Subject"], text, message.as_string()))
    smtp.envelopes.clear()
    smtp.messages.clear()
    return by


def _no_child_or_free_text(mail: dict[str, list]) -> None:
    for items in mail.values():
        for _subject, _text, whole in items:
            for secret in (CHILD, TYPED, LEARNING, ACTION, "Sam"):
                assert secret not in whole, secret


def _world(make):
    force = make.force()
    officer = make.user("police", police=force, email="officer@police.example")
    home = make.home("SC500001", name="Oak House", officer=officer)
    other = make.home("SC500002", name="Elm House", officer=officer)
    alice = make.user("provider", homes=[home], email="alice@oak.example")
    bob = make.user("provider", homes=[home], email="bob@oak.example")
    carol = make.user("provider", homes=[other], email="carol@elm.example")
    alerts.channel(
        f"authority:{home.host_authority_id}", email_recipients="safeguarding@council.example"
    )
    return officer, home, alice, bob, carol


def test_the_home_hears_of_the_flag_the_review_and_its_action_and_updates_it(make, pages, smtp):
    officer, home, alice, bob, carol = _world(make)

    # Bob wants no flag emails: he says so on his account page.
    pages.sign_in(bob)
    account = pages.get("/account/")
    assert "When a flag is raised" in account.get_text()
    form = pages.get("/account/emails")
    boxes = {i["value"]: i.has_attr("checked") for i in form.select("input[name=emails]")}
    assert boxes == {"email_flags": True, "email_reviews": True, "email_actions": True}
    pages.post("/account/emails", {"emails": ["email_reviews", "email_actions"]})
    db.session.refresh(bob)
    assert (bob.email_flags, bob.email_reviews, bob.email_actions) == (False, True, True)
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "email_choices_changed")
    ).changes == {"email_flags": [True, False]}

    # A call-out at Oak House with a charge raises a flag: the area's channel email and Alice.
    callout = make.home_report(
        home, datetime(2026, 5, 20, 12), child_reference=CHILD, arrested=True, outcome="charged"
    )
    (flag,) = flags.evaluate(callout)
    db.session.commit()
    assert deliver_due(utcnow())["delivered"] == 2
    mail = _mail(smtp)
    assert sorted(mail) == ["alice@oak.example", "safeguarding@council.example"]
    ((subject, text, _whole),) = mail["alice@oak.example"]
    assert subject == "Criminal outcome at Oak House"
    assert "Home: Oak House (SC500001)" in text
    assert f"http://localhost/flags/{flag.id}" in text
    _no_child_or_free_text(mail)

    # The police review it, giving one action to the home and one to the officer.
    pages.sign_in(officer)
    form = pages.get(f"/callouts/{callout.id}/review")
    owners = form.find("select", attrs={"name": "actions-0-owner_id"})
    assert owners.find("option", value="home").get_text() == "Oak House (the home)"
    done = pages.post(
        f"/callouts/{callout.id}/review",
        {
            "protocol_applied": "partly",
            "police_necessary": "slow_time",
            "police_response_proportionate": "yes",
            "outcome_proportionate": "not_known",
            "learning_points": LEARNING,
            "actions-0-text": ACTION,
            "actions-0-owner_id": "home",
            "actions-0-due_day": "1",
            "actions-0-due_month": "6",
            "actions-0-due_year": "2026",
            "actions-0-status": "open",
            "actions-1-text": "Check the charging decision",
            "actions-1-owner_id": str(officer.id),
            "actions-1-due_day": "15",
            "actions-1-due_month": "6",
            "actions-1-due_year": "2026",
            "actions-1-status": "open",
        },
    )
    assert error_messages(done) == []
    ours, officers = db.session.scalars(select(Action).order_by(Action.id)).all()
    assert (ours.owner_home_id, ours.owner_id) == (home.id, None)
    assert officers.owner_id == officer.id
    assert deliver_due(utcnow())["delivered"] == 5
    mail = _mail(smtp)
    subjects = {to: sorted(s for s, _t, _w in items) for to, items in mail.items()}
    reviewed = f"Call-out {callout.id} at Oak House has been reviewed"
    assert subjects == {
        "alice@oak.example": ["An action for Oak House", reviewed],
        "bob@oak.example": ["An action for Oak House", reviewed],
        "officer@police.example": ["An action for you at Oak House"],
    }
    review_text = next(t for s, t, _w in mail["alice@oak.example"] if s == reviewed)
    assert "Its learning points are on the call-out's page" in review_text
    assert f"http://localhost/callouts/{callout.id}#review" in review_text
    action_text = next(t for s, t, _w in mail["bob@oak.example"] if s != reviewed)
    assert "Owner: Your home" in action_text and "Due on 1 June 2026" in action_text
    assert f"http://localhost/actions/{ours.id}" in action_text
    _no_child_or_free_text(mail)
    deliveries = db.session.scalars(
        select(Delivery).join(OutboxMessage).where(OutboxMessage.kind == "action_given")
    ).all()
    assert sorted(d.destination for d in deliveries) == [
        "alice@oak.example",
        "bob@oak.example",
        "officer@police.example",
    ]
    assert all(d.status == "delivered" for d in deliveries)

    # Alice's start page: the flag, the review with its learning points, the home's action.
    pages.sign_in(alice)
    start = pages.get("/")
    assert "Criminal outcome at Oak House" in start.select_one("#flag-list").get_text()
    assert LEARNING in start.select_one("#review-list").get_text()
    row = start.select_one("#actions-table").get_text()
    assert ACTION in row and "Oak House (the home)" in row
    # She updates the home's action; Carol, at another home, cannot even see it.
    page = pages.get(f"/actions/{ours.id}")
    assert page.find("input", attrs={"name": "status", "value": "in_progress"}) is not None
    pages.post(f"/actions/{ours.id}", {"status": "in_progress", "note": "Booked for Friday"})
    db.session.refresh(ours)
    assert ours.status == "in_progress"
    assert (ours.events[-1].by_id, ours.events[-1].note) == (alice.id, "Booked for Friday")
    mine = pages.get("/actions/?owner=me")
    assert mine.select_one(f"#owner-home-{home.id}") is not None
    assert f"/actions/{officers.id}" not in str(mine)
    # The officer's own action is not hers to change.
    assert pages.raw_post(f"/actions/{officers.id}", {"status": "done"}).status_code == 403
    pages.sign_in(carol)
    pages.get(f"/actions/{ours.id}", status=404)

    # The daily job: the home's action is overdue from 2 June (London), told once, ever.
    second_of_june = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert reviews.queue_due_notices(second_of_june) == 1
    assert reviews.queue_due_notices(datetime(2026, 6, 3, 7, 0, tzinfo=UTC)) == 0
    assert deliver_due(utcnow())["delivered"] == 2
    mail = _mail(smtp)
    assert sorted(mail) == ["alice@oak.example", "bob@oak.example"]
    assert mail["alice@oak.example"][0][0] == "An action at Oak House is overdue"
    _no_child_or_free_text(mail)


def test_nobody_who_turned_the_email_off_gets_it(make, pages, smtp):
    officer, home, alice, bob, _carol = _world(make)
    for person in (alice, bob):
        pages.sign_in(person)
        pages.post("/account/emails", {})  # every box cleared
    bob.active = False
    db.session.commit()
    callout = make.home_report(home, datetime(2026, 5, 20, 12), outcome="charged")
    flags.evaluate(callout)
    reviews.record_review(
        officer,
        callout.id,
        {"protocol_applied": "appropriate", "police_necessary": "slow_time"},
        [{"text": "Visit", "owner_home": True, "due_on": date(2026, 6, 1)}],
    )
    deliver_due(utcnow())
    assert sorted(_mail(smtp)) == ["safeguarding@council.example"]
    statuses = dict(db.session.execute(select(OutboxMessage.kind, OutboxMessage.status)).all())
    assert statuses["home_flag"] == statuses["home_review"] == "not_configured"


def test_a_police_user_chooses_only_the_emails_about_their_actions(make, pages):
    officer, *_ = _world(make)
    pages.sign_in(officer)
    form = pages.get("/account/emails")
    assert [i["value"] for i in form.select("input[name=emails]")] == ["email_actions"]
    soup = pages.post("/account/emails", {"emails": ["email_flags"]})
    assert "Select the emails you want from the list" in soup.get_text()
