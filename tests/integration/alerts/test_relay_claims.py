"""An alert is posted once even when relays race, die mid-send or lose Slack's answer.

Every change the relay makes to a delivery is conditioned on holding its claim; a recovered claim
is renewed (new token and new claim time) in one conditional update; a Slack post is never resent
by the client library, only by the relay after it has read the channel's history.
"""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from protocol_monitor.alerts import slack as slack_sender
from protocol_monitor.db import db, utcnow
from protocol_monitor.models import Delivery
from protocol_monitor.services import relay
from protocol_monitor.services.alert_routing import route_pending
from tests.support import alerts
from tests.support.peers import RESET, MockSlack, Scripted

HISTORY, POST = "conversations.history", "chat.postMessage"


def _slack_alert(make, now: datetime) -> Delivery:
    """One flag alert routed to an authority's Slack channel, due at ``now``."""
    home = make.home("SC700001", name="Ash House")
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home))
    route_pending(now)
    return db.session.scalar(select(Delivery))


def _left_sending(make, now: datetime) -> Delivery:
    """A delivery a relay claimed at ``now`` and then died holding, before it posted."""
    delivery = _slack_alert(make, now)
    delivery.status = "sending"
    delivery.claimed_at = now
    delivery.claim_token = "dead-relay"
    delivery.attempt_count = 1
    db.session.commit()
    return delivery


class Relay(threading.Thread):
    """One relay process's pass (``deliver_due``), in a thread with its own session."""

    def __init__(self, app, slack: MockSlack, now: datetime) -> None:
        super().__init__(daemon=True)
        self.app, self.slack, self.now = app, slack, now
        self.counts = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            try:
                self.counts = relay.deliver_due(self.now)
            except BaseException as error:  # reported by the test, not lost in the thread
                self.error = error
            finally:
                db.session.remove()
                self.done.set()
                self.slack.notify()


def test_two_relays_recovering_one_send_against_a_slow_slack_post_it_once(app, make, slack):
    start = utcnow()
    _left_sending(make, start)
    later = start + timedelta(minutes=6)  # past the 5-minute lease
    slack.hold(HISTORY)
    slack.hold(POST)

    first = Relay(app, slack, later)
    first.start()
    slack.wait_until(lambda: slack.waiting(HISTORY) == 1)  # the first relay asks Slack, slowly
    second = Relay(app, slack, later)
    second.start()
    # The second relay must see the renewed claim and leave it alone; with the fault it also
    # recovers the delivery and asks Slack's history.
    slack.wait_until(lambda: second.done.is_set() or slack.waiting(HISTORY) == 2)
    slack.release(HISTORY)  # the first relay learns it was never posted, and posts (slowly)
    slack.wait_until(lambda: slack.waiting(POST) == 1)
    slack.release(HISTORY)  # the second relay's check, if it made one
    slack.wait_until(lambda: second.done.is_set() or slack.waiting(POST) == 2)
    slack.release_all()
    for thread in (first, second):
        thread.join()
        assert thread.error is None, thread.error

    assert len(slack.history["C0AUTHORITY"]) == 1
    assert len(slack.calls(POST)) == 1
    assert len(slack.calls(HISTORY)) == 1
    assert first.counts["recovered_retry"] == 1
    assert first.counts["delivered"] == 1
    assert second.counts == {}
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.status, delivery.claim_token) == ("delivered", None)
    assert delivery.external_id == slack.history["C0AUTHORITY"][0]["ts"]
    assert [a.result for a in delivery.attempts] == ["retry", "delivered"]


def test_a_recovered_claim_is_renewed_with_its_new_token(app, make, slack):
    start = utcnow()
    _left_sending(make, start)
    later = start + timedelta(minutes=6)
    slack.hold(HISTORY)
    recovering = Relay(app, slack, later)
    recovering.start()
    slack.wait_until(lambda: slack.waiting(HISTORY) == 1)

    # While the recovering relay waits for Slack, the claim it holds is its own and current.
    db.session.expire_all()
    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == "sending"
    assert delivery.claim_token not in (None, "dead-relay")
    assert delivery.claimed_at == later
    db.session.commit()
    assert relay.recover_stale(later + timedelta(minutes=1)) == {}  # not stale: left alone

    slack.release_all()
    recovering.join()
    assert recovering.error is None, recovering.error
    assert len(slack.history["C0AUTHORITY"]) == 1


def test_a_relay_that_lost_its_claim_changes_nothing(app, make, slack):
    """A relay whose claim was taken over (it was too slow) records neither state nor attempt."""
    start = utcnow()
    delivery = _slack_alert(make, start)
    slack.hold(POST)
    slow = Relay(app, slack, start)
    slow.start()
    slack.wait_until(lambda: slack.waiting(POST) == 1)
    # Meanwhile the delivery was taken over and delivered by another relay.
    db.session.commit()
    db.session.execute(
        Delivery.__table__.update()
        .where(Delivery.id == delivery.id)
        .values(status="delivered", claim_token=None, external_id="1.000001")
    )
    db.session.commit()

    slack.release_all()
    slow.join()
    assert slow.error is None, slow.error
    assert slow.counts["claim_lost"] == 1
    db.session.expire_all()
    delivery = db.session.get(Delivery, delivery.id)
    assert (delivery.status, delivery.external_id) == ("delivered", "1.000001")
    assert delivery.attempts == []


def test_a_connection_reset_after_slack_took_the_post_does_not_post_twice(make, slack):
    start = utcnow()
    _slack_alert(make, start)
    slack.script(POST, RESET)  # Slack posts it, then the connection drops before the answer

    counts = relay.deliver_due(start)
    assert len(slack.calls(POST)) == 1  # the client library did not resend it
    assert counts["unconfirmed"] == 1
    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == "pending"
    assert [a.result for a in delivery.attempts] == ["unconfirmed"]
    assert "may have been posted" in delivery.attempts[0].error

    assert relay.deliver_due(start + timedelta(seconds=29)) == {}  # backoff as for any retry
    counts = relay.deliver_due(start + timedelta(seconds=30))
    assert counts["delivered"] == 1
    assert len(slack.calls(HISTORY)) == 1  # the relay looked before sending again
    assert len(slack.calls(POST)) == 1
    assert len(slack.history["C0AUTHORITY"]) == 1
    db.session.expire_all()
    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == "delivered"
    assert delivery.external_id == slack.history["C0AUTHORITY"][0]["ts"]
    assert [a.result for a in delivery.attempts] == ["unconfirmed", "delivered"]
    assert delivery.attempts[1].error == "Found already posted after an unconfirmed send"


def test_a_connection_reset_before_slack_took_the_post_sends_it_after_looking(make, slack):
    start = utcnow()
    _slack_alert(make, start)
    slack.script(POST, RESET)
    relay.deliver_due(start)
    slack.history["C0AUTHORITY"].clear()  # as if Slack had dropped it before posting

    counts = relay.deliver_due(start + timedelta(seconds=30))
    assert counts["delivered"] == 1
    assert len(slack.calls(HISTORY)) == 1
    assert len(slack.calls(POST)) == 2
    assert len(slack.history["C0AUTHORITY"]) == 1


def test_alerts_grouped_into_an_unconfirmed_post_wait_for_its_check(make, slack):
    start = utcnow()
    home = make.home("SC700002", name="Birch House")
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home, "repeat_home"))
    alerts.flag_alert(alerts.flag(home, "criminal_outcome"))
    slack.script(POST, RESET)
    assert relay.deliver_due(start) == {"routed": 2, "unconfirmed": 1}

    def statuses():
        db.session.expire_all()
        return [d.status for d in db.session.scalars(select(Delivery).order_by(Delivery.id))]

    # The second alert went in the same post: it waits with it, never on its own.
    assert statuses() == ["pending", "carried"]
    assert relay.deliver_due(start + timedelta(seconds=29)) == {}
    assert relay.deliver_due(start + timedelta(seconds=30)) == {"delivered": 1}
    assert statuses() == ["delivered", "grouped"]
    assert len(slack.calls(POST)) == 1
    assert len(slack.history["C0AUTHORITY"]) == 1


def test_alerts_grouped_into_an_unconfirmed_post_that_never_arrived_go_again_together(make, slack):
    start = utcnow()
    home = make.home("SC700003", name="Cedar House")
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home, "repeat_home"))
    alerts.flag_alert(alerts.flag(home, "criminal_outcome"))
    slack.script(POST, RESET)
    relay.deliver_due(start)
    slack.history["C0AUTHORITY"].clear()  # Slack had not taken it after all

    assert relay.deliver_due(start + timedelta(seconds=30)) == {"delivered": 1}
    (post,) = slack.history["C0AUTHORITY"]
    assert post["text"].startswith("2 alerts:")
    db.session.expire_all()
    statuses = [d.status for d in db.session.scalars(select(Delivery).order_by(Delivery.id))]
    assert statuses == ["delivered", "grouped"]


def test_a_gateway_error_without_slacks_answer_is_unconfirmed_but_slacks_own_error_is_not(
    make, slack
):
    start = utcnow()
    _slack_alert(make, start)
    slack.script(
        POST,
        Scripted(500, {"ok": False, "error": "internal_error"}),  # Slack said no: not posted
        Scripted(502, {}),  # a proxy's answer: Slack may have taken it
    )
    assert relay.deliver_due(start)["retry"] == 1
    assert relay.deliver_due(start + timedelta(seconds=30))["unconfirmed"] == 1
    assert relay.deliver_due(start + timedelta(seconds=90))["delivered"] == 1
    assert len(slack.calls(HISTORY)) == 1  # looked once, after the 502 only
    delivery = db.session.scalar(select(Delivery))
    assert [(a.result, a.http_status) for a in delivery.attempts] == [
        ("retry", 500),
        ("unconfirmed", 502),
        ("delivered", 200),
    ]


def test_a_refused_connection_is_retried_without_looking(app, make, slack):
    start = utcnow()
    _slack_alert(make, start)
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(slack_api_url=f"http://127.0.0.1:{port}/api/")
    assert relay.deliver_due(start)["retry"] == 1
    app.config["SETTINGS"] = settings
    assert relay.deliver_due(start + timedelta(seconds=30))["delivered"] == 1
    assert slack.calls(HISTORY) == []
    delivery = db.session.scalar(select(Delivery))
    assert delivery.attempts[0].error.startswith("Could not reach Slack")


def test_an_unconfirmed_post_whose_history_cannot_be_read_is_failed_not_resent(make, slack):
    start = utcnow()
    _slack_alert(make, start)
    slack.script(POST, RESET)
    slack.script(HISTORY, Scripted(200, {"ok": False, "error": "missing_scope"}))
    relay.deliver_due(start)
    assert relay.deliver_due(start + timedelta(seconds=30))["failed"] == 1
    assert len(slack.calls(POST)) == 1
    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == "failed"
    assert delivery.last_error.startswith(
        "Slack's history could not be checked after an unconfirmed send"
    )


def test_the_history_check_reads_past_the_first_page(make, slack):
    """A busy channel: 450 messages came after the post whose answer was lost, so it is on
    the history's third page of 200 (newest first)."""
    start = utcnow()
    _slack_alert(make, start)
    slack.script(POST, RESET)
    relay.deliver_due(start)
    slack.chatter("C0AUTHORITY", 450)

    assert relay.deliver_due(start + timedelta(seconds=30))["delivered"] == 1
    assert len(slack.calls(POST)) == 1
    assert len(slack.calls(HISTORY)) == 3


def test_a_history_too_long_to_read_is_failed_not_resent(make, slack):
    start = utcnow()
    _slack_alert(make, start)
    slack.script(POST, RESET)
    relay.deliver_due(start)
    slack.chatter("C0AUTHORITY", 200 * slack_sender.HISTORY_PAGES)

    assert relay.deliver_due(start + timedelta(seconds=30))["failed"] == 1
    assert len(slack.calls(HISTORY)) == slack_sender.HISTORY_PAGES
    assert len(slack.calls(POST)) == 1
    delivery = db.session.scalar(select(Delivery))
    assert "more than 2000 messages since it was sent" in delivery.last_error
