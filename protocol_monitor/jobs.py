"""The scheduled jobs: what each does and the period it claims. Jobs only call services.

Exactly once: every run of a job first claims (job, period) through services.job_claims; a
second scheduler, a restart or a manual run that finds the claim taken skips. The scheduler
process (scheduler.py) fires them on time; `protocol-monitor run-job NAME` runs one now.

Jobs: the monthly compile and digest; daily, the ``unreported`` flags, the overdue-action
reminders with the notices of actions falling due, and the retention purge (each claimed per
London day); and every minute (``SCHEDULER_DELIVERY_SECONDS``) the outbox relay. The relay
takes no job claim: it claims each delivery itself with an atomic update before sending
(services.relay), so overlapping runs, a second scheduler or a manual ``deliver-alerts`` never
send a message twice, and a per-minute claim would only make a crashed run block delivery until
its lease ran out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from .observability import job_log
from .rules.calendar import first_working_day
from .rules.time import Month, london_to_utc, to_london
from .services import flags, relay, retention, reviews, summaries
from .services.job_claims import MONTHLY_JOB, done_periods, run_claimed

log = logging.getLogger("protocol_monitor.scheduler")

MONTHLY_AT = time(7, 0)
CATCH_UP_EVERY = timedelta(minutes=15)
CATCH_UP_MONTHS = 12


def run_monthly_for(month: Month, now: datetime | None = None) -> bool:
    """Compile ``month`` and queue its digest, exactly once (a manual run of the monthly job)."""
    now = now or datetime.now(UTC)
    return run_claimed(
        MONTHLY_JOB, str(month), lambda: summaries.compile_month(month, queue_digest=True), now
    )


def compile_previous_month(now: datetime) -> bool:
    """Compile the month before ``now`` (London) and queue its digest, exactly once."""
    return run_monthly_for(Month.of(now).previous(), now)


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


def _daily(job: str, work: Callable[[], object], now: datetime) -> bool:
    """Run a daily job's work once for the London day of ``now``."""
    return run_claimed(job, to_london(now).date().isoformat(), work, now)


def unreported_job(now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return _daily("unreported_flags", lambda: flags.raise_unreported(now), now)


def overdue_reminders_job(now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return _daily("overdue_reminders", lambda: _reminders_and_due_notices(now), now)


def _reminders_and_due_notices(now: datetime) -> tuple[int, int]:
    """The group's reminders of overdue actions, and each owner's notice of an action falling
    due (once per action: services.home_notices)."""
    return reviews.queue_overdue_reminders(now), reviews.queue_due_notices(now)


def retention_job(now: datetime | None = None) -> bool:
    """Daily: anonymise call-out detail past the retention period (services.retention)."""
    now = now or datetime.now(UTC)
    return _daily("retention_purge", lambda: retention.purge_expired(now), now)


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
