"""Summary arithmetic (domain.md §8): rates, suppression, like-for-like sets, changes, exports.

Plain functions over plain values: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_pgettext, pgettext

from ..i18n import N_, _, _l, format_month, format_number, translate
from .export import Table, safe_cell
from .time import Month

SUPPRESSED = "<5"

#: The figures every authority, placing authority and home row carries, in display order.
COUNT_NAMES: tuple[str, ...] = (
    "callouts",
    "missing_excluded",
    "children",
    "homes_with_callouts",
    "arrests",
    "criminal_outcomes",
    "reviewed",
    "same_month_last_year",
    "rolling_12_months",
)


def rate_per_10_places(callouts: int, registered_places: int | None) -> float | None:
    """Call-outs per 10 registered places, one decimal, halves rounded up; None without places."""
    if not registered_places:
        return None
    value = Decimal(callouts) * 10 / Decimal(registered_places)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def suppress(count: int | None) -> int | str | None:
    """Counts from 1 to 4 become ``<5`` in anything shared beyond the group."""
    if count is not None and 1 <= count <= 4:
        return SUPPRESSED
    return count


def open_during(
    opened_on: date | None, closed_on: date | None, first_day: date, last_day: date
) -> bool:
    """A home is in scope for a period when it was open on any day of it."""
    return (opened_on is None or opened_on <= last_day) and (
        closed_on is None or closed_on >= first_day
    )


def open_in_month(opened_on: date | None, closed_on: date | None, month: Month) -> bool:
    return open_during(opened_on, closed_on, month.first_day, month.last_day)


@dataclass(frozen=True)
class Change:
    """A count now against a count before."""

    now: int
    before: int

    @property
    def difference(self) -> int:
        return self.now - self.before

    @property
    def percent(self) -> float | None:
        if self.before == 0:
            return None
        return float(
            (Decimal(self.difference) * 100 / Decimal(self.before)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
        )

    def describe(self, *, last_year: bool = True) -> str:
        """ "+9 (+45%)", "no change"; "no data last year" when there was none to compare with."""
        if not last_year:
            return _("no data last year")
        if self.difference == 0:
            return _("no change")
        sign = "+" if self.difference > 0 else "−"
        text = f"{sign}{format_number(abs(self.difference))}"
        if self.percent is not None:
            text += f" ({sign}{format_number(abs(self.percent))}%)"
        return text


def fingerprint(figures: Mapping[str, Any]) -> str:
    """A stable hash of figures: equal figures, equal fingerprint (decides a new version)."""
    canonical = json.dumps(figures, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


_DIFF_TABLES = (
    ("authorities", "code", "Authority"),
    ("placing_authorities", "code", "Placing authority"),
    ("homes", "urn", "Home"),
)
_DIFF_FIELDS = (
    "callouts",
    "missing_excluded",
    "children",
    "arrests",
    "criminal_outcomes",
    "reviewed",
    "homes_in_scope",
    "registered_places",
)


def diff_figures(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What changed between two compiled versions, as short sentences with no child data."""
    lines: list[str] = []
    for table, key, noun in _DIFF_TABLES:
        old_rows = {row[key]: row for row in before.get(table, [])}
        new_rows = {row[key]: row for row in now.get(table, [])}
        for code in sorted(set(old_rows) | set(new_rows)):
            old, new = old_rows.get(code, {}), new_rows.get(code, {})
            for name in _DIFF_FIELDS:
                if name not in old and name not in new:
                    continue
                a, b = old.get(name) or 0, new.get(name) or 0
                if a != b:
                    lines.append(f"{noun} {code}: {name} {a} → {b}")
    old_repeat = len(before.get("repeat_children", []))
    new_repeat = len(now.get("repeat_children", []))
    if old_repeat != new_repeat:
        lines.append(f"Repeat children: {old_repeat} → {new_repeat}")
    old_actions = (before.get("actions") or {}).get("totals", {})
    new_actions = (now.get("actions") or {}).get("totals", {})
    for name in ("agreed", "done", "open", "overdue"):
        if old_actions.get(name, 0) != new_actions.get(name, 0):
            lines.append(f"Actions {name}: {old_actions.get(name, 0)} → {new_actions.get(name, 0)}")
    return lines


_CHANGE_LINE = re.compile(r"^(Authority|Placing authority|Home) (\S+): ([a-z_]+) (\S+) → (\S+)$")
_GROUP_LINE = re.compile(
    r"^(Repeat children|Actions agreed|Actions done|Actions open|Actions overdue): (\S+) → (\S+)$"
)


def _figure_word(name: str) -> str:
    """A figure's name in a line of ``diff_figures``, as the reader reads it (English keeps the
    name the line was stored with)."""
    words = {
        "callouts": pgettext("changed figure", "callouts"),
        "missing_excluded": pgettext("changed figure", "missing_excluded"),
        "children": pgettext("changed figure", "children"),
        "arrests": pgettext("changed figure", "arrests"),
        "criminal_outcomes": pgettext("changed figure", "criminal_outcomes"),
        "reviewed": pgettext("changed figure", "reviewed"),
        "homes_in_scope": pgettext("changed figure", "homes_in_scope"),
        "registered_places": pgettext("changed figure", "registered_places"),
    }
    return words.get(name, name)


def change_text(line: str) -> str:
    """A line of ``diff_figures`` (stored in English when the month was compiled) in the
    reader's language; a line of another shape as it is."""
    found = _CHANGE_LINE.match(line)
    if found:
        noun, code, name, before, after = found.groups()
        values = {"code": code, "figure": _figure_word(name), "before": before, "after": after}
        if noun == "Authority":
            return _("Authority %(code)s: %(figure)s %(before)s → %(after)s", **values)
        if noun == "Placing authority":
            return _("Placing authority %(code)s: %(figure)s %(before)s → %(after)s", **values)
        return _("Home %(code)s: %(figure)s %(before)s → %(after)s", **values)
    found = _GROUP_LINE.match(line)
    if found:
        what, before, after = found.groups()
        values = {"before": before, "after": after}
        return {
            "Repeat children": lambda: _("Repeat children: %(before)s → %(after)s", **values),
            "Actions agreed": lambda: _("Actions agreed: %(before)s → %(after)s", **values),
            "Actions done": lambda: _("Actions done: %(before)s → %(after)s", **values),
            "Actions open": lambda: _("Actions open: %(before)s → %(after)s", **values),
            "Actions overdue": lambda: _("Actions overdue: %(before)s → %(after)s", **values),
        }[what]()
    return line


def changes_text(lines: Iterable[str]) -> list[str]:
    return [change_text(line) for line in lines]


#: Lines of ``diff_figures`` about the whole group rather than a row of it.
_GROUP_WIDE_CHANGES = ("Repeat children", "Actions ")


def changes_in_scope(
    lines: Iterable[str],
    hosts: set[str],
    placing: set[str],
    urns: set[str],
    *,
    group_wide: bool,
) -> list[str]:
    """The lines of ``diff_figures`` a reader may see: rows of their authorities and homes, and
    the group-wide counts (repeat children, actions) only for a reader of the whole group."""
    allowed = {"Authority": hosts, "Placing authority": placing, "Home": urns}
    kept = []
    for line in lines:
        if line.startswith(_GROUP_WIDE_CHANGES):
            if group_wide:
                kept.append(line)
            continue
        head = line.split(":", 1)[0]
        noun, _, code = head.rpartition(" ")
        if noun in allowed and code not in allowed[noun]:
            continue
        kept.append(line)
    return kept


#: The owners of actions that are not a person: kept in the compiled figures in English, read in
#: the reader's language (``owner_text``).
OWNER_HOME = N_("The home")
OWNER_NONE = N_("No owner")


def owner_text(owner: str) -> str:
    return translate(owner) if owner in (OWNER_HOME, OWNER_NONE) else owner


#: The counts of the action tracker, per row and in total.
ACTION_COUNTS: tuple[str, ...] = ("agreed", "agreed_this_month", "done", "open", "overdue")


def action_tracker(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The action tracker from its rows (one per home and owner, each with ``owner_id``,
    ``owner`` and the counts): the totals, and the counts by owner, by owner's name."""
    totals = dict.fromkeys(ACTION_COUNTS, 0)
    owners: dict[Any, dict[str, Any]] = {}
    for row in rows:
        entry = owners.setdefault(
            row.get("owner_id"), {"owner": row["owner"], **dict.fromkeys(ACTION_COUNTS, 0)}
        )
        for name in ACTION_COUNTS:
            entry[name] += row[name]
            totals[name] += row[name]
    by_owner = sorted(owners.values(), key=lambda r: r["owner"])
    return {"totals": totals, "by_owner": by_owner}


def group_totals(authorities: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The group's totals: authority rows summed (each call-out has one host authority)."""
    names = (
        "callouts",
        "missing_excluded",
        "homes_with_callouts",
        "homes_in_scope",
        "registered_places",
        "arrests",
        "criminal_outcomes",
        "reviewed",
        "same_month_last_year",
        "rolling_12_months",
    )
    totals = dict.fromkeys(names, 0)
    for row in authorities:
        for name in names:
            totals[name] += row.get(name) or 0
    return totals


AUTHORITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", _l("Authority code")),
    ("name", _l("Authority")),
    ("callouts", _l("Call-outs")),
    ("missing_excluded", _l("Missing or absent (excluded)")),
    ("children", _l("Children")),
    ("homes_with_callouts", _l("Homes with call-outs")),
    ("homes_in_scope", _l("Homes in scope")),
    ("registered_places", _l("Registered places")),
    ("rate_per_10_places", _l("Call-outs per 10 places")),
    ("arrests", _l("Arrests")),
    ("criminal_outcomes", _l("Criminal outcomes")),
    ("reviewed", _l("Reviewed")),
    ("same_month_last_year", _l("Same month last year")),
    ("rolling_12_months", _l("Rolling 12 months")),
    ("like_for_like.callouts", _l("Like-for-like this month")),
    ("like_for_like.same_month_last_year", _l("Like-for-like same month last year")),
)
HOME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("urn", "URN"),
    ("name", lazy_pgettext("a children's home", "Home")),
    ("authority", _l("Host authority")),
    ("callouts", _l("Call-outs")),
    ("missing_excluded", _l("Missing or absent (excluded)")),
    ("children", _l("Children")),
    ("registered_places", _l("Registered places")),
    ("rate_per_10_places", _l("Call-outs per 10 places")),
    ("arrests", _l("Arrests")),
    ("criminal_outcomes", _l("Criminal outcomes")),
    ("reviewed", _l("Reviewed")),
    ("same_month_last_year", _l("Same month last year")),
    ("rolling_12_months", _l("Rolling 12 months")),
    ("repeat_children", _l("Repeat children")),
    ("open_flags", _l("Open flags")),
    ("allocated_officer", _l("Allocated officer")),
)


def with_local_names(document: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The document with each authority row named as the reader reads it (``names``: the local
    name by code), not as it was when the month was compiled."""
    return {
        **document,
        **{
            key: [{**row, "name": names.get(row["code"], row["name"])} for row in document[key]]
            for key in ("authorities", "placing_authorities")
            if key in document
        },
    }


def _pick(row: Mapping[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


#: The summary's tables: (name in a URL, title). A sheet each in the XLSX, and a file each in CSV:
#: one table per CSV file, which Excel's filters and Power BI read as it is.
EXPORT_TABLES: dict[str, str] = {
    "host-authorities": _l("Host authorities"),
    "placing-authorities": _l("Placing authorities"),
    "homes": _l("Homes"),
    "actions": _l("Actions by owner"),
}
#: Columns that compare with the same month last year: blank when there was no data then.
_LAST_YEAR = frozenset({"same_month_last_year", "like_for_like.same_month_last_year"})


def export_tables(document: Mapping[str, Any], *, last_year: bool = True) -> list[Table]:
    """The summary as tables (name, headers, rows) for CSV and XLSX downloads, in the order of
    EXPORT_TABLES. Without data a year before (``last_year`` false) those columns are blank."""
    tables = []
    for name, key, columns in (
        (_("Host authorities"), "authorities", AUTHORITY_COLUMNS),
        (_("Placing authorities"), "placing_authorities", AUTHORITY_COLUMNS),
        (_("Homes"), "homes", HOME_COLUMNS),
    ):
        headers = [str(label) for _path, label in columns]
        rows = [
            [
                None if path in _LAST_YEAR and not last_year else safe_cell(_pick(row, path))
                for path, _label in columns
            ]
            for row in document.get(key, [])
        ]
        tables.append((name, headers, rows))
    actions = document.get("actions") or {}
    tables.append(
        (
            # A sheet's name: Excel allows 31 characters.
            pgettext("sheet name", "Actions by owner"),
            [_("Owner"), _("Agreed this month"), _("Done this month"), _("Open"), _("Overdue")],
            [
                [safe_cell(owner_text(r["owner"])), r["agreed"], r["done"], r["open"], r["overdue"]]
                for r in actions.get("by_owner", [])
            ],
        )
    )
    return tables


# Yearly report (calendar or financial year)


def year_months(year: int, basis: str) -> tuple[Month, Month]:
    """First and last month of a calendar year, or of the financial year starting April ``year``."""
    if basis == "financial":
        return Month(year, 4), Month(year + 1, 3)
    return Month(year, 1), Month(year, 12)


def year_ends(year: int, basis: str) -> date:
    """The last day of a year, named by the calendar year it starts in."""
    return date(year + 1, 3, 31) if basis == "financial" else date(year, 12, 31)


def months_span(first: str, last: str) -> str:
    """Two months or years as a span: "April 2025 to March 2026" (Welsh: a dash)."""
    return _("%(first)s to %(last)s", first=first, last=last)


def to_date(label: str) -> str:
    """A year's label marked as not over yet: "2026 (to date)"."""
    return _("%(year)s (to date)", year=label)


def year_span(year: int, basis: str) -> str:
    """ "April 2025 to March 2026" or "2025"."""
    if basis != "financial":
        return str(year)
    return months_span(format_month(date(year, 4, 1)), format_month(date(year + 1, 3, 1)))


def year_label(year: int, basis: str, today: date | None = None) -> str:
    """ "April 2025 to March 2026" or "2025"; "(to date)" while the year is not over."""
    text = year_span(year, basis)
    if today is not None and today <= year_ends(year, basis):
        text = to_date(text)
    return text


def years_label(years: Sequence[int], basis: str, today: date | None = None) -> str:
    """Several years as one span: "April 2023 to March 2026", "2023 to 2025 (to date)"."""
    first, last = years[0], years[-1]
    if basis == "financial":
        text = months_span(format_month(date(first, 4, 1)), format_month(date(last + 1, 3, 1)))
    else:
        text = months_span(str(first), str(last))
    if today is not None and today <= year_ends(last, basis):
        text = to_date(text)
    return text


def current_year(today: date, basis: str) -> int:
    """The year ``today`` is in, named by the calendar year it starts in."""
    if basis == "financial":
        return today.year if today.month >= 4 else today.year - 1
    return today.year


def yearly_table(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The yearly report as one table: a row per authority, counts from 1 to 4 shown as <5."""
    years = report["years"]
    labels = report["labels"]
    headers = [_("Authority code"), _("Authority")]
    headers += [_("Call-outs %(year)s", year=labels[y]) for y in years]
    headers += [_("Like-for-like %(year)s", year=labels[y]) for y in years]
    headers += [_("Homes open in all three years")]
    rows = [
        [
            row["code"],
            row["name"],
            *(suppress(row["callouts"][y]) for y in years),
            *(suppress(row["like_for_like"][y]) for y in years),
            row["like_for_like_homes"],
        ]
        for row in report["rows"]
    ]
    return headers, rows
