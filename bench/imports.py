"""Importing a police extract, against a bare read and executemany of the same rows into the same
tables, measured in the same run (CPU time, lowest of the rounds).

    .venv/bin/python bench/imports.py                       # 5,000 rows, 3 rounds
    .venv/bin/python bench/imports.py --rows 500 --rounds 1

Each round starts from the same migrated SQLite database (one police force, one authority, one
home) and imports the same CSV file through the service the command line and the upload page use
(services.imports.import_callouts), then checks every row was stored. The baseline reads the same
file with the csv module and inserts, with one executemany per table, exactly the rows the import
stored (captured from the first round), into a copy of the same database: what importing would cost
with nothing but the writes. The import's SQL statements per row are printed too.

Issue 13's goal: the import within 3x the baseline. (The suite checks the import's behaviour with
120 and 300 rows: tests/integration/test_imports.py.)
"""

from __future__ import annotations

import argparse
import csv
import logging
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, func, select

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.models import Authority, Callout, Home, PoliceForce
from protocol_monitor.rules.callout_import import POLICE_IMPORT_COLUMNS
from protocol_monitor.services import imports

GOAL = 3.0
URN = "SC300001"


def _settings(path: Path, folder: Path) -> dict[str, object]:
    return {
        "env": "test",
        "database_url": f"sqlite:///{path}",
        "instance_path": folder / "instance",
        "secret_key": "bench",
        "base_url": "http://localhost",
        "password_hash_profile": "fast",
    }


def _template(folder: Path) -> Path:
    """A migrated database with the force, authority and home the extract names."""
    from flask_migrate import upgrade

    path = folder / "template.db"
    app = create_app(_settings(path, folder))
    with app.app_context():
        upgrade()
        force = PoliceForce(code="E23000039", name="Dorset Police")
        authority = Authority(code="E06000059", name="Dorset Council")
        db.session.add_all([force, authority])
        db.session.flush()
        db.session.add(
            Home(
                urn=URN,
                name="Harbour View",
                provider="Test Care Ltd",
                host_authority_id=authority.id,
                police_force_id=force.id,
                registered_places=4,
                setting_type="children_home",
                opened_on=date(2010, 1, 1),
            )
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path


def _extract(path: Path, rows: int) -> Path:
    """A police extract: one call-out a day at the home, about seven children."""
    start = datetime(2012, 1, 1, 12, 0)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=POLICE_IMPORT_COLUMNS)
        writer.writeheader()
        for n in range(rows):
            writer.writerow(
                {
                    "police_reference": f"DP-{n:05d}",
                    "home_urn": URN,
                    "occurred_at": (start + timedelta(days=n)).isoformat(timespec="minutes"),
                    "child_reference": f"LCS-{n % 7}",
                    "placing_authority_code": "E06000059",
                    "category": "criminal_damage",
                    "police_attended": "yes",
                    "arrested": "no",
                    "outcome": "nfa",
                }
            )
    return path


def _rows_by_table(engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in db.metadata.sorted_tables
        }


def import_round(template: Path, folder: Path, extract: Path, rows: int, capture: bool):
    """Import the extract into a copy of the template: (CPU seconds, statements, rows stored)."""
    path = folder / "import.db"
    shutil.copy(template, path)
    app = create_app(_settings(path, folder))
    logging.getLogger("protocol_monitor").setLevel(logging.WARNING)
    with app.app_context():
        statements = 0

        def count(*_args):
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        started = time.process_time()
        report = imports.import_callouts(extract, "police", every=rows)
        cpu = time.process_time() - started
        event.remove(db.engine, "before_cursor_execute", count)
        stored = db.session.scalar(select(func.count()).select_from(Callout))
        assert not report.errors and report.created == rows, report
        assert stored == rows, f"{stored} call-outs stored, not {rows}"
        added = None
        if capture:
            before = _rows_by_table(create_engine(f"sqlite:///{template}"))
            after = _rows_by_table(db.engine)
            added = {
                name: [row for row in after[name] if row not in before[name]] for name in after
            }
        db.session.remove()
        db.engine.dispose()
    return cpu, statements, added


def baseline_round(template: Path, folder: Path, extract: Path, added: dict[str, list[dict]]):
    """Read the file and executemany the same rows into the same tables: CPU seconds."""
    path = folder / "baseline.db"
    shutil.copy(template, path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect():  # connect (and set the pragmas) before the clock starts
        pass
    started = time.process_time()
    with extract.open(newline="", encoding="utf-8") as stream:
        cells = list(csv.reader(stream))
    with engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            if added.get(table.name):
                connection.execute(table.insert(), added[table.name])
    cpu = time.process_time() - started
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Callout.__table__))
    engine.dispose()
    assert stored == len(cells) - 1, f"baseline stored {stored} call-outs"
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pm-bench-imports-") as name:
        folder = Path(name)
        template = _template(folder)
        extract = _extract(folder / "extract.csv", args.rows)
        imported, baseline, added, statements = [], [], None, 0
        for round_number in range(args.rounds):
            cpu, statements, captured = import_round(
                template, folder, extract, args.rows, capture=round_number == 0
            )
            added = captured or added
            imported.append(cpu)
            baseline.append(baseline_round(template, folder, extract, added))
    best, base = min(imported), min(baseline)
    tables = ", ".join(f"{name} {len(rows)}" for name, rows in added.items() if rows)
    print(f"police extract of {args.rows:,} rows, SQLite, CPU time, lowest of {args.rounds}")
    per_row = f"{best / args.rows * 1000:.2f} ms, {statements / args.rows:.1f} SQL statements"
    print(f"  import (services.imports):  {best * 1000:8.1f} ms  ({per_row} per row)")
    print(f"  baseline (csv read + executemany of the same rows):  {base * 1000:8.1f} ms")
    print(f"    rows by table: {tables}")
    print(f"  ratio import / baseline: {best / base:.1f}  (goal, issue 13: <= {GOAL:g})")


if __name__ == "__main__":
    main()
