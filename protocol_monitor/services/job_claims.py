"""Job claims: a scheduled job runs once per period, whichever process gets there first.

Every run of a job first claims (job, period) in ``job_claims`` under a unique constraint, in its
own committed transaction, before it works; a second scheduler, a restart or a manual run that
finds the claim taken skips. A claim left ``running`` by a crashed process for longer than the
lease, or marked ``failed``, can be taken over. The jobs themselves are in jobs.py.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..models import JobClaim

log = logging.getLogger("protocol_monitor.scheduler")

LEASE = timedelta(minutes=30)
#: The monthly compile's job name (jobs.py), here so services can record its runs.
MONTHLY_JOB = "monthly_summary"


def _who() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(job: str, period: str, now: datetime, *, lease: timedelta = LEASE) -> str | None:
    """Claim (job, period); return the claim's token, or None when someone else holds it."""
    token = uuid.uuid4().hex
    try:
        db.session.add(
            JobClaim(job=job, period=period, token=token, claimed_by=_who(), claimed_at=now)
        )
        db.session.commit()
        return token
    except IntegrityError:
        db.session.rollback()
    existing = db.session.scalar(
        select(JobClaim).where(JobClaim.job == job, JobClaim.period == period)
    )
    if existing is None or existing.status == "done":
        return None
    if existing.status == "running" and existing.claimed_at > now - lease:
        return None
    # A crashed or failed run: take it over, unless another process does so first.
    result = db.session.execute(
        update(JobClaim)
        .where(JobClaim.id == existing.id, JobClaim.token == existing.token)
        .values(
            token=token,
            status="running",
            claimed_by=_who(),
            claimed_at=now,
            attempts=JobClaim.attempts + 1,
        )
    )
    db.session.commit()
    return token if result.rowcount == 1 else None


def finish(job: str, period: str, token: str, status: str, note: str | None = None) -> None:
    db.session.execute(
        update(JobClaim)
        .where(JobClaim.job == job, JobClaim.period == period, JobClaim.token == token)
        .values(status=status, finished_at=datetime.now(UTC), note=note)
    )
    db.session.commit()


def run_claimed(job: str, period: str, work: Callable[[], object], now: datetime) -> bool:
    """Run ``work`` once for (job, period). Returns False when another run has it."""
    token = claim(job, period, now)
    if token is None:
        log.info("%s %s: already claimed elsewhere; skipping", job, period)
        return False
    try:
        work()
    except Exception as error:
        db.session.rollback()
        finish(job, period, token, "failed", note=f"{type(error).__name__}: {error}"[:500])
        log.exception("%s %s failed", job, period)
        raise
    finish(job, period, token, "done")
    log.info("%s %s: done", job, period)
    return True


def record_done(job: str, period: str, now: datetime, note: str) -> None:
    """Record (job, period) as done by work that ran outside the scheduler, in the caller's unit
    of work (the demo compiles last month as the monthly job would have): the scheduler's
    catch-up then leaves that period alone instead of compiling it again."""
    db.session.add(
        JobClaim(
            job=job,
            period=period,
            token=uuid.uuid4().hex,
            claimed_by=_who(),
            claimed_at=now,
            status="done",
            finished_at=now,
            note=note,
        )
    )


def done_periods(job: str) -> set[str]:
    """The periods of ``job`` whose run has completed."""
    return set(
        db.session.scalars(
            select(JobClaim.period).where(JobClaim.job == job, JobClaim.status == "done")
        )
    )


def is_done(job: str, period: str) -> bool:
    """Whether a run of (job, period) has completed."""
    return (
        db.session.scalar(
            select(JobClaim.id).where(
                JobClaim.job == job, JobClaim.period == period, JobClaim.status == "done"
            )
        )
        is not None
    )
