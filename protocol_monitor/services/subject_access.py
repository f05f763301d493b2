"""Subject access: everything held about one child reference, for an admin to answer a request.

A child is identified by the placing authority and its case reference (domain.md §3). The export
holds every call-out where either report names the child, both reports with every field, their
correction history, the review and its actions, and the flags about the child or those call-outs.
It is for the person answering the request: review it for other people's details before release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import access, audit
from ..db import db, utcnow
from ..i18n import _
from ..models import Action, Authority, Callout, Flag, Report, Review, User, flag_callouts
from ..rules.export import csv_text
from . import ServiceError, audit_trail
from .callouts import REPORT_FIELDS

#: The raw exports, every field by its stored name, for the administrator (the readable
#: document is subject_access_document).
FORMATS = ("json", "csv")
CALLOUT_FIELDS = (
    "id", "home_id", "occurred_at", "month", "child_reference", "placing_authority_id", "category",
    "in_scope", "immediate_risk", "police_attended", "arrested", "outcome", "criminal_outcome",
    "police_reference", "created_at", "updated_at",
)  # fmt: skip
REVIEW_FIELDS = (
    "id", "reviewed_at", "protocol_applied", "police_necessary", "police_response_proportionate",
    "outcome_proportionate", "learning_points",
)  # fmt: skip
ACTION_FIELDS = ("id", "text", "due_on", "status", "created_at")
FLAG_FIELDS = (
    "id", "rule", "status", "subject_key", "child_reference", "month", "callout_id", "threshold",
    "window_days", "explanation", "raised_at", "acknowledged_at", "acknowledged_note",
    "resolved_at", "resolved_note",
)  # fmt: skip


def _email(user: User | None) -> str | None:
    return user.email if user is not None else None


def _report(report: Report) -> dict[str, Any]:
    data = {"id": report.id, "source": report.source, **audit.snapshot(report, REPORT_FIELDS)}
    data.update(
        home=report.home.urn,
        placing_authority=report.placing_authority.code if report.placing_authority else None,
        filed_by=_email(report.filed_by),
        filed_at=audit.jsonable(report.filed_at),
        updated_by=_email(report.updated_by),
        updated_at=audit.jsonable(report.updated_at),
        revisions=[
            {
                "id": revision.id,
                "changed_at": audit.jsonable(revision.changed_at),
                "changed_by": _email(revision.changed_by),
                "changes": revision.changes,
            }
            for revision in report.revisions
        ],
    )
    return data


def _review(review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    data = audit.snapshot(review, REVIEW_FIELDS)
    data["reviewer"] = _email(review.reviewer)
    data["actions"] = [_action(action) for action in review.actions]
    return data


def _action(action: Action) -> dict[str, Any]:
    data = audit.snapshot(action, ACTION_FIELDS)
    data["owner"] = _email(action.owner)
    data["events"] = [
        {"status": e.status, "note": e.note, "by": _email(e.by), "at": audit.jsonable(e.at)}
        for e in action.events
    ]
    return data


def authorities(user: User | None) -> list[Authority]:
    """The placing authorities whose children this person may export (access.py)."""
    return list(
        db.session.scalars(
            select(Authority).where(access.subject_access_condition(user)).order_by(Authority.name)
        )
    )


@dataclass(frozen=True)
class Held:
    """Everything held about one child: the call-outs naming them and the flags about them."""

    reference: str
    authority: Authority
    callouts: list[Callout]
    flags: list[Flag]
    exported_at: datetime


def gather(actor: User | None, child_reference: str, authority_code: str, *, fmt: str) -> Held:
    """The records held about the child; the export (in ``fmt``) is recorded in the audit log.
    Refused with a ServiceError when nothing is held under that reference and authority.

    ``actor`` is the admin asking (None from the command line, which runs as the service); an
    admin may export only the children placed by the authorities they are linked to.
    """
    if actor is not None:
        access.require(actor, access.Permission.ADMINISTER, "subject_access")
    reference = (child_reference or "").strip().upper()
    if not reference:
        raise ServiceError(_("Enter the child reference"))
    code = (authority_code or "").strip().upper()
    authority = db.session.scalar(select(Authority).where(Authority.code == code))
    if authority is None:
        raise ServiceError(_("No authority has the code %(code)s", code=repr(authority_code)))
    allowed = db.session.scalar(
        select(Authority.id).where(
            Authority.id == authority.id, access.subject_access_condition(actor)
        )
    )
    if allowed is None:  # another authority's child: audited and refused (403)
        access.refuse(actor, "subject_access_authority", "authority", authority.id)
    named = select(Report.callout_id).where(
        Report.child_reference == reference, Report.placing_authority_id == authority.id
    )
    callouts = db.session.scalars(
        select(Callout)
        .where(
            or_(
                Callout.id.in_(named),
                (Callout.child_reference == reference)
                & (Callout.placing_authority_id == authority.id),
            )
        )
        .order_by(Callout.occurred_at, Callout.id)
        .options(selectinload(Callout.reports), selectinload(Callout.review))
    ).all()
    ids = [c.id for c in callouts]
    flags = db.session.scalars(
        select(Flag)
        .where(
            or_(
                (Flag.child_reference == reference) & (Flag.placing_authority_id == authority.id),
                Flag.callout_id.in_(ids),
                Flag.id.in_(
                    select(flag_callouts.c.flag_id).where(flag_callouts.c.callout_id.in_(ids))
                ),
            )
        )
        .order_by(Flag.raised_at, Flag.id)
    ).all()
    # The log keeps which call-outs were exported, never the reference itself.
    audit_trail.read(
        "subject_access_exported",
        "callout",
        None,
        user=actor,
        changes={
            "placing_authority": authority.code,
            "callout_ids": ids,
            "flag_ids": [f.id for f in flags],
            "format": fmt,
            "via": "web" if actor is not None else "command line",
        },
    )
    if not callouts and not flags:
        raise ServiceError(
            _(
                "No call-out or flag is held about %(reference)s placed by %(authority)s. Check "
                "the reference and the placing authority",
                reference=reference,
                authority=authority.local_name,
            ),
            field="child_reference",
        )
    return Held(reference, authority, list(callouts), list(flags), utcnow())


def collect(
    actor: User | None, child_reference: str, authority_code: str, *, fmt: str = "json"
) -> dict[str, Any]:
    """Everything held about the child, as plain data (every field, by its stored name)."""
    held = gather(actor, child_reference, authority_code, fmt=fmt)
    return {
        "child_reference": held.reference,
        "placing_authority": {"code": held.authority.code, "name": held.authority.name},
        "exported_at": audit.jsonable(held.exported_at),
        "callouts": [
            {
                **audit.snapshot(callout, CALLOUT_FIELDS),
                "home": {"urn": callout.home.urn, "name": callout.home.name},
                "reports": [_report(r) for r in callout.reports],
                "review": _review(callout.review),
            }
            for callout in held.callouts
        ],
        "flags": [
            {**audit.snapshot(f, FLAG_FIELDS), "callout_ids": [c.id for c in f.callouts]}
            for f in held.flags
        ],
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _flatten(prefix: str, value: Any, rows: list[list[Any]], record: tuple[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, item, rows, record)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for index, item in enumerate(value):
            _flatten(f"{prefix}[{index}]", item, rows, record)
    else:
        if isinstance(value, list):
            value = json.dumps(value, ensure_ascii=False)
        rows.append([record[0], record[1], prefix, "" if value is None else value])


def to_csv(data: dict[str, Any]) -> str:
    """One row per field: record type, record id, field path, value (formula cells neutralised)."""
    rows: list[list[Any]] = [
        ["child", "", "child_reference", data["child_reference"]],
        ["child", "", "placing_authority", data["placing_authority"]["code"]],
        ["export", "", "exported_at", data["exported_at"]],
    ]
    for callout in data["callouts"]:
        _flatten("", callout, rows, ("callout", callout["id"]))
    for flag in data["flags"]:
        _flatten("", flag, rows, ("flag", flag["id"]))
    return csv_text(("record_type", "record_id", "field", "value"), rows)


def export(
    actor: User | None, child_reference: str, authority_code: str, fmt: str
) -> tuple[str, dict[str, Any]]:
    """The export as text in the given format, and the data it holds."""
    if fmt not in FORMATS:
        raise ServiceError(_("Select the format: JSON or CSV"))
    data = collect(actor, child_reference, authority_code, fmt=fmt)
    return (to_json(data) if fmt == "json" else to_csv(data)), data
