"""Nothing outlives retention: after the purge, no text in any table of the database holds the
reference of a child whose call-outs all expired — the call-outs, reports and flags, and the copies
(the outbox's restricted part of an alert and of a digest, the compiled month's repeat children)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import String, cast, select

from protocol_monitor.db import db
from protocol_monitor.models import Flag, OutboxMessage, SummarySnapshot
from protocol_monitor.services import summaries
from protocol_monitor.services.retention import purge_expired
from tests.support import alerts

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
REFERENCE = "LCS-770001"


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            try:
                kind = column.type.python_type
            except NotImplementedError:  # a custom type (JSON here): may hold text
                kind = None
            if kind not in (int, float, bool, date, datetime):
                yield table, column


def _where(reference: str) -> list[str]:
    found = []
    for table, column in _text_columns():
        hits = db.session.execute(
            select(table).where(cast(column, String).contains(reference)).limit(1)
        ).first()
        if hits is not None:
            found.append(f"{table.name}.{column.name}")
    return sorted(found)


def test_a_purged_reference_is_in_no_text_column_of_any_table(app, make):
    home = make.home("SC200009")
    callouts = [
        make.home_report(home, datetime(2024, 1, day, 21, 0), child_reference=REFERENCE)
        for day in (3, 9, 20)
    ]
    flag = Flag(
        rule="repeat_child",
        status="resolved",
        home_id=home.id,
        subject_key=f"repeat_child:{home.id}:{REFERENCE}",
        child_reference=REFERENCE,
        placing_authority_id=home.host_authority_id,
        explanation=f"3 call-outs about {REFERENCE}",
        resolved_note=f"Met {REFERENCE}'s social worker",
        callouts=callouts,
    )
    db.session.add(flag)
    db.session.commit()
    alerts.flag_alert(flag, child_reference=REFERENCE)
    summaries.compile_month("2024-01", queue_digest=True)
    before = _where(REFERENCE)
    assert {"callouts.child_reference", "flags.child_reference"} <= set(before)
    assert {"outbox_messages.restricted", "summary_snapshots.figures"} <= set(before)

    purge_expired(NOW, months=24)
    db.session.expire_all()

    assert _where(REFERENCE) == []
    # The copies keep their shape: the digest's restricted list and the month's repeat child
    # are still there, under the same token as the call-outs.
    token = db.session.get(type(callouts[0]), callouts[0].id).child_reference
    assert token.startswith("~")
    figures = db.session.scalar(select(SummarySnapshot.figures))
    assert [c["child_reference"] for c in figures["repeat_children"]] == [token]
    digest = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "digest"))
    assert digest.restricted["repeat_children"][0]["child_reference"] == token
