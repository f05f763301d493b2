"""Retention: identifiable call-out detail is removed once its month is older than the limit.

The Callout row and every field a figure needs stay (home, month, occurred_at, category, in_scope,
attendance, arrest, outcome, placing authority, police reference), so summaries compiled before
and after a purge are the same. The child reference is replaced by a random token, one per child
and month, so "distinct children in a month" still counts the same while the token links to
nothing. Each call-out is anonymised once (``anonymised_callouts``); running again does nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..db import db, unit_of_work, utcnow
from ..i18n import N_
from ..models import (
    AnonymisedCallout,
    Authority,
    Callout,
    Flag,
    OutboxMessage,
    Report,
    Review,
    SummarySnapshot,
    flag_callouts,
)
from ..rules.time import Month
from . import saved_forms

#: A removed value, where a column cannot simply be emptied (history entries, flag notes). Stored
#: in English; a page shows it in its language with ``| translate`` (it is in the catalogue).
REMOVED = N_("(removed after the retention period)")
#: Anonymised child references start with this; a real one cannot (forms.CHILD_REFERENCE_PATTERN).
TOKEN_PREFIX = "~"
REPORT_DETAIL = (
    "child_sex",
    "child_age",
    "immediate_risk_reason",
    "injuries_damage",
    "description",
)
BATCH = 500


def cutoff_month(now: datetime, months: int) -> Month:
    """Call-outs in months before this one have passed the retention period."""
    return Month.of(now).shift(-months)


def is_token(reference: str | None) -> bool:
    return bool(reference) and reference.startswith(TOKEN_PREFIX)


class _Tokens:
    """One random token per (placing authority, child reference, month)."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[int | None, str, str], str] = {}

    def __call__(self, authority_id: int | None, reference: str | None, month: str) -> str | None:
        if not reference or is_token(reference):
            return reference
        key = (authority_id, reference, month)
        if key not in self._tokens:
            self._tokens[key] = TOKEN_PREFIX + secrets.token_hex(8)
        return self._tokens[key]


def purge_expired(now: datetime | None = None, *, months: int | None = None) -> dict[str, int]:
    """Anonymise every call-out past the retention period; returns what was done, as counts."""
    now = now or utcnow()
    if months is None:
        months = current_app.config["SETTINGS"].retention_months
    cutoff = str(cutoff_month(now, months))
    with unit_of_work():
        counts = {"callouts": 0, "reports": 0, "revisions": 0, "reviews": 0, "flags": 0}
        counts["copies"] = 0
        tokens = _Tokens()
        done = select(AnonymisedCallout.callout_id)
        while True:
            batch = db.session.scalars(
                select(Callout)
                .where(Callout.month < cutoff, Callout.id.not_in(done))
                .order_by(Callout.id)
                .limit(BATCH)
                .options(
                    selectinload(Callout.reports).selectinload(Report.revisions),
                    selectinload(Callout.review),
                )
            ).all()
            if not batch:
                break
            for callout in batch:
                _anonymise(callout, tokens, counts)
            db.session.flush()
        flag_ids = _anonymise_flags(cutoff, tokens)
        counts["flags"] = len(flag_ids)
        counts["copies"] = _anonymise_copies(cutoff, tokens, flag_ids)
        # Drafts and held forms: kept DRAFT_DAYS, never a record.
        counts["saved_forms"] = saved_forms.purge(now)
        if any(counts.values()):
            audit.record(
                "retention_purged",
                changes={"cutoff_month": cutoff, "retention_months": months, **counts},
            )
    return counts


def _anonymise(callout: Callout, tokens: _Tokens, counts: dict[str, int]) -> None:
    callout.child_reference = tokens(
        callout.placing_authority_id, callout.child_reference, callout.month
    )
    for report in callout.reports:
        report.child_reference = tokens(
            report.placing_authority_id, report.child_reference, callout.month
        )
        for name in REPORT_DETAIL:
            setattr(report, name, None)
        counts["reports"] += 1
        for revision in report.revisions:
            revision.changes = {name: [REMOVED, REMOVED] for name in revision.changes}
            revision.reason = REMOVED if revision.reason else None
            counts["revisions"] += 1
    review: Review | None = callout.review
    if review is not None and review.learning_points:
        review.learning_points = REMOVED
        counts["reviews"] += 1
    db.session.add(AnonymisedCallout(callout_id=callout.id))
    counts["callouts"] += 1


def _anonymise_flags(cutoff: str, tokens: _Tokens) -> list[int]:
    """Resolved flags about a child whose call-outs all expired lose the reference and notes.
    Returns the ids of the flags changed."""
    flags = db.session.scalars(
        select(Flag).where(
            Flag.status == "resolved",
            Flag.child_reference.is_not(None),
            ~Flag.child_reference.startswith(TOKEN_PREFIX),
        )
    ).all()
    changed = []
    for flag in flags:
        months = _flag_months(flag)
        if not months or max(months) >= cutoff:
            continue
        reference = flag.child_reference
        token = tokens(flag.placing_authority_id, reference, max(months))
        flag.child_reference = token
        flag.subject_key = flag.subject_key.replace(reference, token)
        flag.explanation = (flag.explanation or "").replace(reference, token)
        for name in ("acknowledged_note", "resolved_note"):
            if getattr(flag, name):
                setattr(flag, name, REMOVED)
        changed.append(flag.id)
    return changed


def _anonymise_copies(cutoff: str, tokens: _Tokens, flag_ids: list[int]) -> int:
    """The references copied elsewhere: the repeat children of each compiled month past the
    cutoff (under the call-outs' tokens, so the month's figures keep their shape), the restricted
    part of those months' digests, and of the alerts of the flags just anonymised."""
    codes = dict(db.session.execute(select(Authority.code, Authority.id)).all())
    changed = 0
    snapshots = db.session.scalars(
        select(SummarySnapshot).where(SummarySnapshot.month < cutoff)
    ).all()
    digests: dict[int, list[dict]] = {}
    for snapshot in snapshots:
        children = snapshot.figures.get("repeat_children") or []
        renamed = [
            {
                **child,
                "child_reference": tokens(
                    codes.get(child.get("placing_authority")),
                    child.get("child_reference"),
                    snapshot.month,
                ),
            }
            for child in children
        ]
        digests[snapshot.id] = [
            {"child_reference": c["child_reference"], "urn": c.get("urn")} for c in renamed
        ]
        if renamed != children:
            snapshot.figures = {**snapshot.figures, "repeat_children": renamed}
            changed += 1
    messages = db.session.scalars(
        select(OutboxMessage).where(
            or_(
                and_(
                    OutboxMessage.record_type == "summary_snapshot",
                    OutboxMessage.record_id.in_(list(digests)),
                ),
                and_(OutboxMessage.record_type == "flag", OutboxMessage.record_id.in_(flag_ids)),
            )
        )
    ).all()
    for message in messages:
        if message.record_type == "summary_snapshot":
            restricted = {**message.restricted, "repeat_children": digests[message.record_id]}
        else:
            flag = db.session.get(Flag, message.record_id)
            restricted = {
                **message.restricted,
                "child_reference": flag.child_reference if flag else REMOVED,
            }
        if restricted != message.restricted:
            message.restricted = restricted
            changed += 1
    return changed


def _flag_months(flag: Flag) -> list[str]:
    ids: Iterable[int] = db.session.scalars(
        select(flag_callouts.c.callout_id).where(flag_callouts.c.flag_id == flag.id)
    ).all()
    ids = [*ids, *([flag.callout_id] if flag.callout_id else [])]
    if not ids:
        return [flag.month] if flag.month else []
    return list(db.session.scalars(select(Callout.month).where(Callout.id.in_(ids))))
