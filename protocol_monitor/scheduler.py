"""The dedicated scheduler process (`protocol-monitor scheduler`). Jobs only call services.

Exactly once: every run of a job first claims (job, period) through services.job_claims; a
second scheduler, a restart or a manual run that finds the claim taken skips. Web workers never
start this (see wsgi.py).

Jobs: the monthly compile and digest; daily, the ``unreported`` flags, the overdue-action
reminders and the retention purge (each claimed per London day); and every minute
(``SCHEDULER_DELIVERY_SECONDS``) the outbox relay. The relay takes no job claim: it claims each
delivery itself with an atomic update before sending (services.relay), so overlapping runs,
a second scheduler or a manual ``deliver-alerts`` never send a message twice, and a per-minute
claim would only make a crashed run block delivery until its lease ran out.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from .db import db
from .observability import job_log
from .rules.calendar import first_working_day
from .rules.time import LONDON, Month, london_to_utc, to_london
from .services import flags, relay, retention, reviews, summaries
from .services.job_claims import done_periods, run_claimed

log = logging.getLogger("protocol_monitor.scheduler")

MONTHLY_JOB = "monthly_summary"
MONTHLY_AT = time(7, 0)
CATCH_UP_EVERY = timedelta(minutes=15)
CATCH_UP_MONTHS = 12


def compile_previous_month(now: datetime) -> bool:
    """Compile the month before ``now`` (London) and queue its digest, exactly once."""
    month = Month.of(now).previous()
    return run_claimed(
        MONTHLY_JOB, str(month), lambda: summaries.compile_month(month, queue_digest=True), now
    )


def monthly_due_at(now: datetime) -> datetime:
    """07:00 London on the first working day of ``now``'s month, as UTC."""
    local = to_london(now)
    day = first_working_day(local.year, local.month)
    return london_to_utc(datetime.combine(day, MONTHLY_AT))


def monthly_job(now: datetime | None = None) -> bool:
    """Fired 07:00 on weekdays 1 to 7; works only on the month's first working day."""
    now = now or datetime.now(UTC)
    local = to_london(now)
    if local.date() != first_working_day(local.year, local.month):
        return False
    return compile_previous_month(now)


def catch_up(now: datetime | None = None) -> bool:
    """Compile every month whose time has come and that no run has completed: on start, and then
    every CATCH_UP_EVERY, so a database that was away at 07:00 on the first working day is caught
    up once it is back, without a restart. Months after the last completed one, at most
    CATCH_UP_MONTHS of them; on a database with none completed, only last month."""
    now = now or datetime.now(UTC)
    due = Month.of(now).previous()
    if now < monthly_due_at(now):
        due = due.previous()
    done = done_periods(MONTHLY_JOB)
    if not done:
        missed = [due] if due == Month.of(now).previous() else []
    else:
        last = Month.parse(max(done))
        missed = [m for m in (due.shift(-n) for n in range(CATCH_UP_MONTHS)) if m > last]
    compiled = False
    for month in sorted(missed):
        if str(month) not in done:
            log.info("Catching up the monthly summary for %s", month)
            compiled = run_monthly_for(month, now) or compiled
    return compiled


def unreported_job(now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)

    def work() -> None:
        flags.raise_unreported(now)

    return run_claimed("unreported_flags", to_london(now).date().isoformat(), work, now)


def overdue_reminders_job(now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)

    def work() -> None:
        reviews.queue_overdue_reminders(now)

    return run_claimed("overdue_reminders", to_london(now).date().isoformat(), work, now)


def retention_job(now: datetime | None = None) -> bool:
    """Daily: anonymise call-out detail past the retention period (services.retention)."""
    now = now or datetime.now(UTC)

    def work() -> None:
        retention.purge_expired(now)

    return run_claimed("retention_purge", to_london(now).date().isoformat(), work, now)


def deliver_job(now: datetime | None = None) -> dict[str, int]:
    """The outbox relay, every minute. Not claimed per period: each delivery is claimed
    atomically inside ``deliver_due``, so any number of schedulers may run it at once, and a
    job claim would only let a crashed run hold deliveries up until its lease ran out."""
    with job_log("deliver_alerts") as result:
        counts = dict(relay.deliver_due(now or datetime.now(UTC)))
        result["counts"] = counts
    return counts


#: The jobs `protocol-monitor run-job NAME` can run now, through the same claims as the timers.
JOBS: dict[str, Callable[[datetime | None], object]] = {
    MONTHLY_JOB: lambda now: compile_previous_month(now or datetime.now(UTC)),
    "unreported_flags": unreported_job,
    "overdue_reminders": overdue_reminders_job,
    "deliver_alerts": deliver_job,
    "retention_purge": retention_job,
}


def run_monthly_for(month: Month, now: datetime | None = None) -> bool:
    """Compile ``month`` and queue its digest, exactly once (a manual run of the monthly job)."""
    now = now or datetime.now(UTC)
    return run_claimed(
        MONTHLY_JOB, str(month), lambda: summaries.compile_month(month, queue_digest=True), now
    )


def _in_app(app: Flask, job: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job()
            except Exception:  # logged by run_claimed; keep the scheduler alive
                log.exception("job %s raised", getattr(job, "__name__", job))
            finally:
                db.session.remove()

    run.__name__ = getattr(job, "__name__", "job")
    return run


def _quiet_thread() -> None:
    """Worker threads ignore SIGINT/SIGTERM so the main thread receives them and stops."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def build_scheduler(app: Flask) -> BlockingScheduler:
    """The scheduler with its jobs, not started."""
    scheduler = BlockingScheduler(
        timezone=LONDON,
        executors={"default": ThreadPoolExecutor(2, pool_kwargs={"initializer": _quiet_thread})},
    )
    scheduler.add_job(
        _in_app(app, monthly_job),
        CronTrigger(day="1-7", day_of_week="mon-fri", hour=7, minute=0, timezone=LONDON),
        id=MONTHLY_JOB,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        _in_app(app, unreported_job),
        CronTrigger(hour=6, minute=0, timezone=LONDON),
        id="unreported_flags",
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        _in_app(app, overdue_reminders_job),
        CronTrigger(hour=8, minute=0, timezone=LONDON),
        id="overdue_reminders",
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        _in_app(app, retention_job),
        CronTrigger(hour=2, minute=30, timezone=LONDON),
        id="retention_purge",
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        _in_app(app, deliver_job),
        IntervalTrigger(seconds=app.config["SETTINGS"].scheduler_delivery_seconds),
        id="deliver_alerts",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=60,
    )
    scheduler.add_job(
        _in_app(app, catch_up),
        IntervalTrigger(seconds=CATCH_UP_EVERY.total_seconds()),
        id="catch_up",
        next_run_time=datetime.now(LONDON),
        coalesce=True,
        max_instances=1,
    )
    return scheduler


def run(app: Flask) -> None:
    """Run the scheduler until stopped (SIGTERM or Ctrl+C)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(message)s")
    scheduler = build_scheduler(app)

    def stop(_signum, _frame) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        log.info(
            "Scheduler started (Europe/London): %s",
            ", ".join(job.id for job in scheduler.get_jobs()),
        )
        scheduler.start()
    log.info("Scheduler stopped")
