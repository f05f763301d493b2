"""One incident, two reports (domain.md §5): when a home report and a police record are the same
call-out. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .time import as_utc

#: Reports without a shared police reference match when they occurred this close together.
MATCH_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class Side:
    """What matching needs to know of one report (the one just filed, or a candidate's)."""

    home_id: int
    occurred_at: datetime
    child_reference: str | None
    police_reference: str | None


@dataclass(frozen=True)
class Candidate:
    """A call-out that might hold the other side of the same incident."""

    callout_id: int
    report: Side
    #: True when the call-out already has reports from both sides (it cannot take another).
    matched: bool = False


def _blank(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value or None


def same_callout(a: Side, b: Side) -> bool:
    """The §5 rule for two reports from different sides, neither already matched."""
    if a.home_id != b.home_id:
        return False
    ref_a, ref_b = _blank(a.police_reference), _blank(b.police_reference)
    if ref_a and ref_b:
        return ref_a == ref_b
    if _blank(a.child_reference) != _blank(b.child_reference):
        return False
    return abs(as_utc(a.occurred_at) - as_utc(b.occurred_at)) <= MATCH_WINDOW


def best_match(report: Side, candidates: Iterable[Candidate]) -> Candidate | None:
    """The candidate call-out this report belongs to: the nearest in time among those that
    qualify (a shared police reference first), or None."""
    qualifying = [c for c in candidates if not c.matched and same_callout(report, c.report)]
    if not qualifying:
        return None
    moment = as_utc(report.occurred_at)

    def key(candidate: Candidate) -> tuple[int, timedelta, int]:
        shares_reference = bool(
            _blank(report.police_reference)
            and _blank(report.police_reference) == _blank(candidate.report.police_reference)
        )
        distance = abs(as_utc(candidate.report.occurred_at) - moment)
        return (0 if shares_reference else 1, distance, candidate.callout_id)

    return min(qualifying, key=key)
