"""Flags (domain.md §7) once raised: read in the user's scope, acknowledged, resolved, listed.

Raising them is services.flags, in the transaction that files, matches or changes a call-out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import access, audit
from ..db import db, unit_of_work, utcnow
from ..i18n import _
from ..models import Callout, Flag, Home, User, flag_callouts
from ..vocab import FlagRule, FlagStatus
from . import ServiceError, read_scoped

UNRESOLVED = (FlagStatus.OPEN.value, FlagStatus.ACKNOWLEDGED.value)


def _scoped_flags(user: User):
    return select(Flag).join(Home, Home.id == Flag.home_id).where(access.homes_condition(user))


def get_flag(user: User, flag_id: int, *, audit_read: bool = True) -> Flag:
    """A flag whose home is in the user's scope; anything else is NotFound. Reads are audited."""
    query = (
        _scoped_flags(user)
        .where(Flag.id == flag_id)
        .options(selectinload(Flag.callouts).selectinload(Callout.reports))
    )
    return read_scoped(query, "flag", flag_id, user, audit_read=audit_read)


def flag_to_act_on(user: User, flag_id: int) -> Flag:
    """A flag in the user's scope (else NotFound) that they may manage (else Forbidden)."""
    flag = get_flag(user, flag_id, audit_read=False)
    access.require(user, access.Permission.MANAGE_FLAGS, "flag", flag.id)
    return flag


def _unresolved_flag(user: User, flag_id: int) -> Flag:
    flag = flag_to_act_on(user, flag_id)
    if flag.status == FlagStatus.RESOLVED.value:
        raise ServiceError(_("This flag has already been resolved"))
    return flag


def acknowledge(user: User, flag_id: int, note: str = "") -> Flag:
    """Someone has seen the flag and is dealing with it. The note is optional."""
    flag = _unresolved_flag(user, flag_id)
    if flag.status == FlagStatus.ACKNOWLEDGED.value:
        raise ServiceError(_("This flag has already been acknowledged"))
    with unit_of_work():
        flag.status = FlagStatus.ACKNOWLEDGED.value
        flag.acknowledged_at = utcnow()
        flag.acknowledged_by_id = user.id
        flag.acknowledged_note = note.strip() or None
        audit.record("flag_acknowledged", "flag", flag.id, user=user, changes={"note": bool(note)})
    return flag


def resolve(user: User, flag_id: int, note: str) -> Flag:
    """A person closes the flag, saying how. It stays listed under Resolved."""
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Enter how the flag was resolved"))
    flag = _unresolved_flag(user, flag_id)
    with unit_of_work():
        flag.status = FlagStatus.RESOLVED.value
        flag.resolved_at = utcnow()
        flag.resolved_by_id = user.id
        flag.resolved_note = note
        audit.record("flag_resolved", "flag", flag.id, user=user)
    return flag


@dataclass(frozen=True)
class FlagFilters:
    rule: str | None = None
    home_id: int | None = None
    status: str | None = None  # open, acknowledged, resolved; None: every unresolved flag


@dataclass(frozen=True)
class FlagListing:
    unresolved: list[tuple[str, list[tuple[Home, list[Flag]]]]]  # by rule, then by home
    resolved: list[Flag]
    resolved_total: int


RESOLVED_SHOWN = 100


def list_flags(user: User, filters: FlagFilters) -> FlagListing:
    """Unresolved flags grouped by rule and home; the most recent resolved flags beneath."""
    # What the list shows: each home's name and URN, and how many call-outs each flag holds.
    query = _scoped_flags(user).options(
        selectinload(Flag.home).load_only(Home.name, Home.urn),
        selectinload(Flag.callouts).load_only(Callout.id),
    )
    if filters.rule:
        query = query.where(Flag.rule == filters.rule)
    if filters.home_id:
        query = query.where(Flag.home_id == filters.home_id)
    unresolved: list[Flag] = []
    if filters.status != FlagStatus.RESOLVED.value:
        statuses = [filters.status] if filters.status else list(UNRESOLVED)
        unresolved = list(
            db.session.scalars(
                query.where(Flag.status.in_(statuses)).order_by(Flag.raised_at, Flag.id)
            )
        )
    resolved: list[Flag] = []
    resolved_total = 0
    if filters.status in (None, FlagStatus.RESOLVED.value):
        done = query.where(Flag.status == FlagStatus.RESOLVED.value)
        resolved_total = db.session.scalar(select(func.count()).select_from(done.subquery())) or 0
        resolved = list(
            db.session.scalars(done.order_by(Flag.resolved_at.desc()).limit(RESOLVED_SHOWN))
        )
    grouped: list[tuple[str, list[tuple[Home, list[Flag]]]]] = []
    for rule in FlagRule:
        of_rule = [f for f in unresolved if f.rule == rule.value]
        if not of_rule:
            continue
        homes: dict[int, tuple[Home, list[Flag]]] = {}
        for flag in of_rule:
            homes.setdefault(flag.home_id, (flag.home, []))[1].append(flag)
        grouped.append((rule.value, sorted(homes.values(), key=lambda pair: pair[0].name)))
    return FlagListing(unresolved=grouped, resolved=resolved, resolved_total=resolved_total)


def flags_of_callout(user: User, callout_id: int) -> list[Flag]:
    """The flags a call-out belongs to, for its page (already scoped by the call-out's read)."""
    return list(
        db.session.scalars(
            _scoped_flags(user)
            .join(flag_callouts, flag_callouts.c.flag_id == Flag.id)
            .where(flag_callouts.c.callout_id == callout_id)
            .order_by(Flag.raised_at)
        )
    )
