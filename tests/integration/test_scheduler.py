"""The scheduler's monthly job, its claims (exactly once) and the catch-up on start."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from protocol_monitor import jobs
from protocol_monitor.db import db
from protocol_monitor.models import JobClaim, OutboxMessage, SummarySnapshot
from protocol_monitor.process import scheduler
from protocol_monitor.rules.time import london_to_utc
from protocol_monitor.services import job_claims
from tests.support import summary_data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_monthly_job_compiles_last_month_on_the_first_working_day_only(app, make):
    summary_data.build(make)
    # 1 May 2026 is a Friday and a working day (the bank holiday is Monday 4 May).
    assert jobs.monthly_job(london_to_utc(datetime(2026, 5, 1, 7, 0))) is True
    snapshot = db.session.scalar(select(SummarySnapshot))
    assert (snapshot.month, snapshot.version) == ("2026-04", 1)
    message = db.session.scalar(select(OutboxMessage))
    assert (message.kind, message.idempotency_key) == ("digest", "digest:2026-04:v1")
    claim = db.session.scalar(select(JobClaim))
    assert (claim.job, claim.period, claim.status) == ("monthly_summary", "2026-04", "done")
    # The same job fired again (a restart, a second scheduler) does nothing.
    assert jobs.monthly_job(london_to_utc(datetime(2026, 5, 1, 7, 0))) is False
    assert (_count(SummarySnapshot), _count(OutboxMessage)) == (1, 1)


def test_monthly_job_waits_for_the_first_working_day(app, make):
    # 1 January 2027 is a bank holiday (Friday): the first working day is Monday 4 January.
    assert jobs.monthly_job(london_to_utc(datetime(2027, 1, 1, 7, 0))) is False
    assert _count(JobClaim) == 0
    assert jobs.monthly_job(london_to_utc(datetime(2027, 1, 4, 7, 0))) is True
    assert db.session.scalar(select(SummarySnapshot.month)) == "2026-12"


def test_two_runs_at_once_compile_and_queue_once(app, make):
    summary_data.build(make)
    now = london_to_utc(datetime(2026, 5, 1, 7, 0))
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                results.append(jobs.compile_previous_month(now))
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False, True]
    assert (_count(SummarySnapshot), _count(OutboxMessage), _count(JobClaim)) == (1, 1, 1)
    assert db.session.scalar(select(JobClaim.status)) == "done"


def test_a_crashed_claim_is_taken_over_after_the_lease(app, make):
    now = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
    token = job_claims.claim("monthly_summary", "2026-04", now)
    assert token is not None
    # Another process within the lease: the claim stands.
    assert job_claims.claim("monthly_summary", "2026-04", now + timedelta(minutes=10)) is None
    # The first process died; after the lease its claim is taken over, once.
    later = now + job_claims.LEASE + timedelta(minutes=1)
    taken = job_claims.claim("monthly_summary", "2026-04", later)
    assert taken is not None and taken != token
    assert job_claims.claim("monthly_summary", "2026-04", later) is None
    claim = db.session.scalar(select(JobClaim))
    db.session.refresh(claim)
    assert (claim.attempts, claim.status) == (2, "running")
    # The crashed process finishing late cannot overwrite the new owner's claim.
    job_claims.finish("monthly_summary", "2026-04", token, "done")
    db.session.refresh(claim)
    assert claim.status == "running"


def test_a_failed_run_is_retried_and_a_done_one_is_not(app, make):
    now = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)

    def broken() -> None:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        job_claims.run_claimed("job", "p", broken, now)
    assert db.session.scalar(select(JobClaim.status)) == "failed"
    done: list[int] = []
    assert job_claims.run_claimed("job", "p", lambda: done.append(1), now) is True
    assert job_claims.run_claimed("job", "p", lambda: done.append(1), now) is False
    assert done == [1]


def test_catch_up_on_start_compiles_a_missed_month_once(app, make):
    summary_data.build(make)
    # Started at 06:59 on the first working day: not yet due.
    assert jobs.catch_up(london_to_utc(datetime(2026, 5, 1, 6, 59))) is False
    # The service was down on 1 May; started again on 6 May: April is caught up.
    assert jobs.catch_up(london_to_utc(datetime(2026, 5, 6, 10, 0))) is True
    assert db.session.scalar(select(SummarySnapshot.month)) == "2026-04"
    assert jobs.catch_up(london_to_utc(datetime(2026, 5, 6, 10, 5))) is False
    assert _count(OutboxMessage) == 1


def test_build_scheduler_has_the_jobs_in_london_time(app):
    built = scheduler.build_scheduler(app)
    assert str(built.timezone) == "Europe/London"
    assert {job.id for job in built.get_jobs()} == {
        "monthly_summary",
        "unreported_flags",
        "overdue_reminders",
        "retention_purge",
        "deliver_alerts",
        "catch_up",
    }
    assert built.get_job("deliver_alerts").trigger.interval.total_seconds() == 60
    monthly = built.get_job("monthly_summary").trigger
    assert "day='1-7'" in str(monthly) and "hour='7'" in str(monthly)


def test_months_missed_while_the_database_was_away_are_caught_up_without_a_restart(
    app, make, tmp_path
):
    from protocol_monitor import create_app
    from tests.conftest import _settings
    from tests.support import live

    summary_data.build(make)
    assert jobs.monthly_job(london_to_utc(datetime(2026, 4, 1, 7, 0))) is True  # March
    # From 1 May to 1 July at 07:00 the database is away: each monthly run fails, the job
    # wrapper logs it and the scheduler process lives on.
    away = create_app(
        _settings(f"postgresql://nobody@127.0.0.1:{live.free_port()}/gone", tmp_path / "away")
    )
    for day in (datetime(2026, 5, 1, 7, 0), datetime(2026, 6, 1, 7, 0)):
        scheduler._in_app(away, lambda day=day: jobs.monthly_job(london_to_utc(day)))()
    assert _count(SummarySnapshot) == 1
    # The database is back on 2 June: the catch-up, which repeats, compiles April and May.
    built = scheduler.build_scheduler(app)
    assert built.get_job("catch_up").trigger.interval == jobs.CATCH_UP_EVERY
    assert jobs.catch_up(london_to_utc(datetime(2026, 6, 2, 9, 0))) is True
    months = db.session.scalars(select(SummarySnapshot.month).order_by(SummarySnapshot.month))
    assert list(months) == ["2026-03", "2026-04", "2026-05"]
    assert jobs.catch_up(london_to_utc(datetime(2026, 6, 2, 9, 15))) is False
