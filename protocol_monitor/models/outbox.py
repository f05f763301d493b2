"""The outbox: every outgoing message is a row written in the same transaction as its cause."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db, utcnow


class OutboxMessage(db.Model):
    """One thing to tell people (a flag alert, an overdue reminder, a digest).

    ``payload`` is channel-neutral: a title, lines of facts and a link path, with no child's
    personal data; the pseudonymous reference travels separately in ``restricted`` so that only
    channels allowed to see it receive it. The relay turns a message into Slack, Teams or email.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column()
    restricted: Mapped[dict[str, Any]] = mapped_column(default=dict)
    home_id: Mapped[int | None] = mapped_column(db.ForeignKey("homes.id"))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
