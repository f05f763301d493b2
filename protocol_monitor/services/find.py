"""Find a call-out by the reference a person has in hand — a child reference, a police
reference or a call-out number — among the call-outs they may see (issue 14).

Scoped through access.py like every list: a call-out outside the reader's scope is never found,
so the answer is the same whether it does not exist or is not theirs to see. Every search is
audited as a read (``callout_searched``: what was looked for and which call-outs were shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import access
from ..db import db
from ..i18n import _
from ..models import Callout, Home, Report, User
from ..rules.find import Wanted
from . import audit_trail

#: At most this many call-outs are listed (newest first); the page says when there are more.
LIMIT = 100


@dataclass(frozen=True)
class Match:
    """A call-out found, and what it was found by (plain words, for the results list)."""

    callout: Callout
    by: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    matches: list[Match]
    more: bool  # more than LIMIT matched


def _found_by(callout: Callout, wanted: Wanted) -> tuple[str, ...]:
    by = []
    if wanted.number is not None and callout.id == wanted.number:
        by.append(_("Call-out number"))
    references = [callout, *callout.reports]
    if any(r.child_reference == wanted.text for r in references):
        by.append(_("Child reference"))
    if any(r.police_reference == wanted.text for r in references):
        by.append(_("Police reference"))
    return tuple(by)


def find_callouts(user: User, wanted: Wanted) -> Found:
    """The call-outs the user may see whose number, child reference or police reference (on the
    call-out or either of its reports) is the one wanted, newest first."""
    in_reports = select(Report.callout_id).where(
        or_(Report.child_reference == wanted.text, Report.police_reference == wanted.text)
    )
    conditions = [
        Callout.child_reference == wanted.text,
        Callout.police_reference == wanted.text,
        Callout.id.in_(in_reports),
    ]
    if wanted.number is not None:
        conditions.append(Callout.id == wanted.number)
    rows = list(
        db.session.scalars(
            access.scoped_callouts(user)
            .where(or_(*conditions))
            .options(
                selectinload(Callout.home).load_only(Home.name),
                selectinload(Callout.reports),
            )
            .order_by(Callout.occurred_at.desc(), Callout.id.desc())
            .limit(LIMIT + 1)
        )
    )
    matches = [Match(c, _found_by(c, wanted)) for c in rows[:LIMIT]]
    audit_trail.read(
        "callout_searched",
        "callout",
        None,
        user=user,
        changes={"looked_for": wanted.text, "ids": [m.callout.id for m in matches]},
    )
    return Found(matches, more=len(rows) > LIMIT)
