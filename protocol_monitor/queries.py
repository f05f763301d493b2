"""Read-side selects for lists and dashboards, always scoped through access.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
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
        return pages_for(self.total, self.size)

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def pages_for(total: int, size: int) -> int:
    """How many pages of ``size`` rows ``total`` rows fill (one, even when there are none)."""
    return max(1, -(-total // size))


def paginate(
    query: Select, page: int, size: int, *, order_by=(), options=(), clamp: bool = True
) -> Page:
    """One page of a query's rows, and how many rows there are in all.

    ``clamp``: a page number past the last (or below 1) gives the nearest page, as the pages'
    links expect; the API instead answers an empty page past the last.
    """
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if clamp:
        page = max(1, min(page, pages_for(total, size)))
    rows = db.session.scalars(
        query.options(*options).order_by(*order_by).limit(size).offset((page - 1) * size)
    ).all()
    return Page(items=list(rows), number=page, size=size, total=total)


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
    return paginate(
        query,
        page,
        size,
        order_by=(Callout.occurred_at.desc(), Callout.id.desc()),
        # What the list shows: each home's name and which sources reported it.
        options=(
            selectinload(Callout.home).load_only(Home.name),
            selectinload(Callout.reports).load_only(Report.source),
        ),
    )


def homes(user: User) -> list[Home]:
    return list(db.session.scalars(access.scoped_homes(user)))


def fileable_homes(user: User) -> list[Home]:
    return list(
        db.session.scalars(
            select(Home).where(access.fileable_homes_condition(user)).order_by(Home.name)
        )
    )
