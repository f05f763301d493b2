"""The production shape, end to end, with real parts: `protocol-monitor serve` (gunicorn with
four workers and a scheduler) plus a second scheduler, on one fresh PostgreSQL database, with
the mock Slack server. The monthly job is fired by both schedulers' catch-up and by two manual
runs at once, and call-outs are filed concurrently over HTTP so that flags are raised; every
digest and every alert reaches Slack exactly once.

Runs only against PostgreSQL (TEST_DATABASE_URL): SQLite is not a production database.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from sqlalchemy import func, select

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.models import Delivery, Flag, JobClaim, OutboxMessage
from protocol_monitor.process import argv
from protocol_monitor.rules.time import Month, to_london
from tests.conftest import TEST_DATABASE_URL, _settings
from tests.integration.test_provider_callouts import _valid_form
from tests.support import alerts, factories, live
from tests.support.peers import MockSlack

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL: set TEST_DATABASE_URL"),
]

HOMES = 4
CALLOUTS_PER_HOME = 3  # same child each time: repeat_child on the third


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def fresh_database():
    """A database of its own (created, then dropped), so running processes see only this test."""
    name = f"pm_live_{secrets.token_hex(4)}"
    admin_url = _with_database(TEST_DATABASE_URL, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(TEST_DATABASE_URL, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _posted(slack: MockSlack) -> list[dict]:
    return [call.params for call in slack.calls("chat.postMessage")]


def test_four_workers_and_two_schedulers_deliver_each_digest_and_alert_once(
    fresh_database, tmp_path
):
    url = fresh_database
    app = create_app(_settings(url, tmp_path / "instance"))
    ctx = app.app_context()
    ctx.push()
    processes = []
    slack = MockSlack().start()
    try:
        from flask_migrate import upgrade

        upgrade()
        dorset = factories.authority()
        police = factories.force()
        homes = [factories.home(host=dorset, police=police) for _ in range(HOMES)]
        provider = factories.user("provider", homes=homes)
        alerts.channel("group", slack_channel_id="CGROUP")
        alerts.channel(f"authority:{dorset.id}", slack_channel_id="CDORSET")
        provider_email = provider.email
        home_ids = [home.id for home in homes]
        db.session.remove()

        port = live.free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "INSTANCE_PATH": str(tmp_path / "instance-live"),
            "BASE_URL": base_url,
            "SESSION_COOKIE_SECURE": "false",
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": slack.api_url,
            "ALERT_GROUP_MINUTES": "0",
            "SCHEDULER_DELIVERY_SECONDS": "1",
        }
        env.pop("PROTOCOL_MONITOR_ENV", None)
        serve = live.start(
            argv.cli("serve", "--workers", "4", "--bind", f"127.0.0.1:{port}"),
            env,
            tmp_path / "serve.log",
        )
        processes.append(serve)
        processes.append(
            live.start(
                argv.cli("scheduler"),
                {**env, "PROTOCOL_MONITOR_ENV": "production"},
                tmp_path / "scheduler2.log",
            )
        )
        live.wait_ready(f"{base_url}/readyz", processes)

        # The monthly job, from two manual runs at once (besides both schedulers' catch-up).
        month = Month.of(datetime.now(UTC)).previous()
        runs = [
            live.start(
                argv.cli("run-job", "monthly_summary", "--period", str(month)),
                {**env, "PROTOCOL_MONITOR_ENV": "production"},
                tmp_path / f"run-job-{i}.log",
            )
            for i in range(2)
        ]

        # A burst of call-outs through gunicorn: every one "no immediate risk" with police
        # attending, three about the same child at each home.
        yesterday = to_london(datetime.now(UTC) - timedelta(days=1))

        def file(n: int) -> int:
            home_id = home_ids[n % HOMES]
            client = live.Client(base_url)
            client.sign_in(provider_email, factories.PASSWORD)
            client.get("/callouts/new")
            form = _valid_form(
                SimpleNamespace(id=home_id),
                occurred_day=str(yesterday.day),
                occurred_month=str(yesterday.month),
                occurred_year=str(yesterday.year),
                occurred_time=f"{n // HOMES + 1:02d}:{n % 60:02d}",
                child_reference=f"LCS-{700000 + home_id}",
                immediate_risk="no",
                immediate_risk_reason="",
                police_reference=f"DP-LIVE-{n:04d}",
            )
            status, landed, body = client.post("/callouts/new", form)
            assert status == 200 and re.search(r"/callouts/\d+/filed$", landed), body[:2000]
            return status

        with ThreadPoolExecutor(max_workers=HOMES * CALLOUTS_PER_HOME) as pool:
            assert list(pool.map(file, range(HOMES * CALLOUTS_PER_HOME))) == [200] * (
                HOMES * CALLOUTS_PER_HOME
            )
        assert [run.wait(timeout=120) for run in runs] == [0, 0]

        # Wait (bounded) until the relays have delivered everything.
        for _ in range(300):
            db.session.remove()
            waiting = db.session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status != "delivered")
            )
            unrouted = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            )
            digests = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "digest")
            )
            if digests and not waiting and not unrouted:
                break
            assert all(p.poll() is None for p in processes), "a process stopped"
            time.sleep(0.2)
        time.sleep(3)  # a few more relay passes by both schedulers, which must send nothing
        db.session.remove()

        claim = db.session.scalar(
            select(JobClaim).where(JobClaim.job == "monthly_summary", JobClaim.period == str(month))
        )
        assert claim.status == "done" and claim.attempts == 1
        flags = db.session.scalars(select(Flag)).all()
        rules = Counter(flag.rule for flag in flags)
        assert rules["no_immediate_risk"] == HOMES * CALLOUTS_PER_HOME
        assert rules["repeat_child"] == HOMES
        messages = db.session.scalars(select(OutboxMessage)).all()
        kinds = Counter(message.kind for message in messages)
        # Each flag is alerted to its area and told to the home's staff (issue 14).
        assert kinds == {"digest": 1, "flag_alert": len(flags), "home_flag": len(flags)}
        deliveries = db.session.scalars(select(Delivery)).all()
        assert len(deliveries) == len(messages)
        kind_of = {message.id: message.kind for message in messages}
        statuses = Counter((kind_of[d.message_id], d.status) for d in deliveries)
        # The home's staff are told by email, and this deployment has no mail server.
        assert statuses == {
            ("digest", "delivered"): 1,
            ("flag_alert", "delivered"): len(flags),
            ("home_flag", "not_configured"): len(flags),
        }, statuses

        posts = _posted(slack)
        keys = Counter(post["metadata"]["event_payload"]["key"] for post in posts)
        assert keys and max(keys.values()) == 1, keys  # no idempotency key posted twice
        leaders = {
            d.idempotency_key
            for d in deliveries
            if d.grouped_into_id is None and d.channel == "slack"
        }
        assert set(keys) == leaders
        group_posts = [post for post in posts if post["channel"] == "CGROUP"]
        assert (
            len(group_posts) == 1
            and str(month) in group_posts[0]["metadata"]["event_payload"]["key"]
        )
        # Every flag is in exactly one post to the authority's channel.
        texts = [post["text"] for post in posts if post["channel"] == "CDORSET"]
        for flag in flags:
            link = re.compile(rf"{re.escape(base_url)}/flags/{flag.id}\b")
            assert sum(len(link.findall(text)) for text in texts) == 1, flag.id

        # Both schedulers ran the relay; the web workers never did.
        logs = (tmp_path / "serve.log").read_text() + (tmp_path / "scheduler2.log").read_text()
        assert logs.count('"job": "deliver_alerts"') >= 2
        assert "Traceback" not in logs
    finally:
        codes = [live.stop(process) for process in processes]
        slack.stop()
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
    assert codes == [0, 0]
