"""The relay: send each delivery once (routing made the deliveries: ``alert_routing.py``).

Claims. A relay claims a delivery before any network call, with an atomic
``UPDATE ... SET status = 'sending', claim_token = <new>, claimed_at = now
WHERE id = ? AND status = 'pending'`` (the rowcount tells the one winner). Every later change it
makes — the attempt's result, giving the delivery back, recording it delivered — is an
``UPDATE ... WHERE id = ? AND claim_token = <its token>``: a relay that has lost its claim (it
was too slow, and another relay took the delivery over) changes nothing and records nothing
(``claim_lost``). Alerts grouped into one post are claimed with their leader's token and change
with it, in the leader's transaction.

Restarts mid-send. A delivery left ``sending`` for longer than the lease (its relay died) is
taken over by renewing the claim — a new token *and* a new ``claimed_at``, in one conditional
update on the old token — so no other relay sees it as stale while this one checks it:
- Slack: every post carries the delivery's idempotency key as message metadata; the relay reads
  the channel's history and, if the key is there, records that post as the delivery; otherwise it
  sends it. If the history cannot be read, the delivery is failed rather than risk a duplicate.
- Teams and email cannot be asked what arrived, so an interrupted send is *not* repeated
  automatically (at most once): the delivery is marked failed with the reason and shown on the
  outbox page, where an admin who sees it is missing presses "Retry". Nothing is dropped silently.

Lost answers. A Slack post whose answer was lost (the connection reset or timed out after the
request went out) is *unconfirmed*: the client library does not resend it (``alerts.slack``), and
the relay's next attempt, after the usual backoff, reads the channel's history first, exactly as
after a restart. The alerts grouped into it wait with it (``carried``) rather than go on their own.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from slack_sdk.errors import SlackClientError
from sqlalchemy import func, insert, select, update

from .. import audit
from ..alerts import NotConfigured, SendResult
from ..alerts import email as email_sender
from ..alerts import slack as slack_sender
from ..alerts import teams as teams_sender
from ..config import Settings
from ..db import db, unit_of_work, utcnow
from ..i18n import N_, _
from ..models import Delivery, DeliveryAttempt, Home, OutboxMessage, User
from ..rules.alerts import Composition, compose, next_delay, within_window
from . import ServiceError, get_or_not_found
from .alert_routing import route_pending

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 200  # deliveries due, per pass


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _execute(statement) -> int:
    """Run an UPDATE without touching the session's objects; its rowcount."""
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


# --- claiming ----------------------------------------------------------------------------------


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
    rowcount = _execute(
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
    )
    db.session.commit()
    return rowcount == 1


def _claim_sibling(delivery_id: int, leader_id: int, token: str, now: datetime) -> bool:
    """Take a pending alert into the leader's post, under the leader's claim."""
    rowcount = _execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "pending")
        .values(status="sending", claimed_at=now, claim_token=token, grouped_into_id=leader_id)
    )
    db.session.commit()
    return rowcount == 1


def _claim_carried(leader_id: int, token: str, now: datetime) -> list[int]:
    """Take back, under the leader's new claim, the alerts that wait on its unconfirmed post."""
    carried = list(
        db.session.scalars(
            select(Delivery.id).where(
                Delivery.grouped_into_id == leader_id, Delivery.status == "carried"
            )
        )
    )
    db.session.commit()
    if not carried:
        return []
    _execute(
        update(Delivery)
        .where(
            Delivery.id.in_(carried),
            Delivery.grouped_into_id == leader_id,
            Delivery.status == "carried",
        )
        .values(status="sending", claimed_at=now, claim_token=token)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(Delivery.id).where(
                Delivery.grouped_into_id == leader_id,
                Delivery.claim_token == token,
                Delivery.status == "sending",
            )
        )
    )


def _renew_stale(delivery_id: int, old_token: str | None, token: str, now: datetime) -> bool:
    """Take over a stale claim: a new token and a new claim time, in one conditional update, for
    the delivery and the alerts grouped into it. False when another relay got there first."""
    holder = (
        Delivery.claim_token.is_(None) if old_token is None else Delivery.claim_token == old_token
    )
    taken = _execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == "sending",
            holder,
            Delivery.claimed_at < now - LEASE,
        )
        .values(claim_token=token, claimed_at=now)
    )
    if taken != 1:
        db.session.rollback()
        return False
    _execute(
        update(Delivery)
        .where(Delivery.grouped_into_id == delivery_id, Delivery.status == "sending", holder)
        .values(claim_token=token, claimed_at=now)
    )
    db.session.commit()
    return True


def _release(delivery_id: int, token: str, values: dict[str, Any]) -> bool:
    """Change a delivery this relay holds and give up the claim; False if the claim was lost."""
    db.session.commit()  # end the read (SQLite: a write transaction must start by writing)
    changed = _execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.claim_token == token)
        .values(claim_token=None, **values)
    )
    db.session.commit()
    return changed == 1


# --- recording ---------------------------------------------------------------------------------


def _record(
    delivery_id: int,
    token: str,
    result: SendResult,
    now: datetime,
    max_attempts: int,
    *,
    grouped_ids: Sequence[int] = (),
    due_at: datetime | None = None,
    interrupted: bool = False,
) -> str:
    """Store the attempt and the delivery's new state, if this relay still holds the claim;
    return that state (``claim_lost`` when it does not: then nothing is written).

    The read transaction is ended first and the writes are plain UPDATE/INSERT statements, so
    that on SQLite the write transaction starts with a write (it waits for another relay's
    lock instead of failing on a stale snapshot).
    """
    db.session.commit()
    attempt_count = db.session.scalar(
        select(Delivery.attempt_count).where(Delivery.id == delivery_id)
    )
    db.session.commit()
    values: dict[str, Any] = {"claim_token": None, "last_error": result.error}
    if result.ok:
        outcome = "delivered"
        values.update(status="delivered", delivered_at=now)
        if result.external_id:
            values.update(external_id=result.external_id)
        if result.external_channel:
            values.update(external_channel=result.external_channel)
        sibling_values: dict[str, Any] = {"status": "grouped", "delivered_at": now}
    else:
        if result.permanent or (attempt_count or 0) >= max_attempts:
            outcome = "failed"
            values.update(status="failed")
        else:
            outcome = "unconfirmed" if result.unconfirmed else "retry"
            values.update(
                status="pending",
                next_attempt_at=due_at or now + next_delay(attempt_count, result.retry_after),
            )
        sibling_values = {"status": "pending", "grouped_into_id": None}
        if outcome == "unconfirmed":  # they may be in the post: they wait for its check
            sibling_values = {"status": "carried"}
        elif outcome == "failed" and (interrupted or result.unconfirmed):
            # They may have gone out with the leader.
            sibling_values = {"status": "failed", "last_error": result.error}
    held = _execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.claim_token == token,
            Delivery.status == "sending",
        )
        .values(**values)
    )
    if held != 1:
        db.session.rollback()
        log.warning("delivery %s: claim lost before its result was recorded", delivery_id)
        return "claim_lost"
    if grouped_ids:
        _execute(
            update(Delivery)
            .where(
                Delivery.id.in_(list(grouped_ids)),
                Delivery.grouped_into_id == delivery_id,
                Delivery.claim_token == token,
            )
            .values(claim_token=None, **sibling_values)
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


def language_of(delivery: Delivery) -> str:
    """The language a delivery is sent in: its channel's (en, cy or both); for an email to one
    person (a home notice), that person's."""
    setting = delivery.channel_setting
    if setting is not None:
        return setting.language or "en"
    if delivery.channel == "email":
        chosen = db.session.scalar(
            select(User.language).where(func.lower(User.email) == delivery.destination.lower())
        )
        return chosen or "en"
    return "en"


def _composition(delivery: Delivery, grouped: list[Delivery], settings: Settings) -> Composition:
    setting = delivery.channel_setting
    messages = [delivery.message, *(d.message for d in grouped)]
    return compose(
        [_message_dict(m) for m in messages],
        settings.base_url,
        allow_child_reference=bool(setting and setting.allow_child_reference),
        mention=_mention(delivery.message) if delivery.channel == "slack" else None,
        language=language_of(delivery),
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
            raise NotConfigured(N_("The Teams webhook URL has been removed"))
        return teams_sender.post(url, composition)
    recipients = [r.strip() for r in delivery.destination.split(",") if r.strip()]
    return email_sender.send(settings, recipients, composition, delivery.idempotency_key)


def _unconfirmed_since(delivery_id: int) -> datetime | None:
    """When the first Slack post of this delivery whose answer was lost was made, if any."""
    return db.session.scalar(
        select(func.min(DeliveryAttempt.at)).where(
            DeliveryAttempt.delivery_id == delivery_id, DeliveryAttempt.result == "unconfirmed"
        )
    )


def _look_in_slack(delivery: Delivery, since: datetime, settings: Settings, after: str):
    """Whether Slack's history holds this delivery's post since ``since``, after ``after`` (an
    interrupted or an unconfirmed send): a SendResult saying so (delivered, or failed because
    nobody can tell), or None when it is not there."""
    try:
        ts = slack_sender.find_posted(
            settings, delivery.destination, delivery.idempotency_key, since
        )
    except (SlackClientError, NotConfigured, OSError, slack_sender.HistoryTooLong) as error:
        return SendResult(
            ok=False,
            permanent=True,
            error=f"Slack's history could not be checked after {after} ({error}); not resent. "
            "Check the channel, then retry if it is missing.",
        )
    if ts:
        return SendResult(ok=True, external_id=ts, error=f"Found already posted after {after}")
    return None


def deliver_one(delivery_id: int, now: datetime) -> str | None:
    """Claim and send one delivery; None when another relay has it or it is not due."""
    settings = _settings()
    token = uuid.uuid4().hex
    if not _claim(delivery_id, token, now):
        return None
    delivery = db.session.get(Delivery, delivery_id)
    held_until = _held_until(delivery, settings, now)
    if held_until is not None:
        released = _release(
            delivery_id,
            token,
            {
                "status": "pending",
                "next_attempt_at": held_until,
                "attempt_count": Delivery.attempt_count - 1,
            },
        )
        return "held" if released else "claim_lost"
    grouped_ids = _claim_carried(delivery_id, token, now)
    delivery = db.session.get(Delivery, delivery_id)
    unconfirmed_since = _unconfirmed_since(delivery_id) if delivery.channel == "slack" else None
    if unconfirmed_since is not None:
        found = _look_in_slack(delivery, unconfirmed_since, settings, "an unconfirmed send")
        if found is not None:
            return _record(
                delivery_id,
                token,
                found,
                now,
                settings.delivery_max_attempts,
                grouped_ids=grouped_ids,
                interrupted=True,
            )
    sibling_ids = [sibling.id for sibling in _siblings(delivery, settings)]
    db.session.commit()  # end the read before claiming (SQLite: write transactions start writing)
    grouped_ids += [i for i in sibling_ids if _claim_sibling(i, delivery_id, token, now)]
    delivery = db.session.get(Delivery, delivery_id)
    grouped = [db.session.get(Delivery, i) for i in grouped_ids]
    try:
        result = _send(delivery, _composition(delivery, grouped, settings), settings)
    except NotConfigured as error:
        return _not_configured(delivery_id, token, grouped_ids, str(error), now)
    except Exception as error:  # a bug must not leave the row 'sending' for ever
        db.session.rollback()
        result = SendResult(ok=False, error=f"Unexpected error: {type(error).__name__}")
    return _record(
        delivery_id, token, result, now, settings.delivery_max_attempts, grouped_ids=grouped_ids
    )


def _not_configured(
    delivery_id: int, token: str, grouped_ids: list[int], error: str, now: datetime
) -> str:
    """The destination's service has no credentials: nothing was sent; the alerts grouped into
    it go back to waiting on their own."""
    db.session.commit()
    held = _execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.claim_token == token)
        .values(status="not_configured", last_error=error, claim_token=None)
    )
    if held != 1:
        db.session.rollback()
        return "claim_lost"
    if grouped_ids:
        _execute(
            update(Delivery)
            .where(Delivery.id.in_(grouped_ids), Delivery.claim_token == token)
            .values(status="pending", claim_token=None, grouped_into_id=None)
        )
    db.session.execute(
        insert(DeliveryAttempt).values(
            delivery_id=delivery_id, at=now, result="not_configured", error=error
        )
    )
    db.session.commit()
    db.session.expire_all()
    return "not_configured"


def recover_stale(now: datetime) -> Counter:
    """Deliveries left 'sending' past the lease (a relay died mid-send): see module docstring."""
    counts: Counter = Counter()
    settings = _settings()
    stale = db.session.execute(
        select(Delivery.id, Delivery.claim_token, Delivery.claimed_at, Delivery.grouped_into_id)
        .where(Delivery.status == "sending", Delivery.claimed_at < now - LEASE)
        .order_by(Delivery.id)
    ).all()
    stale_ids = {row.id for row in stale}
    db.session.commit()
    # Leaders (with the alerts grouped into them); a grouped alert whose leader is not stale
    # on its own.
    for row in stale:
        if row.grouped_into_id is not None and row.grouped_into_id in stale_ids:
            continue
        token = uuid.uuid4().hex
        if not _renew_stale(row.id, row.claim_token, token, now):
            continue  # another relay took it over first
        if row.grouped_into_id is not None:
            # A grouped alert whose leader is no longer sending: send it in its own right.
            _release(row.id, token, {"status": "pending", "grouped_into_id": None})
            continue
        outcome = _recover(row.id, token, row.claimed_at, now, settings)
        counts[f"recovered_{outcome}"] += 1
    return counts


def _recover(
    delivery_id: int, token: str, claimed_at: datetime, now: datetime, settings: Settings
) -> str:
    delivery = db.session.get(Delivery, delivery_id)
    grouped_ids = list(
        db.session.scalars(
            select(Delivery.id).where(
                Delivery.grouped_into_id == delivery_id, Delivery.claim_token == token
            )
        )
    )
    record = {"grouped_ids": grouped_ids, "interrupted": True}
    if delivery.channel != "slack":
        result = SendResult(
            ok=False,
            permanent=True,
            error=N_(
                "Interrupted mid-send: it may or may not have arrived, so it was not "
                "resent. Check with the recipients, then retry if it is missing."
            ),
        )
    else:
        since = min(filter(None, [claimed_at, _unconfirmed_since(delivery_id)]))
        result = _look_in_slack(delivery, since, settings, "an interrupted send")
        if result is None:
            result = SendResult(
                ok=False, error=N_("Interrupted mid-send; not in Slack, will resend")
            )
            record = {"grouped_ids": grouped_ids, "due_at": now}
    return _record(delivery_id, token, result, now, settings.delivery_max_attempts, **record)


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
    with unit_of_work():
        delivery = get_or_not_found(Delivery, delivery_id, "delivery", user=user)
        changed = _execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status.in_(("failed", "not_configured")))
            .values(status="pending", grouped_into_id=None, attempt_count=0, next_attempt_at=now)
        )
        if changed != 1:
            raise ServiceError(_("Only failed or not configured deliveries can be retried"))
        audit.record("delivery_retried", "delivery", delivery.id, user=user)
    db.session.refresh(delivery)
    return delivery
