"""Flags: acknowledging one (the flags area owns the rest of this module)."""

from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..access import homes_condition
from ..db import db, utcnow
from ..models import Flag, Home, User
from ..vocab import FlagStatus
from . import NotFound


def acknowledge(user: User, flag_id: int, note: str = "") -> Flag:
    """Record that a person has seen the flag and is dealing with it."""
    flag = db.session.scalar(
        select(Flag)
        .join(Home, Flag.home_id == Home.id)
        .where(Flag.id == flag_id, homes_condition(user))
    )
    if flag is None:
        raise NotFound("Flag not found")
    flag.status = FlagStatus.ACKNOWLEDGED.value
    flag.acknowledged_by_id = user.id
    flag.acknowledged_at = utcnow()
    flag.acknowledged_note = note or None
    audit.record("flag_acknowledged", "flag", flag.id, user=user)
    db.session.commit()
    return flag
