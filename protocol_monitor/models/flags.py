"""Flags (domain.md §7): a rule met for a subject, and the call-outs that met it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..vocab import FlagRule, FlagStatus
from .callouts import Callout
from .checks import vocab_check
from .homes import Home
from .users import User

flag_callouts = Table(
    "flag_callouts",
    db.Model.metadata,
    Column("flag_id", ForeignKey("flags.id", ondelete="CASCADE"), primary_key=True),
    Column("callout_id", ForeignKey("callouts.id", ondelete="CASCADE"), primary_key=True),
    # The flags of one call-out (its page, matching's transfer).
    Index("ix_flag_callouts_callout_id", "callout_id"),
)


class Flag(db.Model):
    """A rule of §7 met for a subject. While open, later qualifying call-outs attach to it."""

    __tablename__ = "flags"
    __table_args__ = (
        vocab_check("rule", FlagRule, nullable=False),
        vocab_check("status", FlagStatus, nullable=False),
        # At most one unresolved flag per rule and subject.
        Index(
            "uq_flags_open_subject",
            "subject_key",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
        Index("ix_flags_status_rule", "status", "rule"),
        # Every flag of a subject, resolved ones too (has this call-out been flagged before?).
        Index("ix_flags_subject_key", "subject_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=FlagStatus.OPEN.value)
    subject_key: Mapped[str] = mapped_column(String(120))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    child_reference: Mapped[str | None] = mapped_column(String(40))
    placing_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    month: Mapped[str | None] = mapped_column(String(7))
    callout_id: Mapped[int | None] = mapped_column(ForeignKey("callouts.id"))
    threshold: Mapped[int | None] = mapped_column(Integer)
    window_days: Mapped[int | None] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_note: Mapped[str | None] = mapped_column(Text)

    home: Mapped[Home] = relationship()
    callouts: Mapped[list[Callout]] = relationship(
        secondary=flag_callouts, order_by="Callout.occurred_at"
    )
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def rule_label(self) -> str:
        return FlagRule(self.rule).label
