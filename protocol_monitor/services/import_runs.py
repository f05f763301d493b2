"""An upload from the import page, run in the background so the page can show its progress.

The upload request saves the file and starts a *run*: a thread of the web process that imports the
file through ``services.imports.import_callouts`` (one transaction: everything or nothing) and
publishes how far it has got. The page the person lands on polls that progress and shows the
outcome when the run finishes: the counts, or every bad row.

Where a run's state lives depends on the database (``store``):

- **PostgreSQL**: a row of ``import_runs`` (``RunTable``), saved by the run in short transactions
  of its own, beside the import's one long transaction. Any web worker on any machine answers the
  poll; nothing a machine keeps on its own disk is needed by another.
- **SQLite**: a small JSON file in the instance folder, ``imports/<run id>.json`` (``RunFolder``):
  the import holds SQLite's write lock until its last row, so progress written to the database
  could not be seen until the end. Every web worker on the machine reads the same folder.

The uploaded file stays on the disk of the worker that runs it, and is deleted as soon as its run
finishes; a run's state (which names bad rows and their values) is deleted after ``KEEP``. Only
the person who started a run may see it; anyone else gets NotFound, as for a record outside their
scope.

A run whose worker died (a restart, a crash) stored nothing, because its transaction never
committed; once its state has not changed for ``STALLED`` it is shown as stopped, and the person
is asked to upload the file again.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..db import db, utcnow
from ..i18n import _, format_number, in_language, ngettext
from ..models import ImportRun, User
from ..rules.callout_import import RowError
from . import Forbidden, NotFound, ServiceError, audit_trail
from .imports import ImportReport, check_xlsx_sizes, file_format, import_callouts

log = logging.getLogger("protocol_monitor")

#: How often (in rows) a run publishes its progress.
EVERY = 100
#: A running run whose state has not changed for this long has stopped (its worker died).
STALLED = timedelta(minutes=5)
#: How long a finished run's state (and so its report of bad rows) is kept.
KEEP = timedelta(hours=24)

QUEUED, RUNNING, FINISHED, FAILED, STOPPED = "queued", "running", "finished", "failed", "stopped"

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


@dataclass
class Run:
    """What the page shows of one upload: where it has got to and, once finished, the outcome."""

    id: str
    user_id: int
    source: str
    filename: str
    dry_run: bool
    status: str = QUEUED
    rows_read: int = 0
    rows_expected: int | None = None  # counted before the import starts: "about", not exact
    report: dict[str, Any] | None = None  # ImportReport's fields, once finished
    problem: str | None = None  # why a failed run failed (safe to show)

    @property
    def finished(self) -> bool:
        return self.status in (FINISHED, FAILED, STOPPED)

    @property
    def result(self) -> ImportReport | None:
        if self.report is None:
            return None
        values = dict(self.report)
        values["errors"] = [RowError(**error) for error in values.get("errors", [])]
        return ImportReport(**values)

    def progress_text(self) -> str:
        if self.status == QUEUED:
            return _("Waiting to start")
        if self.rows_expected and not self.finished:
            return ngettext(
                "%(count)s of about %(expected)s row read",
                "%(count)s of about %(expected)s rows read",
                self.rows_expected,
                count=format_number(self.rows_read),
                expected=format_number(self.rows_expected),
            )
        return ngettext(
            "%(count)s row read",
            "%(count)s rows read",
            self.rows_read,
            count=format_number(self.rows_read),
        )

    def percent(self) -> int | None:
        if self.finished:
            return 100
        if not self.rows_expected:
            return None
        return min(99, round(100 * self.rows_read / self.rows_expected))


class RunFolder:
    """The runs of one instance folder: ``<id>.json`` for the state, ``<id>.upload.<ext>``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def state_path(self, run_id: str) -> Path:
        return self.root / f"{run_id}.json"

    def upload_path(self, run_id: str, kind: str) -> Path:
        return self.root / f"{run_id}.upload.{kind}"

    def save(self, run: Run) -> None:
        temporary = self.root / f".{run.id}.{secrets.token_hex(4)}.tmp"
        temporary.write_text(json.dumps(asdict(run)))
        os.replace(temporary, self.state_path(run.id))  # readers see the old state or the new

    def idle_seconds(self, run_id: str) -> float:
        """How long since the run last saved its state (a running run saves every EVERY rows)."""
        return time.time() - self.state_path(run_id).stat().st_mtime

    def load(self, run_id: str) -> Run | None:
        if not run_id.replace("-", "").replace("_", "").isalnum() or len(run_id) > 40:
            return None
        try:
            return Run(**json.loads(self.state_path(run_id).read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def tidy(self, now: float | None = None) -> None:
        """Delete the state of runs finished longer than KEEP ago, and any orphaned upload."""
        now = now or time.time()
        for path in self.root.glob("*"):
            try:
                if now - path.stat().st_mtime > KEEP.total_seconds():
                    path.unlink()
            except FileNotFoundError:
                pass


class RunTable(RunFolder):
    """PostgreSQL: the runs' state in ``import_runs``, each save a short transaction of its own
    (never the import's). Uploads stay in the instance folder of the worker running them."""

    def __init__(self, root: Path, engine: Any) -> None:
        super().__init__(root)
        self.engine = engine

    def save(self, run: Run) -> None:
        values = {
            "id": run.id,
            "user_id": run.user_id,
            "state": asdict(run),
            "updated_at": utcnow(),
        }
        statement = pg_insert(ImportRun).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[ImportRun.id],
            set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def _row(self, run_id: str) -> tuple[dict[str, Any], Any] | None:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(ImportRun.state, ImportRun.updated_at).where(ImportRun.id == run_id)
            ).first()
        return (found.state, found.updated_at) if found else None

    def idle_seconds(self, run_id: str) -> float:
        found = self._row(run_id)
        return (utcnow() - found[1]).total_seconds() if found else 0.0

    def load(self, run_id: str) -> Run | None:
        if not run_id.replace("-", "").replace("_", "").isalnum() or len(run_id) > 40:
            return None
        found = self._row(run_id)
        try:
            return Run(**found[0]) if found else None
        except TypeError:
            return None

    def tidy(self, now: float | None = None) -> None:
        super().tidy(now)  # orphaned uploads
        cutoff = datetime.fromtimestamp(now or time.time(), UTC) - KEEP
        with self.engine.begin() as connection:
            connection.execute(delete(ImportRun).where(ImportRun.updated_at < cutoff))


def folder(app: Flask) -> RunFolder:
    """Where this app keeps its runs: the table on PostgreSQL, the instance folder on SQLite."""
    root = Path(app.instance_path) / "imports"
    root.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        engine = db.engine
    return RunTable(root, engine) if engine.dialect.name == "postgresql" else RunFolder(root)


def expected_rows(path: Path, kind: str) -> int | None:
    """About how many data rows the file has, read cheaply before the import starts."""
    try:
        if kind == "xlsx":
            check_xlsx_sizes(path)  # openpyxl holds the shared strings in memory whole
            workbook = load_workbook(path, read_only=True)
            try:
                rows = workbook.worksheets[0].max_row
            finally:
                workbook.close()
            return max(0, rows - 1) if rows else None
        lines, last = 0, b""
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk
        if last and not last.endswith(b"\n"):
            lines += 1
        return max(0, lines - 1)
    except Exception:  # a file that cannot be read is reported by the import itself
        return None


def start(
    app: Flask, user: User, source: str, upload: Any, *, dry_run: bool, wait: float = 0
) -> Run:
    """Save the uploaded file, start its run in the background and return the run.

    ``wait`` gives a small file the chance to finish before the page is shown.
    """
    runs = folder(app)
    runs.tidy()
    filename = Path(upload.filename or "upload").name[:200]
    kind = file_format(filename)
    run = Run(
        id=secrets.token_urlsafe(12),
        user_id=user.id,
        source=source,
        filename=filename,
        dry_run=dry_run,
    )
    path = runs.upload_path(run.id, kind)
    upload.save(path)
    run.rows_expected = expected_rows(path, kind)
    runs.save(run)
    thread = threading.Thread(
        target=_work, args=(app, runs, run, path), name=f"import-{run.id}", daemon=True
    )
    with _threads_lock:
        _threads.add(thread)
    thread.start()
    if wait:
        thread.join(wait)
    return runs.load(run.id) or run


def get(app: Flask, user: User, run_id: str) -> Run:
    """The user's own run; anyone else's, or one that no longer exists, is NotFound."""
    runs = folder(app)
    run = runs.load(run_id)
    if run is None or run.user_id != user.id:
        audit_trail.not_found("import_run", None, user=user)
        raise NotFound()
    if not run.finished and runs.idle_seconds(run.id) > STALLED.total_seconds():
        run.status = STOPPED
        run.problem = _(
            "The import stopped before it finished, so nothing was imported. Upload the file again"
        )
    return run


def join_all(timeout: float = 120) -> None:
    """Wait for the runs of this process to finish (tests, and a worker that is stopping)."""
    deadline = time.monotonic() + timeout
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def _language_of(user_id: int) -> str | None:
    try:
        return db.session.scalar(select(User.language).where(User.id == user_id))
    except Exception:  # the import itself reports a database that cannot be read
        db.session.rollback()
        return None


def _import(runs: RunFolder, run: Run, path: Path) -> None:
    """Import the run's file as its user, keeping the outcome (or the problem) on the run."""
    try:
        user = db.session.get(User, run.user_id)
        if user is None or not user.active:
            raise ServiceError(_("Your account is no longer active"))

        def progress(rows: int) -> None:
            run.rows_read = rows
            runs.save(run)

        report = import_callouts(
            path,
            run.source,
            user=user,
            filename=run.filename,
            dry_run=run.dry_run,
            progress=progress,
            every=EVERY,
        )
        run.rows_read = report.rows
        run.report = asdict(report)
        run.status = FINISHED
    except (ServiceError, Forbidden) as error:
        run.status, run.problem = FAILED, str(error)
    except Exception:
        # The details go to the log (without values); the page says nothing was stored.
        log.exception("import run failed", extra={"event": "import", "outcome": "failed"})
        run.status = FAILED
        run.problem = _("The import failed, so nothing was imported. Try again later")


def _work(app: Flask, runs: RunFolder, run: Run, path: Path) -> None:
    try:
        with app.app_context():
            try:
                run.status = RUNNING
                runs.save(run)
                # The problems found are kept as text: in the language of the person importing.
                with in_language(_language_of(run.user_id)):
                    _import(runs, run, path)
            finally:
                db.session.remove()
        runs.save(run)
    finally:
        path.unlink(missing_ok=True)
        with _threads_lock:
            _threads.discard(threading.current_thread())
