"""Reporting time (domain.md §6): months, days and windows are Europe/London local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


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


def parse_occurred_at(text: str) -> datetime:
    """Parse ISO 8601; a value with no offset is London time. Returns aware UTC."""
    value = datetime.fromisoformat(text.strip())
    return london_to_utc(value)


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
        return self.first_day.strftime("%B %Y")


def month_key(moment: datetime) -> str:
    """The stored `YYYY-MM` London month of an occurred_at, used for grouping in SQL."""
    return str(Month.of(moment))


def london_date(moment: datetime) -> date:
    return to_london(moment).date()
