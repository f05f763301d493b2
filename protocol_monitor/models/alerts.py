"""Where messages go (channel settings) and how each one went (deliveries and their attempts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from .organisations import Authority, PoliceForce
from .outbox import OutboxMessage


class ChannelSetting(db.Model):
    """The Slack channel, Teams webhook and email recipients of the group, an authority or a force.

    ``scope_key`` is ``group``, ``authority:<id>`` or ``force:<id>``. The Teams webhook URL is a
    secret: it is stored, used by the relay, and never shown back in full nor logged.
    """

    __tablename__ = "channel_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(40), unique=True)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    police_force_id: Mapped[int | None] = mapped_column(ForeignKey("police_forces.id"))
    slack_channel_id: Mapped[str | None] = mapped_column(String(40), index=True)
    teams_webhook_url: Mapped[str | None] = mapped_column(Text)
    email_recipients: Mapped[str | None] = mapped_column(Text)
    allow_child_reference: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The language of the channel's messages: en, cy or both (Welsh first).
    language: Mapped[str] = mapped_column(String(4), default="en", server_default="en")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    authority: Mapped[Authority | None] = relationship()
    police_force: Mapped[PoliceForce | None] = relationship()

    @property
    def recipients(self) -> list[str]:
        return [r.strip() for r in (self.email_recipients or "").split(",") if r.strip()]

    @property
    def teams_webhook_hint(self) -> str:
        """The webhook URL masked: its host and the last four characters only."""
        url = self.teams_webhook_url or ""
        if not url:
            return ""
        host = url.split("://", 1)[-1].split("/", 1)[0]
        return f"{host}/…{url[-4:]}"


class Delivery(db.Model):
    """One outbox message to one destination (a Slack channel, a Teams webhook, an email list).

    status: pending → sending → delivered; or failed after the last attempt; ``not_configured``
    when the destination's service has no credentials; ``grouped`` when sent inside another
    delivery's message (``grouped_into_id``); ``carried`` while inside another delivery's post
    whose answer was lost, waiting for that delivery's next attempt to check and send it.
    ``claim_token`` and ``claimed_at`` belong to the relay that holds it while ``sending``
    (services/relay.py changes a delivery only while holding its claim).
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # slack | teams | email
    channel_setting_id: Mapped[int | None] = mapped_column(ForeignKey("channel_settings.id"))
    destination: Mapped[str] = mapped_column(String(300))
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(80))
    external_channel: Mapped[str | None] = mapped_column(String(40))
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    grouped_into_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[OutboxMessage] = relationship()
    channel_setting: Mapped[ChannelSetting | None] = relationship()
    attempts: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id"
    )


class DeliveryAttempt(db.Model):
    """Every try at sending a delivery: when, the result, the HTTP status and the error."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # delivered | retry | unconfirmed (the answer was lost) | failed | not_configured
    result: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    delivery: Mapped[Delivery] = relationship(back_populates="attempts")
