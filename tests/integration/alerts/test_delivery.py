"""The relay delivers each outbox message once per destination, through real local peers."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import select

from protocol_monitor.alerts import slack as slack_sender
from protocol_monitor.db import db, utcnow
from protocol_monitor.models import Delivery, DeliveryAttempt, OutboxMessage
from protocol_monitor.rules.alerts import compose
from protocol_monitor.services.relay import deliver_due
from tests.support import alerts
from tests.support.peers import Scripted


def _home_with_channel(make, **channel_fields):
    officer = make.user("police", police=make.force())
    officer.slack_user_id = "UOFFICER1"
    db.session.commit()
    home = make.home("SC200001", name="Oak House", officer=officer)
    alerts.channel(f"authority:{home.host_authority_id}", **channel_fields)
    return home


def test_flag_alert_is_posted_once_with_blocks_buttons_and_no_child_reference(make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    flag = alerts.flag(home)
    alerts.flag_alert(flag, child_reference="LCS-104233")

    counts = deliver_due(utcnow())
    assert counts["delivered"] == 1
    assert deliver_due(utcnow() + timedelta(hours=1))["delivered"] == 0

    posts = slack.calls("chat.postMessage")
    assert len(posts) == 1
    params = posts[0].params
    assert params["channel"] == "C0AUTHORITY"
    assert posts[0].headers["authorization"] == "Bearer xoxb-test-token"
    assert "LCS-104233" not in json.dumps(params)
    blocks = params["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "context", "actions"]
    assert blocks[0]["text"]["text"] == "Flag raised: Repeat call-outs from one home"
    assert [f["text"] for f in blocks[1]["fields"]] == [
        "Home: Oak House (SC200001)",
        "Call-outs: 3 in 30 days",
    ]
    context = blocks[2]["elements"][0]["text"]
    assert f"<http://localhost/flags/{flag.id}|View the record>" in context
    assert "<@UOFFICER1>" in context
    acknowledge, open_button = blocks[3]["elements"]
    assert acknowledge["text"]["text"] == "Acknowledge"
    assert acknowledge["value"] == str(flag.id)
    assert open_button["text"]["text"] == "Open"
    assert open_button["url"] == f"http://localhost/flags/{flag.id}"
    assert params["text"].startswith("Flag raised: Repeat call-outs from one home")
    assert f"http://localhost/flags/{flag.id}" in params["text"]

    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == "delivered"
    assert delivery.external_id == slack.history["C0AUTHORITY"][0]["ts"]
    assert [a.result for a in delivery.attempts] == ["delivered"]
    assert db.session.get(OutboxMessage, delivery.message_id).status == "routed"


def test_child_reference_goes_only_to_a_channel_allowed_to_see_it(make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY", allow_child_reference=True)
    alerts.flag_alert(alerts.flag(home), child_reference="LCS-104233")
    deliver_due(utcnow())
    (post,) = slack.calls("chat.postMessage")
    assert "Child reference: LCS-104233" in [f["text"] for f in post.params["blocks"][1]["fields"]]


def test_alert_falls_back_to_the_police_force_channel(make, slack):
    home = make.home("SC200002")
    alerts.channel(f"force:{home.police_force_id}", slack_channel_id="C0FORCE")
    alerts.flag_alert(alerts.flag(home))
    deliver_due(utcnow())
    assert [p.params["channel"] for p in slack.calls("chat.postMessage")] == ["C0FORCE"]


def test_server_errors_and_rate_limits_still_end_in_exactly_one_post(make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home))
    slack.script(
        "chat.postMessage",
        Scripted(500, {"ok": False, "error": "internal_error"}),
        Scripted(500, {"ok": False, "error": "internal_error"}),
        Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "120"}),
    )
    start = utcnow()
    assert deliver_due(start)["retry"] == 1
    assert deliver_due(start + timedelta(seconds=29)) == {}  # backoff: 30 s after the first
    assert deliver_due(start + timedelta(seconds=30))["retry"] == 1
    assert deliver_due(start + timedelta(seconds=89)) == {}  # then 60 s
    assert deliver_due(start + timedelta(seconds=90))["retry"] == 1  # the 429
    assert deliver_due(start + timedelta(seconds=209)) == {}  # Retry-After: 120 honoured
    assert deliver_due(start + timedelta(seconds=210))["delivered"] == 1
    assert deliver_due(start + timedelta(days=1)) == {}

    assert len(slack.calls("chat.postMessage")) == 4
    assert len(slack.history["C0AUTHORITY"]) == 1
    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == "delivered"
    assert [(a.result, a.http_status) for a in delivery.attempts] == [
        ("retry", 500),
        ("retry", 500),
        ("retry", 429),
        ("delivered", 200),
    ]
    assert delivery.attempts[0].error == "Slack said: internal_error"


def test_two_relays_at_once_deliver_each_message_once(app, make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    others = [make.home(f"SC20010{i}") for i in range(4)]
    for item in [home, *others]:
        alerts.flag_alert(alerts.flag(item))
    now = utcnow()
    barrier = threading.Barrier(2)
    results: list = []

    def relay():
        with app.app_context():
            barrier.wait()
            results.append(deliver_due(now))
            db.session.remove()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    keys = [p.params["metadata"]["event_payload"]["key"] for p in slack.calls("chat.postMessage")]
    assert len(keys) == 5
    assert len(set(keys)) == 5
    assert sum(r["delivered"] for r in results) == 5
    assert sum(r["routed"] for r in results) == 5


def test_two_relays_at_once_with_many_deliveries(app, make, slack):
    homes = [make.home(f"SC20020{i}") for i in range(6)]
    alerts.channel(f"authority:{homes[0].host_authority_id}", slack_channel_id="C0AUTHORITY")
    for item in homes:
        alerts.flag_alert(alerts.flag(item))
    now = utcnow()
    barrier = threading.Barrier(3)

    def relay():
        with app.app_context():
            barrier.wait()
            deliver_due(now)
            db.session.remove()

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [p.params["metadata"]["event_payload"]["key"] for p in slack.calls("chat.postMessage")]
    assert len(keys) == 6
    assert len(set(keys)) == 6
    assert {d.status for d in db.session.scalars(select(Delivery))} == {"delivered"}


def test_alerts_on_the_same_home_within_the_window_are_grouped(make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    first = alerts.flag(home, "repeat_home")
    second = alerts.flag(home, "criminal_outcome")
    alerts.flag_alert(first)
    alerts.flag_alert(second)
    deliver_due(utcnow())
    (post,) = slack.calls("chat.postMessage")
    blocks = post.params["blocks"]
    assert blocks[0]["text"]["text"].startswith("2 alerts:")
    values = [
        e.get("value")
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "acknowledge_flag"
    ]
    assert values == [str(first.id), str(second.id)]
    statuses = [d.status for d in db.session.scalars(select(Delivery).order_by(Delivery.id))]
    assert statuses == ["delivered", "grouped"]


def test_a_restart_mid_send_does_not_post_twice(make, slack, app):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home))
    start = utcnow()
    from protocol_monitor.services.alert_routing import route_pending

    route_pending(start)
    delivery = db.session.scalar(select(Delivery))
    # A relay claimed it, posted, and died before recording the post.
    delivery.status = "sending"
    delivery.claimed_at = start
    delivery.claim_token = "dead-relay"
    delivery.attempt_count = 1
    db.session.commit()
    composition = compose(
        [{"payload": delivery.message.payload, "restricted": {}, "record_type": None}],
        "http://localhost",
        allow_child_reference=False,
    )
    first = slack_sender.post(
        app.config["SETTINGS"], "C0AUTHORITY", composition, delivery.idempotency_key
    )
    assert first.ok

    assert deliver_due(start + timedelta(minutes=1)) == {}  # still within the lease
    counts = deliver_due(start + timedelta(minutes=6))
    assert counts["recovered_delivered"] == 1
    assert len(slack.calls("chat.postMessage")) == 1
    db.session.refresh(delivery)
    assert delivery.status == "delivered"
    assert delivery.external_id == first.external_id


def test_a_restart_before_the_post_sends_it_once(make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home))
    start = utcnow()
    from protocol_monitor.services.alert_routing import route_pending

    route_pending(start)
    delivery = db.session.scalar(select(Delivery))
    delivery.status = "sending"
    delivery.claimed_at = start
    delivery.claim_token = "dead-relay"
    delivery.attempt_count = 1
    db.session.commit()
    counts = deliver_due(start + timedelta(minutes=6))
    assert counts["recovered_retry"] == 1
    assert counts["delivered"] == 1
    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("conversations.history")) == 1


def test_teams_receives_one_adaptive_card_and_the_url_stays_secret(
    make, teams, slack, pages, caplog
):
    home = make.home("SC200401", name="Elm House")
    url = teams.webhook_url()
    alerts.channel(f"authority:{home.host_authority_id}", teams_webhook_url=url)
    flag = alerts.flag(home)
    alerts.flag_alert(flag)
    teams.scripts.append(Scripted(503, {}))
    start = utcnow()
    deliver_due(start)
    deliver_due(start + timedelta(seconds=30))
    deliver_due(start + timedelta(hours=1))

    assert len(teams.requests) == 2
    body = teams.requests[-1].params
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["body"][0]["text"] == "Flag raised: Repeat call-outs from one home"
    assert {"title": "Home", "value": "Elm House (SC200401)"} in card["body"][1]["facts"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open", "url": f"http://localhost/flags/{flag.id}"}
    ]
    # The same in plain text, for a client that cannot show the card and for the notification.
    assert card["fallbackText"] == body["summary"]
    assert card["fallbackText"].splitlines() == [
        "Flag raised: Repeat call-outs from one home",
        "- Home: Elm House (SC200401)",
        "- Call-outs: 3 in 30 days",
        f"Open: http://localhost/flags/{flag.id}",
    ]
    assert "LCS-104233" not in json.dumps(body)
    attempts = db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
    assert [(a.result, a.http_status) for a in attempts] == [("retry", 503), ("delivered", 202)]
    assert "SECRETSIG" not in caplog.text

    pages.sign_in(make.user("admin"))
    html = str(pages.get("/admin/outbox"))
    assert "SECRETSIG" not in html
    assert "Delivered" in html


def test_digest_goes_to_the_group_by_email_with_html_and_text(make, smtp, slack):
    alerts.channel(
        "group",
        slack_channel_id="C0GROUP",
        email_recipients="chair@example.org, analyst@example.org",
    )
    alerts.digest("2026-10")
    counts = deliver_due(utcnow())
    assert counts["delivered"] == 2
    (message,) = smtp.messages
    assert message["Subject"] == "Call-outs digest for 2026-10"
    assert message["From"] == "alerts@protocol.example.org"
    assert sorted(smtp.envelopes[0].rcpt_tos) == ["analyst@example.org", "chair@example.org"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Call-outs: 12" in text
    assert "<h1>Digest</h1>" in html
    assert [p.params["channel"] for p in slack.calls("chat.postMessage")] == ["C0GROUP"]


def test_flag_alert_goes_to_the_authoritys_channel_email_without_the_child(make, smtp):
    """The email addresses an administrator sets on an authority's channel get its flag alerts
    (issue 14): the home by name and a link to the flag, never the child's reference."""
    home = _home_with_channel(make, email_recipients="safeguarding@dorset.example")
    flag = alerts.flag(home)
    alerts.flag_alert(flag, child_reference="LCS-104233")
    assert deliver_due(utcnow())["delivered"] == 1
    (message,) = smtp.messages
    assert smtp.envelopes[0].rcpt_tos == ["safeguarding@dorset.example"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Oak House" in text
    assert f"http://localhost/flags/{flag.id}" in text
    assert "LCS-104233" not in message.as_string()


def test_flag_alert_goes_to_the_forces_channel_email_when_the_authority_has_none(make, smtp):
    """A force's channel email addresses get the alerts of its area's homes whose authority has
    no channel set (issue 14); an authority's own channel takes precedence."""
    home = make.home("SC200003", name="Ash House")
    alerts.channel(f"force:{home.police_force_id}", email_recipients="control@police.example")
    alerts.channel(f"authority:{home.host_authority_id}")  # saved, with nothing set
    flag = alerts.flag(home)
    alerts.flag_alert(flag)
    assert deliver_due(utcnow())["delivered"] == 1
    assert smtp.envelopes[0].rcpt_tos == ["control@police.example"]
    assert "Ash House" in smtp.messages[0]["Subject"] + smtp.messages[0].as_string()


def test_failed_after_the_last_attempt_then_an_admin_retries(app, make, slack, pages):
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(delivery_max_attempts=2)
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home))
    error = Scripted(500, {"ok": False, "error": "internal_error"})
    slack.script("chat.postMessage", error, error)
    start = utcnow()
    deliver_due(start)
    assert deliver_due(start + timedelta(seconds=30))["failed"] == 1
    assert deliver_due(start + timedelta(days=1)) == {}  # failed stays failed, not dropped

    pages.sign_in(make.user("admin"))
    soup = pages.get("/admin/outbox")
    delivery = db.session.scalar(select(Delivery))
    assert "Failed" in soup.get_text()
    assert soup.find(id=f"retry-{delivery.id}") is not None
    pages.post(f"/admin/outbox/deliveries/{delivery.id}/retry", {})
    assert deliver_due(utcnow())["delivered"] == 1
    assert len(slack.history["C0AUTHORITY"]) == 1
    db.session.refresh(delivery)
    assert [a.result for a in delivery.attempts] == ["retry", "failed", "delivered"]


def test_the_cli_relay_delivers_and_reports(app, make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    alerts.flag_alert(alerts.flag(home))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["deliver-alerts"])
    assert result.exit_code == 0, result.output
    assert "delivered: 1" in result.output
    result = runner.invoke(args=["deliver-alerts"])
    assert "Nothing to deliver." in result.output
    assert len(slack.calls("chat.postMessage")) == 1


def test_slack_socket_refuses_without_an_app_token(app):
    result = app.test_cli_runner().invoke(args=["slack-socket"])
    assert result.exit_code == 1
    assert "SLACK_APP_TOKEN" in result.output


def test_an_interrupted_teams_post_is_not_repeated_but_shown_as_failed(make, teams, pages):
    home = make.home("SC200501")
    alerts.channel(f"authority:{home.host_authority_id}", teams_webhook_url=teams.webhook_url())
    alerts.flag_alert(alerts.flag(home, "repeat_home"))
    alerts.flag_alert(alerts.flag(home, "criminal_outcome"))
    start = utcnow()
    from protocol_monitor.services.alert_routing import route_pending

    route_pending(start)
    leader, sibling = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    # A relay claimed both (grouped), then died without recording what happened.
    for item, count in ((leader, 1), (sibling, 0)):
        item.status = "sending"
        item.claimed_at = start
        item.claim_token = "dead-relay"
        item.attempt_count = count
    sibling.grouped_into_id = leader.id
    db.session.commit()

    counts = deliver_due(start + timedelta(minutes=6))
    assert counts == {"recovered_failed": 1}
    assert teams.requests == []
    db.session.expire_all()
    statuses = [d.status for d in db.session.scalars(select(Delivery).order_by(Delivery.id))]
    assert statuses == ["failed", "failed"]
    pages.sign_in(make.user("admin"))
    text = pages.get("/admin/outbox").get_text()
    assert "it may or may not have arrived, so it was not resent" in text


def test_alerts_following_a_post_within_the_window_wait_and_go_as_one(make, slack):
    home = _home_with_channel(make, slack_channel_id="C0AUTHORITY")
    start = utcnow()
    alerts.flag_alert(alerts.flag(home, "repeat_home"))
    assert deliver_due(start)["delivered"] == 1

    alerts.flag_alert(alerts.flag(home, "criminal_outcome"))
    assert deliver_due(start + timedelta(minutes=1)) == {"routed": 1, "held": 1}
    alerts.flag_alert(alerts.flag(home, "no_immediate_risk"))
    assert deliver_due(start + timedelta(minutes=2)) == {"routed": 1, "held": 1}
    assert deliver_due(start + timedelta(minutes=9)) == {}
    assert len(slack.calls("chat.postMessage")) == 1

    assert deliver_due(start + timedelta(minutes=10))["delivered"] == 1
    posts = slack.calls("chat.postMessage")
    assert len(posts) == 2
    assert posts[1].params["blocks"][0]["text"]["text"].startswith("2 alerts:")
    other = make.home("SC200601")  # another home is not held
    alerts.flag_alert(alerts.flag(other))
    assert deliver_due(start + timedelta(minutes=11))["delivered"] == 1
    statuses = [d.status for d in db.session.scalars(select(Delivery).order_by(Delivery.id))]
    assert statuses == ["delivered", "delivered", "grouped", "delivered"]
