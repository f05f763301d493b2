"""Compiling monthly summaries (domain.md §8) into versioned snapshots, and queueing the digest.

The figures themselves are services.summary_figures; trends and the yearly report are
services.trends and services.yearly_report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from .. import audit
from ..db import db, in_unit_of_work, unit_of_work
from ..i18n import _
from ..models import Authority, Callout, SummarySnapshot
from ..rules import summary as rules
from ..rules.digest import render_digest
from ..rules.time import Month
from . import ServiceError
from .outbox import Notice, enqueue
from .summary_figures import compute_figures


def parse_month(value: Month | str) -> Month:
    if isinstance(value, Month):
        return value
    try:
        return Month.parse(value)
    except ValueError as error:
        raise ServiceError(str(error)) from error


def latest_snapshot(month: Month | str) -> SummarySnapshot | None:
    return db.session.scalar(
        select(SummarySnapshot)
        .where(SummarySnapshot.month == str(parse_month(month)))
        .order_by(SummarySnapshot.version.desc())
        .limit(1)
    )


def get_snapshot(month: Month | str, version: int | None = None) -> SummarySnapshot | None:
    if version is None:
        return latest_snapshot(month)
    return db.session.scalar(
        select(SummarySnapshot).where(
            SummarySnapshot.month == str(parse_month(month)), SummarySnapshot.version == version
        )
    )


def compiled_months() -> list[str]:
    return list(
        db.session.scalars(
            select(SummarySnapshot.month).distinct().order_by(SummarySnapshot.month.desc())
        )
    )


def compile_month(month: Month | str, *, queue_digest: bool = False) -> SummarySnapshot:
    """Compile a month. Unchanged figures keep the latest version; changed ones make version n+1.

    With ``queue_digest`` the digest of the resulting version goes in the outbox in the same
    transaction (once per month and version, by its idempotency key).
    """
    month = parse_month(month)
    try:
        with unit_of_work():
            figures = compute_figures(month)
            print_ = rules.fingerprint(figures)
            # Its figures (a large JSON document) are read only if they are needed for the diff.
            latest = db.session.scalar(
                select(SummarySnapshot)
                .where(SummarySnapshot.month == str(month))
                .order_by(SummarySnapshot.version.desc())
                .limit(1)
                .options(defer(SummarySnapshot.figures), defer(SummarySnapshot.changes))
            )
            if latest is not None and latest.fingerprint == print_:
                snapshot = latest
            else:
                snapshot = SummarySnapshot(
                    month=str(month),
                    version=(latest.version + 1) if latest else 1,
                    fingerprint=print_,
                    figures=figures,
                    changes=rules.diff_figures(latest.figures, figures) if latest else [],
                )
                db.session.add(snapshot)
                db.session.flush()
                audit.record(
                    "summary_compiled",
                    "summary_snapshot",
                    snapshot.id,
                    changes={"month": str(month), "version": snapshot.version},
                )
            if queue_digest:
                _enqueue_digest(snapshot)
    except IntegrityError:
        if in_unit_of_work():  # the caller's transaction is spoilt: let the caller decide
            raise
        # Another process compiled the same version at the same moment: theirs stands.
        snapshot = latest_snapshot(month)
        if snapshot is None:  # pragma: no cover - the conflict implies a row exists
            raise
        if queue_digest:
            with unit_of_work():
                _enqueue_digest(snapshot)
    return snapshot


def is_complete(month: Month, now: datetime) -> bool:
    """Whether the month has ended (London time), so it can be compiled."""
    return month < Month.of(now)


def first_data_month() -> Month | None:
    """The month of the earliest call-out recorded (None before any)."""
    first = db.session.scalar(select(func.min(Callout.month)))
    return Month.parse(first) if first else None


def not_compilable(month: Month, now: datetime) -> str | None:
    """Why a month cannot be compiled on demand (None when it can): only months from the first
    with call-outs to the last complete one, so a request for 1900-01 stores nothing."""
    if not is_complete(month, now):
        return _(
            "The summary for %(month)s has not been compiled yet: months are compiled "
            "after they end",
            month=month.label,
        )
    first = first_data_month()
    if first is None:
        return _(
            "There is no summary for %(month)s: no call-outs have been recorded yet",
            month=month.label,
        )
    if month < first:
        return _(
            "There is no summary for %(month)s: call-outs are recorded from %(first)s",
            month=month.label,
            first=first.label,
        )
    return None


def compiled_or_compile(month: Month | str, now: datetime) -> SummarySnapshot | None:
    """The month's latest compiled version; a finished month never compiled is compiled now
    (without a digest: the scheduler's monthly run queues that). None while the month runs, or
    for a month before the first call-out (``not_compilable`` says why)."""
    month = parse_month(month)
    snapshot = latest_snapshot(month)
    if snapshot is None and not_compilable(month, now) is None:
        snapshot = compile_month(month)
    return snapshot


def authority_names() -> dict[str, str]:
    """Every authority's name by its code, as the reader reads it (its Welsh name on a Welsh
    page or message, where it has one): compiled figures keep the names of their day."""
    return {a.code: a.local_name for a in db.session.scalars(select(Authority))}


def digest_for(snapshot: SummarySnapshot) -> dict[str, Any]:
    """The digest of a compiled version in the current language (``i18n.in_language``)."""
    base_url = current_app.config["SETTINGS"].base_url
    return render_digest(snapshot.as_document(), base_url, authority_names())


def _enqueue_digest(snapshot: SummarySnapshot) -> None:
    enqueue(lambda: _digest_notice(snapshot))  # made in each language (services.outbox)


def _digest_notice(snapshot: SummarySnapshot) -> Notice:
    digest = digest_for(snapshot)
    return Notice(
        kind="digest",
        key=f"digest:{snapshot.month}:v{snapshot.version}",
        title=digest["title"],
        lines=digest["lines"],
        link_path=digest["link_path"],
        record_type="summary_snapshot",
        record_id=snapshot.id,
        restricted={
            "repeat_children": [
                {"child_reference": r["child_reference"], "urn": r["urn"]}
                for r in snapshot.figures.get("repeat_children", [])
            ]
        },
        extra={
            "html": digest["html"],
            "text": digest["text"],
            "slack_blocks": digest["slack_blocks"],
            "teams_card": digest["teams_card"],
            "month": snapshot.month,
            "version": snapshot.version,
        },
    )
