"""Slack talks to /slack/events: signed button presses and the /callouts command."""

from __future__ import annotations

import json
import time
from datetime import datetime
from datetime import time as clock
from urllib.parse import urlencode

from sqlalchemy import select

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import AuditEvent, Flag
from protocol_monitor.rules.time import Month
from protocol_monitor.services import summaries
from protocol_monitor.services.relay import deliver_due
from tests.support import alerts


def _posted_alert(make, slack, *, linked: bool = True, role: str = "police"):
    force = make.force()
    officer = make.user(role, police=force if role == "police" else None)
    if linked:
        officer.slack_user_id = "UOFFICER1"
    db.session.commit()
    home = make.home("SC300001", name="Oak House", officer=officer)
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0AUTHORITY")
    flag = alerts.flag(home)
    alerts.flag_alert(flag)
    deliver_due(utcnow())
    (post,) = slack.calls("chat.postMessage")
    message = slack.history["C0AUTHORITY"][0]
    return (
        flag,
        officer,
        {"ts": message["ts"], "text": post.params["text"], "blocks": post.params["blocks"]},
    )


def _press(client, flag, message, slack_user="UOFFICER1", **signing):
    payload = {
        "type": "block_actions",
        "user": {"id": slack_user, "username": "officer"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "team": {"id": "T0TEAM"},
        "channel": {"id": "C0AUTHORITY"},
        "container": {"type": "message", "message_ts": message["ts"]},
        "message": message,
        "response_url": "http://127.0.0.1:9/response",
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": "acknowledge_flag",
                "block_id": "b1",
                "value": str(flag.id),
                "action_ts": str(time.time()),
            }
        ],
    }
    body = alerts.interaction_body(payload)
    return client.post("/slack/events", data=body, headers=alerts.signed(body, **signing))


def test_a_signed_button_press_acknowledges_the_flag_and_updates_the_message(client, make, slack):
    flag, officer, message = _posted_alert(make, slack)
    response = _press(client, flag, message)
    assert response.status_code == 200

    db.session.expire_all()
    flag = db.session.get(Flag, flag.id)
    assert flag.status == "acknowledged"
    assert flag.acknowledged_by_id == officer.id
    assert flag.acknowledged_at is not None
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "flag_acknowledged"))
    assert (audit.record_id, audit.user_id) == (flag.id, officer.id)

    (update,) = slack.calls("chat.update")
    assert update.params["channel"] == "C0AUTHORITY"
    assert update.params["ts"] == message["ts"]
    blocks = update.params["blocks"]
    action_ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert action_ids == ["open_record"]
    contexts = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert any(text.startswith(f"Acknowledged by {officer}") for text in contexts)
    assert slack.calls("chat.postEphemeral") == []


def test_a_bad_signature_is_refused_with_401(client, make, slack):
    flag, _, message = _posted_alert(make, slack)
    response = _press(client, flag, message, secret="not-the-signing-secret")
    assert response.status_code == 401
    assert db.session.get(Flag, flag.id).status == "open"
    assert slack.calls("chat.update") == []


def test_a_replayed_request_with_an_old_timestamp_is_refused(client, make, slack):
    flag, _, message = _posted_alert(make, slack)
    response = _press(client, flag, message, timestamp=int(time.time()) - 60 * 10)
    assert response.status_code == 401
    assert db.session.get(Flag, flag.id).status == "open"


def test_an_unlinked_slack_user_gets_an_ephemeral_refusal(client, make, slack):
    flag, _, message = _posted_alert(make, slack)
    response = _press(client, flag, message, slack_user="USTRANGER")
    assert response.status_code == 200
    (refusal,) = slack.calls("chat.postEphemeral")
    assert refusal.params["user"] == "USTRANGER"
    assert refusal.params["channel"] == "C0AUTHORITY"
    assert "cannot acknowledge" in refusal.params["text"]
    assert db.session.get(Flag, flag.id).status == "open"
    assert slack.calls("chat.update") == []


def test_a_linked_user_without_the_right_is_refused(client, make, slack):
    flag, _, message = _posted_alert(make, slack, role="provider")
    response = _press(client, flag, message)
    assert response.status_code == 200
    assert len(slack.calls("chat.postEphemeral")) == 1
    assert db.session.get(Flag, flag.id).status == "open"


def test_a_linked_user_outside_the_flags_scope_is_refused(client, make, slack):
    flag, _, message = _posted_alert(make, slack)
    other_force = make.force("E23000001", "Another Police")
    outsider = make.user("police", police=other_force)
    outsider.slack_user_id = "UOUTSIDER"
    db.session.commit()
    _press(client, flag, message, slack_user="UOUTSIDER")
    assert len(slack.calls("chat.postEphemeral")) == 1
    assert db.session.get(Flag, flag.id).status == "open"


def _command(client, text: str, channel: str = "C0AUTHORITY"):
    body = urlencode(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "channel_id": channel,
            "user_id": "UANYONE",
            "command": "/callouts",
            "text": text,
            "response_url": "http://127.0.0.1:9/response",
            "trigger_id": "1.2.3",
        }
    )
    return client.post("/slack/events", data=body, headers=alerts.signed(body))


def test_the_callouts_command_answers_in_the_request_with_the_homes_figures(client, make, slack):
    home = make.home("SC300010", name="Birch House")
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0AUTHORITY")
    this_month = Month.of(utcnow())
    start = datetime.combine(this_month.first_day, clock(0, 0))
    last = datetime.combine(this_month.previous().first_day, clock(12, 0))
    make.home_report(home, start)
    make.home_report(home, start)
    make.home_report(home, last)
    make.home_report(home, last, category="missing")  # excluded from every figure
    alerts.flag(home)

    response = _command(client, "home sc300010")
    assert response.status_code == 200
    text = response.get_json()["text"]
    assert "Birch House (SC300010)" in text
    assert f"{this_month.label}: 2 call-outs" in text
    assert f"{this_month.previous().label}: 1 call-out\n" in text
    assert "Open flags: 1" in text
    # Answered in the acknowledgement itself: nothing posted (Bolt only checks its token).
    assert {r.method for r in slack.requests} <= {"auth.test"}


def test_the_callouts_command_lists_open_flags_and_a_month_summary_in_scope(client, make, slack):
    home = make.home("SC300020", name="Ash House")
    elsewhere = make.home(
        "SC300021", name="Far House", host=make.authority("E06000058", "Bournemouth")
    )
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0AUTHORITY")
    alerts.channel("group", slack_channel_id="C0GROUP")
    alerts.flag(home, "criminal_outcome")
    alerts.flag(elsewhere, "repeat_home")
    for day in (3, 4):
        make.home_report(home, datetime(2026, 10, day, 20, 0))
    make.home_report(elsewhere, datetime(2026, 10, 5, 20, 0))

    flags_text = _command(client, "flags").get_json()["text"]
    assert "1 open flag" in flags_text
    assert "Ash House (SC300020): Criminal outcome" in flags_text
    assert "Far House" not in flags_text

    # A finished month never compiled is compiled on the first question, once.
    summary = _command(client, "summary 2026-10").get_json()["text"]
    assert "Call-outs in October 2026* (version 1, compiled" in summary
    assert "Dorset Council: 2 (same month last year 0; 0 missing or absent not counted" in summary
    assert "Bournemouth" not in summary
    assert "http://localhost/summaries/?month=2026-10" in summary

    group = _command(client, "summary 2026-10", channel="C0GROUP").get_json()["text"]
    assert "Bournemouth: 1 (" in group
    assert "Dorset Council: 2 (" in group
    snapshot = summaries.latest_snapshot("2026-10")
    assert snapshot.version == 1 and len(summaries.compiled_months()) == 1

    # The figures are the compiled snapshot's: a late report shows after the next compile.
    make.home_report(home, datetime(2026, 10, 20, 20, 0))
    assert "Dorset Council: 2 (" in _command(client, "summary 2026-10").get_json()["text"]
    summaries.compile_month("2026-10")
    late = _command(client, "summary 2026-10").get_json()["text"]
    assert "(version 2, compiled" in late and "Dorset Council: 3 (" in late

    # The month still running is not compiled yet; no month means the last complete one.
    this_month = Month.of(utcnow())
    running = _command(client, f"summary {this_month}").get_json()["text"]
    assert f"The summary for {this_month.label} has not been compiled yet" in running
    default = _command(client, "summary").get_json()["text"]
    assert f"Call-outs in {this_month.previous().label}*" in default
    # A month before the first call-out is not compiled (nor stored) on demand.
    months = len(summaries.compiled_months())
    early = _command(client, "summary 1900-01").get_json()["text"]
    assert early.startswith("There is no summary for January 1900: call-outs are recorded from ")
    assert len(summaries.compiled_months()) == months

    assert "not set up" in _command(client, "flags", channel="C0UNKNOWN").get_json()["text"]
    assert "Try `/callouts home" in _command(client, "dance").get_json()["text"]
    assert "YYYY-MM" in _command(client, "summary 2026-13").get_json()["text"]


def test_slack_events_are_not_found_when_slack_is_not_set_up(database_url, tmp_path):
    from protocol_monitor import create_app
    from tests.conftest import _settings

    application = create_app(_settings(database_url, tmp_path / "other"))
    response = application.test_client().post("/slack/events", data="x=1")
    assert response.status_code == 404
    assert "slack_bolt" not in application.extensions
    assert json.dumps(application.config["SETTINGS"].slack_bot_token) == '""'


def test_acknowledge_pressed_twice_tells_the_person_and_changes_nothing(client, make, slack):
    flag, _officer, message = _posted_alert(make, slack)
    assert _press(client, flag, message).status_code == 200
    db.session.expire_all()
    first = db.session.get(Flag, flag.id).acknowledged_at

    response = _press(client, flag, message)  # the button is still on another person's screen
    assert response.status_code == 200
    (notice,) = slack.calls("chat.postEphemeral")
    assert notice.params["user"] == "UOFFICER1"
    assert notice.params["text"] == "This flag has already been acknowledged"
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).acknowledged_at == first
    assert len(slack.calls("chat.update")) == 1


MALFORMED_BODIES = [
    ("{not json", "application/json"),
    ("[1, 2, 3]", "application/json"),
    ('"a string"', "application/json"),
    ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    ("payload=%5B1%5D", "application/x-www-form-urlencoded"),
    ("\x00\x01\x02 binary", "application/octet-stream"),
    ("{" * 5000, "text/plain"),
]


def test_a_body_neither_form_nor_json_is_a_bad_request(client):
    for body, content_type in MALFORMED_BODIES:
        headers = {**alerts.signed(body), "Content-Type": content_type}
        response = client.post("/slack/events", data=body, headers=headers)
        assert response.status_code == 400, body[:20]
        unsigned = client.post(
            "/slack/events", data=body, headers={**headers, "X-Slack-Signature": "v0=00"}
        )
        assert unsigned.status_code in (400, 401), body[:20]


def test_a_timestamp_that_is_not_a_number_is_a_bad_request(client):
    body = "command=%2Fcallouts&text=flags"
    for timestamp in ["soon", "1.5e9", "", " 1", "١٢٣٤", "0x10", "-5"]:
        headers = {**alerts.signed(body), "X-Slack-Request-Timestamp": timestamp}
        assert client.post("/slack/events", data=body, headers=headers).status_code == 400
    headers = alerts.signed(body)
    del headers["X-Slack-Request-Timestamp"]
    assert client.post("/slack/events", data=body, headers=headers).status_code == 401
