"""What a person typed into a form and has not filed yet (issue 14: no report lost).

A **draft** is saved by its author, listed on their start page and resumed from there. A **held**
submission is a form that arrived after its author's session had ended: it is kept so that they
can sign in again and land back on the form with everything filled in, once.

Neither is a record: nothing counts them, and both go when filed, when taken back, or after
``DRAFT_DAYS`` (services.retention). Their fields may hold a child's reference and free text, so
they are never written to the audit log or the logs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from .callouts import Callout
from .homes import Home


class SavedForm(db.Model):
    __tablename__ = "saved_forms"
    __table_args__ = (
        CheckConstraint("purpose IN ('draft', 'held')", name="purpose_values"),
        CheckConstraint("form IN ('callout', 'police_record', 'review')", name="form_values"),
        Index("ix_saved_forms_user_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    #: Its author (a held submission's: the person whose session it arrived after).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: A held submission's one-time key, as its SHA-256 (the key itself goes to the browser only).
    key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The form's page, to return to (``/callouts/new``, ``/callouts/12/review``).
    path: Mapped[str] = mapped_column(String(300))
    #: A draft's form: "callout", "police_record" or "review" (a held form's is its path).
    form: Mapped[str | None] = mapped_column(String(20))
    #: The call-out a review draft is of.
    callout_id: Mapped[int | None] = mapped_column(ForeignKey("callouts.id", ondelete="CASCADE"))
    #: The home chosen on the form, for a draft's line on the start page.
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="SET NULL"))
    #: What was typed, as [name, value] pairs in the order posted (CSRF token left out).
    fields: Mapped[list[str]] = mapped_column(default=list)  # JSON: [[name, value], ...]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    home: Mapped[Home | None] = relationship()
    callout: Mapped[Callout | None] = relationship()

    def value(self, name: str) -> str:
        """The first value posted under ``name`` ("" when none)."""
        return next((value for key, value in self.fields if key == name), "")
