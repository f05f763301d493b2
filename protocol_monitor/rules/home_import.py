"""Checking homes, one at a time (the admin form) or a whole CSV file (import-homes).

Pure: the caller passes the authority and police force codes that exist. A file is accepted only
when every row is good; otherwise every problem is reported with its file line, column and value.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from ..i18n import _
from ..vocab import SettingType
from .time import parse_day

#: The columns of an import file, in this order, with exactly these names.
COLUMNS = (
    "urn",
    "name",
    "provider",
    "host_authority_code",
    "police_force_code",
    "registered_places",
    "setting_type",
    "opened_on",
    "closed_on",
)

URN_PATTERN = re.compile(r"^[A-Z0-9]{1,16}$")
CODE_PATTERN = re.compile(r"^[EWSN]\d{8}$")
MAX_PLACES = 500


@dataclass(frozen=True)
class HomeValues:
    """A checked home, ready to store: codes still as codes, dates as dates."""

    urn: str
    name: str
    provider: str
    host_authority_code: str
    police_force_code: str
    registered_places: int
    setting_type: str
    opened_on: date | None
    closed_on: date | None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field: the column (or form field), the value given, and why."""

    column: str
    value: str
    message: str


@dataclass(frozen=True)
class RowProblem:
    """A problem on a line of an import file (line 1 is the header)."""

    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        if self.line == 1 and not self.value:  # a header problem: there is no value to show
            return _(
                "Line 1, column %(column)s: %(problem)s", column=self.column, problem=self.message
            )
        if not self.value:
            return _(
                "Line %(line)s, column %(column)s (blank): %(problem)s",
                line=self.line,
                column=self.column,
                problem=self.message,
            )
        return _(
            "Line %(line)s, column %(column)s (‘%(value)s’): %(problem)s",
            line=self.line,
            column=self.column,
            value=self.value,
            problem=self.message,
        )


def check_code(value: str) -> str | None:
    """Why an ONS code (GSS or police force area) is malformed, or None."""
    if not CODE_PATTERN.match(value):
        # A fragment, "Code …" (services.reference): that module makes the sentence.
        return "must be an ONS code: a letter E, W, S or N and 8 digits, like E06000059"
    return None


def check_home(
    raw: Mapping[str, str | None],
    authority_codes: Collection[str],
    force_codes: Collection[str],
    *,
    opened_required: bool = True,
) -> tuple[HomeValues | None, list[Problem]]:
    """Check one home's fields (as text). Returns the typed values, or the problems found."""
    value = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(column, value[column], message))

    urn = value["urn"].upper()
    if not urn:
        problem("urn", _("Enter the Ofsted URN"))
    elif not URN_PATTERN.match(urn):
        problem("urn", _("Ofsted URN must be letters and numbers only, 16 characters or fewer"))
    for column, missing, too_long in (
        ("name", _("Enter the home's name"), _("The home's name must be 160 characters or fewer")),
        (
            "provider",
            _("Enter the home's provider"),
            _("The home's provider must be 160 characters or fewer"),
        ),
    ):
        if not value[column]:
            problem(column, missing)
        elif len(value[column]) > 160:
            problem(column, too_long)
    authority = value["host_authority_code"].upper()
    if not authority:
        problem("host_authority_code", _("Enter the host authority's GSS code"))
    elif authority not in authority_codes:
        problem("host_authority_code", _("No authority has this code: add the authority first"))
    force = value["police_force_code"].upper()
    if not force:
        problem("police_force_code", _("Enter the police force area code"))
    elif force not in force_codes:
        problem("police_force_code", _("No police force has this code: add the police force first"))
    places: int | None = None
    if not value["registered_places"]:
        problem("registered_places", _("Enter the number of registered places"))
    elif not re.fullmatch(r"[+-]?\d+", value["registered_places"], re.ASCII):
        problem("registered_places", _("Registered places must be a whole number, like 4"))
    else:
        # At most 9 significant digits: Python refuses to convert thousands of them.
        digits = value["registered_places"].lstrip("+-").lstrip("0") or "0"
        sign = -1 if value["registered_places"].startswith("-") else 1
        places = sign * int(digits) if len(digits) <= 9 else sign * (MAX_PLACES + 1)
        if places < 0:
            problem("registered_places", _("Registered places must be 0 or more"))
        elif places > MAX_PLACES:
            problem(
                "registered_places",
                _("Registered places must be %(limit)s or fewer", limit=MAX_PLACES),
            )
    setting_type = value["setting_type"].lower()
    if setting_type not in SettingType.slugs():
        problem(
            "setting_type",
            _("Setting type must be one of: %(values)s", values=", ".join(SettingType.slugs())),
        )
    dates: dict[str, date | None] = {"opened_on": None, "closed_on": None}
    for column in ("opened_on", "closed_on"):
        if not value[column]:
            if column == "opened_on" and opened_required:
                problem(column, _("Enter the date the home opened, like 2019-04-01"))
            continue
        try:
            dates[column] = parse_day(value[column])
        except ValueError:
            problem(column, _("Date must be a real date written YYYY-MM-DD, like 2019-04-01"))
    opened, closed = dates["opened_on"], dates["closed_on"]
    if opened and closed and closed < opened:
        problem(
            "closed_on", _("Date the home closed must be the same as or after the date it opened")
        )
    if problems:
        return None, problems
    assert places is not None
    return (
        HomeValues(
            urn=urn,
            name=value["name"],
            provider=value["provider"],
            host_authority_code=authority,
            police_force_code=force,
            registered_places=places,
            setting_type=setting_type,
            opened_on=opened,
            closed_on=closed,
        ),
        [],
    )


@dataclass(frozen=True)
class ImportCheck:
    homes: list[HomeValues]
    problems: list[RowProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_import(
    text: str, authority_codes: Collection[str], force_codes: Collection[str]
) -> ImportCheck:
    """Check a whole CSV file. Any problem means no homes: the file is all or nothing."""
    if text.startswith("\ufeff"):  # a byte-order mark, as spreadsheet programs write
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return ImportCheck([], [RowProblem(1, "header", "", _("The file is empty"))])
    except csv.Error as error:
        return ImportCheck(
            [],
            [RowProblem(1, "header", "", _("The file is not valid CSV: %(error)s", error=error))],
        )
    header = [name.strip() for name in header]
    header_problems = [
        RowProblem(1, column, "", _("Missing column: the header must name every column"))
        for column in COLUMNS
        if column not in header
    ]
    header_problems += [
        RowProblem(1, name or "(blank)", name, _("Unknown column"))
        for name in header
        if name not in COLUMNS
    ]
    header_problems += [
        RowProblem(1, name, name, _("Column named twice"))
        for name in sorted({n for n in header if n in COLUMNS and header.count(n) > 1})
    ]
    if header_problems:
        return ImportCheck([], header_problems)

    homes: list[HomeValues] = []
    problems: list[RowProblem] = []
    first_line_of_urn: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    RowProblem(
                        line,
                        "row",
                        ",".join(cells),
                        _(
                            "Row has %(values)s values; the header has %(columns)s",
                            values=len(cells),
                            columns=len(header),
                        ),
                    )
                )
                continue
            raw = dict(zip(header, cells, strict=True))
            home, found = check_home(raw, authority_codes, force_codes)
            problems += [RowProblem(line, p.column, p.value, p.message) for p in found]
            urn = (raw.get("urn") or "").strip().upper()
            if urn and urn in first_line_of_urn:
                problems.append(
                    RowProblem(
                        line,
                        "urn",
                        raw["urn"].strip(),
                        _(
                            "URN appears more than once in the file (first on line %(line)s)",
                            line=first_line_of_urn[urn],
                        ),
                    )
                )
                continue
            if urn:
                first_line_of_urn[urn] = line
            if home is not None:
                homes.append(home)
    except csv.Error as error:
        problems.append(
            RowProblem(
                reader.line_num, "row", "", _("The file is not valid CSV: %(error)s", error=error)
            )
        )
    if not homes and not problems:
        problems.append(RowProblem(2, "row", "", _("The file has a header but no homes")))
    if problems:
        return ImportCheck([], problems)
    return ImportCheck(homes, [])
