"""The dedicated scheduler process (`protocol-monitor scheduler`): fires the jobs of
protocol_monitor/jobs.py on time, in Europe/London. Web workers never start this (see wsgi.py).
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime, time

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from ..db import db
from ..jobs import (
    CATCH_UP_EVERY,
    MONTHLY_AT,
    MONTHLY_JOB,
    catch_up,
    deliver_job,
    monthly_job,
    overdue_reminders_job,
    retention_job,
    unreported_job,
)
from ..observability import configure_logging, log_library_as_json
from ..rules.time import LONDON

log = logging.getLogger("protocol_monitor.scheduler")

#: The daily jobs, each at its London time.
DAILY = (
    ("unreported_flags", unreported_job, time(6, 0)),
    ("overdue_reminders", overdue_reminders_job, time(8, 0)),
    ("retention_purge", retention_job, time(2, 30)),
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

    run.__name__ = run.__qualname__ = getattr(job, "__name__", "job")
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
        CronTrigger(
            day="1-7",
            day_of_week="mon-fri",
            hour=MONTHLY_AT.hour,
            minute=MONTHLY_AT.minute,
            timezone=LONDON,
        ),
        id=MONTHLY_JOB,
        name=MONTHLY_JOB,
        coalesce=True,
        misfire_grace_time=3600,
    )
    for job_id, job, at in DAILY:
        scheduler.add_job(
            _in_app(app, job),
            CronTrigger(hour=at.hour, minute=at.minute, timezone=LONDON),
            id=job_id,
            name=job_id,
            coalesce=True,
            misfire_grace_time=3600,
        )
    scheduler.add_job(
        _in_app(app, deliver_job),
        IntervalTrigger(seconds=app.config["SETTINGS"].scheduler_delivery_seconds),
        id="deliver_alerts",
        name="deliver_alerts",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=60,
    )
    scheduler.add_job(
        _in_app(app, catch_up),
        IntervalTrigger(seconds=CATCH_UP_EVERY.total_seconds()),
        id="catch_up",
        name="catch_up",
        next_run_time=datetime.now(LONDON),
        coalesce=True,
        max_instances=1,
    )
    return scheduler


def run(app: Flask) -> None:
    """Run the scheduler until stopped (SIGTERM or Ctrl+C)."""
    # One JSON line per event: the service's own (each job logs when it is done) and, from
    # warnings up (a missed run, a job still running), APScheduler's; its routine "Running job"
    # and "executed successfully" lines only repeated ours, in another format.
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    log_library_as_json("apscheduler")
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
