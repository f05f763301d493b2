"""Benchmark: compile a month against a national-scale database, against one plain GROUP BY.

    .venv/bin/python bench/summaries.py            # quick: 100 000 call-outs (SQLite temp file)
    .venv/bin/python bench/summaries.py --full     # 2 500 homes, 150 authorities, 1 000 000
    .venv/bin/python bench/summaries.py --full --database-url postgresql://postgres@127.0.0.1:5432/pm_summaries

The PostgreSQL database given is emptied (schema dropped) first. Prints the time of
compile_month as a ratio to ``SELECT month, count(*) FROM callouts GROUP BY month`` over the same
table, and peak memory (tracemalloc for Python allocations during the compile; ru_maxrss).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.models import (
    Action,
    Authority,
    Callout,
    Flag,
    Home,
    PoliceForce,
    Review,
    User,
)
from protocol_monitor.rules.time import Month, month_key
from protocol_monitor.services import monthly_facts
from protocol_monitor.vocab import CRIMINAL_OUTCOMES, Category, Outcome

AUTHORITIES = 150
HOMES = 2500
YEARS = 10
CHUNK = 20_000
CATEGORIES = Category.slugs()
OUTCOMES = Outcome.slugs()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(callouts: int, end: Month, rng: random.Random) -> None:
    """Bulk insert authorities, homes and call-outs over ten years ending with ``end``."""
    session = db.session
    session.execute(insert(PoliceForce), [{"id": 1, "code": "E23000039", "name": "Force"}])
    session.execute(
        insert(Authority),
        [{"id": i, "code": f"E0{i:07d}", "name": f"Authority {i}"} for i in range(1, 151)],
    )
    session.execute(
        insert(User),
        [
            {"id": i, "email": f"officer{i}@example.org", "display_name": f"Officer {i}",
             "password_hash": "x", "role": "police", "police_force_id": 1, "active": True,
             "failed_codes": 0, "created_at": datetime.now(UTC)}
            for i in range(1, 51)
        ],
    )  # fmt: skip
    start = end.shift(-(12 * YEARS - 1)).first_day
    homes = []
    for i in range(1, HOMES + 1):
        opened = None if i % 5 else start + timedelta(days=rng.randrange(3000))
        closed = None if i % 17 else date(end.year, 1, 1) - timedelta(days=rng.randrange(1500))
        homes.append(
            {"id": i, "urn": f"SC{i:06d}", "name": f"Home {i}", "provider": "Provider",
             "host_authority_id": (i % AUTHORITIES) + 1, "police_force_id": 1,
             "registered_places": rng.randint(1, 8), "setting_type": "children_home",
             "opened_on": opened, "closed_on": closed, "allocated_officer_id": (i % 50) + 1}
        )  # fmt: skip
    session.execute(insert(Home), homes)
    session.commit()
    span = (datetime.combine(end.next().first_day, datetime.min.time()) - datetime.combine(
        start, datetime.min.time())).total_seconds()  # fmt: skip
    base = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    now = datetime.now(UTC)
    made = 0
    review_id = 0
    while made < callouts:
        rows, reviews = [], []
        for n in range(made + 1, min(callouts, made + CHUNK) + 1):
            at = base + timedelta(seconds=rng.random() * span)
            category = rng.choice(CATEGORIES)
            outcome = rng.choice(OUTCOMES)
            home = rng.randint(1, HOMES)
            child = f"C{rng.randint(1, 40000)}" if rng.random() < 0.9 else None
            rows.append(
                {"id": n, "home_id": home, "occurred_at": at, "month": month_key(at),
                 "child_reference": child,
                 "placing_authority_id": rng.randint(1, AUTHORITIES) if child else None,
                 "category": category, "in_scope": category not in ("missing", "absent"),
                 "arrested": rng.random() < 0.2, "outcome": outcome,
                 "criminal_outcome": outcome in CRIMINAL_OUTCOMES,
                 "created_at": now, "updated_at": now}
            )  # fmt: skip
            if rng.random() < 0.3:
                review_id += 1
                reviews.append(
                    {"id": review_id, "callout_id": n, "reviewed_at": now,
                     "protocol_applied": rng.choice(["appropriate", "partly", "not_appropriate"]),
                     "police_necessary": "slow_time"}
                )  # fmt: skip
        session.execute(insert(Callout), rows)
        if reviews:
            session.execute(insert(Review), reviews)
        session.commit()
        made += len(rows)
    session.execute(
        insert(Action),
        [
            {"id": i, "review_id": rng.randint(1, review_id), "text": "Follow up",
             "owner_id": rng.randint(1, 50), "due_on": end.first_day + timedelta(days=i % 60),
             "status": rng.choice(["open", "in_progress", "done"]),
             "created_at": datetime.combine(end.first_day, datetime.min.time(), tzinfo=UTC)}
            for i in range(1, 5001)
        ],
    )  # fmt: skip
    session.execute(
        insert(Flag),
        [
            {"id": i, "rule": "repeat_child", "status": "open", "subject_key": f"rc:{i}",
             "home_id": i, "child_reference": f"C{i}", "explanation": "", "raised_at": now}
            for i in range(1, 301)
        ],
    )  # fmt: skip
    session.commit()
    # Rows written with Core statements: the fact tables are counted once, as the migration does.
    monthly_facts.rebuild()
    session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        session.execute(text("ANALYZE"))
        session.commit()


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="1 000 000 call-outs")
    size.add_argument("--quick", action="store_true", help="100 000 call-outs (the default)")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (emptied first)")
    size.add_argument("--callouts", type=int, help="this many call-outs (the suite: a few hundred)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    callouts = args.callouts or (1_000_000 if args.full else 100_000)

    workdir = Path(tempfile.mkdtemp(prefix="pm-bench-"))
    if args.database_url:
        _reset_postgres(args.database_url)
        url = args.database_url
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(
        {"env": "test", "database_url": url, "instance_path": workdir, "secret_key": "bench"}
    )
    from flask_migrate import upgrade

    from protocol_monitor.services import summaries

    with app.app_context():
        upgrade()
        end = Month(2026, 9)
        started = time.perf_counter()
        build(callouts, end, random.Random(20261122))
        built = time.perf_counter() - started
        print(f"database: {db.engine.dialect.name}; {callouts:,} call-outs, {HOMES:,} homes, "
              f"{AUTHORITIES} authorities over {YEARS} years; built in {built:.1f}s")  # fmt: skip

        def plain() -> None:
            db.session.execute(text("SELECT month, count(*) FROM callouts GROUP BY month")).all()
            db.session.rollback()

        def compile_once() -> None:
            summaries.compile_month(end)
            db.session.expire_all()

        plain()  # warm the cache
        baseline = best_of(args.runs, plain)
        compile_time = best_of(args.runs, compile_once)
        tracemalloc.start()  # a separate run: tracing slows Python down several times
        compile_once()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        snapshot = summaries.latest_snapshot(end)
        figures = snapshot.figures
        counted = db.session.scalar(
            text("SELECT count(*) FROM callouts WHERE month = :m AND in_scope"), {"m": str(end)}
        )
        compiled = sum(row["callouts"] for row in figures["authorities"])
        assert compiled == counted, f"compiled {compiled} in-scope call-outs, stored {counted}"
        print(f"compile_month({end}): {compile_time * 1000:.0f} ms (best of {args.runs}); "
              f"version {snapshot.version}; {len(figures['authorities'])} authorities, "
              f"{len(figures['homes'])} homes, "
              f"{len(figures['repeat_children'])} repeat children")  # fmt: skip
        print(f"plain GROUP BY month: {baseline * 1000:.0f} ms (best of {args.runs})")
        print(f"ratio compile_month / GROUP BY: {compile_time / baseline:.2f}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak Python memory during compile (tracemalloc): {peak / 1e6:.1f} MB; "
              f"process peak RSS (incl. building the data): {rss:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
