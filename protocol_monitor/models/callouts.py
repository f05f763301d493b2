"""Call-outs: each incident counted once, merged from a home report and/or a police record."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..vocab import Category, Outcome, Source
from .checks import vocab_check
from .homes import Home
from .organisations import Authority

if TYPE_CHECKING:
    from .reports import Report
    from .reviews import Review


class Callout(db.Model):
    """One incident, counted once: the merge of a home report and/or a police record (§5).

    The effective fields here are derived from the reports by rules.matching.merge, and stored so
    that lists, flags and summaries can filter and aggregate in SQL. ``month`` is the London month.
    """

    __tablename__ = "callouts"
    __table_args__ = (
        vocab_check("category", Category, nullable=False),
        vocab_check("outcome", Outcome),
        Index("ix_callouts_home_month", "home_id", "month"),
        Index("ix_callouts_home_child_occurred", "home_id", "child_reference", "occurred_at"),
        Index("ix_callouts_month", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    occurred_at: Mapped[datetime]
    month: Mapped[str] = mapped_column(String(7))
    child_reference: Mapped[str | None] = mapped_column(String(40))
    placing_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id"), index=True
    )
    category: Mapped[str] = mapped_column(String(40))
    in_scope: Mapped[bool] = mapped_column(Boolean)
    immediate_risk: Mapped[str | None] = mapped_column(String(10))
    police_attended: Mapped[bool | None] = mapped_column(Boolean)
    arrested: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(40))
    criminal_outcome: Mapped[bool] = mapped_column(Boolean, default=False)
    police_reference: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    home: Mapped[Home] = relationship()
    placing_authority: Mapped[Authority | None] = relationship()
    reports: Mapped[list[Report]] = relationship(back_populates="callout", order_by="Report.source")
    review: Mapped[Review | None] = relationship(back_populates="callout")

    def report_from(self, source: Source | str) -> Report | None:
        return next((r for r in self.reports if r.source == source), None)

    @property
    def home_report(self) -> Report | None:
        return self.report_from(Source.HOME)

    @property
    def police_record(self) -> Report | None:
        return self.report_from(Source.POLICE)

    @property
    def category_label(self) -> str:
        return Category(self.category).label
