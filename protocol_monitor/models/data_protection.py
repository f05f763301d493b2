"""Data protection: which call-outs the retention job has already anonymised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db, utcnow


class AnonymisedCallout(db.Model):
    """A call-out whose identifiable detail the retention job removed (so it is done once)."""

    __tablename__ = "anonymised_callouts"

    callout_id: Mapped[int] = mapped_column(
        ForeignKey("callouts.id", ondelete="CASCADE"), primary_key=True
    )
    anonymised_at: Mapped[datetime] = mapped_column(default=utcnow)
