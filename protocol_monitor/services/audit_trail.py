"""Read audits: what a person read, and what they were refused or did not find.

A change is audited inside the transaction that makes it (``audit.record``). A read has no
transaction of its own, so its audit event is *queued* for the request instead: ``read``,
``refused`` and ``not_found`` capture who (the user), from where (the IP address) and, for
refusals and misses, which path and method, at the moment they are called. After the response
has been produced, ``write`` stores the request's queued events in one INSERT, in a short
transaction of its own (never the request's session, so nothing else the request loaded is
committed, expired or reloaded). Outside a request (the command line, the scheduler, Slack's
Socket Mode) there is no response to wait for: the event is written at once, the same way.

The audit table is append-only whatever writes to it (migration 0008), so batching changes only
when a row is written, never what it holds. ``write`` is the one place read audits reach the
database: to batch across requests later, change it alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import insert

from .. import audit
from ..db import db
from ..models import AuditEvent, User

_QUEUE = "audit_trail_queue"


def read(
    action: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    user: User | None = None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Audit a read (``callout_viewed``, ``summary_downloaded``...): queued for this request."""
    _queue(audit.event_values(action, record_type, record_id, user=user, changes=changes))


def refused(
    permission: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    user: User | None = None,
) -> None:
    """Audit a permission refusal (``permission_refused``), with the path that was asked for."""
    changes = {"permission": str(permission), **_where()}
    read("permission_refused", record_type, record_id, user=user, changes=changes)


def not_found(record_type: str, record_id: int | None, *, user: User | None = None) -> None:
    """Audit a record that was asked for but is absent or outside the user's scope."""
    read(f"{record_type}_not_found", record_type, record_id, user=user, changes=_where())


def _where() -> dict[str, str]:
    if not has_request_context():
        return {}
    return {"path": request.path, "method": request.method}


def _queue(values: dict[str, Any]) -> None:
    if has_request_context():
        g.setdefault(_QUEUE, []).append(values)
    else:
        write([values])


def write(events: Sequence[Mapping[str, Any]]) -> None:
    """Store audit events in one INSERT, in a short transaction of its own.

    The one writer of read audits (see the module docstring): it runs after each response with
    the request's queued events, and at once outside a request.
    """
    if not events:
        return
    with db.engine.begin() as connection:
        connection.execute(insert(AuditEvent), [dict(event) for event in events])


def _write_queued(_error: BaseException | None = None) -> None:
    write(g.pop(_QUEUE, None) or [])


def init_app(app: Flask) -> None:
    """Write each request's queued read audits once its response has been produced."""
    app.teardown_request(_write_queued)
