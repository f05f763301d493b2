"""Compiled monthly summaries: versioned snapshots of a month's figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db, utcnow


class SummarySnapshot(db.Model):
    """One compiled version of a month's figures (domain.md §8).

    A recompile with the same figures keeps the latest version; a different result (late reports,
    corrections) becomes version n+1 with ``changes`` saying what moved since version n.
    """

    __tablename__ = "summary_snapshots"
    __table_args__ = (UniqueConstraint("month", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    version: Mapped[int] = mapped_column(Integer)
    compiled_at: Mapped[datetime] = mapped_column(default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    figures: Mapped[dict[str, Any]] = mapped_column()
    changes: Mapped[list[str]] = mapped_column(default=list)

    def as_document(self) -> dict[str, Any]:
        """The published form: month, version, compiled_at, then the figures."""
        return {
            "month": self.month,
            "version": self.version,
            "compiled_at": self.compiled_at.isoformat(),
            **self.figures,
            "changes": list(self.changes),
        }
