"""Matching cost does not grow with history: file 500 police records into a database holding
SMALL vs LARGE stored call-outs at the same home, and print the per-record ratio.

    .venv/bin/python bench/police.py          # 1 000 vs 20 000 stored call-outs (quick)
    .venv/bin/python bench/police.py --full   # 1 000 vs 200 000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.models import Authority, Callout, Home, PoliceForce, Report
from protocol_monitor.services import callouts, matching

START = datetime(2000, 1, 1, tzinfo=UTC)


def _app(folder: Path):
    from flask_migrate import upgrade

    settings = {
        "env": "test",
        "database_url": f"sqlite:///{folder / 'bench.db'}",
        "instance_path": folder / "instance",
        "secret_key": "bench",
        "base_url": "http://localhost",
    }
    app = create_app(settings)
    with app.app_context():
        upgrade()
    return app


def _history(home: Home, stored: int) -> None:
    """`stored` home-only call-outs at one home, an hour apart, written in bulk."""
    batch = 5000
    for first in range(0, stored, batch):
        n = min(batch, stored - first)
        moments = [START + timedelta(hours=first + i) for i in range(n)]
        rows = [
            dict(
                home_id=home.id,
                occurred_at=m,
                month=f"{m:%Y-%m}",
                category="theft",
                in_scope=True,
                criminal_outcome=False,
            )
            for m in moments
        ]
        ids = db.session.scalars(insert(Callout).returning(Callout.id), rows).all()
        db.session.execute(
            insert(Report),
            [
                dict(
                    callout_id=i,
                    source="home",
                    home_id=home.id,
                    occurred_at=m,
                    category="theft",
                    child_reference=f"LCS-{k % 50}",
                    deescalation=[],
                )
                for k, (i, m) in enumerate(zip(ids, moments, strict=True))
            ],
        )
    db.session.commit()


def _file_records(home: Home, count: int, stored: int) -> float:
    """Seconds per police record filed (and matched) against the stored history."""
    begin = time.perf_counter()
    for n in range(count):
        moment = START + timedelta(hours=stored // 2 + n * 3, minutes=30)
        report = Report(
            source="police",
            home_id=home.id,
            occurred_at=moment,
            category="theft",
            child_reference="LCS-999",  # no stored report has this child: no match
            police_reference=f"DP-{n}",
            police_attended=True,
            arrested=False,
            outcome="nfa",
        )
        callout = matching.new_callout_for(report)
        db.session.flush()
        callouts.after_change(callout)
    db.session.commit()
    return (time.perf_counter() - begin) / count


def measure(stored: int, records: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            authority = Authority(code="E06000059", name="Dorset Council")
            force = PoliceForce(code="E23000039", name="Dorset Police")
            home = Home(
                urn="SC1",
                name="Bench",
                provider="Bench",
                host_authority=authority,
                police_force=force,
                registered_places=4,
                setting_type="children_home",
            )
            db.session.add(home)
            db.session.commit()
            _history(home, stored)
            assert db.session.scalar(select(db.func.count(Callout.id))) == stored
            return _file_records(home, records, stored)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="200 000 stored call-outs")
    parser.add_argument("--records", type=int, default=500)
    args = parser.parse_args()
    small, large = 1_000, 200_000 if args.full else 20_000
    base = measure(small, args.records)
    big = measure(large, args.records)
    print(f"{small:>7} stored: {base * 1000:.2f} ms per police record filed and matched")
    print(f"{large:>7} stored: {big * 1000:.2f} ms per police record filed and matched")
    print(f"ratio {large}/{small}: {big / base:.2f} (1.0 = independent of history)")


if __name__ == "__main__":
    main()
