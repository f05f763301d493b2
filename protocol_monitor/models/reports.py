"""Reports: a home's report or a police record of a call-out, and the corrections made to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..vocab import Category, Outcome, Source
from .callouts import Callout
from .checks import vocab_check
from .homes import Home
from .organisations import Authority
from .users import User


class Report(db.Model):
    """One side's account of a call-out: a home report (source `home`) or a police record."""

    __tablename__ = "reports"
    __table_args__ = (
        vocab_check("source", Source, nullable=False),
        vocab_check("category", Category, nullable=False),
        vocab_check("outcome", Outcome),
        CheckConstraint("child_age IS NULL OR (child_age >= 0 AND child_age <= 25)", name="age"),
        # The idempotency key of a police extract: home + police reference (§5).
        Index(
            "uq_reports_police_home_reference",
            "home_id",
            "police_reference",
            unique=True,
            sqlite_where=text("source = 'police' AND police_reference IS NOT NULL"),
            postgresql_where=text("source = 'police' AND police_reference IS NOT NULL"),
        ),
        Index("ix_reports_home_occurred", "home_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    callout_id: Mapped[int] = mapped_column(ForeignKey("callouts.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    occurred_at: Mapped[datetime]
    child_reference: Mapped[str | None] = mapped_column(String(40))
    placing_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    child_sex: Mapped[str | None] = mapped_column(String(10))
    child_age: Mapped[int | None] = mapped_column(Integer)
    caller_role: Mapped[str | None] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(40))
    child_role: Mapped[str | None] = mapped_column(String(30))
    immediate_risk: Mapped[str | None] = mapped_column(String(10))
    immediate_risk_reason: Mapped[str | None] = mapped_column(Text)
    deescalation: Mapped[list[str]] = mapped_column(default=list)
    police_attended: Mapped[bool | None] = mapped_column(Boolean)
    police_reference: Mapped[str | None] = mapped_column(String(40))
    arrested: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(40))
    injuries_damage: Mapped[str | None] = mapped_column(Text)
    restorative: Mapped[str | None] = mapped_column(String(30))
    ofsted_notified: Mapped[bool | None] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(Text)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]

    callout: Mapped[Callout] = relationship(back_populates="reports")
    home: Mapped[Home] = relationship()
    placing_authority: Mapped[Authority | None] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report", order_by="ReportRevision.changed_at.desc()"
    )


class ReportRevision(db.Model):
    """One correction to a report: which fields changed, from what, to what, by whom and why
    (``reason``: free text, None for a correction an import made)."""

    __tablename__ = "report_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()
