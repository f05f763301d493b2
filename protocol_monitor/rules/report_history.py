"""A report's stored changes ``{field: [before, after]}`` in words a person reads: each field by
the name the call-out page gives it, each value by its label, homes and authorities by name,
times in UK time. Used by the call-out page, the audit log and the subject access document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..vocab import CALLOUT_VOCABULARIES
from .time import to_london

#: Every field a report's history can hold, as the call-out page names it.
FIELD_LABELS: dict[str, str] = {
    "home_id": "Home",
    "occurred_at": "When (UK time)",
    "child_reference": "Child reference",
    "placing_authority_id": "Placing authority",
    "child_sex": "Sex",
    "child_age": "Age",
    "caller_role": "Who called",
    "category": "Category",
    "child_role": "Child's role",
    "immediate_risk": "Immediate risk",
    "immediate_risk_reason": "Reason for immediate risk",
    "deescalation": "De-escalation tried",
    "police_attended": "Police attended",
    "police_reference": "Police reference",
    "arrested": "Arrested",
    "outcome": "Outcome",
    "injuries_damage": "Injuries or damage",
    "restorative": "Restorative response",
    "ofsted_notified": "Ofsted regulation 40 notification",
    "description": "What happened",
}

#: The vocabulary (vocab.CALLOUT_VOCABULARIES) whose labels a coded field's values take.
FIELD_VOCABULARIES: dict[str, str] = {
    "child_sex": "sex",
    "caller_role": "caller_role",
    "category": "category",
    "child_role": "child_role",
    "immediate_risk": "immediate_risk",
    "deescalation": "deescalation",
    "outcome": "outcome",
    "restorative": "restorative",
}

FREE_TEXT = frozenset({"immediate_risk_reason", "injuries_damage", "description"})
#: Fields whose value is a record's id, named through ``names``.
NAMED = frozenset({"home_id", "placing_authority_id"})

NONE = "–"
NOT_SHOWN = "(free text not shown)"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def value_text(name: str, value: Any, names: Mapping[str, Mapping[int, str]] | None = None) -> str:
    """One stored value in words."""
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in NAMED and isinstance(value, int):
        return (names or {}).get(name, {}).get(value) or "a record since removed"
    if isinstance(value, datetime):
        return to_london(value).strftime("%-d %b %Y %H:%M")
    if name == "occurred_at" and isinstance(value, str):
        try:
            return to_london(datetime.fromisoformat(value)).strftime("%-d %b %Y %H:%M")
        except ValueError:
            return value  # a marker, like the retention job's
    vocabulary = FIELD_VOCABULARIES.get(name)
    if vocabulary is not None:
        labels = CALLOUT_VOCABULARIES[vocabulary]

        def one(slug: Any) -> str:
            try:
                return labels(slug).label
            except ValueError:
                return str(slug)

        if isinstance(value, list):
            return ", ".join(one(v) for v in value) or NONE
        return one(value)
    return str(value)


def changes(
    stored: Mapping[str, Any],
    *,
    names: Mapping[str, Mapping[int, str]] | None = None,
    free_text: bool = True,
) -> list[Change]:
    """``{field: [before, after]}`` as rows, in the order of FIELD_LABELS; free text shown only
    when ``free_text``."""
    order = list(FIELD_LABELS)
    rows = []
    for name in sorted(stored, key=lambda n: order.index(n) if n in order else len(order)):
        before, after = stored[name]
        if name in FREE_TEXT and not free_text:
            rows.append(Change(field_label(name), NOT_SHOWN, NOT_SHOWN))
        else:
            rows.append(
                Change(
                    field_label(name),
                    value_text(name, before, names),
                    value_text(name, after, names),
                )
            )
    return rows
