"""Reporting time (domain.md §6): months, days and windows are Europe/London local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..i18n import format_month

LONDON = ZoneInfo("Europe/London")


_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def parse_day(text: str | None, *, uk: bool = False) -> date | None:
    """A date typed or sent by a person, written 2026-03-27 (or, with ``uk``, 27/3/2026 too).

    None when blank; ValueError unless it is a real date from 1900 to 2999.
    """
    text = (text or "").strip()
    if not text:
        return None
    if match := _ISO_DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif uk and (match := _UK_DAY.fullmatch(text)):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(f"not a date: {text[:20]!r}")
    if not 1900 <= year <= 2999:
        raise ValueError(f"not a date from 1900 to 2999: {text[:20]!r}")
    return date(year, month, day)


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """From midnight starting ``first`` to midnight ending ``last``, London time, as UTC (the
    start inclusive, the end exclusive; None for an open end)."""
    start = london_to_utc(datetime.combine(first, time())) if first else None
    end = london_to_utc(datetime.combine(last + timedelta(days=1), time())) if last else None
    return start, end


class NonexistentLocalTime(ValueError):
    """A London wall-clock time inside the spring-forward gap."""


def london_to_utc(local: datetime, *, strict: bool = False) -> datetime:
    """Convert a naive London wall-clock time (or an aware time) to an aware UTC datetime.

    A time in the repeated autumn hour is read as the first (BST) occurrence. With ``strict`` a
    time inside the spring-forward gap, which never happened, is refused rather than shifted.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    first = local.replace(tzinfo=LONDON, fold=0)
    if strict:
        round_trip = first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
        if round_trip != local:
            raise NonexistentLocalTime(
                f"{local:%H:%M} did not happen on {local:%d %B %Y} in the UK "
                "(the clocks went forward)"
            )
    return first.astimezone(UTC)


def parse_occurred_at(text: str, *, strict: bool = False) -> datetime:
    """Parse ISO 8601; a value with no offset is London time (``strict``: as london_to_utc).
    Returns aware UTC; ValueError (NonexistentLocalTime in the spring gap) when not a time."""
    return london_to_utc(datetime.fromisoformat(text.strip()), strict=strict)


def to_london(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # stored UTC read back naive (SQLite)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def as_utc(moment: datetime) -> datetime:
    """Normalise a datetime read from either database to aware UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, order=True)
class Month:
    """A reporting month, in London time."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            year, month = (int(part) for part in text.strip().split("-"))
        except ValueError as exc:
            raise ValueError(f"Enter a month as YYYY-MM, not {text!r}") from exc
        # Up to 2999: figures look a month ahead and a year back, which must stay real dates.
        if not 1 <= month <= 12 or not 1900 <= year <= 2999:
            raise ValueError(f"Enter a real month as YYYY-MM, not {text!r}")
        return cls(year, month)

    @classmethod
    def of(cls, moment: datetime | date) -> Month:
        """The London month a moment (aware, or naive UTC) or a calendar date belongs to."""
        if isinstance(moment, datetime):
            moment = to_london(moment)
        return cls(moment.year, moment.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Month:
        return self.shift(1)

    def previous(self) -> Month:
        return self.shift(-1)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) of this London month as aware UTC datetimes."""
        start = london_to_utc(datetime.combine(self.first_day, time()))
        end = london_to_utc(datetime.combine(self.next().first_day, time()))
        return start, end

    @property
    def label(self) -> str:
        """October 2026 (Hydref 2026 on a Welsh page)."""
        return format_month(self.first_day)


def month_key(moment: datetime) -> str:
    """The stored `YYYY-MM` London month of an occurred_at, used for grouping in SQL."""
    return str(Month.of(moment))


def london_date(moment: datetime) -> date:
    return to_london(moment).date()


def days_since(moment: datetime, now: datetime) -> int:
    """Whole London days from ``moment`` to ``now``: 0 the same day, 1 the next, and so on
    (never negative). How long a call-out has waited for its review, say."""
    return max(0, (london_date(now) - london_date(moment)).days)
