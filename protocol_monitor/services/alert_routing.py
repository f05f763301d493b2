"""Alert routing: which destinations each outbox message goes to, as one delivery each.

A flag alert goes to the home's host authority's channels (else its police force's), by Slack,
Teams and email as each is set; a digest or an overdue-action reminder to the group's; a home
notice (services.home_notices) by email to each person it concerns, one delivery each. Each
message is claimed with an atomic ``UPDATE ... WHERE status = 'pending'`` before its deliveries
are written, in one transaction, so two relays never route it twice. Sending is the relay's job
(``relay.py``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..db import db, unit_of_work
from ..i18n import _
from ..models import ChannelSetting, Delivery, Home, OutboxMessage, User
from . import ServiceError, get_or_not_found, home_notices

BATCH = 200


def destinations_for(message: OutboxMessage) -> list[ChannelSetting]:
    """The channel settings a message goes to: a flag alert to the home's authority (else its
    police force); a digest or reminder to the group."""
    if message.kind == "flag_alert":
        home = db.session.get(Home, message.home_id) if message.home_id else None
        if home is None:
            return []
        for key in (f"authority:{home.host_authority_id}", f"force:{home.police_force_id}"):
            setting = _setting(key)
            if setting is not None and (
                setting.slack_channel_id or setting.teams_webhook_url or setting.recipients
            ):
                return [setting]
        return []
    setting = _setting("group")
    return [setting] if setting is not None else []


def _setting(scope_key: str) -> ChannelSetting | None:
    return db.session.scalar(select(ChannelSetting).where(ChannelSetting.scope_key == scope_key))


def _planned(message: OutboxMessage) -> list[tuple[str, str, ChannelSetting | None]]:
    if message.kind in home_notices.KINDS:
        return [("email", user.email, None) for user in home_notices.recipients(message)]
    planned: list[tuple[str, str, ChannelSetting | None]] = []
    for setting in destinations_for(message):
        if setting.slack_channel_id:
            planned.append(("slack", setting.slack_channel_id, setting))
        if setting.teams_webhook_url:
            planned.append(("teams", f"teams:{setting.scope_key}", setting))
        if setting.recipients:
            planned.append(("email", ", ".join(setting.recipients), setting))
    return planned


def route_pending(now: datetime) -> Counter:
    """Create the deliveries of every new outbox message (each message claimed atomically)."""
    counts: Counter = Counter()
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending")
            .order_by(OutboxMessage.id)
            .limit(BATCH)
        )
    )
    db.session.commit()
    for message_id in ids:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
            .values(status="routing")
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        message = db.session.get(OutboxMessage, message_id)
        planned = _planned(message)
        for channel, destination, setting in planned:
            db.session.add(
                Delivery(
                    message_id=message.id,
                    channel=channel,
                    channel_setting_id=setting.id if setting is not None else None,
                    destination=destination,
                    idempotency_key=f"{message.idempotency_key}|{channel}|{destination}"[:300],
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        message.status = "routed" if planned else "not_configured"
        try:
            db.session.commit()
        except IntegrityError:  # another relay routed it first
            db.session.rollback()
            continue
        counts["routed" if planned else "not_configured"] += 1
    return counts


def reroute(message_id: int, user: User) -> OutboxMessage:
    """Route a message again that found no destination (after channels have been set up)."""
    with unit_of_work():
        message = get_or_not_found(OutboxMessage, message_id, "outbox_message", user=user)
        if message.status != "not_configured":
            raise ServiceError(_("Only messages with no destination can be sent again"))
        message.status = "pending"
        audit.record("outbox_rerouted", "outbox_message", message.id, user=user)
    return message
