"""Putting messages in the outbox. Callers are other services, inside their own transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..db import db
from ..models import OutboxMessage


@dataclass(frozen=True)
class Notice:
    """A channel-neutral message. Never put a child's name or free text in it."""

    kind: str  # flag_alert | action_reminder | digest | home_* and action_* (home_notices)
    key: str  # idempotency key: the same key is enqueued once, ever
    title: str
    lines: list[str]
    link_path: str  # e.g. /flags/12; the relay prefixes BASE_URL
    home_id: int | None = None
    record_type: str | None = None
    record_id: int | None = None
    restricted: dict[str, Any] = field(default_factory=dict)  # e.g. {"child_reference": ...}
    extra: dict[str, Any] = field(default_factory=dict)


def enqueue(notice: Notice) -> OutboxMessage:
    """Add the notice to the caller's transaction, once per idempotency key."""
    existing = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == notice.key)
    )
    if existing is not None:
        return existing
    message = OutboxMessage(**message_values(notice))
    db.session.add(message)
    return message


def message_values(notice: Notice) -> dict[str, Any]:
    """The outbox row of a notice (services.bulk_filing inserts many at once)."""
    return {
        "kind": notice.kind,
        "idempotency_key": notice.key,
        "payload": {
            "title": notice.title,
            "lines": list(notice.lines),
            "link_path": notice.link_path,
            **notice.extra,
        },
        "restricted": dict(notice.restricted),
        "home_id": notice.home_id,
        "record_type": notice.record_type,
        "record_id": notice.record_id,
    }
