"""Filing and correcting reports, and reading call-outs, always within the user's scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from .. import access, audit
from ..db import db, unit_of_work, utcnow
from ..i18n import _
from ..models import Authority, Callout, Home, Report, ReportRevision, User
from ..rules import report_history
from ..vocab import Source
from . import NotFound, ServiceError, audit_trail, flags, matching, read_scoped, saved_forms
from .matching import apply_effective, new_callout_for

#: The report fields a person may set or correct through a form or an import.
REPORT_FIELDS = (
    "home_id",
    "occurred_at",
    "child_reference",
    "placing_authority_id",
    "child_sex",
    "child_age",
    "caller_role",
    "category",
    "child_role",
    "immediate_risk",
    "immediate_risk_reason",
    "deescalation",
    "police_attended",
    "police_reference",
    "arrested",
    "outcome",
    "injuries_damage",
    "restorative",
    "ofsted_notified",
    "description",
)

#: Free-text fields: shown only to roles allowed to read them, never in history to others.
FREE_TEXT_FIELDS = frozenset({"immediate_risk_reason", "injuries_damage", "description"})


def _home_in_scope(user: User, home_id: int) -> Home:
    home = db.session.scalar(
        select(Home).where(Home.id == home_id, access.fileable_homes_condition(user))
    )
    if home is None:
        raise ServiceError(_("Select one of your homes"), field="home_id")
    return home


def _placing_authority_id(code: str | None) -> int | None:
    if not code:
        return None
    authority_id = db.session.scalar(select(Authority.id).where(Authority.code == code))
    if authority_id is None:
        raise ServiceError(_("No authority has the code %(code)s", code=repr(code)))
    return authority_id


def _report_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in REPORT_FIELDS if k in data}
    if "placing_authority_code" in data:
        values["placing_authority_id"] = _placing_authority_id(data["placing_authority_code"])
    return values


def after_change(callout: Callout, changed: Report | None = None) -> Callout:
    """Everything that follows a call-out being filed, matched, imported or corrected, in the
    same transaction, before it commits: matching (§5) first, then the flag rules (§7).

    A correction can also part a matched pair (matching.unmatch): then both call-outs are
    matched afresh and both evaluated. Returns the call-out that now holds ``changed`` (or, with
    no report named, the one that survives matching); callers redirect to it."""
    separated = matching.unmatch(callout)
    survivors = [matching.match(callout)]
    if separated is not None:
        survivors.append(matching.match(separated))
    for survivor in survivors:
        flags.evaluate(survivor)
    if changed is not None:
        db.session.flush()
        return changed.callout
    return survivors[0]


def file_home_report(
    user: User,
    data: Mapping[str, Any],
    *,
    now: datetime | None = None,
    draft_id: int | None = None,
) -> Callout:
    """A provider files a home's report of a police call-out (from their draft, which goes)."""
    access.require(user, access.Permission.FILE_HOME_REPORT)
    with unit_of_work():
        saved_forms.filed_from_draft(user, draft_id, "callout")
        values = _report_values(data)
        _home_in_scope(user, values["home_id"])
        report = Report(
            source=Source.HOME.value, filed_by_id=user.id, filed_at=now or utcnow(), **values
        )
        callout = new_callout_for(report)
        db.session.flush()
        audit_created(user, callout, report, data)
        callout = after_change(callout)
    return callout


def get_callout(user: User, callout_id: int, *, audit_read: bool = True) -> Callout:
    """A call-out the user may see; anything else is NotFound. Each read is audited."""
    query = access.scoped_callouts(user).where(Callout.id == callout_id)
    return read_scoped(query, "callout", callout_id, user, audit_read=audit_read)


def get_report_for_edit(user: User, callout_id: int, source: str) -> Report:
    """A report the user may correct: the side that filed it corrects it (access.py). Refused
    as not found otherwise, like a record outside the user's scope."""
    callout = get_callout(user, callout_id, audit_read=False)
    permission = access.REPORT_PERMISSION[source]
    access.require(user, permission, "callout", callout.id, hidden=True)
    report = callout.report_from(source)
    if report is None:
        audit_trail.not_found("callout", callout.id, user=user)
        raise NotFound()
    return report


def open_report_for_edit(user: User, callout_id: int, source: str) -> Report:
    """The report shown on a correction form: reading it there is audited like any view."""
    report = get_report_for_edit(user, callout_id, source)
    audit_trail.read(
        "callout_viewed", "callout", callout_id, user=user, changes={"for": f"correct_{source}"}
    )
    return report


def list_viewed(user: User, callout_ids: list[int], filters: Mapping[str, Any]) -> None:
    """Audit a page of the call-out list: which call-outs were shown, under which filters."""
    audit_trail.read(
        "callout_list_viewed",
        "callout",
        None,
        user=user,
        changes={"ids": callout_ids, "filters": {k: v for k, v in filters.items() if v}},
    )


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def revise_report(
    report: Report, values: Mapping[str, Any], user: User | None, reason: str | None = None
) -> ReportRevision | None:
    """Set changed fields on a report, keep a revision of them (with the person's reason), and
    recompute its call-out. Returns the revision, or None when nothing differs. The caller
    audits and commits."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(report, name)
        if _comparable(old) != _comparable(new):
            changes[name] = [_comparable(old), _comparable(new)]
            setattr(report, name, new)
    if not changes:
        return None
    user_id = user.id if user is not None else None
    report.updated_by_id = user_id
    report.updated_at = utcnow()
    revision = ReportRevision(
        report=report, changed_by_id=user_id, changes=changes, reason=reason or None
    )
    db.session.add(revision)
    apply_effective(report.callout)
    db.session.flush()
    return revision


def audit_created(
    user: User | None, callout: Callout, report: Report, data: Mapping[str, Any] | None = None
) -> None:
    """Audit a new report: its fields, with free text and the child's details withheld."""
    changes: dict[str, Any] = {
        "report_id": report.id,
        "source": report.source,
        "fields": audit.created(audit.snapshot(report, REPORT_FIELDS)),
    }
    if data and data.get("free_text_confirmed"):
        # The person confirmed that flagged free text holds no personal details: the kinds flagged.
        changes["free_text_confirmed"] = data["free_text_confirmed"]
    audit.record("callout_created", "callout", callout.id, user=user, changes=changes)


def audit_revised(
    user: User | None, revision: ReportRevision, data: Mapping[str, Any] | None = None
) -> None:
    """Audit a correction: which fields changed, before and after (free text withheld)."""
    changes = revision.changes
    audit_changes: dict[str, Any] = {
        "source": revision.report.source,
        "report_id": revision.report_id,
        "revision_id": revision.id,
        "fields": audit.diff(
            {name: old for name, (old, _new) in changes.items()},
            {name: new for name, (_old, new) in changes.items()},
        ),
    }
    if revision.reason:
        audit_changes["reason"] = audit.WITHHELD
    if data and data.get("free_text_confirmed"):
        audit_changes["free_text_confirmed"] = data["free_text_confirmed"]
    audit.record(
        "callout_changed", "callout", revision.report.callout_id, user=user, changes=audit_changes
    )


@dataclass(frozen=True)
class Correction:
    """What a correction did: the call-out that now holds the report, and whether anything
    changed (a form saved as it was changes nothing and keeps no history)."""

    callout: Callout
    changed: bool


#: The longest reason for a correction, in characters.
REASON_MAX = 500


def correct_report(user: User, callout_id: int, source: str, data: Mapping[str, Any]) -> Correction:
    """Correct a report, saying why (``data["reason"]``); every changed field is kept in its
    history with the reason, and the call-out recomputed."""
    report = get_report_for_edit(user, callout_id, source)
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ServiceError(_("Enter why you are correcting the report"), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(
            _(
                "Why you are correcting the report must be %(limit)s characters or fewer",
                limit=REASON_MAX,
            ),
            field="reason",
        )
    with unit_of_work():
        values = _report_values(data)
        _home_in_scope(user, values.get("home_id", report.home_id))
        revision = revise_report(report, values, user, reason)
        if revision is None:
            return Correction(report.callout, changed=False)
        audit_revised(user, revision, data)
        callout = after_change(report.callout, report)
    return Correction(callout, changed=True)


@dataclass(frozen=True)
class HistoryEntry:
    """One correction as a person reads it: when, who, why, and each change in words."""

    changed_at: datetime
    changed_by: User | None
    reason: str | None
    changes: list[report_history.Change]


def _names(model: type[Home] | type[Authority], ids: set[int]) -> dict[int, str]:
    """Homes by name, authorities by their name in the page's language."""
    if not ids:
        return {}
    if model is Authority:
        found = db.session.scalars(select(Authority).where(Authority.id.in_(ids)))
        return {authority.id: authority.local_name for authority in found}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def correction_history(report: Report, *, free_text: bool) -> list[HistoryEntry]:
    """A report's corrections, newest first, in labels: homes and authorities by name, codes by
    their labels. Free text (and the reason) only for ``free_text`` readers."""
    ids: dict[str, set[int]] = {"home_id": set(), "placing_authority_id": set()}
    for revision in report.revisions:
        for name, values in revision.changes.items():
            if name in ids:
                ids[name].update(v for v in values if isinstance(v, int))
    names = {
        "home_id": _names(Home, ids["home_id"]),
        "placing_authority_id": _names(Authority, ids["placing_authority_id"]),
    }
    return [
        HistoryEntry(
            changed_at=revision.changed_at,
            changed_by=revision.changed_by,
            reason=revision.reason if free_text else None,
            changes=report_history.changes(revision.changes, names=names, free_text=free_text),
        )
        for revision in report.revisions
    ]
