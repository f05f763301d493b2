"""A report's stored changes ``{field: [before, after]}`` in words a person reads: each field by
the name the call-out page gives it, each value by its label, homes and authorities by name,
times in UK time. Used by the call-out page, the audit log and the subject access document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import pgettext

from ..i18n import N_, _, format_moment, translate
from ..vocab import CALLOUT_VOCABULARIES
from .time import to_london

#: Every field a report's history can hold, as the call-out page names it.
FIELD_LABELS: dict[str, str] = {
    "home_id": N_("Home"),
    "occurred_at": N_("When (UK time)"),
    "child_reference": N_("Child reference"),
    "placing_authority_id": N_("Placing authority"),
    "child_sex": N_("Sex"),
    "child_age": N_("Age"),
    "caller_role": N_("Who called"),
    "category": N_("Category"),
    "child_role": N_("Child's role"),
    "immediate_risk": N_("Immediate risk"),
    "immediate_risk_reason": N_("Reason for immediate risk"),
    "deescalation": N_("De-escalation tried"),
    "police_attended": N_("Police attended"),
    "police_reference": N_("Police reference"),
    "arrested": N_("Arrested"),
    "outcome": N_("Outcome"),
    "injuries_damage": N_("Injuries or damage"),
    "restorative": N_("Restorative response"),
    "ofsted_notified": N_("Ofsted regulation 40 notification"),
    "description": N_("What happened"),
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
NOT_SHOWN = N_("(free text not shown)")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def field_label(name: str) -> str:
    """The field's name in the current language."""
    if name == "home_id":  # a children's home, not the start page ("Home" too in English)
        return pgettext("a children's home", "Home")
    if name in FIELD_LABELS:
        return translate(FIELD_LABELS[name])
    return name.replace("_", " ").capitalize()


def value_text(name: str, value: Any, names: Mapping[str, Mapping[int, str]] | None = None) -> str:
    """One stored value in words."""
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in NAMED and isinstance(value, int):
        return (names or {}).get(name, {}).get(value) or _("a record since removed")
    if isinstance(value, datetime):
        return format_moment(to_london(value))
    if name == "occurred_at" and isinstance(value, str):
        try:
            return format_moment(to_london(datetime.fromisoformat(value)))
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
            hidden = translate(NOT_SHOWN)
            rows.append(Change(field_label(name), hidden, hidden))
        else:
            rows.append(
                Change(
                    field_label(name),
                    value_text(name, before, names),
                    value_text(name, after, names),
                )
            )
    return rows
