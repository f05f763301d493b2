"""Filing one call-out (and evaluating the flag rules) must not grow with the call-outs stored.

Bulk-inserts call-outs over ~2 500 homes and ten years into a temporary SQLite database (or an
empty PostgreSQL database given with --database-url), first up to a small size, then up to a large
one, and at each size times filing call-outs through the real service
(services.callouts.file_home_report, which evaluates every flag rule in the same transaction):

- "probe" filings go to homes kept aside for the round, each with the same short history (two
  earlier call-outs about the child), so every filing raises a repeat_child flag and an alert:
  only the number of call-outs stored differs between the rounds;
- "random" filings go to random homes among the 2 500, whose history grows with the data.

Prints milliseconds per call-out at each size and the ratio large/small (~1 means constant).

    .venv/bin/python bench/flags.py            # 10 000 then 1 000 000 stored call-outs
    .venv/bin/python bench/flags.py --quick    # 10 000 then 100 000
    .venv/bin/python bench/flags.py --database-url postgresql://postgres@127.0.0.1/pm_bench
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, inspect, text

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.models import (
    Authority,
    Callout,
    Home,
    PoliceForce,
    User,
    user_homes,
)
from protocol_monitor.rules.time import london_to_utc, month_key
from protocol_monitor.services import callouts as callout_service
from protocol_monitor.services import flags as flag_service

HOMES = 2_500
PROBE_HOMES_PER_ROUND = 100
CHILDREN_PER_HOME = 40
START = datetime(2016, 11, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
CATEGORIES = ["criminal_damage", "assault_staff", "threats_abuse", "theft", "missing", "absent"]
CHUNK = 20_000


def _app(url: str, instance: Path):
    return create_app(
        {
            "env": "test",
            "database_url": url,
            "instance_path": instance,
            "secret_key": "bench",
            "base_url": "http://localhost",
        }
    )


def _setup(rounds: int) -> tuple[User, list[int], list[list[int]], list[int]]:
    """Authorities, a force, the homes, and one provider linked to all of them."""
    now = datetime.now(UTC)
    authorities = [
        Authority(code="E06000059", name="Dorset"),
        Authority(code="E06000058", name="BCP"),
    ]
    force = PoliceForce(code="E23000039", name="Dorset Police")
    db.session.add_all([*authorities, force])
    db.session.flush()
    rows = [
        {
            "urn": f"SC{100000 + i}",
            "name": f"Home {i}",
            "provider": "Bench Care Ltd",
            "host_authority_id": authorities[i % 2].id,
            "police_force_id": force.id,
            "registered_places": 4,
            "setting_type": "children_home",
        }
        for i in range(HOMES + PROBE_HOMES_PER_ROUND * rounds)
    ]
    db.session.execute(insert(Home), rows)
    provider = User(email="bench@example.org", role="provider", password_hash="x", created_at=now)
    db.session.add(provider)
    db.session.flush()
    home_ids = sorted(db.session.scalars(db.select(Home.id)))
    db.session.execute(
        insert(user_homes), [{"user_id": provider.id, "home_id": h} for h in home_ids]
    )
    db.session.commit()
    regular = home_ids[:HOMES]
    probes = [
        home_ids[HOMES + r * PROBE_HOMES_PER_ROUND : HOMES + (r + 1) * PROBE_HOMES_PER_ROUND]
        for r in range(rounds)
    ]
    return provider, regular, probes, [a.id for a in authorities]


def _callout_row(home_id: int, moment: datetime, child: str, authority_id: int, category: str):
    in_scope = category not in ("missing", "absent")
    return {
        "home_id": home_id,
        "occurred_at": moment,
        "month": month_key(moment),
        "child_reference": child,
        "placing_authority_id": authority_id,
        "category": category,
        "in_scope": in_scope,
        "immediate_risk": "yes" if in_scope else None,
        "police_attended": True,
        "arrested": False,
        "outcome": None,
        "criminal_outcome": False,
        "created_at": moment,
        "updated_at": moment,
    }


def _bulk_insert(count: int, homes: list[int], authorities: list[int], rng: random.Random) -> None:
    span = (END - START).total_seconds()
    table = Callout.__table__
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        rows = []
        for _ in range(size):
            home = rng.choice(homes)
            moment = START + timedelta(seconds=rng.random() * span)
            child = f"LCS-{home}-{rng.randrange(CHILDREN_PER_HOME)}"
            rows.append(
                _callout_row(home, moment, child, authorities[home % 2], rng.choice(CATEGORIES))
            )
        db.session.execute(insert(table), rows)
        db.session.commit()
        done += size
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE callouts"))
    db.session.commit()


def _probe_history(probes: list[int], authorities: list[int]) -> None:
    """Two call-outs about the child in each probe home in October 2026: the filing is the third."""
    rows = []
    for home in probes:
        for day in (3, 10):
            moment = london_to_utc(datetime(2026, 10, day, 20, 0))
            rows.append(
                _callout_row(home, moment, "LCS-PROBE-1", authorities[home % 2], "assault_staff")
            )
    db.session.execute(insert(Callout.__table__), rows)
    db.session.commit()


def _form(home_id: int, moment: datetime, child: str, authority_code: str) -> dict:
    return {
        "home_id": home_id,
        "occurred_at": moment,
        "category": "criminal_damage",
        "child_reference": child,
        "placing_authority_code": authority_code,
        "caller_role": "home_staff",
        "child_role": "alleged_perpetrator",
        "immediate_risk": "yes",
        "deescalation": ["verbal"],
        "police_attended": True,
        "restorative": "planned",
        "ofsted_notified": False,
    }


class _Meter:
    """Times flags.evaluate inside each filing, and counts the SQL statements a filing runs."""

    def __init__(self) -> None:
        self.evaluate_seconds = 0.0
        self.statements = 0
        self._evaluate = flag_service.evaluate

    def evaluate(self, callout, **kwargs):
        started = time.perf_counter()
        try:
            return self._evaluate(callout, **kwargs)
        finally:
            self.evaluate_seconds += time.perf_counter() - started

    def count(self, *_args) -> None:
        self.statements += 1


def _time_filings(provider_id: int, forms: list[dict]) -> tuple[list[float], list[float], int]:
    meter = _Meter()
    flag_service.evaluate = meter.evaluate
    event.listen(db.engine, "before_cursor_execute", meter.count)
    totals, evaluations = [], []
    try:
        for data in forms:
            db.session.remove()  # a fresh session per filing, as per request
            provider = db.session.get(User, provider_id)
            meter.evaluate_seconds = 0.0
            started = time.perf_counter()
            callout_service.file_home_report(provider, data)
            totals.append(time.perf_counter() - started)
            evaluations.append(meter.evaluate_seconds)
    finally:
        flag_service.evaluate = meter._evaluate
        event.remove(db.engine, "before_cursor_execute", meter.count)
    return totals, evaluations, meter.statements


def _round(
    provider_id: int, regular, probes, authorities, filings: int, rng: random.Random
) -> dict[str, float]:
    # Call-outs at home h are about children placed by authorities[h % 2] (see _bulk_insert).
    by_id = {authorities[0]: "E06000059", authorities[1]: "E06000058"}
    codes = {0: by_id[authorities[0]], 1: by_id[authorities[1]]}
    probe_forms = [
        _form(h, london_to_utc(datetime(2026, 10, 17, 20, 0)), "LCS-PROBE-1", codes[h % 2])
        for h in probes[:filings]
    ]
    random_forms = []
    for _ in range(filings):
        home = rng.choice(regular)
        moment = END - timedelta(days=rng.randrange(1, 300), minutes=rng.randrange(1440))
        child = f"LCS-{home}-{rng.randrange(CHILDREN_PER_HOME)}"
        random_forms.append(_form(home, moment, child, codes[home % 2]))
    _time_filings(provider_id, random_forms[:10])  # warm caches
    probe, probe_eval, probe_sql = _time_filings(provider_id, probe_forms)
    randoms, random_eval, random_sql = _time_filings(provider_id, random_forms[10:])
    return {
        "probe_ms": statistics.median(probe) * 1000,
        "probe_eval_ms": statistics.median(probe_eval) * 1000,
        "probe_sql": probe_sql / len(probe),
        "random_ms": statistics.median(randoms) * 1000,
        "random_eval_ms": statistics.median(random_eval) * 1000,
        "random_sql": random_sql / len(randoms),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 000 then 100 000 call-outs")
    parser.add_argument("--filings", type=int, default=100, help="call-outs filed per size")
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database to use instead")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sizes = [10_000, 100_000 if args.quick else 1_000_000]
    filings = min(args.filings, PROBE_HOMES_PER_ROUND)
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        app = _app(url, Path(tmp) / "instance")
        with app.app_context():
            existing = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            if args.database_url and existing:
                print("Error: the database is not empty; give an empty one", file=sys.stderr)
                return 1
            from flask_migrate import upgrade

            upgrade()
            try:
                provider, regular, probes, authorities = _setup(len(sizes))
                provider_id = provider.id
                results = []
                stored = 0
                for index, size in enumerate(sizes):
                    started = time.perf_counter()
                    _bulk_insert(size - stored, regular, authorities, rng)
                    _probe_history(probes[index], authorities)
                    stored = size
                    loaded = time.perf_counter() - started
                    result = _round(provider_id, regular, probes[index], authorities, filings, rng)
                    total = db.session.scalar(db.select(db.func.count()).select_from(Callout))
                    results.append((total, result))
                    print(
                        f"{total:>9,} call-outs stored (loaded in {loaded:.0f} s), median per "
                        f"call-out filed: probe {result['probe_ms']:.2f} ms "
                        f"(evaluate {result['probe_eval_ms']:.2f} ms, "
                        f"{result['probe_sql']:.1f} SQL statements); random "
                        f"{result['random_ms']:.2f} ms "
                        f"(evaluate {result['random_eval_ms']:.2f} ms, "
                        f"{result['random_sql']:.1f} SQL statements)"
                    )
                (small_n, small), (large_n, large) = results
                ratio = {k: large[k] / small[k] for k in small}
                print(
                    f"ratio {large_n:,}/{small_n:,} (~1: no growth with the call-outs stored): "
                    f"filing probe {ratio['probe_ms']:.2f}, random {ratio['random_ms']:.2f}; "
                    f"evaluate probe {ratio['probe_eval_ms']:.2f}, "
                    f"random {ratio['random_eval_ms']:.2f}"
                )
            finally:
                if args.database_url:
                    db.session.rollback()
                    db.drop_all()
                    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
                    db.session.commit()
                db.session.remove()
                db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
