"""Load: simulated users against gunicorn on 127.0.0.1, then the same workload against a bare
Flask hello-world served the same way, in the same run.

    .venv/bin/python bench/load.py                       # quick: SQLite, 50 users, 20 s each
    .venv/bin/python bench/load.py --full                 # 60 s each (the issue's figure)
    .venv/bin/python bench/load.py --full --database-url postgresql://postgres@127.0.0.1:5432/pm_load

A PostgreSQL database given is emptied (schema dropped) first. The demo data set is loaded
(services/demo.py) and one account made per simulated user. Four in five users are providers:
they open the form, file a call-out (following the redirect to it) and list their call-outs;
one in five are group members: they list call-outs, open the month's summary and the flags.
Users sign in before the clock starts. Each user loops until the time is up (bounded), so the
run stops by itself. Prints requests per second, p50/p95/p99 latency and errors for both, and
the app's throughput as a ratio to the hello-world's. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import random
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os

from sqlalchemy import __version__ as sqlalchemy_version
from sqlalchemy import create_engine, select, text

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.identity import accounts
from protocol_monitor.models import Authority, Home
from protocol_monitor.process import argv
from protocol_monitor.rules.time import Month, to_london
from protocol_monitor.services import demo
from tests.support import live

PASSWORD = "load-test correct horse battery"
# A filed call-out lands on its "filed" page (the short path), or on the call-out itself.
FILED = re.compile(r"/callouts/\d+(/filed)?$")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    kinds: Counter = field(default_factory=Counter)
    error_times: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_page.setdefault(page, []).append(seconds)
            if problem is not None:
                self.errors += 1
                self.kinds[f"{page}: {problem}"] += 1
                self.error_times.append(f"{page} {problem} after {seconds * 1000:.0f} ms")


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _prepare(url: str, instance: Path, users: int) -> list[tuple[str, str, list[int]]]:
    """Migrate, load the demo, and make the accounts: (role, email, home ids)."""
    if url.startswith("postgresql"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {"env": "development", "database_url": url, "instance_path": instance, "secret_key": "x"}
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        demo.load_if_empty()
        homes = db.session.execute(select(Home.id, Home.urn).order_by(Home.id)).all()
        codes = list(db.session.scalars(select(Authority.code).order_by(Authority.code)))
        made = []
        for n in range(users):
            if n % 5 == 4:
                accounts.create_user(
                    f"load-group-{n}@example.org", "group", PASSWORD, authority_codes=codes
                )
                made.append(("group", f"load-group-{n}@example.org", []))
            else:
                mine = [homes[n % len(homes)], homes[(n * 7 + 3) % len(homes)]]
                accounts.create_user(
                    f"load-provider-{n}@example.org",
                    "provider",
                    PASSWORD,
                    home_urns=sorted({urn for _, urn in mine}),
                )
                made.append(("provider", f"load-provider-{n}@example.org", [i for i, _ in mine]))
        db.session.remove()
        db.engine.dispose()
    return made


def _callout_form(home_id: int, rng: random.Random) -> dict[str, object]:
    when = to_london(datetime.now(UTC) - timedelta(days=rng.randint(1, 20)))
    return {
        "home_id": str(home_id),
        "occurred_day": str(when.day),
        "occurred_month": str(when.month),
        "occurred_year": str(when.year),
        "occurred_time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "category": rng.choice(
            ["criminal_damage", "assault_staff", "threats_abuse", "theft", "disorder"]
        ),
        "child_reference": f"LCS-{rng.randint(100000, 100400)}",
        "placing_authority": "E06000059",
        "child_sex": rng.choice(["female", "male"]),
        "child_age": str(rng.randint(11, 17)),
        "caller_role": "home_staff",
        "child_role": "alleged_perpetrator",
        "immediate_risk": "yes",
        "immediate_risk_reason": "Throwing furniture at staff",
        "deescalation": ["verbal", "space_time"],
        "police_attended": "yes",
        "police_reference": f"LOAD-{secrets.token_hex(4)}",
        "injuries_damage": "",
        "restorative": "planned",
        "ofsted_notified": "no",
        "description": "",
    }


def _user_loop(
    client: live.Client,
    role: str,
    home_ids: list[int],
    deadline: float,
    tally: Tally,
    seed: int,
    month: str,
    check: bool,
) -> None:
    rng = random.Random(seed)

    def timed(call, path, *args, expect: re.Pattern | None = None) -> None:
        started = time.perf_counter()
        problem = None
        try:
            status, landed, body = call(path, *args)
            if status != 200:
                problem = f"HTTP {status}"
            elif expect is not None and not expect.search(landed):
                shown = re.findall(r'<a href="#[^"]+">([^<]+)</a>', body)
                problem = f"landed on {landed.split('/', 3)[-1]} {shown[:3]}"
        except Exception as error:
            problem = type(error).__name__
        page = ("POST " if args else "GET ") + path.split("?")[0]
        tally.add(page, time.perf_counter() - started, problem)

    max_rounds = 100_000  # bounded even if the clock misbehaves
    for _ in range(max_rounds):
        if time.monotonic() >= deadline:
            return
        if role == "provider":
            timed(client.get, "/callouts/new")
            if time.monotonic() >= deadline:
                return
            form = _callout_form(rng.choice(home_ids), rng)
            timed(client.post, "/callouts/new", form, expect=FILED if check else None)
            if time.monotonic() >= deadline:
                return
            timed(client.get, "/callouts/")
        else:
            timed(client.get, "/callouts/")
            if time.monotonic() >= deadline:
                return
            timed(client.get, f"/summaries/?month={month}")
            if time.monotonic() >= deadline:
                return
            timed(client.get, "/flags/")


def _run_phase(
    label: str,
    app_path: str,
    env: dict[str, str],
    users: list[tuple[str, str, list[int]]],
    seconds: float,
    log: Path,
    sign_in: bool,
) -> dict[str, float]:
    port = live.free_port()
    base = f"http://127.0.0.1:{port}"
    server = live.start(argv.gunicorn(app_path), {**env, "BIND": f"127.0.0.1:{port}"}, log)
    try:
        live.wait_ready(f"{base}/healthz", [server])
        clients = []
        for _role, email, _ in users:
            client = live.Client(base)
            if sign_in:
                client.sign_in(email, PASSWORD)
            clients.append(client)
        month = str(Month.of(datetime.now(UTC)).previous())
        tally = Tally()
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(
                target=_user_loop,
                args=(client, role, homes, deadline, tally, n, month, sign_in),
                daemon=True,
            )
            for n, (client, (role, _, homes)) in enumerate(zip(clients, users, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        elapsed = time.monotonic() - started
    finally:
        live.stop(server)
    requests = len(tally.latencies)
    result = {
        "requests": requests,
        "rps": requests / elapsed,
        "p50": _percentile(tally.latencies, 50) * 1000,
        "p95": _percentile(tally.latencies, 95) * 1000,
        "p99": _percentile(tally.latencies, 99) * 1000,
        "mean": (statistics.fmean(tally.latencies) * 1000) if tally.latencies else float("nan"),
        "errors": tally.errors,
    }
    print(
        f"{label:<12} {requests:>7} requests in {elapsed:5.1f} s  {result['rps']:8.1f} req/s  "
        f"p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
        f"errors {tally.errors}",
        flush=True,
    )
    for kind, count in tally.kinds.most_common():
        print(f"    error: {kind} x{count}", flush=True)
    for line in tally.error_times[:10]:
        print(f"    error: {line}", flush=True)
    if sign_in:
        for page, values in sorted(tally.by_page.items()):
            print(
                f"    {page:<22} {len(values):>6}  p50 {_percentile(values, 50) * 1000:7.1f} ms  "
                f"p95 {_percentile(values, 95) * 1000:7.1f} ms",
                flush=True,
            )
    return result


def _worker_crashes(log: str) -> int:
    """Workers gunicorn saw die of a signal (a SIGSEGV shows as "was sent SIGSEGV!")."""
    return len(re.findall(r"Worker \(pid:\d+\) was sent SIG(?!TERM)", log))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--full", action="store_true", help="60 seconds per phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--app-only",
        action="store_true",
        help="skip the hello-world phase (for repeated crash counts; prints no ratio)",
    )
    args = parser.parse_args()
    seconds = 60 if args.full else args.seconds
    if args.users < 1 or seconds <= 0:
        parser.error("--users and --seconds must be positive")

    with tempfile.TemporaryDirectory(prefix="pm-load-") as tmp:
        tmp_path = Path(tmp)
        url = args.database_url or f"sqlite:///{tmp_path / 'load.db'}"
        kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(
            f"Load: {args.users} users, {seconds:g} s per phase, gunicorn {args.workers} sync "
            f"workers, {kind}, Python {sys.version.split()[0]}, SQLAlchemy {sqlalchemy_version}; "
            "preparing (migrations, demo data, accounts)…",
            flush=True,
        )
        users = _prepare(url, tmp_path / "instance", args.users)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "PROTOCOL_MONITOR_ENV": "production",
            "SESSION_COOKIE_SECURE": "false",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "WEB_CONCURRENCY": str(args.workers),
            "GUNICORN_LOG_LEVEL": "info",
        }
        app = _run_phase("app", "wsgi:app", env, users, seconds, tmp_path / "app.log", sign_in=True)
        app_log = (tmp_path / "app.log").read_text(errors="replace")
        crashes = _worker_crashes(app_log)
        if app["errors"] or crashes:  # the server's side of the errors
            for line in app_log.splitlines():
                if '"event": "request"' not in line:
                    print("    log:", line[:600])
        print(f"worker crashes (gunicorn 'was sent SIG…'): {crashes}", flush=True)
        if args.app_only:
            sys.exit(1 if app["errors"] or crashes else 0)
        hello = _run_phase(
            "hello-world", "bench.hello:app", env, users, seconds, tmp_path / "hello.log", False
        )
    print(
        f"ratio: the app serves {app['rps'] / hello['rps']:.3f} of the hello-world's throughput "
        f"(1/{hello['rps'] / app['rps']:.1f}); p50 {app['p50'] / hello['p50']:.1f}x; "
        f"errors {app['errors']} (app), {hello['errors']} (hello-world)"
    )
    if app["errors"] or hello["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
