"""Compiled monthly summaries (versioned snapshots) and the scheduler's job claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
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


class JobClaim(db.Model):
    """A scheduler job's claim on a period: at most one row per (job, period), ever.

    ``status`` is ``running`` while a process works on it, ``done`` after, ``failed`` when the
    work raised. A ``running`` claim older than the lease (a crashed process) can be taken over.
    """

    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="running")
    token: Mapped[str] = mapped_column(String(64))
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str | None] = mapped_column(Text)
