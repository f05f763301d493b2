"""What one incident looks like when both sides have reported it (domain.md §5), and scope (§4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..i18n import _, format_day
from ..vocab import CRIMINAL_OUTCOMES, EXCLUDED_CATEGORIES
from .time import month_key


class ReportLike(Protocol):
    occurred_at: datetime
    child_reference: str | None
    placing_authority_id: int | None
    category: str
    immediate_risk: str | None
    police_attended: bool | None
    police_reference: str | None
    arrested: bool | None
    outcome: str | None


def clocks_went_forward(local: datetime) -> str:
    """Why a London wall-clock time in the spring-forward gap (rules.time.NonexistentLocalTime)
    is refused, in the current language."""
    return _(
        "%(time)s did not happen on %(day)s in the UK (the clocks went forward)",
        time=local.strftime("%H:%M"),
        day=format_day(local.date()),
    )


def in_scope(category: str) -> bool:
    """Missing and absent call-outs are recorded but excluded from protocol monitoring."""
    return category not in EXCLUDED_CATEGORIES


def is_criminal_outcome(outcome: str | None) -> bool:
    return outcome in CRIMINAL_OUTCOMES


@dataclass(frozen=True)
class Effective:
    """The fields of a call-out that count, after both sides are merged."""

    occurred_at: datetime
    month: str
    child_reference: str | None
    placing_authority_id: int | None
    category: str
    in_scope: bool
    immediate_risk: str | None
    police_attended: bool | None
    arrested: bool | None
    outcome: str | None
    criminal_outcome: bool
    police_reference: str | None


def merge(home: ReportLike | None, police: ReportLike | None) -> Effective:
    """The home's category, child and time stand (the home was there); the police record's
    attendance, arrest and outcome stand. A call-out known from one side only counts too."""
    if home is None and police is None:
        raise ValueError("a call-out needs at least one report")
    primary = home or police
    assert primary is not None
    official = police or home
    assert official is not None
    attended = official.police_attended
    if police is not None and attended is None and home is not None:
        attended = home.police_attended
    outcome = official.outcome
    return Effective(
        occurred_at=primary.occurred_at,
        month=month_key(primary.occurred_at),
        child_reference=primary.child_reference or (police.child_reference if police else None),
        placing_authority_id=primary.placing_authority_id
        or (police.placing_authority_id if police else None),
        category=primary.category,
        in_scope=in_scope(primary.category),
        immediate_risk=home.immediate_risk if home is not None else None,
        police_attended=attended,
        arrested=official.arrested,
        outcome=outcome,
        criminal_outcome=is_criminal_outcome(outcome),
        police_reference=(police.police_reference if police else None)
        or (home.police_reference if home else None),
    )


def disagreements(home: ReportLike, police: ReportLike) -> dict[str, tuple[object, object]]:
    """Where the two sides differ on category, child or time (more than a minute apart)."""
    found: dict[str, tuple[object, object]] = {}
    if home.category != police.category:
        found["category"] = (home.category, police.category)
    if (home.child_reference or None) != (police.child_reference or None):
        found["child_reference"] = (home.child_reference, police.child_reference)
    if abs((home.occurred_at - police.occurred_at).total_seconds()) > 60:
        found["occurred_at"] = (home.occurred_at, police.occurred_at)
    return found
