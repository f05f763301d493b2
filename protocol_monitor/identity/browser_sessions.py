"""Signed-in browsers, recorded on the server, so that a session can be ended there.

Flask's session is a signed cookie: on its own, a copy of it would work until it expired, however
the person signed out. Each sign-in therefore opens a ``BrowserSession`` record, and the cookie
carries only a random key to it (the record keeps its SHA-256 hash). A request signs someone in
only while their record is open and was used within SESSION_IDLE_MINUTES; signing out ends the
record, so a copied cookie stops working with it. Signing out everywhere, a password change (the
other browsers), a password reset, a two-factor reset and deactivation end all of a person's
records (``end_all``).

Like services, these use cases own their transactions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload

from ..db import db, unit_of_work, utcnow
from ..models import BrowserSession, User

#: last_seen_at moves at most this often (one write a minute per active browser), so the idle
#: timeout is exact to within this much.
SEEN_STEP = timedelta(seconds=60)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Found:
    """What a browser's key leads to: its open record, or why there is none."""

    record: BrowserSession | None
    #: "open", "idle" (not used for the idle timeout), "ended" or "unknown"
    state: str
    #: Whose record it is (also when it is idle or ended; None when unknown)
    user_id: int | None = None


def open_session(user: User, idle: timedelta, now: datetime | None = None) -> str:
    """Record a new signed-in browser for the user; the key to put in its cookie."""
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    with unit_of_work():
        # The user's records that can no longer be used are not kept.
        db.session.execute(
            delete(BrowserSession).where(
                BrowserSession.user_id == user.id,
                or_(
                    BrowserSession.ended_at.is_not(None), BrowserSession.last_seen_at <= now - idle
                ),
            )
        )
        db.session.add(
            BrowserSession(user_id=user.id, key_hash=_hash(key), created_at=now, last_seen_at=now)
        )
    return key


def find(key: object, idle: timedelta, now: datetime | None = None) -> Found:
    """The open record a browser's key leads to (with its user), or why there is none."""
    if not isinstance(key, str) or not key or len(key) > 100:
        return Found(None, "unknown")
    record = db.session.scalar(
        select(BrowserSession)
        .options(joinedload(BrowserSession.user))
        .where(BrowserSession.key_hash == _hash(key))
    )
    if record is None:
        return Found(None, "unknown")
    if record.ended_at is not None:
        return Found(None, "ended", record.user_id)
    if record.last_seen_at <= (now or utcnow()) - idle:
        return Found(None, "idle", record.user_id)
    return Found(record, "open", record.user_id)


def seen(
    record: BrowserSession, now: datetime | None = None, *, step: timedelta = SEEN_STEP
) -> bool:
    """Note that the browser is in use (at most once every ``step``). True when noted."""
    now = now or utcnow()
    if now - record.last_seen_at < step:
        return False
    with unit_of_work():
        db.session.execute(
            update(BrowserSession)
            .where(BrowserSession.id == record.id, BrowserSession.ended_at.is_(None))
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
    return True


def end(key: object, why: str, now: datetime | None = None) -> None:
    """End one browser's session (signing out, or found idle)."""
    if not isinstance(key, str) or not key:
        return
    with unit_of_work():
        db.session.execute(
            update(BrowserSession)
            .where(BrowserSession.key_hash == _hash(key), BrowserSession.ended_at.is_(None))
            .values(ended_at=now or utcnow(), ended_why=why)
            .execution_options(synchronize_session=False)
        )


def end_all(user: User, why: str, *, keep: object = None, now: datetime | None = None) -> int:
    """End every session of the user (but the browser whose key is ``keep``), inside the
    caller's unit of work. How many were ended."""
    condition = [BrowserSession.user_id == user.id, BrowserSession.ended_at.is_(None)]
    if isinstance(keep, str) and keep:
        condition.append(BrowserSession.key_hash != _hash(keep))
    with unit_of_work():
        return db.session.execute(
            update(BrowserSession)
            .where(*condition)
            .values(ended_at=now or utcnow(), ended_why=why)
            .execution_options(synchronize_session=False)
        ).rowcount
