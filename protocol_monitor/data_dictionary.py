"""docs/data-dictionary.md, generated from the code: the stored fields of call-outs and reports
(from the models), every vocabulary (from vocab.py) and every import column (rules/columns.py).

`protocol-monitor data-dictionary --write` regenerates the file; a test fails when it drifts.
Every stored field needs a meaning below: a new column without one makes ``render`` fail.
"""

from __future__ import annotations

import re

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase

from . import vocab
from .config import PROJECT_ROOT
from .db import UTCDateTime
from .models import Callout, Report
from .rules import columns

PATH = PROJECT_ROOT / "docs" / "data-dictionary.md"

#: Which vocabulary a stored column takes its slugs from.
COLUMN_VOCABULARIES: dict[str, str] = {
    "source": "source",
    "category": "category",
    "outcome": "outcome",
    "immediate_risk": "immediate_risk",
    "child_sex": "sex",
    "caller_role": "caller_role",
    "child_role": "child_role",
    "restorative": "restorative",
    "deescalation": "deescalation",
}

CALLOUT_MEANINGS: dict[str, str] = {
    "id": "Identifier of the call-out (the number shown on its page)",
    "home_id": "The home where it happened",
    "occurred_at": "When it happened, in UTC (entered in London time); the home report's time "
    "stands when both sides reported",
    "month": "The London month it belongs to, `YYYY-MM`, used by every monthly figure",
    "child_reference": "The child's pseudonymous case reference from the placing authority",
    "placing_authority_id": "The authority that placed the child",
    "category": "What it was about; the home report's category stands when both sides reported",
    "in_scope": "False for `missing` and `absent`: recorded, but excluded from every protocol "
    "figure, flag and review queue",
    "immediate_risk": "The home's answer: was there an immediate and unmanageable risk",
    "police_attended": "Whether officers attended; the police record stands when both reported",
    "arrested": "Whether the child was arrested; the police record stands",
    "outcome": "The outcome; the police record stands",
    "criminal_outcome": "True when the outcome's group is `formal_out_of_court` or `charged`",
    "police_reference": "The force's incident reference, from either report",
    "created_at": "When the call-out was first recorded (UTC)",
    "updated_at": "When it last changed (UTC)",
}

REPORT_MEANINGS: dict[str, str] = {
    "id": "Identifier of the report",
    "callout_id": "The call-out (incident) this report describes; both sides share one",
    "source": "Which side reported: the home or the police",
    "home_id": "The home where it happened",
    "occurred_at": "When it happened, in UTC (entered in London time)",
    "child_reference": "The placing authority's pseudonymous case reference, like LCS-104233; "
    "never a name, date of birth or address",
    "placing_authority_id": "The authority that placed the child (required with a child reference)",
    "child_sex": "The child's sex (optional)",
    "child_age": "The child's age in years at the call-out, 0–25 (optional)",
    "caller_role": "Who called the police",
    "category": "What the call-out was about",
    "child_role": "The child's role in what happened",
    "immediate_risk": "Whether there was an immediate and unmanageable risk to people or property",
    "immediate_risk_reason": "Free text: a short justification when the risk was `yes`; "
    "not shown to group or admin users",
    "deescalation": "The de-escalation tried, several slugs (`none` on its own)",
    "police_attended": "Whether officers attended",
    "police_reference": "The force's incident reference, if known; with the home, the key of a "
    "police record",
    "arrested": "Whether the child was arrested",
    "outcome": "The outcome of the police involvement",
    "injuries_damage": "Free text: injuries or damage in short; not shown to group or admin users",
    "restorative": "The restorative response",
    "ofsted_notified": "Whether an Ofsted regulation 40 notification was made",
    "description": "Free text: what happened, briefly, with no names; not shown to group or "
    "admin users",
    "filed_by_id": "The person who filed it (empty for imported records)",
    "filed_at": "When it was filed (UTC)",
    "updated_by_id": "Who last corrected it; every correction is kept in its history",
    "updated_at": "When it was last corrected (UTC)",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


#: Every vocabulary in vocab.py, in the order defined there, by its snake_case name
#: (`SettingType` -> `setting_type`, as in domain.md §4). New vocabularies appear by themselves.
VOCABULARIES: tuple[tuple[str, type[vocab.Vocabulary]], ...] = tuple(
    (_snake(name), value)
    for name, value in vars(vocab).items()
    if isinstance(value, type)
    and issubclass(value, vocab.Vocabulary)
    and value is not vocab.Vocabulary
)


def _type(name: str, column_type: object) -> str:
    if name in COLUMN_VOCABULARIES:
        slugs = "slugs" if isinstance(column_type, JSON) else "slug"
        return f"{slugs} of [`{COLUMN_VOCABULARIES[name]}`](#{COLUMN_VOCABULARIES[name]})"
    if name == "id" or name.endswith("_id"):
        return "integer (identifier)"
    if isinstance(column_type, UTCDateTime):
        return "date and time (UTC)"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Boolean):
        return "yes/no"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Text):
        return "text"
    if isinstance(column_type, String):
        return f"text (up to {column_type.length})"
    if isinstance(column_type, JSON):
        return "JSON"
    raise ValueError(f"no wording for the type of {name}: {column_type!r}")


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headings: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _model_section(model: type[DeclarativeBase], meanings: dict[str, str]) -> list[str]:
    table = model.__table__
    missing = [c.name for c in table.columns if c.name not in meanings]
    if missing:
        raise KeyError(f"{table.name}: give a meaning for {', '.join(missing)}")
    rows = []
    for column in table.columns:
        required = "yes" if not column.nullable or column.primary_key else "no"
        rows.append([f"`{column.name}`", _type(column.name, column.type), required,
                     meanings[column.name]])  # fmt: skip
    return [
        f"Table `{table.name}`. {(model.__doc__ or '').strip().splitlines()[0]}",
        "",
        *_table(["field", "type", "required", "meaning"], rows),
    ]


def _vocabulary_section(name: str, vocabulary: type[vocab.Vocabulary]) -> list[str]:
    headings = ["slug", "label"]
    rows: list[list[object]] = []
    for member in vocabulary:
        row: list[object] = [f"`{member.value}`", member.label]
        if vocabulary is vocab.Category:
            row.append("yes" if member.in_scope else "**no — excluded**")
        if vocabulary is vocab.Outcome:
            row.append(f"`{member.group.value}`")
            row.append("yes" if member.is_criminal else "no")
        rows.append(row)
    if vocabulary is vocab.Category:
        headings.append("in scope")
    if vocabulary is vocab.Outcome:
        headings += ["group", "criminal outcome"]
    return [f'### <a id="{name}"></a>`{name}`', "", *_table(headings, rows), ""]


def _required(value: bool | str) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _import_section(title: str, intro: str, spec: tuple[columns.ImportColumn, ...]) -> list[str]:
    header = ",".join(c.name for c in spec)
    rows = [[f"`{c.name}`", c.kind, _required(c.required), c.meaning] for c in spec]
    return [
        f"### {title}",
        "",
        intro,
        "",
        "```",
        header,
        "```",
        "",
        *_table(["column", "format", "required", "meaning"], rows),
        "",
    ]


def render() -> str:
    """The whole data dictionary as Markdown."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by `protocol-monitor data-dictionary --write` from the code "
        "(protocol_monitor/data_dictionary.py). Do not edit by hand: a test fails when this "
        "file and the code differ. -->",
        "",
        "Every stored field of a call-out and its reports, every vocabulary, and every import "
        "column. Times are stored in UTC and entered, shown and grouped in London time. "
        "Children appear only as pseudonymous case references.",
        "",
        "## Call-out",
        "",
        "Its fields are derived from its reports (a home report, a police record, or both) and "
        "stored so lists, flags and summaries can filter and count in SQL.",
        "",
        *_model_section(Callout, CALLOUT_MEANINGS),
        "",
        "## Report",
        "",
        "Corrections are kept in `report_revisions` (field, before, after, who, when).",
        "",
        *_model_section(Report, REPORT_MEANINGS),
        "",
        "## Vocabularies",
        "",
        "Slugs are fixed (they are stored and imported); labels are what people see.",
        "",
    ]
    for name, vocabulary in VOCABULARIES:
        lines += _vocabulary_section(name, vocabulary)
    lines += [
        "## Import files",
        "",
        "CSV files with a header row naming these columns. A file with any bad row is rejected "
        "whole, with the row, column and value at fault; nothing of it is stored.",
        "",
        *_import_section(
            "Homes (`protocol-monitor import-homes FILE.csv`)",
            "Creates or updates homes by URN.",
            columns.HOME_IMPORT,
        ),
        *_import_section(
            "Police extract",
            "Police records of attendances. Importing the same extract twice changes nothing "
            "(the key is home + police reference).",
            columns.POLICE_IMPORT,
        ),
        *_import_section(
            "Home reports",
            "Home reports in bulk: the police extract's columns (the police reference optional) "
            "and the fields of the home's call-out form.",
            columns.HOME_REPORT_IMPORT,
        ),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write() -> None:
    PATH.write_text(render(), encoding="utf-8")
