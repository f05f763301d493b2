"""The board report's arithmetic (domain.md §9): years, age bands, sex, the funnel, like-for-like
homes and the sentences that say what changed. Plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .time import Month

# Years ----------------------------------------------------------------------------------------

#: The years a board may choose, by the month each ends with (the seeds use October to September).
PRESETS: dict[str, tuple[str, int]] = {
    "october": ("October to September", 9),
    "financial": ("April to March (financial year)", 3),
    "calendar": ("January to December (calendar year)", 12),
}
DEFAULT_PRESET = "october"
#: The chosen year and the two before it.
YEARS = 3


@dataclass(frozen=True)
class Year:
    """Twelve London months ending with ``last``; ``to_date`` when it is not over yet."""

    last: Month
    to_date: bool = False

    @property
    def first(self) -> Month:
        return self.last.shift(-11)

    @property
    def months(self) -> list[Month]:
        return [self.first.shift(i) for i in range(12)]

    @property
    def label(self) -> str:
        """Like "October 2025 to September 2026", or "2026" for a calendar year."""
        if self.first.month == 1:
            text = str(self.last.year)
        else:
            text = f"{self.first.label} to {self.last.label}"
        return text + (" (to date)" if self.to_date else "")

    @property
    def short(self) -> str:
        """A column heading: "Oct 2025 to Sep 2026", "2026"; "(to date)" if not over."""
        if self.first.month == 1:
            text = str(self.last.year)
        else:
            first, last = self.first.first_day, self.last.first_day
            text = f"{first:%b %Y} to {last:%b %Y}"
        return text + (" to date" if self.to_date else "")


def years_ending(last: Month, this_month: Month, count: int = YEARS) -> list[Year]:
    """The year ending with ``last`` and the ``count - 1`` before it, oldest first; a year whose
    last month is ``this_month`` or later is still in progress."""
    ends = [last.shift(-12 * i) for i in range(count - 1, -1, -1)]
    return [Year(end, to_date=end >= this_month) for end in ends]


def latest_year_ending(today: date, preset: str) -> Month:
    """The last month of the latest year of the preset that is over by ``today``."""
    _label, end_month = PRESETS[preset]
    this_month = Month.of(today)
    candidate = Month(today.year, end_month)
    while candidate >= this_month:
        candidate = candidate.shift(-12)
    return candidate


def preset_of(last: Month) -> str | None:
    """The preset whose years end with this month, if any."""
    return next((name for name, (_l, end) in PRESETS.items() if end == last.month), None)


# Children: age bands and sex ------------------------------------------------------------------

#: (key, label, lowest age, highest age) in the order the report shows them.
AGE_BANDS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("10_13", "10 to 13", 10, 13),
    ("14_15", "14 to 15", 14, 15),
    ("16_17", "16 to 17", 16, 17),
    ("18_plus", "18 and over", 18, None),
    ("under_10", "Under 10", None, 9),
    ("not_recorded", "Age not recorded", None, None),
)
AGE_BAND_LABELS = {key: label for key, label, _lo, _hi in AGE_BANDS}


def age_band(age: int | None) -> str:
    """The band of a child's age at a call-out (domain.md §9)."""
    if age is None:
        return "not_recorded"
    for key, _label, lowest, highest in AGE_BANDS[:-1]:
        if (lowest is None or age >= lowest) and (highest is None or age <= highest):
            return key
    raise ValueError(f"no age band for {age!r}")  # pragma: no cover - the bands cover 0 and up


#: (key, label): the §3 values, with `unknown` and blank together as "not known".
SEX_GROUPS: tuple[tuple[str, str], ...] = (
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Other"),
    ("not_known", "Not known"),
)
SEX_LABELS = dict(SEX_GROUPS)


def sex_group(sex: str | None) -> str:
    return sex if sex in ("female", "male", "other") else "not_known"


# Rates ----------------------------------------------------------------------------------------


def _one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ratio(numerator: int, denominator: int | float | None, scale: int = 1) -> float | None:
    """numerator * scale / denominator, one decimal, halves up; None when there is nothing to
    divide by (call-outs per child, per 10 places)."""
    if not denominator:
        return None
    return _one_decimal(Decimal(numerator) * scale / Decimal(str(denominator)))


def percent(part: int, whole: int) -> float | None:
    return ratio(part, whole, 100)


# Homes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeSpan:
    """What the report needs of a home: when it was open and its registered places."""

    urn: str
    name: str
    places: int
    opened_on: date | None
    closed_on: date | None

    def open_during(self, first_day: date, last_day: date) -> bool:
        return (self.opened_on is None or self.opened_on <= last_day) and (
            self.closed_on is None or self.closed_on >= first_day
        )

    def open_in(self, month: Month) -> bool:
        return self.open_during(month.first_day, month.last_day)

    def open_in_year(self, year: Year) -> bool:
        return self.open_during(year.first.first_day, year.last.last_day)


def homes_in_year(homes: Iterable[HomeSpan], year: Year) -> list[HomeSpan]:
    """The homes in scope for a year: open on some day of it."""
    return [home for home in homes if home.open_in_year(year)]


def average_places(homes: Iterable[HomeSpan], months: Sequence[Month]) -> float:
    """Registered places over some months: each month's places (of the homes open in it)
    averaged over the months, one decimal — a home open for three months counts a quarter."""
    homes = list(homes)
    if not months:
        return 0.0
    total = sum(home.places for month in months for home in homes if home.open_in(month))
    return _one_decimal(Decimal(total) / len(months))


def counted_months(year: Year, this_month: Month) -> list[Month]:
    """The months of a year that have begun: all twelve, or those so far for a year to date."""
    return [month for month in year.months if month <= this_month]


def like_for_like(homes: Iterable[HomeSpan], years: Sequence[Year]) -> list[HomeSpan]:
    """Homes open on some day of every one of the years (domain.md §9)."""
    return [home for home in homes if all(home.open_in_year(year) for year in years)]


@dataclass(frozen=True)
class HomeChange:
    name: str
    event: str  # "opened" or "closed"
    on: date


def home_changes(homes: Iterable[HomeSpan], years: Sequence[Year]) -> list[HomeChange]:
    """The homes that opened or closed within the years, in date order."""
    first, last = years[0].first.first_day, years[-1].last.last_day
    changes = []
    for home in homes:
        if home.opened_on is not None and first <= home.opened_on <= last:
            changes.append(HomeChange(home.name, "opened", home.opened_on))
        if home.closed_on is not None and first <= home.closed_on <= last:
            changes.append(HomeChange(home.name, "closed", home.closed_on))
    return sorted(changes, key=lambda c: (c.on, c.name))


def _names(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe_home_changes(changes: Sequence[HomeChange], like_homes: int, homes: int) -> str:
    """Why the years' homes differ, naming each home that opened or closed, and how many homes
    the like-for-like figures count."""
    parts = []
    for event in ("opened", "closed"):
        these = [f"{c.name} ({c.on:%B %Y})" for c in changes if c.event == event]
        if these:
            parts.append(f"{_names(these)} {event}")
    if parts:
        text = "In these three years " + "; ".join(parts) + "."
    else:
        text = "No home opened or closed in these three years."
    were = "was" if like_homes == 1 else "were"
    return (
        f"{text} {like_homes} of the {homes} {'home' if homes == 1 else 'homes'} in scope "
        f"{were} open in all three years: the like-for-like figures count only those."
    )


# The funnel -----------------------------------------------------------------------------------

FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("callouts", "Call-outs"),
    ("attended", "Police attended"),
    ("arrested", "Arrested"),
    ("criminal", "Criminal outcome"),
)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    of_callouts: float | None  # percent of all call-outs
    of_previous: float | None  # percent of the step before


def funnel(counts: dict[str, int]) -> list[FunnelStep]:
    """Call-out → police attended → arrested → criminal outcome, as counts and percentages of
    all call-outs and of the step before. (A criminal outcome can follow without an arrest, so
    a step can exceed the one before.)"""
    steps = []
    previous = None
    for key, label in FUNNEL_STEPS:
        count = counts.get(key, 0)
        steps.append(
            FunnelStep(
                key,
                label,
                count,
                percent(count, counts.get("callouts", 0)),
                None if previous is None else percent(count, previous),
            )
        )
        previous = count
    return steps


# Sentences ------------------------------------------------------------------------------------


def _shown(value: int | str) -> str:
    return {"<5": "fewer than 5", "*": "a withheld number"}.get(str(value), str(value))


def change_sentence(
    subject: str, before_label: str, now_label: str, before: int | str, now: int | str
) -> str:
    """How a count moved from one year to the next, in words ("Call-outs fell by 20 (16.7%),
    from 120 in … to 100 in …"). Counts withheld as ``<5`` or ``*`` are only named."""
    span = f"from {_shown(before)} in {before_label} to {_shown(now)} in {now_label}"
    if isinstance(before, str) or isinstance(now, str):
        return f"{subject} went {span}."
    difference = now - before
    if difference == 0:
        return f"{subject} did not change: {now} in {before_label} and in {now_label}."
    verb = "rose" if difference > 0 else "fell"
    share = percent(abs(difference), before)
    by = f"{abs(difference)}" + (f" ({share:g}%)" if share is not None else "")
    return f"{subject} {verb} by {by}, {span}."


def headline(
    years: Sequence[Year],
    callouts: Sequence[int | str],
    like: Sequence[int | str],
    like_homes: int,
) -> str:
    """The summary's opening: the latest year against the one before, overall and
    like-for-like, and a warning when the latest year is not over."""
    before, now = years[-2], years[-1]
    text = change_sentence(
        "Police call-outs to children's homes", before.label, now.label, callouts[-2], callouts[-1]
    )
    if like_homes:
        homes = "home" if like_homes == 1 else "homes"
        text += " " + change_sentence(
            f"At the {like_homes} {homes} open in all three years, call-outs",
            before.label,
            now.label,
            like[-2],
            like[-1],
        )
    if now.to_date:
        text += f" {now.label.removesuffix(' (to date)')} is not over yet: its figures are so far."
    return text
