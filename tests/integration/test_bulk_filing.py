"""Importing new reports all at once (services.bulk_filing) stores exactly what filing them one by
one (services.imports._store, callouts.after_change) stores: the same call-outs, reports, matches,
flags and their call-outs, alerts and audit trail, with the same ids — compared table by table
over files that match reports already stored, repeat children and homes, cross months, leave
some call-outs out of scope and meet every flag rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from protocol_monitor.db import db
from protocol_monitor.models import (
    AuditEvent,
    Callout,
    Flag,
    OutboxMessage,
    Report,
    ReportRevision,
    flag_callouts,
)
from protocol_monitor.rules.columns import HOME_REPORT_IMPORT_COLUMNS
from protocol_monitor.services import bulk_filing, imports
from tests.integration.test_imports import HOME_DEFAULTS, write_csv

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
#: Columns that hold the moment a row was written: they differ between any two runs.
MOMENTS = {"at", "created_at", "updated_at", "raised_at"}
TABLES = [
    Callout.__table__,
    Report.__table__,
    ReportRevision.__table__,
    Flag.__table__,
    flag_callouts,
    OutboxMessage.__table__,
    AuditEvent.__table__,
]
CHILDREN = ["LCS-1", "LCS-2", "LCS-3", "LCS-4", ""]
CATEGORIES = ["criminal_damage", "criminal_damage", "assault_staff", "theft", "missing"]
OUTCOMES = ["nfa", "nfa", "pending", "youth_caution", "charged"]


def _snapshot() -> dict[str, list[tuple]]:
    tables = {}
    for table in TABLES:
        columns = [c for c in table.columns if c.name not in MOMENTS]
        order = list(table.primary_key.columns)
        rows = db.session.execute(select(*columns).order_by(*order)).all()
        tables[table.name] = [tuple(row) for row in rows]
    return tables


def _sequences() -> dict[str, tuple[int, bool]]:
    if db.session.get_bind().dialect.name != "postgresql":
        return {}
    found = {}
    for table in TABLES:
        if "id" not in table.columns:
            continue
        name = db.session.scalar(text(f"SELECT pg_get_serial_sequence('{table.name}', 'id')"))
        found[name] = tuple(
            db.session.execute(text(f"SELECT last_value, is_called FROM {name}")).one()
        )
    return found


def _restore(sequences: dict[str, tuple[int, bool]]) -> None:
    for name, (value, called) in sequences.items():
        db.session.execute(
            text("SELECT setval(:name, :value, :called)"),
            {"name": name, "value": value, "called": called},
        )
    db.session.commit()


def _import_both_ways(monkeypatch, path, source):
    """Import the file row by row, then all at once, from the same state: both snapshots."""
    sequences = _sequences()
    results = []
    for row_by_row in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(db.session, "commit", db.session.flush)  # keep it undoable
            if row_by_row:
                patch.setattr(imports, "_any_stored", lambda *_args: True)
            # Written every few rows, so rows refer to what earlier writes stored.
            patch.setattr(bulk_filing, "WRITE_EVERY", 7)
            report = imports.import_callouts(path, source, now=NOW)
            assert not report.errors, report.errors
            results.append((report.describe(), _snapshot()))
        db.session.rollback()
        _restore(sequences)
    return results


def _police_rows(rng, homes, start, count, references=()):
    rows = []
    for n in range(count):
        moment = start + timedelta(hours=rng.randrange(0, 24 * 45), minutes=rng.choice([0, 20, 50]))
        rows.append(
            {
                "police_reference": references[n] if n < len(references) else f"DP-{n:05d}",
                "home_urn": rng.choice(homes).urn,
                "occurred_at": moment.isoformat(timespec="minutes"),
                "child_reference": rng.choice(CHILDREN),
                "placing_authority_code": rng.choice(["E06000059", "E06000058"]),
                "category": rng.choice(CATEGORIES),
                "police_attended": rng.choice(["yes", "no"]),
                "arrested": rng.choice(["yes", "no"]),
                "outcome": rng.choice(OUTCOMES),
            }
        )
    return rows


def _risk(rng) -> dict[str, str]:
    if rng.random() < 0.5:
        return {"immediate_risk": "no", "immediate_risk_reason": ""}
    return {"immediate_risk": "yes", "immediate_risk_reason": "Throwing chairs"}


def _stored(path, source) -> None:
    report = imports.import_callouts(path, source, now=NOW)
    assert report.stored and not report.errors, report.errors


def _homes(make):
    dorset = make.authority("E06000059", "Dorset Council")
    make.authority("E06000058", "Bournemouth, Christchurch and Poole Council")
    return [make.home("SC300001", host=dorset), make.home("SC300002", host=dorset)]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_police_extract_is_stored_as_filing_each_row_would(
    app, make, tmp_path, monkeypatch, seed
):
    rng = random.Random(seed)
    homes = _homes(make)
    start = datetime(2026, 4, 10, 8, 0)
    # Stored before: home reports (some the same incidents as the extract's rows, by time and
    # child or by police reference), and flags from an earlier import, one since resolved.
    earlier = _police_rows(rng, homes, start - timedelta(days=20), 25)
    for row in earlier:
        row["police_reference"] = "OLD-" + row["police_reference"]
    _stored(write_csv(tmp_path / "earlier.csv", earlier), "police")
    db.session.execute(
        Flag.__table__.update()
        .where(Flag.id == db.session.scalar(select(Flag.id).limit(1)))
        .values(status="resolved")
    )
    db.session.commit()
    extract = _police_rows(rng, homes, start, 60)
    home_rows = []
    for row in rng.sample(extract, 20):
        moment = datetime.fromisoformat(row["occurred_at"]) + timedelta(
            minutes=rng.choice([-50, 30, 90])
        )
        shared = rng.random() < 0.3
        home_rows.append(
            {
                **row,
                **HOME_DEFAULTS,
                "occurred_at": moment.isoformat(timespec="minutes"),
                "police_reference": row["police_reference"] if shared else "",
                "category": rng.choice(CATEGORIES),
                **_risk(rng),
                "child_reference": row["child_reference"] or "LCS-9",
            }
        )
    _stored(write_csv(tmp_path / "home.csv", home_rows, HOME_REPORT_IMPORT_COLUMNS), "home")

    (one_by_one, stored), (all_at_once, bulk) = _import_both_ways(
        monkeypatch, write_csv(tmp_path / "extract.csv", extract), "police"
    )

    assert all_at_once == one_by_one
    assert "joined to a call-out" in one_by_one and not one_by_one.startswith("60 rows: 0 new")
    assert {name: len(rows) for name, rows in bulk.items()} == {
        name: len(rows) for name, rows in stored.items()
    }
    for name in stored:
        assert bulk[name] == stored[name], name
    flags = {row[1] for row in stored["flags"]}  # the rules raised
    assert {"repeat_child", "repeat_home", "unreported", "criminal_outcome"} <= flags


def test_a_home_import_joins_police_records_as_filing_each_row_would(
    app, make, tmp_path, monkeypatch
):
    rng = random.Random(5)
    homes = _homes(make)
    start = datetime(2026, 5, 1, 8, 0)
    police = _police_rows(rng, homes, start, 40)
    _stored(write_csv(tmp_path / "police.csv", police), "police")
    home_rows = []
    for row in police[:30]:
        moment = datetime.fromisoformat(row["occurred_at"]) + timedelta(
            minutes=rng.choice([10, 100, 200])
        )
        home_rows.append(
            {
                **row,
                **HOME_DEFAULTS,
                "occurred_at": moment.isoformat(timespec="minutes"),
                "police_reference": row["police_reference"] if rng.random() < 0.3 else "",
                **_risk(rng),
                "child_reference": row["child_reference"] or "LCS-9",
            }
        )

    (one_by_one, stored), (all_at_once, bulk) = _import_both_ways(
        monkeypatch, write_csv(tmp_path / "home.csv", home_rows, HOME_REPORT_IMPORT_COLUMNS), "home"
    )

    assert all_at_once == one_by_one
    assert "joined to a call-out" in one_by_one
    for name in stored:
        assert bulk[name] == stored[name], name
    assert any(row[1] == "no_immediate_risk" for row in stored["flags"])
