"""CPU time per page with the demo data, against a bare Flask route in the same process.

    .venv/bin/python bench/pages.py              # 5 rounds of 20 requests each (quick)
    .venv/bin/python bench/pages.py --full       # 7 rounds of 100
    .venv/bin/python bench/pages.py --profile "GET /callouts/new"   # cProfile one page

Builds a temporary SQLite database by running the migrations, loads the demo through
services.demo, signs in as the demo provider and as the demo group member, and runs each request
through the Flask test client (no network). For each page it measures the CPU time of this thread
(``time.thread_time``) over a round of requests and keeps the lowest round: CPU time, because
the machines are shared and wall-clock time swings with the neighbours' load; the lowest round,
because interference only ever adds. The baseline is a bare Flask app with one route, through its
own test client, in the same process and the same run. Prints milliseconds per request and the
ratio to the baseline. The goal (issue 13): every page at most 30 times the bare route, the
form POST 50.

The suite runs it with ``--rounds 1 --per-round 1`` (tests/integration/test_benches.py): each page
must answer as expected; nothing is timed there.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.rules.time import LONDON
from protocol_monitor.services import audit_trail, demo

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
#: The goal for each page (issue 13), as a multiple of the bare route.
GOAL = 30
GOAL_POST = 50


@dataclass
class Case:
    name: str
    request: Callable[[], None]
    goal: int = GOAL


def bare_app() -> Flask:
    """The baseline: Flask with one route returning a short page, nothing else."""
    app = Flask("bare")

    @app.route("/")
    def hello() -> str:
        return "<!DOCTYPE html><title>Hello</title><p>Hello, world</p>"

    return app


def valid_form(home_id: str, token: str) -> dict[str, object]:
    yesterday = datetime.now(LONDON) - timedelta(days=1)
    return {
        "csrf_token": token,
        "home_id": home_id,
        "occurred_day": str(yesterday.day),
        "occurred_month": str(yesterday.month),
        "occurred_year": str(yesterday.year),
        "occurred_time": "21:30",
        "category": "criminal_damage",
        "child_reference": "LCS-104233",
        "placing_authority": "E06000059",
        "child_sex": "female",
        "child_age": "15",
        "caller_role": "home_staff",
        "child_role": "alleged_perpetrator",
        "immediate_risk": "yes",
        "immediate_risk_reason": "Throwing furniture at staff",
        "deescalation": ["verbal", "space_time"],
        "police_attended": "yes",
        "police_reference": "",
        "injuries_damage": "Broken window",
        "restorative": "planned",
        "ofsted_notified": "no",
        "description": "",
    }


def _sign_in(app: Flask, email: str, password: str):
    client = app.test_client()
    token = TOKEN.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    return client


def _expect(client, status: int, url: str, data: dict | None = None) -> Callable[[], None]:
    def run() -> None:
        result = client.post(url, data=data) if data is not None else client.get(url)
        assert result.status_code == status, (url, result.status_code)
        result.close()

    return run


def cases(app: Flask, loaded: demo.Loaded) -> list[Case]:
    """The pages measured, each a request that must answer as expected."""
    accounts: dict[str, Any] = {}
    for account in loaded.accounts:  # the first of each role (a second provider reads Welsh)
        accounts.setdefault(account.role, account)
    provider = _sign_in(app, accounts["provider"].email, accounts["provider"].password)
    group = _sign_in(app, accounts["group"].email, accounts["group"].password)
    listing = provider.get("/callouts/").get_data(as_text=True)
    callout_id = re.search(r'href="/callouts/(\d+)"', listing).group(1)
    form_page = provider.get("/callouts/new").get_data(as_text=True)
    token = TOKEN.search(form_page).group(1)
    home_id = re.search(r'<option value="(\d+)"', form_page).group(1)
    bare = bare_app().test_client()
    return [
        Case("baseline: bare Flask route", _expect(bare, 200, "/")),
        Case("GET /callouts/new", _expect(provider, 200, "/callouts/new")),
        Case(
            "POST /callouts/new (valid, 302)",
            _expect(provider, 302, "/callouts/new", valid_form(home_id, token)),
            GOAL_POST,
        ),
        Case("GET /callouts/ (provider)", _expect(provider, 200, "/callouts/")),
        Case(f"GET /callouts/{callout_id}", _expect(provider, 200, f"/callouts/{callout_id}")),
        Case("GET /callouts/ (group)", _expect(group, 200, "/callouts/")),
        Case("GET /flags/ (group)", _expect(group, 200, "/flags/")),
        Case("GET /actions/ (group)", _expect(group, 200, "/actions/")),
        Case("GET /summaries/ (group)", _expect(group, 200, "/summaries/")),
        Case(
            "GET /find?q=LCS-103318 (provider)",
            _expect(provider, 200, "/find?q=LCS-103318"),
        ),
        Case(
            f"GET /find?q={callout_id} (group, 302)",
            _expect(group, 302, f"/find?q={callout_id}"),
        ),
    ]


def cpu_per_request(request: Callable[[], None], rounds: int, per_round: int) -> float:
    """Lowest CPU seconds per request over ``rounds`` rounds of ``per_round`` requests."""
    request()  # warm: templates compiled, caches filled
    best = float("inf")
    for _ in range(rounds):
        start = time.thread_time()
        for _ in range(per_round):
            request()
        best = min(best, (time.thread_time() - start) / per_round)
    return best


def _app(folder: str) -> tuple[Flask, demo.Loaded]:
    app = create_app(
        {
            "env": "test",
            "database_url": f"sqlite:///{folder}/bench.db",
            "instance_path": Path(folder) / "instance",
            "secret_key": "bench-secret",
            "base_url": "http://localhost",
            # As served: read audits written by the writer thread, after the response.
            "extra": {"read_audit_writer": "thread"},
        }
    )
    with app.app_context():
        upgrade()
        loaded = demo.load_if_empty()
        assert loaded is not None
        db.session.remove()
    return app, loaded


def run(rounds: int, per_round: int) -> list[tuple[Case, float]]:
    """Each page's lowest CPU seconds per request; the baseline first."""
    with tempfile.TemporaryDirectory(prefix="pm-bench-") as folder:
        app, loaded = _app(folder)
        # No app context held from here on: each request gets its own, as in production.
        measured = [
            (case, cpu_per_request(case.request, rounds, per_round)) for case in cases(app, loaded)
        ]
        audit_trail.flush(app)
        return measured


def statements(name: str) -> None:
    """Print the SQL one request of the page runs (after a first, warming request)."""
    from sqlalchemy import event

    with tempfile.TemporaryDirectory(prefix="pm-bench-") as folder:
        app, loaded = _app(folder)
        case = next(c for c in cases(app, loaded) if c.name.startswith(name))
        case.request()
        with app.app_context():
            engine = db.engine
        seen: list[str] = []

        def log(_conn, _cursor, statement, *_args) -> None:
            seen.append(" ".join(statement.split())[:300])

        event.listen(engine, "before_cursor_execute", log)
        case.request()
        event.remove(engine, "before_cursor_execute", log)
    print(f"{len(seen)} statements")
    for line in seen:
        print(" ", line)


def profile(name: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="pm-bench-") as folder:
        app, loaded = _app(folder)
        case = next(c for c in cases(app, loaded) if c.name.startswith(name))
        case.request()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            case.request()
        profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="7 rounds of 100 instead of 5 of 20")
    parser.add_argument("--rounds", type=int, help="rounds of each page")
    parser.add_argument("--per-round", type=int, help="requests of each page in a round")
    parser.add_argument("--profile", metavar="PAGE", help="cProfile the page whose name starts so")
    parser.add_argument(
        "--sql", metavar="PAGE", help="print the SQL of the page whose name starts so"
    )
    args = parser.parse_args()
    if args.sql:
        statements(args.sql)
        return
    if args.profile:
        profile(args.profile, 50)
        return
    rounds, per_round = (7, 100) if args.full else (5, 20)
    rounds, per_round = args.rounds or rounds, args.per_round or per_round
    results = run(rounds, per_round)
    baseline = results[0][1]
    print(
        f"protocol-monitor pages: demo data, SQLite, Flask test client, CPU time of this thread "
        f"per request, lowest of {rounds} rounds of {per_round}; Python {sys.version.split()[0]}"
    )
    print(f"{'request':<36} {'CPU ms':>8} {'× bare':>8} {'goal':>6}")
    for case, seconds in results:
        ratio = seconds / baseline
        goal = (
            "" if case is results[0][0] else f"≤{case.goal}" + (" ✓" if ratio <= case.goal else "")
        )
        print(f"{case.name:<36} {seconds * 1000:>8.3f} {ratio:>8.1f} {goal:>6}")


if __name__ == "__main__":
    main()
