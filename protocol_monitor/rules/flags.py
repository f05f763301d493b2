"""The flag rules of domain.md §7 as plain functions: thresholds, subjects, windows, wording.

Definitions (all in Europe/London time, §6):

- **repeat_child** — "N or more in-scope call-outs about the same child at the same home within any
  rolling D days" means: some run of D consecutive London calendar days contains at least N of
  them. Two call-outs are in one window when their London dates are at most D - 1 days apart
  (with D = 30, 1 March and 30 March are; 1 March and 31 March are not). Calendar dates, not
  multiples of 24 hours, so a clock change never moves a call-out in or out of a window.
- **repeat_home** — N or more in-scope call-outs at one home in one calendar London month
  (``Callout.month``: 00:30 BST on 1 April belongs to April).
- **no_immediate_risk** — an in-scope call-out the police attended whose ``immediate_risk`` is
  ``no``.
- **criminal_outcome** — an in-scope call-out whose outcome is a criminal outcome (§4).
- **unreported** — an in-scope police record with no home report when at least H hours of real
  elapsed time (not wall-clock hours) have passed since it occurred: due at exactly H hours.

Missing and absent call-outs (``in_scope`` false) never meet a rule and never count.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from ..i18n import N_, _, current_language, format_day
from ..vocab import FlagRule, Outcome
from .time import Month, as_utc, london_date, london_to_utc, to_london

#: The limits an admin may set each threshold within.
LIMITS: dict[str, tuple[int, int]] = {
    "repeat_child_count": (2, 100),
    "repeat_child_days": (1, 366),
    "repeat_home_count": (2, 1000),
    "unreported_hours": (1, 24 * 31),
}


@dataclass(frozen=True)
class Thresholds:
    """The numbers of §7; defaults are the protocol's, an admin may change them."""

    repeat_child_count: int = 3
    repeat_child_days: int = 30
    repeat_home_count: int = 5
    unreported_hours: int = 72

    def __post_init__(self) -> None:
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Thresholds:
        """Thresholds from a stored setting; unknown keys are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (values or {}).items() if k in known})

    def as_mapping(self) -> dict[str, int]:
        return asdict(self)


# Subject keys: one unresolved flag per key (uq_flags_open_subject).


def repeat_child_key(home_id: int, placing_authority_id: int | None, child_reference: str) -> str:
    authority = placing_authority_id if placing_authority_id is not None else "none"
    return f"{FlagRule.REPEAT_CHILD.value}:{home_id}:{authority}:{child_reference}"


def repeat_home_key(home_id: int, month: str) -> str:
    return f"{FlagRule.REPEAT_HOME.value}:{home_id}:{month}"


def callout_key(rule: FlagRule | str, callout_id: int) -> str:
    """The subject of the one-call-out rules: no_immediate_risk, criminal_outcome, unreported."""
    return f"{FlagRule(rule).value}:{callout_id}"


# repeat_child


@dataclass(frozen=True)
class Window:
    """The call-outs that meet a repeat rule, and the London days they span."""

    first_day: date
    last_day: date
    callout_ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.callout_ids)

    @property
    def span_days(self) -> int:
        """Days from the first to the last call-out, counting both (1 for a single day)."""
        return (self.last_day - self.first_day).days + 1


def repeat_child_search_bounds(
    occurred_at: datetime, window_days: int
) -> tuple[datetime, datetime]:
    """[start, end) in UTC of every moment that can share a window with ``occurred_at``: from the
    start of the London day D - 1 days before it to the end of the London day D - 1 days after."""
    day = london_date(occurred_at)
    start = london_to_utc(datetime.combine(day - timedelta(days=window_days - 1), time()))
    end = london_to_utc(datetime.combine(day + timedelta(days=window_days), time()))
    return start, end


def repeat_child_window(
    callout_id: int,
    occurred_at: datetime,
    others: Iterable[tuple[int, datetime]],
    thresholds: Thresholds,
) -> Window | None:
    """The window of D London days containing this call-out that holds the most call-outs, if it
    holds at least N; else None. ``others`` are the same child's in-scope call-outs at the home
    (any outside the search bounds are ignored); ties go to the earliest window."""
    window_days = thresholds.repeat_child_days
    day = london_date(occurred_at)
    dated = {callout_id: day}
    for other_id, moment in others:
        other_day = london_date(moment)
        if abs((other_day - day).days) < window_days:
            dated[other_id] = other_day
    # Every window of D days that holds this call-out starts between D - 1 days before it and
    # its own day; the earliest of those holding the most wins. In date order, a window's
    # members are one run of the sorted list: found by bisection.
    ordered = sorted((d, i) for i, d in dated.items())
    best: tuple[int, int] = (0, 0)
    for offset in range(window_days - 1, -1, -1):
        start = day - timedelta(days=offset)
        end = start + timedelta(days=window_days - 1)
        low = bisect_left(ordered, (start, -1))
        high = bisect_right(ordered, (end, float("inf")))
        if high - low > best[1] - best[0]:
            best = (low, high)
    members = ordered[best[0] : best[1]]
    if len(members) < thresholds.repeat_child_count:
        return None
    return Window(members[0][0], members[-1][0], tuple(i for _d, i in members))


# repeat_home


def repeat_home_met(in_scope_count: int, thresholds: Thresholds) -> bool:
    """``in_scope_count``: the home's in-scope call-outs in the month, this one included."""
    return in_scope_count >= thresholds.repeat_home_count


# one-call-out rules


def no_immediate_risk_met(
    in_scope: bool, police_attended: bool | None, immediate_risk: str | None
) -> bool:
    return bool(in_scope and police_attended is True and immediate_risk == "no")


def criminal_outcome_met(in_scope: bool, criminal_outcome: bool) -> bool:
    return bool(in_scope and criminal_outcome)


def unreported_cutoff(now: datetime, thresholds: Thresholds) -> datetime:
    """Police records that occurred at or before this moment are due a home report."""
    return as_utc(now) - timedelta(hours=thresholds.unreported_hours)


def unreported_due(
    in_scope: bool,
    has_police_record: bool,
    has_home_report: bool,
    occurred_at: datetime,
    now: datetime,
    thresholds: Thresholds,
) -> bool:
    return bool(
        in_scope
        and has_police_record
        and not has_home_report
        and as_utc(occurred_at) <= unreported_cutoff(now, thresholds)
    )


# Explanations: which call-outs, which window, which threshold. No names, no free text.
# Each is one sentence with placeholders. A flag keeps its explanation in English (the record:
# what the subject access export's raw data holds), whatever the language of the person whose
# filing raised it; a page shows it in the reader's language (``localise_explanation``).

EXPLANATIONS: dict[str, str] = {
    FlagRule.REPEAT_CHILD.value: N_(
        "%(count)s in-scope call-outs about child %(child)s at this home between %(first)s and "
        "%(last)s (%(span)s days, London time): call-outs %(ids)s. The threshold is "
        "%(threshold)s or more within any %(days)s consecutive days."
    ),
    FlagRule.REPEAT_HOME.value: N_(
        "%(count)s in-scope call-outs at this home in %(month)s (London time): call-outs "
        "%(ids)s. The threshold is %(threshold)s or more in a calendar month."
    ),
    FlagRule.NO_IMMEDIATE_RISK.value: N_(
        "The police attended call-out %(callout)s, and the home recorded that there was no "
        "immediate and unmanageable risk."
    ),
    FlagRule.CRIMINAL_OUTCOME.value: N_(
        "Call-out %(callout)s has a criminal outcome: %(outcome)s."
    ),
    FlagRule.UNREPORTED.value: N_(
        "The police recorded call-out %(callout)s at %(when)s (London time) and the home had "
        "not reported it %(hours)s hours later."
    ),
}

#: English month names, for the stored explanations (never the process's locale).
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _ids(callout_ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in callout_ids)


def _english(rule: FlagRule, **values: Any) -> str:
    return EXPLANATIONS[rule.value] % values


def explain_repeat_child(window: Window, thresholds: Thresholds, child_reference: str) -> str:
    return _english(
        FlagRule.REPEAT_CHILD,
        count=window.count,
        child=child_reference,
        first=_day(window.first_day),
        last=_day(window.last_day),
        span=window.span_days,
        ids=_ids(window.callout_ids),
        threshold=thresholds.repeat_child_count,
        days=thresholds.repeat_child_days,
    )


def explain_repeat_home(
    month: Month | str, callout_ids: Sequence[int], thresholds: Thresholds
) -> str:
    """``month``: the Month (or its English label, "April 2026")."""
    label = f"{_MONTHS[month.month - 1]} {month.year}" if isinstance(month, Month) else month
    return _english(
        FlagRule.REPEAT_HOME,
        count=len(callout_ids),
        month=label,
        ids=_ids(callout_ids),
        threshold=thresholds.repeat_home_count,
    )


def explain_no_immediate_risk(callout_id: int) -> str:
    return _english(FlagRule.NO_IMMEDIATE_RISK, callout=callout_id)


def _outcome(label: str) -> Outcome | None:
    """The outcome a label names, in English or the current language."""
    for member in Outcome:
        if label in (member._label, member.label):
            return member
    return None


def explain_criminal_outcome(callout_id: int, outcome_label: str) -> str:
    """``outcome_label``: the outcome's label (kept in English whatever the page's language)."""
    member = _outcome(outcome_label)
    return _english(
        FlagRule.CRIMINAL_OUTCOME,
        callout=callout_id,
        outcome=member._label if member is not None else outcome_label,
    )


def explain_unreported(callout_id: int, occurred: datetime, thresholds: Thresholds) -> str:
    local = to_london(occurred)
    return _english(
        FlagRule.UNREPORTED,
        callout=callout_id,
        when=f"{_day(local.date())} {local:%H:%M}",
        hours=thresholds.unreported_hours,
    )


def _pattern(message: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", message)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        + r"\Z",
        re.DOTALL,
    )


_PATTERNS = {rule: _pattern(message) for rule, message in EXPLANATIONS.items()}
_DAY = re.compile(r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})( \d{2}:\d{2})?\Z")


def _local_day(text: str) -> str:
    """``27 October 2026`` (or with a time) in the current language; other text as it is."""
    found = _DAY.match(text)
    if not found or found[2] not in _MONTHS:
        return text
    try:
        day = date(int(found[3]), _MONTHS.index(found[2]) + 1, int(found[1]))
    except ValueError:
        return text
    return format_day(day) + (found[4] or "")


def _local_month(text: str) -> str:
    words = text.split()
    if len(words) == 2 and words[0] in _MONTHS and words[1].isdigit():
        return Month(int(words[1]), _MONTHS.index(words[0]) + 1).label
    return text


def localise_explanation(text: str | None) -> str:
    """A flag's stored (English) explanation in the current language; as stored on an English
    page, or when it is not one of EXPLANATIONS (then it is shown as it is)."""
    if not text or current_language() == "en":
        return text or ""
    for rule, pattern in _PATTERNS.items():
        found = pattern.match(text)
        if found is None:
            continue
        values = found.groupdict()
        for name in ("first", "last", "when"):
            if name in values:
                values[name] = _local_day(values[name])
        if "month" in values:
            values["month"] = _local_month(values["month"])
        if "outcome" in values:
            member = _outcome(values["outcome"])
            values["outcome"] = member.label if member is not None else values["outcome"]
        return _(EXPLANATIONS[rule], **values)
    return text
