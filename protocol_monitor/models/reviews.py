"""Reviews of call-outs against the protocol, and the actions they agree."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..i18n import _
from ..vocab import ActionStatus
from .callouts import Callout
from .checks import vocab_check
from .homes import Home
from .users import User


class Review(db.Model):
    """The multi-agency review of one call-out against the protocol."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    callout_id: Mapped[int] = mapped_column(ForeignKey("callouts.id"), unique=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    protocol_applied: Mapped[str] = mapped_column(String(30))
    police_necessary: Mapped[str] = mapped_column(String(30))
    police_response_proportionate: Mapped[bool | None] = mapped_column(Boolean)
    outcome_proportionate: Mapped[bool | None] = mapped_column(Boolean)
    learning_points: Mapped[str | None] = mapped_column(Text)

    callout: Mapped[Callout] = relationship(back_populates="review")
    reviewer: Mapped[User | None] = relationship()
    actions: Mapped[list[Action]] = relationship(back_populates="review", order_by="Action.id")


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (vocab_check("status", ActionStatus, nullable=False),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: An action the home owns (issue 14): every provider user linked to the home sees and
    #: updates it. Set instead of ``owner_id``, never with it.
    owner_home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"), index=True)
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[Review] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    owner_home: Mapped[Home | None] = relationship(foreign_keys=[owner_home_id])
    events: Mapped[list[ActionEvent]] = relationship(order_by="ActionEvent.at")

    @property
    def owner_label(self) -> str:
        """Who owns it, for a page: the person, the home, or no one yet."""
        if self.owner_home is not None:
            return _("%(home)s (the home)", home=self.owner_home.name)
        return str(self.owner) if self.owner is not None else _("No owner yet")


class ActionEvent(db.Model):
    """A status change of an action, kept with who and when."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship()
