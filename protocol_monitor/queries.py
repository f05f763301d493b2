"""Read-side selects for lists and dashboards, always scoped through access.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from . import access
from .db import db
from .models import Callout, Home, Report, User


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class CalloutFilters:
    home_id: int | None = None
    month: str | None = None
    category: str | None = None


def callouts(user: User, filters: CalloutFilters, page: int = 1, size: int = 25) -> Page:
    """The user's call-outs, newest first, filtered and paginated."""
    query = access.scoped_callouts(user)
    if filters.home_id is not None:
        query = query.where(Callout.home_id == filters.home_id)
    if filters.month:
        query = query.where(Callout.month == filters.month)
    if filters.category:
        query = query.where(Callout.category == filters.category)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, min(page, max(1, -(-total // size))))
    rows = db.session.scalars(
        query.options(
            selectinload(Callout.home),
            selectinload(Callout.reports),
            selectinload(Callout.review),
        )
        .order_by(Callout.occurred_at.desc(), Callout.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return Page(items=list(rows), number=page, size=size, total=total)


def homes(user: User) -> list[Home]:
    return list(db.session.scalars(access.scoped_homes(user)))


def fileable_homes(user: User) -> list[Home]:
    return list(
        db.session.scalars(
            select(Home).where(access.fileable_homes_condition(user)).order_by(Home.name)
        )
    )


def report_history(report: Report) -> list[Any]:
    return list(report.revisions)
