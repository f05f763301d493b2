"""The board report's arithmetic (domain.md §9): years, age bands, sex, the funnel, like-for-like
homes and the sentences that say what changed. Plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import pgettext

from ..i18n import N_, _, format_day, format_month, format_number, ngettext, translate
from ..vocab import Category, PoliceNecessary, ProtocolApplied
from .summary import months_span, open_during, to_date
from .suppression import suppress, suppress_table
from .time import Month

# Years ----------------------------------------------------------------------------------------

#: The years a board may choose, by the month each ends with (the seeds use October to September).
PRESETS: dict[str, tuple[str, int]] = {
    "october": (N_("October to September"), 9),
    "financial": (N_("April to March (financial year)"), 3),
    "calendar": (N_("January to December (calendar year)"), 12),
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
    def span(self) -> str:
        """Like "October 2025 to September 2026", or "2026" for a calendar year."""
        if self.first.month == 1:
            return str(self.last.year)
        return months_span(self.first.label, self.last.label)

    @property
    def label(self) -> str:
        """The span, "(to date)" when the year is not over."""
        return to_date(self.span) if self.to_date else self.span

    @property
    def short(self) -> str:
        """A column heading: "Oct 2025 to Sep 2026", "2026"; "to date" if not over."""
        if self.first.month == 1:
            text = str(self.last.year)
        else:
            text = months_span(
                format_month(self.first.first_day, short=True),
                format_month(self.last.first_day, short=True),
            )
        return _("%(year)s to date", year=text) if self.to_date else text


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
    ("10_13", N_("10 to 13"), 10, 13),
    ("14_15", N_("14 to 15"), 14, 15),
    ("16_17", N_("16 to 17"), 16, 17),
    ("18_plus", N_("18 and over"), 18, None),
    ("under_10", N_("Under 10"), None, 9),
    ("not_recorded", N_("Age not recorded"), None, None),
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
    ("female", N_("Female")),
    ("male", N_("Male")),
    ("other", N_("Other")),
    ("not_known", N_("Not known")),
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
        return open_during(self.opened_on, self.closed_on, first_day, last_day)

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
    names, last = ", ".join(items[:-1]), items[-1]
    if last[:1].lower() in "aeiouwy":  # Welsh: "ac" before a vowel
        return pgettext("before a vowel", "%(names)s and %(last)s", names=names, last=last)
    return _("%(names)s and %(last)s", names=names, last=last)


def describe_home_changes(changes: Sequence[HomeChange], like_homes: int, homes: int) -> str:
    """Why the years' homes differ, naming each home that opened or closed, and how many homes
    the like-for-like figures count."""
    parts = []
    for event in ("opened", "closed"):
        these = [
            _("%(home)s (%(month)s)", home=c.name, month=format_month(c.on))
            for c in changes
            if c.event == event
        ]
        if these and event == "opened":
            parts.append(_("%(homes)s opened", homes=_names(these)))
        elif these:
            parts.append(_("%(homes)s closed", homes=_names(these)))
    if parts:
        text = _("In these three years %(changes)s.", changes="; ".join(parts))
    else:
        text = _("No home opened or closed in these three years.")
    if homes == 1:
        counted = ngettext(
            "%(num)d of the 1 home in scope was open in all three years: the like-for-like "
            "figures count only those.",
            "%(num)d of the 1 home in scope were open in all three years: the like-for-like "
            "figures count only those.",
            like_homes,
        )
    else:
        counted = ngettext(
            "%(num)d of the %(homes)s homes in scope was open in all three years: the "
            "like-for-like figures count only those.",
            "%(num)d of the %(homes)s homes in scope were open in all three years: the "
            "like-for-like figures count only those.",
            like_homes,
            homes=format_number(homes),
        )
    return f"{text} {counted}"


# The funnel -----------------------------------------------------------------------------------

FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("callouts", N_("Call-outs")),
    ("attended", N_("Police attended")),
    ("arrested", N_("Arrested")),
    ("criminal", N_("Criminal outcome")),
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
                translate(label),
                count,
                percent(count, counts.get("callouts", 0)),
                None if previous is None else percent(count, previous),
            )
        )
        previous = count
    return steps


# Sentences ------------------------------------------------------------------------------------


def _shown(value: int | str) -> str:
    if value == "<5":
        return _("fewer than 5")
    if value == "*":
        return _("a withheld number")
    return format_number(value) if isinstance(value, int) else str(value)


#: What a change sentence can be about (``change_sentence``'s subject).
SUBJECTS = ("callouts", "like_for_like", "criminal_children")


def _sentence(subject: str, how: str, homes: int, values: dict[str, str]) -> str:
    """One sentence of ``change_sentence``, whole, for the translator: each subject and way of
    changing is its own message (Welsh puts the verb first)."""
    if subject == "callouts":
        return {
            "went": lambda: _(
                "Police call-outs to children's homes went from %(before)s in %(before_year)s "
                "to %(now)s in %(now_year)s.",
                **values,
            ),
            "same": lambda: _(
                "Police call-outs to children's homes did not change: %(now)s in "
                "%(before_year)s and in %(now_year)s.",
                **values,
            ),
            "rose": lambda: _(
                "Police call-outs to children's homes rose by %(by)s, from %(before)s in "
                "%(before_year)s to %(now)s in %(now_year)s.",
                **values,
            ),
            "fell": lambda: _(
                "Police call-outs to children's homes fell by %(by)s, from %(before)s in "
                "%(before_year)s to %(now)s in %(now_year)s.",
                **values,
            ),
        }[how]()
    if subject == "like_for_like":
        return {
            "went": lambda: ngettext(
                "At the %(num)d home open in all three years, call-outs went from %(before)s "
                "in %(before_year)s to %(now)s in %(now_year)s.",
                "At the %(num)d homes open in all three years, call-outs went from %(before)s "
                "in %(before_year)s to %(now)s in %(now_year)s.",
                homes,
                **values,
            ),
            "same": lambda: ngettext(
                "At the %(num)d home open in all three years, call-outs did not change: "
                "%(now)s in %(before_year)s and in %(now_year)s.",
                "At the %(num)d homes open in all three years, call-outs did not change: "
                "%(now)s in %(before_year)s and in %(now_year)s.",
                homes,
                **values,
            ),
            "rose": lambda: ngettext(
                "At the %(num)d home open in all three years, call-outs rose by %(by)s, from "
                "%(before)s in %(before_year)s to %(now)s in %(now_year)s.",
                "At the %(num)d homes open in all three years, call-outs rose by %(by)s, from "
                "%(before)s in %(before_year)s to %(now)s in %(now_year)s.",
                homes,
                **values,
            ),
            "fell": lambda: ngettext(
                "At the %(num)d home open in all three years, call-outs fell by %(by)s, from "
                "%(before)s in %(before_year)s to %(now)s in %(now_year)s.",
                "At the %(num)d homes open in all three years, call-outs fell by %(by)s, from "
                "%(before)s in %(before_year)s to %(now)s in %(now_year)s.",
                homes,
                **values,
            ),
        }[how]()
    return {
        "went": lambda: _(
            "Children with a criminal outcome went from %(before)s in %(before_year)s to "
            "%(now)s in %(now_year)s.",
            **values,
        ),
        "same": lambda: _(
            "Children with a criminal outcome did not change: %(now)s in %(before_year)s and "
            "in %(now_year)s.",
            **values,
        ),
        "rose": lambda: _(
            "Children with a criminal outcome rose by %(by)s, from %(before)s in "
            "%(before_year)s to %(now)s in %(now_year)s.",
            **values,
        ),
        "fell": lambda: _(
            "Children with a criminal outcome fell by %(by)s, from %(before)s in "
            "%(before_year)s to %(now)s in %(now_year)s.",
            **values,
        ),
    }[how]()


def change_sentence(
    subject: str,
    before_label: str,
    now_label: str,
    before: int | str,
    now: int | str,
    *,
    homes: int = 0,
) -> str:
    """How a count moved from one year to the next, in words ("Police call-outs to children's
    homes fell by 20 (16.7%), from 120 in … to 100 in …"), about one of ``SUBJECTS`` (``homes``:
    how many homes the like-for-like figures count). Counts withheld as ``<5`` or ``*`` are
    only named."""
    values = {
        "before": _shown(before),
        "now": _shown(now),
        "before_year": before_label,
        "now_year": now_label,
        "by": "",
    }
    if isinstance(before, str) or isinstance(now, str):
        return _sentence(subject, "went", homes, values)
    difference = now - before
    if difference == 0:
        return _sentence(subject, "same", homes, values)
    share = percent(abs(difference), before)
    values["by"] = format_number(abs(difference)) + (
        f" ({format_number(share)}%)" if share is not None else ""
    )
    return _sentence(subject, "rose" if difference > 0 else "fell", homes, values)


def headline(
    years: Sequence[Year],
    callouts: Sequence[int | str],
    like: Sequence[int | str],
    like_homes: int,
) -> str:
    """The summary's opening: the latest year against the one before, overall and
    like-for-like, and a warning when the latest year is not over."""
    before, now = years[-2], years[-1]
    text = change_sentence("callouts", before.label, now.label, callouts[-2], callouts[-1])
    if like_homes:
        text += " " + change_sentence(
            "like_for_like", before.label, now.label, like[-2], like[-1], homes=like_homes
        )
    if now.to_date:
        text += " " + _("%(year)s is not over yet: its figures are so far.", year=now.span)
    return text


# The report's tables --------------------------------------------------------------------------

WITHHELD = "*"

#: Notes on the figures, read in the reader's language (``translate``).
NOTES = (
    N_(
        "Call-outs are police call-outs to children's homes and other residential settings, each "
        "incident counted once however many reports describe it, excluding call-outs for missing "
        "or absent children (counted apart). They are counted per home, not per child."
    ),
    N_("A year is twelve months in UK time. A year not over yet is marked 'to date'."),
    N_(
        "A child is a placing authority's case reference; call-outs with no reference count as "
        "call-outs but not as children. A child's sex and age band in a year are those recorded at "
        "their first call-out counted in that year."
    ),
    N_(
        "Homes in scope were open on some day of the year. Registered places are averaged over the "
        "year's months, so a home open for part of the year counts for that part."
    ),
    N_(
        "A criminal outcome is a youth caution or youth conditional caution (formal out-of-court "
        "disposal) or a charge or summons. 'First criminal outcome here' counts the children whose "
        "earliest criminal outcome in this service's records fell in the year; it is not the youth "
        "justice service's count of first-time entrants, which draws on every source."
    ),
    N_(
        "A criminal outcome can follow without an arrest (for example after a voluntary "
        "interview), so the funnel's steps are not strictly each a part of the one before."
    ),
    N_(
        "Children called about repeatedly are those for whom a repeat-child flag was raised by the "
        "year's call-outs: 3 or more call-outs about them at one home within 30 days, unless the "
        "group has changed those numbers."
    ),
    N_(
        "Children placed out of area are those whose placing authority is not the authority where "
        "the home is."
    ),
)
PUBLIC_NOTE = N_(
    "To protect children's privacy, counts from 1 to 4 are shown as <5, and * marks a number "
    "withheld so that it cannot be used, with a total, to work out a count shown as <5 (and any "
    "rate worked out from a hidden count). No child's reference appears in this version."
)
INTERNAL_NOTE = N_(
    "This is the group's internal version: counts are shown as they are. Do not publish it; "
    "the public version shows counts from 1 to 4 as <5."
)


#: The tables in the order the report shows them (the trend's data follows its host authorities).
ORDER = (
    "callouts",
    "like_for_like",
    "hosts",
    "host_rates",
    "trend",
    "placing",
    "funnel",
    "criminal_children",
    "sex",
    "age",
    "categories",
    "categories_by_sex",
    "protocol_applied",
    "police_necessary",
    "repeat_children",
)


@dataclass
class _Table:
    id: str
    title: str
    headers: list[str]
    rows: list[list]  # each: the row's heading cells, then its values
    heading_columns: int = 1
    note: str | None = None


def _suppressed(values: dict, totals: list[tuple[list, object]], public: bool) -> dict:
    return suppress_table(values, totals) if public else dict(values)


def _shown_ratio(numerator, denominator, scale: int = 1) -> float | str | None:
    if isinstance(numerator, str) or isinstance(denominator, str):
        return WITHHELD
    return ratio(numerator, denominator, scale)


def layout(figures: dict, *, public: bool, references: bool) -> dict:
    """The report as titled, numbered tables, charts (with their data) and sentences, internal
    or public (domain.md §9): every output — page, JSON, Excel, Word — is drawn from this."""
    years = [Year(Month.parse(y["last"]), y["to_date"]) for y in figures["years"]]
    labels = [y.short for y in years]
    n = len(years)
    tables: list[_Table] = []

    def by_year_table(table_id, title, rows, totals_row=None, note=None, heading=None):
        """Counts by year; ``totals_row``: the label of a last row adding up the others."""
        cells = {(r, c): v for r, (_l, vals) in enumerate(rows) for c, v in enumerate(vals)}
        totals = []
        if totals_row is not None:
            last = len(rows)
            for c in range(n):
                cells[(last, c)] = sum(vals[c] for _l, vals in rows)
            totals = [([(r, c) for r in range(last)], (last, c)) for c in range(n)]
            rows = [*rows, (totals_row, [cells[(last, c)] for c in range(n)])]
        shown = _suppressed(cells, totals, public)
        tables.append(
            _Table(
                table_id,
                title,
                [heading or _("Measure"), *labels],
                [[label, *(shown[(r, c)] for c in range(n))] for r, (label, _v) in enumerate(rows)],
                note=note,
            )
        )
        return shown

    # 1. Call-outs, children and homes.
    one = _suppressed(
        {
            **{("callouts", i): v for i, v in enumerate(figures["callouts"])},
            **{("excluded", i): v for i, v in enumerate(figures["excluded"])},
            **{("children", i): v for i, v in enumerate(figures["children"]["all"])},
            **{("repeat", i): v for i, v in enumerate(figures["repeat_children"])},
        },
        [],
        public,
    )
    tables.append(
        _Table(
            "callouts",
            _("Call-outs, children and homes"),
            [_("Measure"), *labels],
            [
                [_("Call-outs"), *(one[("callouts", i)] for i in range(n))],
                [
                    _("Missing or absent call-outs (not counted above)"),
                    *(one[("excluded", i)] for i in range(n)),
                ],
                [_("Children called about"), *(one[("children", i)] for i in range(n))],
                [
                    _("Call-outs per child"),
                    *(_shown_ratio(one[("callouts", i)], one[("children", i)]) for i in range(n)),
                ],
                [_("Homes in scope"), *figures["homes"]],
                [_("Registered places (average)"), *figures["places"]],
                [
                    _("Call-outs per 10 places"),
                    *(
                        _shown_ratio(one[("callouts", i)], figures["places"][i], 10)
                        for i in range(n)
                    ),
                ],
                [_("Children called about repeatedly"), *(one[("repeat", i)] for i in range(n))],
            ],
        )
    )

    # 2. Like-for-like.
    like = figures["like_for_like"]
    like_shown = _suppressed({i: v for i, v in enumerate(like["callouts"])}, [], public)
    tables.append(
        _Table(
            "like_for_like",
            _("Like-for-like: the homes open in all three years"),
            [_("Measure"), *labels],
            [
                [_("Homes"), *([like["homes"]] * n)],
                [_("Call-outs"), *(like_shown[i] for i in range(n))],
                [_("Registered places (average)"), *like["places"]],
                [
                    _("Call-outs per 10 places"),
                    *(_shown_ratio(like_shown[i], like["places"][i], 10) for i in range(n)),
                ],
            ],
            note=figures["homes_sentence"],
        )
    )

    # 3 and 4. Host authorities.
    hosts = figures["hosts"]
    host_shown = by_year_table(
        "hosts",
        _("Call-outs by host authority (where the home is)"),
        [(h["name"], h["callouts"]) for h in hosts],
        totals_row=_("All host authorities"),
        heading=_("Host authority"),
    )
    tables.append(
        _Table(
            "host_rates",
            _("Homes, places and call-outs per 10 places by host authority"),
            [
                _("Host authority"),
                *(
                    _("%(measure)s, %(year)s", measure=what, year=label)
                    for label in labels
                    for what in (_("Homes"), _("Places"), _("Per 10 places"))
                ),
            ],
            [
                [
                    h["name"],
                    *(
                        value
                        for i in range(n)
                        for value in (
                            h["homes"][i],
                            h["places"][i],
                            _shown_ratio(host_shown[(r, i)], h["places"][i], 10),
                        )
                    ),
                ]
                for r, h in enumerate(hosts)
            ],
        )
    )

    # 5. Children placed out of area.
    placing = figures["placing"]
    cells = {}
    for r, p in enumerate(placing):
        for i in range(n):
            cells[(r, i)] = p["callouts"][i]
            cells[(r, n + i)] = p["children"][i]
    last = len(placing)
    for c in range(2 * n):
        cells[(last, c)] = sum(cells[(r, c)] for r in range(last))
    shown = _suppressed(
        cells, [([(r, c) for r in range(last)], (last, c)) for c in range(2 * n)], public
    )
    tables.append(
        _Table(
            "placing",
            _("Children placed out of area: call-outs and children by placing authority"),
            [
                _("Placing authority"),
                *(_("Call-outs, %(year)s", year=label) for label in labels),
                *(_("Children, %(year)s", year=label) for label in labels),
            ],
            [
                [name, *(shown[(r, c)] for c in range(2 * n))]
                for r, name in enumerate(
                    [*(p["name"] for p in placing), _("All placing authorities")]
                )
            ]
            if placing
            else [],
            note=None if placing else _("No call-outs were about children placed out of area."),
        )
    )

    # 6. The funnel.
    steps = ("callouts", "attended", "arrested", "criminal", "formal", "charged")
    step_labels = {
        "callouts": _("Call-outs"),
        "attended": _("Police attended"),
        "arrested": _("Arrested"),
        "criminal": _("Criminal outcome"),
        "formal": _("of which a formal out-of-court disposal"),
        "charged": _("of which a charge or summons"),
    }
    cells = {(s, i): figures[s][i] for s in steps for i in range(n)}
    funnel_shown = _suppressed(
        cells, [([("formal", i), ("charged", i)], ("criminal", i)) for i in range(n)], public
    )
    tables.append(
        _Table(
            "funnel",
            _("From call-out to criminal outcome"),
            [
                _("Step"),
                *(
                    _("%(measure)s, %(year)s", measure=what, year=label)
                    for label in labels
                    for what in (_("Number"), _("% of call-outs"))
                ),
            ],
            [
                [
                    step_labels[s],
                    *(
                        value
                        for i in range(n)
                        for value in (
                            funnel_shown[(s, i)],
                            _shown_ratio(funnel_shown[(s, i)], funnel_shown[("callouts", i)], 100),
                        )
                    ),
                ]
                for s in steps
            ],
        )
    )

    # 7. Children with a criminal outcome.
    criminal = figures["criminal_children"]
    by_year_table(
        "criminal_children",
        _("Children with a criminal outcome"),
        [
            (_("Children with a criminal outcome"), criminal["children"]["all"]),
            (_("of whom their first criminal outcome here"), criminal["first_here"]["all"]),
        ],
    )

    # 8 and 9. By sex and by age band.
    def breakdown(table_id, title, groups, key):
        measures = (
            (_("Call-outs"), figures["by_" + key]["callouts"]),
            (_("Police attended"), figures["by_" + key]["attended"]),
            (_("Arrested"), figures["by_" + key]["arrested"]),
            (_("Call-outs with a criminal outcome"), figures["by_" + key]["criminal"]),
            (_("Children called about"), figures["children"][key]),
            (_("Children with a criminal outcome"), criminal["children"][key]),
            (_("First criminal outcome here"), criminal["first_here"][key]),
        )
        cells, totals = {}, []
        for m, (_label, values) in enumerate(measures):
            for i in range(n):
                for g, (group, *_rest) in enumerate(groups):
                    cells[(m, i, g)] = values[group][i]
                cells[(m, i, "all")] = sum(values[group][i] for group, *_r in groups)
                totals.append(([(m, i, g) for g in range(len(groups))], (m, i, "all")))
        shown = _suppressed(cells, totals, public)
        tables.append(
            _Table(
                table_id,
                title,
                [_("Measure"), _("Year"), *(translate(group[1]) for group in groups), _("All")],
                [
                    [
                        label,
                        labels[i],
                        *(shown[(m, i, g)] for g in range(len(groups))),
                        shown[(m, i, "all")],
                    ]
                    for m, (label, _v) in enumerate(measures)
                    for i in range(n)
                ],
                heading_columns=2,
            )
        )

    breakdown("sex", _("By sex"), SEX_GROUPS, "sex")
    breakdown("age", _("By age band"), [(k, lbl) for k, lbl, *_rest in AGE_BANDS], "band")

    # 10 and 11. Categories.
    category_labels = {c.value: c.label for c in Category}
    by_year_table(
        "categories",
        _("Call-outs by what they were about"),
        [(category_labels[k], v) for k, v in figures["categories"].items()],
        totals_row=_("All call-outs"),
        heading=_("What the call-out was about"),
    )
    latest = n - 1
    by_sex = figures["categories_by_sex"]
    keys = list(by_sex)
    cells, totals = {}, []
    for r, k in enumerate(keys):
        for g, (group, _l) in enumerate(SEX_GROUPS):
            cells[(r, g)] = by_sex[k][group][latest]
        cells[(r, "all")] = sum(cells[(r, g)] for g in range(len(SEX_GROUPS)))
        totals.append(([(r, g) for g in range(len(SEX_GROUPS))], (r, "all")))
    columns = [*range(len(SEX_GROUPS)), "all"]
    for c in columns:
        cells[("all", c)] = sum(cells[(r, c)] for r in range(len(keys)))
        totals.append(([(r, c) for r in range(len(keys))], ("all", c)))
    totals.append(([("all", g) for g in range(len(SEX_GROUPS))], ("all", "all")))
    shown = _suppressed(cells, totals, public)
    tables.append(
        _Table(
            "categories_by_sex",
            _(
                "Call-outs by what they were about and the child's sex, %(year)s",
                year=years[-1].label,
            ),
            [
                _("What the call-out was about"),
                *(translate(label) for _k, label in SEX_GROUPS),
                _("All"),
            ],
            [[category_labels[k], *(shown[(r, c)] for c in columns)] for r, k in enumerate(keys)]
            + [[_("All call-outs"), *(shown[("all", c)] for c in columns)]],
        )
    )

    # 12 and 13. Reviews.
    for table_id, title, vocabulary, key in (
        (
            "protocol_applied",
            _("Reviews: was the protocol applied?"),
            ProtocolApplied,
            "protocol_applied",
        ),
        (
            "police_necessary",
            _("Reviews: were the police necessary?"),
            PoliceNecessary,
            "police_necessary",
        ),
    ):
        values = figures[key]
        not_reviewed = [
            figures["callouts"][i] - sum(values[v][i] for v in values) for i in range(n)
        ]
        by_year_table(
            table_id,
            title,
            [
                *((vocabulary(v).label, values[v]) for v in values),
                (_("Not reviewed (or no answer)"), not_reviewed),
            ],
            totals_row=_("All call-outs"),
            heading=_("Finding"),
        )

    # 14. The trend, by month.
    trend = figures["trend"]
    months = [Month.parse(m) for m in trend["months"]]
    cells, totals = {}, []
    series_names = [h["name"] for h in trend["hosts"]]
    for r in range(len(months)):
        for h, host in enumerate(trend["hosts"]):
            cells[(r, h)] = host["values"][r]
        cells[(r, "area")] = trend["area"][r]
        if len(trend["hosts"]) > 1:
            totals.append(([(r, h) for h in range(len(trend["hosts"]))], (r, "area")))
    trend_columns = ["area", *range(len(trend["hosts"]))] if len(trend["hosts"]) > 1 else ["area"]
    trend_shown = _suppressed(cells, totals, public)
    area_name = figures.get("area") or _("All homes in the area")
    tables.append(
        _Table(
            "trend",
            _("Call-outs per month"),
            [
                _("Month"),
                area_name,
                *(series_names if len(trend["hosts"]) > 1 else []),
            ],
            [
                [month.label, *(trend_shown[(r, c)] for c in trend_columns)]
                for r, month in enumerate(months)
            ],
        )
    )

    # 15. The children called about repeatedly, by reference: the group's internal version only.
    if references:
        tables.append(
            _Table(
                "repeat_children",
                _("Children called about repeatedly"),
                [
                    _("Year"),
                    _("Child's reference"),
                    _("Placing authority"),
                    pgettext("a children's home", "Home"),
                    _("Call-outs in the year"),
                ],
                [
                    [
                        labels[r["year"]],
                        r["reference"],
                        r["placing_authority"] or _("Not recorded"),
                        r["home"],
                        r["callouts"],
                    ]
                    for r in figures["repeat_children_list"]
                ],
                heading_columns=2,
                note=_("Internal: not to be shared beyond the group."),
            )
        )

    tables.sort(key=lambda t: ORDER.index(t.id))
    numbered = []
    for number, table in enumerate(tables, start=1):
        numbered.append(
            {
                "id": table.id,
                "number": number,
                "title": table.title,
                "headers": table.headers,
                "rows": table.rows,
                "heading_columns": table.heading_columns,
                "note": table.note,
            }
        )
    number_of = {t["id"]: t["number"] for t in numbered}

    def plotted(value):
        return None if isinstance(value, str) else value

    charts = [
        {
            "id": "trend",
            "number": 1,
            "kind": "line",
            "title": _(
                "Call-outs per month, %(months)s",
                months=months_span(months[0].label, months[-1].label),
            ),
            "description": _trend_description(figures.get("area"), months, trend, public),
            "labels": [format_month(m.first_day, short=True) for m in months],
            "series": [
                {
                    "name": area_name,
                    "values": [plotted(trend_shown[(r, "area")]) for r in range(len(months))],
                },
                *(
                    {
                        "name": name,
                        "values": [plotted(trend_shown[(r, h)]) for r in range(len(months))],
                    }
                    for h, name in enumerate(series_names)
                    if len(series_names) > 1
                ),
            ],
            "table": number_of["trend"],
        },
        {
            "id": "funnel",
            "number": 2,
            "kind": "bar",
            "title": _("From call-out to criminal outcome, by year"),
            "description": _funnel_description(years, figures, funnel_shown, public),
            "labels": [step_labels[s] for s in ("callouts", "attended", "arrested", "criminal")],
            "series": [
                {
                    "name": labels[i],
                    "values": [
                        plotted(funnel_shown[(s, i)])
                        for s in ("callouts", "attended", "arrested", "criminal")
                    ],
                }
                for i in range(n)
            ],
            "table": number_of["funnel"],
        },
    ]

    callouts_shown = [one[("callouts", i)] for i in range(n)]
    summary = [
        headline(years, callouts_shown, [like_shown[i] for i in range(n)], like["homes"]),
        change_sentence(
            "criminal_children",
            years[-2].label,
            years[-1].label,
            *_pair(criminal["children"]["all"], public),
        ),
        figures["homes_sentence"],
    ]
    area = figures.get("area")
    return {
        "title": _(
            "Police call-outs to children's homes in %(area)s: %(months)s",
            area=area,
            months=months_span(years[0].first.label, years[-1].last.label),
        )
        if area
        else _(
            "Police call-outs to children's homes: %(months)s",
            months=months_span(years[0].first.label, years[-1].last.label),
        ),
        "version": "public" if public else "internal",
        "year_ending": figures["year_ending"],
        "years": figures["years"],
        "area": area,
        "made_at": figures["made_at"],
        "made_on": _long_date(figures["made_at"]),
        "summary": summary,
        "tables": numbered,
        "charts": charts,
        "notes": [translate(note) for note in (*NOTES, PUBLIC_NOTE if public else INTERNAL_NOTE)],
    }


def _long_date(moment: str) -> str:
    """``2026-11-15T12:00+00:00`` (UK time) as "15 November 2026"."""
    return format_day(date.fromisoformat(moment[:10]))


def _pair(values, public: bool) -> tuple:
    before, now = values[-2], values[-1]
    return (suppress(before), suppress(now)) if public else (before, now)


def _trend_description(area: str | None, months: list[Month], trend: dict, public: bool) -> str:
    """The trend chart in words (``area``: the authority chosen, None for the whole area)."""
    values = trend["area"]
    total = sum(values)
    peak = max(range(len(values)), key=lambda i: (values[i], -i)) if values else 0
    span = {"first": months[0].label, "last": months[-1].label}
    each_host = len(trend["hosts"]) > 1
    if area is None and each_host:
        text = _(
            "A line for all homes in the area and one for each host authority, from %(first)s "
            "to %(last)s.",
            **span,
        )
    elif area is None:
        text = _("A line for all homes in the area, from %(first)s to %(last)s.", **span)
    elif each_host:
        text = _(
            "A line for %(area)s and one for each host authority, from %(first)s to %(last)s.",
            area=area,
            **span,
        )
    else:
        text = _("A line for %(area)s, from %(first)s to %(last)s.", area=area, **span)
    if not public and total:
        text += " " + ngettext(
            "%(count)s call-out in all; the most in one month was %(most)s, in %(month)s.",
            "%(count)s call-outs in all; the most in one month was %(most)s, in %(month)s.",
            total,
            count=format_number(total),
            most=format_number(values[peak]),
            month=months[peak].label,
        )
    if public:
        text += " " + _("Months with fewer than 5 call-outs are left out of the lines.")
    return text + " " + _("The numbers are in the table of call-outs per month.")


def _funnel_description(years, figures, shown, public: bool) -> str:
    i = len(years) - 1
    steps = funnel({s: figures[s][i] for s in ("callouts", "attended", "arrested", "criminal")})
    if public and any(isinstance(shown[(s.key, i)], str) for s in steps):
        detail = _("Some of its numbers are fewer than 5 and are not drawn.")
    else:
        detail = "; ".join(
            _(
                "%(step)s %(count)s (%(percent)s of the step before)",
                step=s.label.lower(),
                count=format_number(s.count),
                percent=f"{format_number(s.of_previous)}%",
            )
            if s.of_previous is not None
            else _("%(step)s %(count)s", step=s.label.lower(), count=format_number(s.count))
            for s in steps
        )
        detail = _("In %(year)s: %(steps)s.", year=years[-1].label, steps=detail)
    return _(
        "Bars for each year showing call-outs, then those the police attended, those with an "
        "arrest and those with a criminal outcome. %(detail)s The numbers are in the table "
        "from call-out to criminal outcome.",
        detail=detail,
    )
