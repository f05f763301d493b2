"""Whole paths across areas, through the real peers: a provider's form to a Slack alert to an
acknowledgement from Slack; a compiled month to the group's digest by Slack and email."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from protocol_monitor import create_app, jobs
from protocol_monitor.db import db, utcnow
from protocol_monitor.models import Flag, OutboxMessage, SummarySnapshot
from protocol_monitor.rules.time import london_to_utc
from protocol_monitor.services import callouts as callout_service
from protocol_monitor.services import summaries
from protocol_monitor.services.relay import deliver_due
from tests.conftest import Pages, _settings
from tests.support import alerts


@pytest.fixture
def app(database_url, tmp_path, slack, smtp):
    """The app wired to the local Slack API and SMTP sink, as in production."""
    application = create_app(
        _settings(
            database_url,
            tmp_path / "instance",
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=alerts.SIGNING_SECRET,
            slack_api_url=slack.api_url,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            mail_from="alerts@protocol.example.org",
        )
    )
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


CALLOUT_FORM = {
    "occurred_month": "3",
    "occurred_year": "2026",
    "occurred_time": "21:00",
    "category": "assault_staff",
    "child_reference": "LCS-555",
    "placing_authority": "E06000059",
    "caller_role": "home_staff",
    "child_role": "alleged_perpetrator",
    "immediate_risk": "yes",
    "immediate_risk_reason": "Punching staff",
    "deescalation": ["verbal"],
    "police_attended": "yes",
    "restorative": "planned",
    "ofsted_notified": "no",
}


def _press_acknowledge(client, message: dict, flag_id: int, slack_user: str):
    payload = {
        "type": "block_actions",
        "user": {"id": slack_user, "username": "officer"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "team": {"id": "T0TEAM"},
        "channel": {"id": "C0DORSET"},
        "container": {"type": "message", "message_ts": message["ts"]},
        "message": message,
        "response_url": "http://127.0.0.1:9/response",
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": "acknowledge_flag",
                "block_id": "b1",
                "value": str(flag_id),
                "action_ts": str(time.time()),
            }
        ],
    }
    body = alerts.interaction_body(payload)
    return client.post("/slack/events", data=body, headers=alerts.signed(body))


def test_third_callout_about_a_child_alerts_slack_once_and_is_acknowledged_from_slack(
    app, make, slack, smtp
):
    dorset = make.authority("E06000059", "Dorset Council")
    force = make.force()
    officer = make.user("police", police=force)
    officer.slack_user_id = "UOFFICER1"
    db.session.commit()
    home = make.home("SC500001", name="Oak House", host=dorset, police=force, officer=officer)
    provider = make.user("provider", homes=[home])
    # The authority's channel is not allowed to see child references.
    alerts.channel(f"authority:{dorset.id}", slack_channel_id="C0DORSET")
    alerts.channel("group", slack_channel_id="C0GROUP")

    # The provider files three call-outs about one child within 30 days, through the form.
    pages = Pages(app.test_client())
    pages.sign_in(provider)
    for day in ("2", "14"):
        pages.post("/callouts/new", {**CALLOUT_FORM, "home_id": str(home.id), "occurred_day": day})
    assert _count(Flag) == 0 and _count(OutboxMessage) == 0
    pages.post("/callouts/new", {**CALLOUT_FORM, "home_id": str(home.id), "occurred_day": "28"})

    (flag,) = db.session.scalars(select(Flag)).all()
    assert flag.rule == "repeat_child" and len(flag.callouts) == 3
    message, to_home = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert (message.kind, message.record_id) == ("flag_alert", flag.id)
    assert (to_home.kind, to_home.record_id) == ("home_flag", flag.id)  # the home's staff

    # The relay posts exactly once, to the home's authority channel, with no child reference;
    # and emails the provider who filed (smtp).
    assert deliver_due(utcnow())["delivered"] == 2
    assert smtp.envelopes[0].rcpt_tos == [provider.email]
    assert deliver_due(utcnow() + timedelta(minutes=5)).get("delivered", 0) == 0
    (post,) = slack.calls("chat.postMessage")
    assert post.params["channel"] == "C0DORSET"
    assert "LCS-555" not in json.dumps(post.params)
    assert "Oak House" in post.params["text"]
    blocks = post.params["blocks"]
    buttons = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Acknowledge", "Open"]
    assert buttons[0]["value"] == str(flag.id)
    assert buttons[1]["url"] == f"http://localhost/flags/{flag.id}"
    assert "<@UOFFICER1>" in json.dumps(blocks)  # the allocated officer is mentioned

    # The allocated officer presses Acknowledge in Slack (a signed request).
    posted = slack.history["C0DORSET"][0]
    response = _press_acknowledge(
        app.test_client(),
        {"ts": posted["ts"], "text": post.params["text"], "blocks": blocks},
        flag.id,
        "UOFFICER1",
    )
    assert response.status_code == 200
    db.session.expire_all()
    flag = db.session.get(Flag, flag.id)
    assert (flag.status, flag.acknowledged_by_id) == ("acknowledged", officer.id)
    (update,) = slack.calls("chat.update")
    assert update.params["ts"] == posted["ts"]
    assert "Acknowledged by" in json.dumps(update.params["blocks"])

    # The flag page shows it to the officer on the web.
    officer_pages = Pages(app.test_client())
    officer_pages.sign_in(officer)
    page = officer_pages.get(f"/flags/{flag.id}")
    assert "Acknowledged" in page.get_text()
    assert "Acknowledged in Slack" in page.get_text()
    # Still one post: nothing was queued again by the acknowledgement.
    assert deliver_due(utcnow() + timedelta(hours=1)).get("delivered", 0) == 0
    assert len(slack.calls("chat.postMessage")) == 1


def _digest_deliveries(slack, smtp):
    return slack.calls("chat.postMessage"), smtp.messages


def test_compiled_month_digest_goes_to_the_group_once_and_a_correction_makes_version_two(
    app, make, slack, smtp
):
    dorset = make.authority("E06000059", "Dorset Council")
    home = make.home("SC500002", name="Ash House", host=dorset)
    provider = make.user("provider", homes=[home])
    alerts.channel("group", slack_channel_id="C0GROUP", email_recipients="chair@example.org")
    first = callout_service.file_home_report(
        provider,
        {
            "home_id": home.id,
            "occurred_at": london_to_utc(datetime(2026, 9, 3, 21, 0)),
            "category": "criminal_damage",
            "child_reference": "LCS-900",
            "placing_authority_code": "E06000059",
            "caller_role": "home_staff",
            "child_role": "alleged_perpetrator",
            "immediate_risk": "yes",
            "immediate_risk_reason": "Smashing windows",
            "deescalation": ["verbal"],
            "police_attended": True,
            "restorative": "planned",
            "ofsted_notified": False,
        },
    )
    make.home_report(home, datetime(2026, 9, 10, 20, 0), child_reference="LCS-901")

    # 07:00 on Thursday 1 October 2026, the first working day: September is compiled.
    assert jobs.monthly_job(london_to_utc(datetime(2026, 10, 1, 7, 0))) is True
    (digest,) = db.session.scalars(select(OutboxMessage)).all()
    assert (digest.kind, digest.idempotency_key) == ("digest", "digest:2026-09:v1")

    counts = deliver_due(utcnow())
    assert counts["delivered"] == 2  # Slack and email
    posts, mails = _digest_deliveries(slack, smtp)
    assert [p.params["channel"] for p in posts] == ["C0GROUP"]
    link = "http://localhost/summaries/digests/2026-09"
    assert link in json.dumps(posts[0].params)
    assert "LCS-90" not in json.dumps(posts[0].params)
    (mail,) = mails
    assert smtp.envelopes[0].rcpt_tos == ["chair@example.org"]
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "version 1" in text and "Call-outs: 2" in text and link in text
    assert f'href="{link}"' in html and "LCS-90" not in html + text

    # Compiling again with nothing changed queues nothing and sends nothing.
    snapshot = summaries.compile_month("2026-09", queue_digest=True)
    assert snapshot.version == 1
    assert jobs.monthly_job(london_to_utc(datetime(2026, 10, 1, 7, 0))) is False
    assert _count(OutboxMessage) == 1 and _count(SummarySnapshot) == 1
    assert deliver_due(utcnow() + timedelta(minutes=5)).get("delivered", 0) == 0

    # A late correction: the first call-out turns out to have been for a missing child, which
    # the protocol figures exclude. The next compile is version 2, with a new digest.
    callout_service.correct_report(
        provider, first.id, "home", {"category": "missing", "reason": "The child was missing"}
    )
    snapshot = summaries.compile_month("2026-09", queue_digest=True)
    assert snapshot.version == 2
    keys = list(
        db.session.scalars(select(OutboxMessage.idempotency_key).order_by(OutboxMessage.id))
    )
    assert keys == ["digest:2026-09:v1", "digest:2026-09:v2"]
    assert deliver_due(utcnow() + timedelta(minutes=10))["delivered"] == 2
    posts, mails = _digest_deliveries(slack, smtp)
    assert len(posts) == 2 and len(mails) == 2
    text = mails[1].get_body(preferencelist=("plain",)).get_content()
    assert "(version 2)" in text
    assert "What changed since version 1:" in text
    assert "Call-outs: 1" in text
    assert "Authority E06000059: callouts 2 → 1" in text
    assert "version 2" in json.dumps(posts[1].params)
