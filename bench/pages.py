"""Page load and form submit times with the demo data, for a provider, against a baseline.

    .venv/bin/python bench/pages.py            # 50 repetitions of each request (quick)
    .venv/bin/python bench/pages.py --full     # 300 repetitions

Builds a temporary SQLite database by running the migrations, loads the demo through
services.demo, signs in as the demo provider and times each request through the Flask test
client (no network). Prints the median and 95th percentile in milliseconds, and the ratio of each
median to the baseline (a static asset) measured in the same run.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.rules.time import LONDON
from protocol_monitor.services import demo

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def time_request(make_request, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        make_request()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        make_request()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="300 repetitions instead of 50")
    parser.add_argument("--repeat", type=int, help="repetitions of each request")
    args = parser.parse_args()
    repeat = args.repeat or (300 if args.full else 50)

    with tempfile.TemporaryDirectory(prefix="pm-bench-") as tmp:
        app = create_app(
            {
                "env": "test",
                "database_url": f"sqlite:///{tmp}/bench.db",
                "instance_path": Path(tmp) / "instance",
                "secret_key": "bench-secret",
                "base_url": "http://localhost",
            }
        )
        with app.app_context():
            upgrade()
            loaded = demo.load_if_empty()
            assert loaded is not None
            account = next(a for a in loaded.accounts if a.role == "provider")
            callouts = loaded.callouts
            db.session.remove()

        # No app context held from here on: each request gets its own, as in production.
        client = app.test_client()
        token = TOKEN.search(client.get("/sign-in").get_data(as_text=True)).group(1)
        response = client.post(
            "/sign-in",
            data={"email": account.email, "password": account.password, "csrf_token": token},
        )
        assert response.status_code == 302, response.status_code
        listing = client.get("/callouts/").get_data(as_text=True)
        callout_id = re.search(r'href="/callouts/(\d+)"', listing).group(1)
        form_page = client.get("/callouts/new").get_data(as_text=True)
        token = TOKEN.search(form_page).group(1)
        home_id = re.search(r'<option value="(\d+)"', form_page).group(1)

        def expect(status: int, url: str, **kwargs):
            def run():
                result = client.post(url, **kwargs) if "data" in kwargs else client.get(url)
                assert result.status_code == status, (url, result.status_code)
                result.close()

            return run

        cases = [
            ("baseline: GET /static/app.css", expect(200, "/static/app.css")),
            ("GET /sign-in", expect(200, "/sign-in")),
            ("GET /callouts/", expect(200, "/callouts/")),
            (f"GET /callouts/{callout_id}", expect(200, f"/callouts/{callout_id}")),
            ("GET /callouts/new", expect(200, "/callouts/new")),
            (
                "POST /callouts/new (valid, 302)",
                expect(302, "/callouts/new", data=valid_form(home_id, token)),
            ),
        ]
        results = [(name, time_request(run, repeat)) for name, run in cases]

    baseline = statistics.median(results[0][1])
    print(
        f"protocol-monitor pages: demo data ({callouts} call-outs, provider of 3 homes), "
        f"SQLite, Flask test client, {repeat} repetitions each"
    )
    print(f"{'request':<36} {'median ms':>10} {'p95 ms':>9} {'× baseline':>11}")
    for name, timings in results:
        median = statistics.median(timings)
        print(
            f"{name:<36} {median:>10.2f} {percentile(timings, 0.95):>9.2f} "
            f"{median / baseline:>11.1f}"
        )


if __name__ == "__main__":
    main()
