"""Validating rows of a call-out import (police extract or home bulk import). Pure: the caller
passes the homes and authorities the importer may use; nothing here touches the database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..i18n import _
from ..vocab import (
    EXCLUDED_CATEGORIES,
    CallerRole,
    Category,
    ChildRole,
    Deescalation,
    ImmediateRisk,
    Outcome,
    Restorative,
    Sex,
    Source,
)
from .callouts import clocks_went_forward
from .columns import HOME_REPORT_IMPORT_COLUMNS, POLICE_IMPORT_COLUMNS
from .time import NonexistentLocalTime, parse_occurred_at

# The column lists are defined once, with their meanings, in rules/columns.py.

REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/_.]{0,39}$")


def columns_for(source: str) -> tuple[str, ...]:
    return POLICE_IMPORT_COLUMNS if source == Source.POLICE else HOME_REPORT_IMPORT_COLUMNS


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: the row number (the header is row 1), column and value."""

    row: int
    column: str
    value: str
    message: str

    def describe(self) -> str:
        return _(
            "Row %(row)s, column %(column)s (%(value)s): %(problem)s",
            row=self.row,
            column=self.column,
            value=repr(self.value),
            problem=self.message,
        )


@dataclass
class RowResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def check_header(header: list[str], source: str) -> list[RowError]:
    """Every expected column present, no unknown ones (a typo would silently drop data)."""
    expected = columns_for(source)
    names = [h.strip().lower() for h in header]
    errors = [
        RowError(1, column, "", _("Column is missing from the header row"))
        for column in expected
        if column not in names
    ]
    errors += [
        RowError(
            1,
            name or "(blank)",
            name,
            _("Unknown column; expected %(columns)s", columns=", ".join(expected)),
        )
        for name in names
        if name not in expected
    ]
    return errors


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False, "y": True, "n": False}.get(value.lower())


def validate_row(
    raw: Mapping[str, str | None],
    *,
    row: int,
    source: str,
    homes: Mapping[str, int],
    authorities: Mapping[str, int],
    now: datetime,
) -> RowResult:
    """Check and type one row. ``homes`` maps the URNs the importer may use to home ids,
    ``authorities`` GSS codes to authority ids; ``now`` is aware UTC."""
    cells = {k: (raw.get(k) or "").strip() for k in columns_for(source)}
    result = RowResult()
    values = result.values

    def error(column: str, message: str) -> None:
        result.errors.append(RowError(row, column, cells.get(column, ""), message))

    police = source == Source.POLICE
    reference = cells["police_reference"].upper()
    if not reference:
        if police:
            error("police_reference", _("Enter the police reference"))
    elif not REFERENCE_PATTERN.match(reference):
        error(
            "police_reference",
            _("Police reference must be letters, numbers, hyphens or slashes"),
        )
    values["police_reference"] = reference or None

    urn = cells["home_urn"].upper()
    if not urn:
        error("home_urn", _("Enter the home's Ofsted URN"))
    elif urn not in homes:
        error("home_urn", _("No home you may import for has this URN"))
    else:
        values["home_id"] = homes[urn]

    text = cells["occurred_at"]
    if not text:
        error("occurred_at", _("Enter when the call-out happened, like 2026-04-01T21:30"))
    else:
        try:
            moment = parse_occurred_at(text, strict=True)
        except NonexistentLocalTime:
            error("occurred_at", clocks_went_forward(datetime.fromisoformat(text.strip())))
        except ValueError:
            error("occurred_at", _("Enter the time in ISO 8601, like 2026-04-01T21:30"))
        else:
            if moment > now:
                error("occurred_at", _("Time of the call-out must be in the past"))
            values["occurred_at"] = moment

    category = cells["category"].lower()
    if category not in Category.slugs():
        error(
            "category", _("Category must be one of: %(values)s", values=", ".join(Category.slugs()))
        )
    values["category"] = category
    excluded = category in EXCLUDED_CATEGORIES

    child = cells["child_reference"].upper()
    if child and (not REFERENCE_PATTERN.match(child) or not any(c.isdigit() for c in child)):
        error(
            "child_reference",
            _("Child reference must be the placing authority's case reference, like LCS-104233"),
        )
    values["child_reference"] = child or None

    code = cells["placing_authority_code"].upper()
    values["placing_authority_id"] = None
    if code:
        if code not in authorities:
            error("placing_authority_code", _("No authority has this GSS code"))
        else:
            values["placing_authority_id"] = authorities[code]
    elif child and not police:
        error(
            "placing_authority_code",
            _("Enter the GSS code of the authority that placed the child"),
        )

    def yes_no(column: str, required: bool) -> None:
        value = cells[column]
        parsed = _yes_no(value) if value else None
        if parsed is None and (value or required):
            error(column, _("Enter yes or no"))
        values[column] = parsed

    def vocabulary(column: str, vocab: Any, required: bool) -> None:
        value = cells[column].lower()
        if value and value not in vocab.slugs():
            error(column, _("Must be one of: %(values)s", values=", ".join(vocab.slugs())))
        elif not value and required:
            error(column, _("Enter one of: %(values)s", values=", ".join(vocab.slugs())))
        values[column] = value or None

    yes_no("police_attended", required=police or not excluded)
    yes_no("arrested", required=police)
    vocabulary("outcome", Outcome, required=police)
    if police:
        return result

    full = not excluded
    vocabulary("caller_role", CallerRole, full)
    vocabulary("child_role", ChildRole, full)
    vocabulary("immediate_risk", ImmediateRisk, full)
    vocabulary("restorative", Restorative, full)
    vocabulary("child_sex", Sex, False)
    yes_no("ofsted_notified", full)
    if full and not child and values.get("child_role") not in (None, "not_resident"):
        error("child_reference", _("Enter the child reference, unless the child is not resident"))

    chosen = [s.strip().lower() for s in cells["deescalation"].split(";") if s.strip()]
    if any(c not in Deescalation.slugs() for c in chosen):
        error(
            "deescalation",
            _("Use ;-separated values from: %(values)s", values=", ".join(Deescalation.slugs())),
        )
    elif "none" in chosen and len(chosen) > 1:
        error("deescalation", _("Give ‘none’ on its own, or the de-escalation tried"))
    elif full and not chosen:
        error("deescalation", _("Enter the de-escalation tried, or none"))
    values["deescalation"] = chosen

    age = cells["child_age"]
    values["child_age"] = None
    if age:
        if not (age.isascii() and age.isdigit() and len(age) <= 3) or not 0 <= int(age) <= 25:
            error("child_age", _("Age must be a whole number between 0 and 25"))
        else:
            values["child_age"] = int(age)

    for column, limit in (
        ("immediate_risk_reason", 500),
        ("injuries_damage", 500),
        ("description", 2000),
    ):
        if len(cells[column]) > limit:
            error(column, _("Must be %(limit)s characters or fewer", limit=limit))
        values[column] = cells[column] or None
    if values.get("immediate_risk") == "yes" and not cells["immediate_risk_reason"]:
        error("immediate_risk_reason", _("Describe the immediate risk"))
    if values.get("immediate_risk") != "yes":
        values["immediate_risk_reason"] = None
    return result


def row_key(source: str, values: Mapping[str, Any]) -> tuple[Any, ...]:
    """What identifies a row's report across imports: home + police reference for police (§5);
    for homes, the police reference if given, else home + time + child."""
    if values.get("police_reference"):
        return (values.get("home_id"), values["police_reference"])
    return (values.get("home_id"), values.get("occurred_at"), values.get("child_reference"))


def duplicate_error(row: int, values: Mapping[str, Any], first_row: int) -> RowError:
    column = "police_reference" if values.get("police_reference") else "occurred_at"
    value = values.get("police_reference") or str(values.get("occurred_at"))
    return RowError(
        row, column, value, _("Same call-out as row %(row)s of this file", row=first_row)
    )
