"""The relay: send each delivery once (routing made the deliveries: ``alert_routing.py``).

Exactly-once under concurrency: a delivery is claimed with an atomic
``UPDATE ... WHERE id = ? AND status = 'pending'`` (the rowcount tells the winner) before any
network call, so two relays at once never both send it.

Restarts mid-send: a delivery left ``sending`` for longer than the lease is recovered.
- Slack: every post carries the delivery's idempotency key as message metadata; before resending,
  the relay reads the channel's history and, if the key is there, records that post's ts as the
  delivery. So Slack is effectively exactly-once (at-least-once only if the history cannot show
  the post, e.g. the bot lacks the channels:history scope — then the row is failed, not resent).
- Teams and email cannot be asked what arrived, so an interrupted send is *not* repeated
  automatically (at-most-once): the delivery is marked failed with the reason and shown on the
  outbox page, where an admin who sees it is missing presses "Retry". Nothing is dropped silently.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from slack_sdk.errors import SlackClientError
from sqlalchemy import insert, select, update

from .. import audit
from ..alerts import NotConfigured, SendResult
from ..alerts import email as email_sender
from ..alerts import slack as slack_sender
from ..alerts import teams as teams_sender
from ..config import Settings
from ..db import db, utcnow
from ..models import Delivery, DeliveryAttempt, Home, OutboxMessage, User
from ..rules.alerts import Composition, compose, next_delay, within_window
from . import ServiceError, get_or_not_found
from .alert_routing import route_pending

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 200  # deliveries due, per pass


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


# --- claiming and recording --------------------------------------------------------------------


def _claim(delivery_id: int, token: str, now: datetime) -> bool:
    """Atomically take a due pending delivery; True only for the one relay that got it."""
    if db.engine.dialect.name == "postgresql":
        locked = db.session.scalar(
            select(Delivery.id)
            .where(
                Delivery.id == delivery_id,
                Delivery.status == "pending",
                Delivery.next_attempt_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
        if locked is None:
            db.session.rollback()
            return False
    rowcount = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == "pending",
            Delivery.next_attempt_at <= now,
        )
        .values(
            status="sending",
            claimed_at=now,
            claim_token=token,
            attempt_count=Delivery.attempt_count + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return rowcount == 1


def _claim_sibling(delivery_id: int, leader_id: int, token: str, now: datetime) -> bool:
    rowcount = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "pending")
        .values(status="sending", claimed_at=now, claim_token=token, grouped_into_id=leader_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return rowcount == 1


def _record(
    delivery: Delivery,
    result: SendResult,
    now: datetime,
    max_attempts: int,
    *,
    grouped=(),
    due_at: datetime | None = None,
    interrupted: bool = False,
) -> str:
    """Store the attempt and the delivery's new state; return that state.

    The read transaction is ended first and the writes are plain UPDATE/INSERT statements, so
    that on SQLite the write transaction starts with a write (it waits for another relay's
    lock instead of failing on a stale snapshot).
    """
    delivery_id, attempt_count = delivery.id, delivery.attempt_count
    grouped_ids = [sibling.id for sibling in grouped]
    db.session.commit()
    values: dict[str, Any] = {"claim_token": None, "last_error": result.error}
    if result.ok:
        outcome = "delivered"
        values.update(status="delivered", delivered_at=now)
        if result.external_id:
            values.update(external_id=result.external_id)
        if result.external_channel:
            values.update(external_channel=result.external_channel)
        sibling_values: dict[str, Any] = {
            "status": "grouped",
            "grouped_into_id": delivery_id,
            "delivered_at": now,
            "claim_token": None,
        }
    else:
        if result.permanent or attempt_count >= max_attempts:
            outcome = "failed"
            values.update(status="failed")
        else:
            outcome = "retry"
            values.update(
                status="pending",
                next_attempt_at=due_at or now + next_delay(attempt_count, result.retry_after),
            )
        sibling_values = {"status": "pending", "claim_token": None, "grouped_into_id": None}
        if interrupted and outcome == "failed":  # they may have gone out with the leader
            sibling_values.update(status="failed", last_error=result.error)
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if grouped_ids:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(grouped_ids))
            .values(**sibling_values)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        insert(DeliveryAttempt).values(
            delivery_id=delivery_id,
            at=now,
            result=outcome,
            http_status=result.http_status,
            error=result.error,
        )
    )
    db.session.commit()
    db.session.expire_all()
    if outcome != "delivered":
        # Never the destination: a Teams webhook URL is a secret.
        log.warning("delivery %s %s: %s", delivery_id, outcome, result.error)
    return outcome


# --- composing and sending ---------------------------------------------------------------------


def _message_dict(message: OutboxMessage) -> dict[str, Any]:
    return {
        "payload": message.payload,
        "restricted": message.restricted,
        "record_type": message.record_type,
        "record_id": message.record_id,
    }


def _mention(message: OutboxMessage) -> str | None:
    if message.kind != "flag_alert" or message.home_id is None:
        return None
    home = db.session.get(Home, message.home_id)
    officer = db.session.get(User, home.allocated_officer_id) if home.allocated_officer_id else None
    return officer.slack_user_id if officer is not None and officer.slack_user_id else None


def _composition(delivery: Delivery, grouped: list[Delivery], settings: Settings) -> Composition:
    setting = delivery.channel_setting
    messages = [delivery.message, *(d.message for d in grouped)]
    return compose(
        [_message_dict(m) for m in messages],
        settings.base_url,
        allow_child_reference=bool(setting and setting.allow_child_reference),
        mention=_mention(delivery.message) if delivery.channel == "slack" else None,
    )


def _siblings(delivery: Delivery, settings: Settings) -> list[Delivery]:
    """Other pending alerts on the same home to the same destination, close in time."""
    message = delivery.message
    if message.kind != "flag_alert" or message.home_id is None:
        return []
    candidates = db.session.scalars(
        select(Delivery)
        .join(OutboxMessage, Delivery.message_id == OutboxMessage.id)
        .where(
            Delivery.id != delivery.id,
            Delivery.status == "pending",
            Delivery.channel == delivery.channel,
            Delivery.destination == delivery.destination,
            OutboxMessage.kind == "flag_alert",
            OutboxMessage.home_id == message.home_id,
        )
        .order_by(Delivery.id)
    ).all()
    return [
        c
        for c in candidates
        if within_window(message.created_at, c.message.created_at, settings.alert_group_minutes)
    ]


def _held_until(delivery: Delivery, settings: Settings, now: datetime) -> datetime | None:
    """When an alert on the same home went to this destination within the window, hold this
    one until the window closes, so that the alerts that follow are sent as one message."""
    message = delivery.message
    window = timedelta(minutes=settings.alert_group_minutes)
    if message.kind != "flag_alert" or message.home_id is None or not window:
        return None
    latest = db.session.scalar(
        select(Delivery.delivered_at)
        .join(OutboxMessage, Delivery.message_id == OutboxMessage.id)
        .where(
            Delivery.id != delivery.id,
            Delivery.status == "delivered",
            Delivery.channel == delivery.channel,
            Delivery.destination == delivery.destination,
            Delivery.delivered_at > now - window,
            OutboxMessage.kind == "flag_alert",
            OutboxMessage.home_id == message.home_id,
        )
        .order_by(Delivery.delivered_at.desc())
        .limit(1)
    )
    if latest is None or latest + window <= now:
        return None
    return latest + window


def _send(delivery: Delivery, composition: Composition, settings: Settings) -> SendResult:
    if delivery.channel == "slack":
        return slack_sender.post(
            settings, delivery.destination, composition, delivery.idempotency_key
        )
    if delivery.channel == "teams":
        url = delivery.channel_setting.teams_webhook_url if delivery.channel_setting else None
        if not url:
            raise NotConfigured("The Teams webhook URL has been removed")
        return teams_sender.post(url, composition)
    recipients = [r.strip() for r in delivery.destination.split(",") if r.strip()]
    return email_sender.send(settings, recipients, composition, delivery.idempotency_key)


def deliver_one(delivery_id: int, now: datetime) -> str | None:
    """Claim and send one delivery; None when another relay has it or it is not due."""
    settings = _settings()
    token = uuid.uuid4().hex
    if not _claim(delivery_id, token, now):
        return None
    delivery = db.session.get(Delivery, delivery_id)
    held_until = _held_until(delivery, settings, now)
    if held_until is not None:
        db.session.commit()
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.claim_token == token)
            .values(
                status="pending",
                claim_token=None,
                next_attempt_at=held_until,
                attempt_count=Delivery.attempt_count - 1,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return "held"
    sibling_ids = [sibling.id for sibling in _siblings(delivery, settings)]
    db.session.commit()  # end the read before claiming (SQLite: write transactions start writing)
    claimed = [i for i in sibling_ids if _claim_sibling(i, delivery_id, token, now)]
    delivery = db.session.get(Delivery, delivery_id)
    grouped = [db.session.get(Delivery, i) for i in claimed]
    try:
        result = _send(delivery, _composition(delivery, grouped, settings), settings)
    except NotConfigured as error:
        delivery_id, grouped_ids = delivery.id, [sibling.id for sibling in grouped]
        db.session.commit()
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status="not_configured", last_error=str(error), claim_token=None)
            .execution_options(synchronize_session=False)
        )
        if grouped_ids:
            db.session.execute(
                update(Delivery)
                .where(Delivery.id.in_(grouped_ids))
                .values(status="pending", claim_token=None, grouped_into_id=None)
                .execution_options(synchronize_session=False)
            )
        db.session.execute(
            insert(DeliveryAttempt).values(
                delivery_id=delivery_id, at=now, result="not_configured", error=str(error)
            )
        )
        db.session.commit()
        db.session.expire_all()
        return "not_configured"
    except Exception as error:  # a bug must not leave the row 'sending' for ever
        db.session.rollback()
        delivery = db.session.get(Delivery, delivery_id)
        result = SendResult(ok=False, error=f"Unexpected error: {type(error).__name__}")
    return _record(delivery, result, now, settings.delivery_max_attempts, grouped=grouped)


def recover_stale(now: datetime) -> Counter:
    """Deliveries left 'sending' past the lease (a relay died mid-send): see module docstring."""
    counts: Counter = Counter()
    settings = _settings()
    stale = db.session.scalars(
        select(Delivery).where(Delivery.status == "sending", Delivery.claimed_at < now - LEASE)
    ).all()
    stale_ids = {d.id for d in stale}
    # Leaders first; a grouped sibling goes with its leader, or alone if its leader is not stale.
    stale_claims = [
        (d.id, d.claim_token)
        for d in stale
        if d.grouped_into_id is None or d.grouped_into_id not in stale_ids
    ]
    siblings_of: dict[int, list[int]] = {}
    for d in stale:
        if d.grouped_into_id is not None and d.grouped_into_id in stale_ids:
            siblings_of.setdefault(d.grouped_into_id, []).append(d.id)
    db.session.commit()
    for delivery_id, old_token in stale_claims:
        token = uuid.uuid4().hex
        taken = db.session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.claim_token == old_token,
                Delivery.status == "sending",
            )
            .values(claim_token=token)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if taken != 1:
            continue
        delivery = db.session.get(Delivery, delivery_id)
        if delivery.grouped_into_id is not None:
            # A grouped sibling whose leader is no longer sending: send it in its own right.
            db.session.commit()
            db.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(status="pending", claim_token=None, grouped_into_id=None)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            continue
        grouped = [db.session.get(Delivery, i) for i in siblings_of.get(delivery_id, [])]
        if delivery.channel == "slack":
            try:
                ts = slack_sender.find_posted(
                    settings, delivery.destination, delivery.idempotency_key, delivery.claimed_at
                )
            except (SlackClientError, NotConfigured, OSError) as error:
                outcome = _record(
                    delivery,
                    SendResult(
                        ok=False,
                        permanent=True,
                        error=f"Interrupted mid-send and Slack's history could not be checked "
                        f"({error}); not resent. Check the channel, then retry if it is missing.",
                    ),
                    now,
                    settings.delivery_max_attempts,
                    grouped=grouped,
                    interrupted=True,
                )
                counts[f"recovered_{outcome}"] += 1
                continue
            if ts:
                outcome = _record(
                    delivery,
                    SendResult(
                        ok=True,
                        external_id=ts,
                        error="Found already posted after an interrupted send",
                    ),
                    now,
                    settings.delivery_max_attempts,
                    grouped=grouped,
                    interrupted=True,
                )
            else:
                outcome = _record(
                    delivery,
                    SendResult(ok=False, error="Interrupted mid-send; not in Slack, will resend"),
                    now,
                    settings.delivery_max_attempts,
                    grouped=grouped,
                    due_at=now,
                )
        else:
            outcome = _record(
                delivery,
                SendResult(
                    ok=False,
                    permanent=True,
                    error="Interrupted mid-send: it may or may not have arrived, so it was not "
                    "resent. Check with the recipients, then retry if it is missing.",
                ),
                now,
                settings.delivery_max_attempts,
                grouped=grouped,
                interrupted=True,
            )
        counts[f"recovered_{outcome}"] += 1
    return counts


def deliver_due(now: datetime | None = None) -> Counter:
    """One pass of the relay (the scheduler calls this every minute). Returns counts by outcome.

    ``now`` is injectable so that tests move the clock instead of sleeping.
    """
    now = now or utcnow()
    counts = route_pending(now)
    counts.update(recover_stale(now))
    due = list(
        db.session.scalars(
            select(Delivery.id)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(BATCH)
        )
    )
    db.session.commit()
    for delivery_id in due:
        outcome = deliver_one(delivery_id, now)
        if outcome is not None:
            counts[outcome] += 1
    return counts


# --- admin actions -----------------------------------------------------------------------------


def retry(delivery_id: int, user: User, now: datetime | None = None) -> Delivery:
    """An admin asks for a failed (or not configured) delivery to be tried again."""
    now = now or utcnow()
    delivery = get_or_not_found(Delivery, delivery_id, "delivery", user=user)
    if delivery.status not in ("failed", "not_configured"):
        raise ServiceError("Only failed or not configured deliveries can be retried")
    delivery.status = "pending"
    delivery.grouped_into_id = None
    delivery.attempt_count = 0
    delivery.next_attempt_at = now
    audit.record("delivery_retried", "delivery", delivery.id, user=user)
    db.session.commit()
    return delivery
