"""Reading the audit log: search by person, record, kind of event and London dates; each event
as a sentence (rules/audit_events) with its raw detail beside it; export as CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from .. import access
from ..db import db
from ..i18n import N_, translate
from ..models import AuditEvent, Authority, Callout, Home, IdentityProvider, User
from ..queries import Page, paginate
from ..rules import audit_events
from ..rules.export import csv_text
from ..rules.time import day_bounds, to_london
from . import audit_trail

#: The export, its headers in the reader's language: what happened in words first; then the raw
#: entry, its columns marked "(code)" or "(raw)" for those who analyse the log with other tools.
CSV_HEADER = (
    N_("Entry"),
    N_("Time (UK)"),
    N_("Time (UTC)"),
    N_("Person"),
    N_("Email address"),
    N_("IP address"),
    N_("What happened"),
    N_("Details"),
    N_("Event (code)"),
    N_("Record (code)"),
    N_("Record number"),
    N_("Detail (raw JSON)"),
    N_("Page (code)"),
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
                select(User.id).where(
                    or_(
                        func.lower(User.email).contains(text, autoescape=True),
                        func.lower(User.display_name).contains(text, autoescape=True),
                    )
                )
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


def actions() -> list[tuple[str, str]]:
    """Every kind of event in the log, with its label, for the filter's choices."""
    found = db.session.scalars(select(AuditEvent.action).distinct())
    return sorted(((a, audit_events.label(a)) for a in found), key=lambda pair: pair[1])


def record_types() -> list[tuple[str, str]]:
    """Every kind of record in the log, by its name, for the filter's choices."""
    found = db.session.scalars(
        select(AuditEvent.record_type).where(AuditEvent.record_type.is_not(None)).distinct()
    )
    named = {t: _capitalised(audit_events.noun(t)) for t in found}
    return sorted(named.items(), key=lambda pair: pair[1])


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Entry:
    """An audit event as the log shows it: a sentence, its details, and the raw entry."""

    event: AuditEvent
    sentence: str
    details: list[str]
    raw: str
    #: The page the event was about (shown as a code), and what it was (Description.page_kind).
    page: str | None = None
    page_kind: str = "asked"


def _names(model: Any, column: Any, keys: set[Any]) -> dict[Any, str]:
    if not keys:
        return {}
    return dict(db.session.execute(select(column, model.name).where(column.in_(keys))).all())


def describe(events: Sequence[AuditEvent]) -> list[Entry]:
    """Each event in words, looking up (in a few queries for the whole page) the names of the
    people, homes, authorities and call-outs it mentions."""
    wanted: dict[str, set[Any]] = {kind: set() for kind in ("user", "home", "authority", "idp")}
    callouts: set[int] = set()
    codes: set[str] = set()
    for event in events:
        if event.record_id is not None:
            kind = "idp" if event.record_type == "identity_provider" else event.record_type
            if kind in wanted:
                wanted[kind].add(event.record_id)
            if event.record_type == "callout":
                callouts.add(event.record_id)
        changes = event.changes or {}
        if event.action in ("callout_list_viewed", "callout_searched"):
            callouts.update(i for i in changes.get("ids") or [] if isinstance(i, int))
        if isinstance(changes.get("placing_authority"), str):
            codes.add(changes["placing_authority"])
    users = (
        {u.id: str(u) for u in db.session.scalars(select(User).where(User.id.in_(wanted["user"])))}
        if wanted["user"]
        else {}
    )
    records = {
        "user": users,
        "home": _names(Home, Home.id, wanted["home"]),
        "authority": _names(Authority, Authority.id, wanted["authority"]),
        "identity_provider": _names(IdentityProvider, IdentityProvider.id, wanted["idp"]),
    }
    callout_homes = (
        dict(
            db.session.execute(
                select(Callout.id, Home.name)
                .join(Home, Home.id == Callout.home_id)
                .where(Callout.id.in_(callouts))
            ).all()
        )
        if callouts
        else {}
    )
    authorities = _names(Authority, Authority.code, codes)
    entries = []
    for event in events:
        facts = audit_events.Facts(
            action=event.action,
            record_type=event.record_type,
            record_id=event.record_id,
            changes=event.changes or {},
            who=str(event.user) if event.user else audit_events.SERVICE,
            names={
                "record": records.get(event.record_type or "", {}).get(event.record_id),
                "callout_homes": callout_homes,
                "authorities": authorities,
            },
        )
        description = audit_events.describe(facts)
        raw = json.dumps(
            {
                "event": event.action,
                "record": event.record_type,
                "record_id": event.record_id,
                "changes": event.changes,
            },
            indent=1,
            sort_keys=True,
            ensure_ascii=False,
        )
        entries.append(
            Entry(
                event,
                description.sentence,
                description.details,
                raw,
                description.page,
                description.page_kind,
            )
        )
    return entries


#: Events described per query of names, so a long export stays within a bounded memory.
_BATCH = 500


def _rows(filters: AuditFilters) -> Iterator[list[object]]:
    query = (
        _query(filters)
        .options(selectinload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    service = _capitalised(translate(audit_events.SERVICE_NAME))
    for batch in db.session.scalars(query.execution_options(yield_per=_BATCH)).partitions():
        for entry in describe(batch):
            event = entry.event
            yield [
                event.id,
                to_london(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                event.at.isoformat(),
                (event.user.display_name or "") if event.user else service,
                event.user.email if event.user else "",
                event.ip or "",
                entry.sentence,
                "; ".join(entry.details),
                event.action,
                event.record_type or "",
                event.record_id if event.record_id is not None else "",
                json.dumps(event.changes, sort_keys=True, ensure_ascii=False),
                entry.page or "",
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
    return csv_text([translate(header) for header in CSV_HEADER], rows)
