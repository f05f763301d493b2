"""Reading the audit log: search by user, record, action and London dates; export as CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from .. import access
from ..db import db
from ..models import AuditEvent, User
from ..queries import Page, paginate
from ..rules.export import csv_text
from ..rules.time import day_bounds, to_london
from . import audit_trail

CSV_HEADER = (
    "id",
    "at_utc",
    "at_london",
    "user",
    "ip",
    "action",
    "record_type",
    "record_id",
    "changes",
)


@dataclass(frozen=True)
class AuditFilters:
    user_email: str | None = None
    record_type: str | None = None
    record_id: int | None = None
    action: str | None = None
    date_from: date | None = None  # London date, inclusive
    date_to: date | None = None  # London date, inclusive

    def described(self) -> dict[str, str | int]:
        return {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in asdict(self).items()
            if v not in (None, "")
        }


def _query(filters: AuditFilters) -> Select:
    query = select(AuditEvent)
    if filters.user_email:
        text = filters.user_email.strip().lower()
        query = query.where(
            AuditEvent.user_id.in_(
                select(User.id).where(func.lower(User.email).contains(text, autoescape=True))
            )
        )
    if filters.record_type:
        query = query.where(AuditEvent.record_type == filters.record_type)
    if filters.record_id is not None:
        query = query.where(AuditEvent.record_id == filters.record_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    start, end = day_bounds(filters.date_from, filters.date_to)
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    return query


def search(user: User, filters: AuditFilters, page: int = 1, size: int = 50) -> Page:
    """A page of matching audit events, newest first. Looking at the log is itself recorded."""
    access.require(user, access.Permission.ADMINISTER, "audit_log")
    result = paginate(
        _query(filters),
        page,
        size,
        order_by=(AuditEvent.at.desc(), AuditEvent.id.desc()),
        options=(selectinload(AuditEvent.user),),
    )
    audit_trail.read(
        "audit_log_viewed",
        "audit_log",
        None,
        user=user,
        changes={"filters": filters.described(), "page": result.number},
    )
    return result


def actions() -> list[str]:
    """Every action name in the log, for the filter's choices."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def record_types() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.record_type)
            .where(AuditEvent.record_type.is_not(None))
            .distinct()
            .order_by(AuditEvent.record_type)
        )
    )


def _rows(filters: AuditFilters) -> Iterator[list[object]]:
    query = (
        _query(filters)
        .options(selectinload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    for event in db.session.scalars(query):
        yield [
            event.id,
            event.at.isoformat(),
            to_london(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.user.email if event.user else "",
            event.ip or "",
            event.action,
            event.record_type or "",
            event.record_id if event.record_id is not None else "",
            json.dumps(event.changes, sort_keys=True, ensure_ascii=False),
        ]


def export_csv(user: User, filters: AuditFilters) -> str:
    """The whole filtered log as CSV, formula cells neutralised; the export is audited."""
    access.require(user, access.Permission.ADMINISTER, "audit_log")
    rows = list(_rows(filters))
    audit_trail.read(
        "audit_log_exported",
        "audit_log",
        None,
        user=user,
        changes={"filters": filters.described(), "rows": len(rows)},
    )
    return csv_text(CSV_HEADER, rows)
