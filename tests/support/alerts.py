"""Builders for alert tests: channel settings, flags and the notices the flags area enqueues."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

from protocol_monitor.db import db
from protocol_monitor.models import ChannelSetting, Flag, Home
from protocol_monitor.services.outbox import Notice, enqueue

SIGNING_SECRET = "test-signing-secret"


def channel(scope_key: str, **fields) -> ChannelSetting:
    kind, _, ident = scope_key.partition(":")
    setting = ChannelSetting(
        scope_key=scope_key,
        authority_id=int(ident) if kind == "authority" else None,
        police_force_id=int(ident) if kind == "force" else None,
        **fields,
    )
    db.session.add(setting)
    db.session.commit()
    return setting


def flag(home: Home, rule: str = "repeat_home", child_reference: str | None = None) -> Flag:
    item = Flag(
        rule=rule,
        subject_key=f"{rule}:{home.id}:{child_reference or ''}",
        home_id=home.id,
        child_reference=child_reference,
        explanation="3 call-outs in 30 days",
    )
    db.session.add(item)
    db.session.commit()
    return item


def flag_alert(item: Flag, child_reference: str | None = "LCS-104233"):
    """What the flags area enqueues when a flag is raised."""
    message = enqueue(
        Notice(
            kind="flag_alert",
            key=f"flag:{item.id}:raised",
            title=f"Flag raised: {item.rule_label}",
            lines=[f"Home: {item.home.name} ({item.home.urn})", "Call-outs: 3 in 30 days"],
            link_path=f"/flags/{item.id}",
            home_id=item.home_id,
            record_type="flag",
            record_id=item.id,
            restricted={"child_reference": child_reference} if child_reference else {},
        )
    )
    db.session.commit()
    return message


def digest(month: str = "2026-10"):
    message = enqueue(
        Notice(
            kind="digest",
            key=f"digest:{month}",
            title=f"Call-outs digest for {month}",
            lines=["Call-outs: 12", "Open flags: 2"],
            link_path=f"/summaries/?month={month}",
            extra={
                "html": "<html><body><h1>Digest</h1><p>Call-outs: 12</p></body></html>",
                "text": "Digest\nCall-outs: 12",
            },
        )
    )
    db.session.commit()
    return message


def signed(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """Headers Slack would send: X-Slack-Request-Timestamp and X-Slack-Signature (v0)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def interaction_body(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})
