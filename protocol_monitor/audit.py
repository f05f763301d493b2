"""The audit trail: every read and change of a children's record is attributable.

``record`` adds a row to the caller's transaction, so the audit entry commits (or rolls back)
with the change it describes. Nothing in the code updates or deletes audit rows.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from .db import db
from .models import AuditEvent, User


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


def record(
    action: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    user: User | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller's service commits it)."""
    event = AuditEvent(
        action=action,
        record_type=record_type,
        record_id=record_id,
        user_id=_acting_user_id(user),
        ip=_client_ip(),
        changes=changes or {},
    )
    db.session.add(event)
    return event


def record_now(
    action: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    user: User | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Record and commit at once: for reads and refusals, which have no transaction of their own."""
    record(action, record_type, record_id, user=user, changes=changes)
    db.session.commit()
