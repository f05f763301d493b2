"""`compile-summaries`, `summary --format json|csv` and the `scheduler` process."""

import csv
import io
import json
import os
import selectors
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import JobClaim, SummarySnapshot
from tests.support import summary_data


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_compile_then_print_json_and_csv(app, make):
    summary_data.build(make)
    result = _cli(app, "compile-summaries", "--month", "2026-04")
    assert result.exit_code == 0, result.output
    assert "2026-04: compiled version 1" in result.output
    again = _cli(app, "compile-summaries", "--month", "2026-04")
    assert "no figure changed; version 1 stands" in again.output

    result = _cli(app, "summary", "--month", "2026-04", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert list(document)[:8] == [
        "month",
        "version",
        "compiled_at",
        "authorities",
        "placing_authorities",
        "homes",
        "repeat_children",
        "actions",
    ]
    assert (document["month"], document["version"]) == ("2026-04", 1)
    dorset = next(a for a in document["authorities"] if a["code"] == "E06000059")
    assert (dorset["callouts"], dorset["rate_per_10_places"]) == (6, 8.6)

    result = _cli(app, "summary", "--month", "2026-04", "--format", "csv")
    assert result.exit_code == 0
    rows = [r for r in csv.reader(io.StringIO(result.stdout)) if r]
    assert rows[0][:4] == ["Month", "Version", "Authority code", "Authority"]
    dorset_row = next(r for r in rows if r[2] == "E06000059")
    assert dorset_row[4] == "6"  # Call-outs
    result = _cli(app, "summary", "--month", "2026-04", "--format", "csv", "--table", "homes")
    rows = [r for r in csv.reader(io.StringIO(result.stdout)) if r]
    assert rows[0][:3] == ["Month", "Version", "URN"]
    home_row = next(r for r in rows if r[2] == "SC000002")
    assert home_row[5] == "2"


def test_cli_refuses_bad_input(app):
    result = _cli(app, "compile-summaries", "--month", "April")
    assert result.exit_code == 1
    assert "Enter the month as YYYY-MM" in result.stderr
    result = _cli(app, "summary", "--month", "2026-04")
    assert result.exit_code == 1
    assert "No summary is compiled for 2026-04" in result.stderr


def test_scheduler_process_logs_catches_up_and_stops_on_sigterm(app, database_url, tmp_path):
    from datetime import UTC, datetime

    from protocol_monitor import jobs
    from protocol_monitor.process import argv
    from protocol_monitor.rules.time import Month

    # The month the catch-up must compile whatever the time of day: the last one due (before
    # 07:00 on a first working day, the month before last), with the month before it done.
    now = datetime.now(UTC)
    due = Month.of(now).previous()
    if now < jobs.monthly_due_at(now):
        due = due.previous()
    db.session.add(
        JobClaim(
            job="monthly_summary",
            period=str(due.previous()),
            token="seeded",
            claimed_by="test",
            claimed_at=now,
            status="done",
        )
    )
    db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PROTOCOL_MONITOR_ENV": "test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    process = subprocess.Popen(
        argv.cli("scheduler"),
        env=env,
        cwd=Path(__file__).parents[2],
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[str] = []
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    give_up = time.monotonic() + 120  # a safety net for a broken build, not a timing assertion
    while time.monotonic() < give_up and not any(f"{due}: done" in s for s in seen):
        if selector.select(timeout=1):
            line = process.stderr.readline()
            if not line:
                break
            seen.append(line)
    process.send_signal(signal.SIGTERM)
    rest = process.communicate()[1]
    output = "".join(seen) + rest
    assert "Scheduler started (Europe/London)" in output
    assert "Scheduler stopped" in output
    # Each event once, as one JSON line: not again in APScheduler's plain "Running job" lines.
    lines = [line for line in output.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is JSON
    done = [e for e in entries if e["message"] == f"monthly_summary {due}: done"]
    assert len(done) == 1, lines
    assert not any(e["logger"].startswith("apscheduler") for e in entries), lines
    assert process.returncode == 0
    # It caught up the month due on start: its snapshot and a done claim.
    db.session.expire_all()
    claim = db.session.scalar(
        select(JobClaim).where(JobClaim.job == "monthly_summary", JobClaim.period == str(due))
    )
    assert claim is not None and claim.status == "done"
    assert db.session.scalar(select(SummarySnapshot.month)) == claim.period
