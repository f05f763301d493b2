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
database.

In a served process (anything but ``env = test``) the request does not wait for that commit
either: its events go to the process's ``Writer``, a thread that stores whatever has been queued
since its last write in one INSERT and one commit (under load, many requests' events share a
commit; idle, an event is written as soon as it is queued). The writer is drained when the
process exits (``atexit``: gunicorn's graceful stop and Ctrl+C both run it), so only a worker
killed outright can lose what it had not yet written — the events of its last moments. Tests
write at the end of each request, in order, unless they ask for the thread
(``read_audit_writer="thread"``), as tests/integration/test_audit_log.py does.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import insert

from .. import audit
from ..db import db
from ..models import AuditEvent, User

_QUEUE = "audit_trail_queue"
_WRITER = "audit_trail_writer"
#: Requests' events waiting for the writer, at most (a request waits for room past that).
BACKLOG = 10_000

logger = logging.getLogger(__name__)


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


class Writer:
    """A thread that writes queued read audits, many requests' at a time, after their responses.

    Started by the first request that hands it events in this process (a forked worker starts
    its own); ``stop`` writes what is left and is registered with ``atexit``.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pending: queue.Queue[list[Mapping[str, Any]] | None] = queue.Queue(BACKLOG)
        self.thread: threading.Thread | None = None
        self.pid: int | None = None
        self.lock = threading.Lock()

    def put(self, events: list[Mapping[str, Any]]) -> None:
        self._start()
        self.pending.put(events)

    def _start(self) -> None:
        if self.pid == os.getpid() and self.thread is not None and self.thread.is_alive():
            return
        with self.lock:
            if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
                if self.pid != os.getpid():
                    self.pending = queue.Queue(BACKLOG)  # a forked copy: the parent's are its own
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="read-audits", daemon=True)
                self.thread.start()
                atexit.register(self.stop)

    def _run(self) -> None:
        while True:
            batch = self.pending.get()
            stopping = batch is None
            events = list(batch or [])
            while True:
                try:
                    more = self.pending.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                else:
                    events.extend(more)
            self._write(events)
            if stopping:
                return

    def _write(self, events: list[Mapping[str, Any]]) -> None:
        for attempt in range(3):
            try:
                with self.app.app_context():
                    write(events)
                return
            except Exception:  # logged; written on the next attempt, or the log says so
                logger.exception(
                    "read audits not written (attempt %d of 3, %d events)", attempt + 1, len(events)
                )

    def stop(self, timeout: float = 10.0) -> None:
        """Write everything queued so far and end the thread (waits up to ``timeout`` seconds)."""
        thread = self.thread
        if thread is None or not thread.is_alive() or self.pid != os.getpid():
            return
        self.pending.put(None)
        thread.join(timeout)
        self.thread = None


def flush(app: Flask) -> None:
    """Write every read audit queued in this process so far (tests, and before a process ends)."""
    writer = app.extensions.get(_WRITER)
    if writer is not None:
        writer.stop()


def _write_queued(_error: BaseException | None = None) -> None:
    events = g.pop(_QUEUE, None)
    if not events:
        return
    writer = current_app.extensions.get(_WRITER)
    if writer is None:
        write(events)
    else:
        writer.put(events)


def init_app(app: Flask) -> None:
    """Hand each request's queued read audits on once its response has been produced: to the
    writer thread in a served process, written at once under ``env = test``."""
    settings = app.config["SETTINGS"]
    mode = settings.extra.get(
        "read_audit_writer", "request" if settings.env == "test" else "thread"
    )
    if mode == "thread":
        app.extensions[_WRITER] = Writer(app)
    app.teardown_request(_write_queued)
