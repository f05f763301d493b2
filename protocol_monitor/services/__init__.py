"""Use cases. Each public function owns its transaction: commit on success, roll back on error."""

from __future__ import annotations


class ServiceError(Exception):
    """A use case refused: the message is safe to show to the person who asked."""


class NotFound(ServiceError):
    """No such record in the caller's scope (also what a record outside the scope looks like)."""


def read_scoped(query, record_type: str, record_id: int, user, *, audit_read: bool = True):
    """Run a query already scoped to the user (access.py) for one record.

    A miss is NotFound whether the record is absent or outside the user's scope, and is audited;
    so is every successful read unless ``audit_read`` is false (a read that is part of a change).
    """
    from .. import audit
    from ..db import db

    item = db.session.scalar(query)
    if item is None:
        audit.record_now(f"{record_type}_not_found", record_type, record_id, user=user)
        raise NotFound("Page not found")
    if audit_read:
        audit.record_now(f"{record_type}_viewed", record_type, item.id, user=user)
    return item
