"""The monthly fact tables: the one source of every figure counted from call-outs.

Maintained by services.monthly_facts in the unit of work that files, matches, corrects, reviews,
imports or purges call-outs (each (month, home) touched is counted again from its call-outs);
read by the month's compile, the trend charts, the yearly report and the board report. The way
notifications-api keeps its ``ft_*`` tables.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db

#: The counts of a row of ``ft_monthly_callouts``, in order. Every count but
#: ``missing_excluded`` is of in-scope call-outs.
MEASURES: tuple[str, ...] = (
    "callouts",
    "missing_excluded",
    "arrests",
    "criminal_outcomes",
    "reviewed",
    "protocol_appropriate",
    "protocol_partly",
    "protocol_not_appropriate",
    "protocol_insufficient_information",
)


class MonthlyCalloutFact(db.Model):
    """Call-outs of one London month at one home placed by one authority (None: no placing
    authority recorded), counted: ``callouts`` in scope, ``missing_excluded`` not in scope
    (missing or absent), and of the in-scope ones those with an arrest, a criminal outcome, a
    review, and a review finding each protocol_applied answer."""

    __tablename__ = "ft_monthly_callouts"
    __table_args__ = (
        # Reading a span of months by home or placing authority without touching the table.
        Index(
            "ix_ft_monthly_callouts_month_home",
            "month",
            "home_id",
            "placing_authority_id",
            "callouts",
        ),
        # A span of months for each home, or each placing authority, in index order.
        Index("ix_ft_monthly_callouts_home_month", "home_id", "month", "callouts"),
        Index("ix_ft_monthly_callouts_placing_month", "placing_authority_id", "month", "callouts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    placing_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    callouts: Mapped[int] = mapped_column(Integer)
    missing_excluded: Mapped[int] = mapped_column(Integer)
    arrests: Mapped[int] = mapped_column(Integer)
    criminal_outcomes: Mapped[int] = mapped_column(Integer)
    reviewed: Mapped[int] = mapped_column(Integer)
    protocol_appropriate: Mapped[int] = mapped_column(Integer)
    protocol_partly: Mapped[int] = mapped_column(Integer)
    protocol_not_appropriate: Mapped[int] = mapped_column(Integer)
    protocol_insufficient_information: Mapped[int] = mapped_column(Integer)


class MonthlyChildFact(db.Model):
    """In-scope call-outs of one London month at one home about one child (a child reference is
    unique within its placing authority, §3): what counts distinct children and repeat children
    without reading call-outs. Call-outs with no child reference are not here."""

    __tablename__ = "ft_monthly_children"
    __table_args__ = (Index("ix_ft_monthly_children_month_home", "month", "home_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    placing_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    child_reference: Mapped[str] = mapped_column(String(40))
    callouts: Mapped[int] = mapped_column(Integer)
