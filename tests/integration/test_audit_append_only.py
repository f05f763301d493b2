"""No code path can change or remove an audit row: the database refuses UPDATE and DELETE."""

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from protocol_monitor import audit
from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent


def _one_event() -> int:
    event = audit.record("callout_viewed", "callout", 1, changes={"n": 1})
    db.session.commit()
    return event.id


def _assert_unchanged(event_id: int) -> None:
    db.session.rollback()
    db.session.expire_all()
    event = db.session.get(AuditEvent, event_id)
    assert event is not None
    assert event.action == "callout_viewed" and event.changes == {"n": 1}


def test_orm_update_of_an_audit_row_fails(app):
    event_id = _one_event()
    event = db.session.get(AuditEvent, event_id)
    event.action = "nothing_happened"
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.commit()
    _assert_unchanged(event_id)


def test_orm_delete_of_an_audit_row_fails(app):
    event_id = _one_event()
    db.session.delete(db.session.get(AuditEvent, event_id))
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.commit()
    _assert_unchanged(event_id)


def test_bulk_update_and_delete_statements_fail(app):
    event_id = _one_event()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(update(AuditEvent).values(ip="10.0.0.1"))
    _assert_unchanged(event_id)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(delete(AuditEvent))
    _assert_unchanged(event_id)


def test_raw_sql_update_and_delete_fail_on_a_separate_connection(app):
    event_id = _one_event()
    for statement in (
        "UPDATE audit_events SET action = 'edited' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement), {"id": event_id})
    _assert_unchanged(event_id)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_appending_still_works(app):
    _one_event()
    _one_event()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_truncate_of_the_audit_log_fails(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    event_id = _one_event()
    for statement in ("TRUNCATE audit_events", "TRUNCATE users, audit_events CASCADE"):
        db.session.rollback()  # the session's own read would hold TRUNCATE's lock waiting
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
        _assert_unchanged(event_id)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
