"""Uploads' import runs, on PostgreSQL: where each has got to, for any web worker on any machine
(services.import_runs; on SQLite the state is a file in the instance folder)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db, utcnow


class ImportRun(db.Model):
    """One upload's run: its state as the run page shows it (``services.import_runs.Run``), saved
    by the run in short transactions of its own beside the import's, and deleted a day after it
    last changed (it names bad rows and their values)."""

    __tablename__ = "import_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
