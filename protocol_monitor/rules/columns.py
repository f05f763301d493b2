"""The columns of every import file, in order, with what each holds. One place for the importers,
their error messages and the data dictionary (docs/data-dictionary.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ImportColumn:
    name: str
    kind: str  # how the value is written in the file
    required: bool | str  # True, False, or when it is required
    meaning: str


HOME_IMPORT: tuple[ImportColumn, ...] = (
    ImportColumn("urn", "text", True, "Ofsted URN, like SC123456; creates or updates by URN"),
    ImportColumn("name", "text", True, "Name of the home"),
    ImportColumn("provider", "text", True, "The provider running the home"),
    ImportColumn(
        "host_authority_code", "GSS code", True, "Authority where the home is, like E06000059"
    ),
    ImportColumn(
        "police_force_code", "GSS code", True, "Police force area of the home, like E23000039"
    ),
    ImportColumn("registered_places", "whole number", True, "Places the home is registered for"),
    ImportColumn("setting_type", "slug of `setting_type`", True, "The kind of setting"),
    ImportColumn("opened_on", "date YYYY-MM-DD", True, "Day the home opened"),
    ImportColumn("closed_on", "date YYYY-MM-DD", False, "Day the home closed (blank: open)"),
)

POLICE_IMPORT: tuple[ImportColumn, ...] = (
    ImportColumn(
        "police_reference",
        "text",
        True,
        "The force's incident reference; with the home, the key that makes re-imports idempotent",
    ),
    ImportColumn("home_urn", "text", True, "Ofsted URN of the home attended"),
    ImportColumn(
        "occurred_at",
        "ISO 8601 date and time",
        True,
        "When it happened; a time without an offset is London time",
    ),
    ImportColumn(
        "child_reference",
        "text",
        False,
        "The placing authority's pseudonymous case reference, like LCS-104233; never a name",
    ),
    ImportColumn(
        "placing_authority_code",
        "GSS code",
        "when child_reference is given",
        "Authority that placed the child",
    ),
    ImportColumn("category", "slug of `category`", True, "What the call-out was about"),
    ImportColumn("police_attended", "yes or no", True, "Whether officers attended"),
    ImportColumn("arrested", "yes or no", True, "Whether the child was arrested"),
    ImportColumn("outcome", "slug of `outcome`", True, "The outcome (`pending`: not yet known)"),
)

#: The home form's fields beyond the police columns, for importing home reports in bulk.
HOME_REPORT_EXTRA: tuple[ImportColumn, ...] = (
    ImportColumn("child_sex", "slug of `sex`", False, "The child's sex"),
    ImportColumn("child_age", "whole number 0–25", False, "The child's age in years at the time"),
    ImportColumn(
        "caller_role", "slug of `caller_role`", "unless missing/absent", "Who called the police"
    ),
    ImportColumn("child_role", "slug of `child_role`", "unless missing/absent", "The child's role"),
    ImportColumn(
        "immediate_risk",
        "slug of `immediate_risk`",
        "unless missing/absent",
        "Whether there was an immediate and unmanageable risk to people or property",
    ),
    ImportColumn(
        "immediate_risk_reason",
        "text, up to 500 characters",
        "when immediate_risk is yes",
        "Short justification of the immediate risk; free text, no names",
    ),
    ImportColumn(
        "deescalation",
        "slugs of `deescalation`, separated by ;",
        "unless missing/absent",
        "The de-escalation tried; `none` on its own if none",
    ),
    ImportColumn(
        "injuries_damage",
        "text, up to 500 characters",
        False,
        "Injuries or damage, in short; free text, no names",
    ),
    ImportColumn(
        "restorative", "slug of `restorative`", "unless missing/absent", "Restorative response"
    ),
    ImportColumn(
        "ofsted_notified",
        "yes or no",
        "unless missing/absent",
        "Whether an Ofsted regulation 40 notification was made",
    ),
    ImportColumn(
        "description",
        "text, up to 2000 characters",
        False,
        "What happened, briefly; free text, no names",
    ),
)

#: Home reports in bulk: the police columns (police reference optional) and the home form's fields.
#: A home need not know the arrest or the outcome; a missing/absent call-out needs no attendance.
HOME_REPORT_IMPORT: tuple[ImportColumn, ...] = (
    replace(POLICE_IMPORT[0], required=False, meaning="The police reference, if known"),
    *POLICE_IMPORT[1:-3],
    replace(POLICE_IMPORT[-3], required="unless missing/absent"),
    replace(POLICE_IMPORT[-2], required=False),
    replace(POLICE_IMPORT[-1], required=False, meaning="The outcome (blank: not yet known)"),
    *HOME_REPORT_EXTRA,
)

HOME_IMPORT_COLUMNS: tuple[str, ...] = tuple(c.name for c in HOME_IMPORT)
POLICE_IMPORT_COLUMNS: tuple[str, ...] = tuple(c.name for c in POLICE_IMPORT)
HOME_REPORT_IMPORT_COLUMNS: tuple[str, ...] = tuple(c.name for c in HOME_REPORT_IMPORT)
