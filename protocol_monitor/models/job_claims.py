"""The scheduler's job claims: each job runs once per period (services.job_claims)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db, utcnow


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
