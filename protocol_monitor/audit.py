"""The audit trail: every read and change of a children's record is attributable.

``record`` adds a row to the caller's transaction, so the audit entry commits (or rolls back)
with the change it describes. The database refuses UPDATE and DELETE on audit rows (migration
0008), so the log is append-only whatever the code does.

Because audit rows can never be changed, they must never hold what the retention job has to
remove later: ``diff`` and ``created`` record structured values in full, but the *values* of
free text and of the child's identifiers only as ``WITHHELD`` (the field name still shows that
they changed; the full before and after are kept in the record's own history, which retention
clears). Every service records with these helpers:

    before = audit.snapshot(review, REVIEW_FIELDS)
    ...change the review...
    audit.record("review_changed", "review", review.id,
                 changes=audit.diff(before, audit.snapshot(review, REVIEW_FIELDS)))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from .db import db, utcnow
from .models import AuditEvent, User

#: Free-text fields of every record type: their values never enter the audit log.
FREE_TEXT_FIELDS = frozenset(
    {
        "immediate_risk_reason",
        "injuries_damage",
        "description",
        "learning_points",
        "text",
        "note",
        "acknowledged_note",
        "resolved_note",
        "reason",
    }
)
#: The child's identifiers: retention removes them, so the audit log holds no copy.
CHILD_FIELDS = frozenset({"child_reference", "child_sex", "child_age"})
WITHHELD_FIELDS = FREE_TEXT_FIELDS | CHILD_FIELDS
WITHHELD = "(withheld)"


#: Types stored as they are (exact types: an Enum that is also a str is not one of them).
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A value as it is stored in the JSON of an audit row."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of a record, as JSON-ready values (take one before and after)."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def diff(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    withhold: frozenset[str] = WITHHELD_FIELDS,
) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field whose value changed.

    Fields in ``withhold`` show that they changed, with both values as ``WITHHELD``.
    """
    changes: dict[str, list[Any]] = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = jsonable(before.get(name)), jsonable(after.get(name))
        if old == new:
            continue
        changes[name] = [WITHHELD, WITHHELD] if name in withhold else [old, new]
    return changes


def created(after: Mapping[str, Any], *, withhold: frozenset[str] = WITHHELD_FIELDS) -> dict:
    """The fields of a new record, for a ``*_created`` entry (withheld values marked)."""
    return diff({}, after, withhold=withhold)


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def _acting_user_id(user: User | None) -> int | None:
    if user is not None:
        return user.id
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.id
    return None


def event_values(
    action: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    user: User | None = None,
    changes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit row's columns, attributed now: the acting user (``user``, else whoever is signed
    in) and the client's IP address."""
    return {
        "at": utcnow(),
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "user_id": _acting_user_id(user),
        "ip": _client_ip(),
        "changes": jsonable(changes or {}),
    }


def record(
    action: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    user: User | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller's service commits it).

    Reads, refusals and misses have no transaction of their own: services.audit_trail queues
    those for the request instead.
    """
    event = AuditEvent(**event_values(action, record_type, record_id, user=user, changes=changes))
    db.session.add(event)
    return event
