"""Use cases. Each public function owns its transaction (``db.unit_of_work``): it commits on
success and rolls back on error. Nothing outside this package commits.

A use case that refuses raises one of the errors below. ``ServiceError`` is about what was
asked (a view shows it on the form, beside ``field``); ``NotFound`` and ``Forbidden`` are about
who asked, and are not ServiceErrors: the app's error handlers (security.py) answer them with
404 and 403, so views never catch them.
"""

from __future__ import annotations

from ..db import db
from . import audit_trail, monthly_facts  # noqa: F401  (monthly_facts: its session hooks)


class ServiceError(Exception):
    """A use case refused: the message is safe to show to the person who asked.

    ``field`` names the input at fault (a form field's name), when one is, so that a form can
    show the message beside that field.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(Exception):
    """No such record in the caller's scope (also what a record outside the scope looks like)."""

    def __init__(self, message: str = "Page not found") -> None:
        super().__init__(message)


class Forbidden(Exception):
    """The caller lacks a permission (access.py). Raised, and audited, by ``access.require``.

    ``hidden``: answer as not found (404), for a refusal that must not reveal that the page or
    record exists (summaries for providers, correcting the other side's report).
    """

    def __init__(self, permission: str, *, hidden: bool = False) -> None:
        super().__init__("You cannot do that")
        self.permission = permission
        self.hidden = hidden


def get_or_not_found(model: type, record_id: int, record_type: str, *, user=None):
    """A record by id, for a caller who may see every record of its kind (an administrator);
    a miss is NotFound and is audited like any other."""
    item = db.session.get(model, record_id)
    if item is None:
        audit_trail.not_found(record_type, record_id, user=user)
        raise NotFound()
    return item


def read_scoped(query, record_type: str, record_id: int, user, *, audit_read: bool = True):
    """Run a query already scoped to the user (access.py) for one record.

    A miss is NotFound whether the record is absent or outside the user's scope, and is audited;
    so is every successful read unless ``audit_read`` is false (a read that is part of a change).
    """
    item = db.session.scalar(query)
    if item is None:
        audit_trail.not_found(record_type, record_id, user=user)
        raise NotFound()
    if audit_read:
        audit_trail.read(f"{record_type}_viewed", record_type, item.id, user=user)
    return item
