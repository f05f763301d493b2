"""Read audits in a served process: written by the writer thread after the response, never by
the request itself, with the same attribution (services/audit_trail.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent
from protocol_monitor.services import audit_trail
from tests.conftest import Pages, _settings


@pytest.fixture
def served(database_url: str, tmp_path) -> Iterator[Flask]:
    application = create_app(
        _settings(
            database_url,
            tmp_path / "instance",
            database_busy_seconds=3,
            extra={"read_audit_writer": "thread"},
        )
    )
    with application.app_context():
        yield application
        audit_trail.flush(application)
        db.session.remove()
        db.engine.dispose()


def _viewed() -> list[AuditEvent]:
    db.session.rollback()  # a fresh snapshot
    query = select(AuditEvent).where(AuditEvent.action == "callout_list_viewed")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_a_page_is_answered_while_the_audit_table_is_locked_and_audited_after(
    served, make, database_url
):
    home = make.home("SC300001")
    provider = make.user("provider", homes=[home])
    pages = Pages(served.test_client())
    pages.sign_in(provider)
    db.session.commit()

    # Another connection holds a lock that stops any INSERT into the audit log (on SQLite, the
    # whole database's write lock). The request only reads, so it is answered at once; had it
    # committed its audit row itself, it would have waited DATABASE_BUSY_SECONDS and failed.
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.connect() as blocker:
        if engine.dialect.name == "sqlite":
            blocker.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            blocker.begin()
            blocker.execute(text("LOCK TABLE audit_events IN EXCLUSIVE MODE"))
        for _ in range(3):
            pages.get("/callouts/")
        blocker.rollback()
    engine.dispose()

    audit_trail.flush(served)
    viewed = _viewed()
    assert len(viewed) == 3
    assert {(e.user_id, e.ip, e.record_type) for e in viewed} == {
        (provider.id, "127.0.0.1", "callout")
    }
    assert all(e.changes == {"ids": [], "filters": {"page": 1}} for e in viewed)


def test_the_writer_stores_many_requests_in_order_and_drains_on_stop(served, make):
    home = make.home("SC300002")
    provider = make.user("provider", homes=[home])
    pages = Pages(served.test_client())
    pages.sign_in(provider)
    db.session.commit()
    for page in range(1, 21):
        pages.get(f"/callouts/?page={page}")
    audit_trail.flush(served)
    assert [e.changes["filters"]["page"] for e in _viewed()] == [1] * 20
    # The writer starts again on the next request after a flush.
    pages.get("/callouts/")
    audit_trail.flush(served)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "callout_list_viewed")
        )
        == 21
    )
