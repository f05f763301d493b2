"""Flags (domain.md §7): raised in the transaction that files, matches or changes a call-out.

``evaluate`` looks only at what one call-out can affect — the same child's call-outs at the home
within the window (ix_callouts_home_child_occurred), the home's month (ix_callouts_home_month)
and flags by subject key — so its work does not grow with the number of call-outs stored.

Never a duplicate: while a flag for a subject is unresolved, further qualifying call-outs attach
to it. Once resolved, a *new* qualifying call-out raises a new flag; re-evaluating a call-out
that already belongs to a flag of that subject (a correction, say) raises nothing.

What people do with a flag once raised (read, acknowledge, resolve, list) is
services.flag_workflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import access, audit
from ..db import db, unit_of_work, utcnow
from ..i18n import _, _l, format_day
from ..models import Callout, Flag, Home, Report, Setting, User, flag_callouts
from ..rules import flags as rules
from ..rules.time import Month, as_utc
from ..vocab import FlagRule, FlagStatus, Outcome, Source
from . import ServiceError, home_notices
from .outbox import Notice, enqueue, later

#: The Setting row holding the thresholds (rules.flags.Thresholds.as_mapping()).
SETTING_KEY = "flag_thresholds"


# Thresholds


def thresholds() -> rules.Thresholds:
    """The thresholds in force: the admin's setting, or the protocol's defaults."""
    setting = db.session.get(Setting, SETTING_KEY)
    return rules.Thresholds.from_mapping(setting.value if setting else None)


def change_thresholds(user: User, values: Mapping[str, int]) -> rules.Thresholds:
    """An admin changes the thresholds. Existing flags keep the numbers they were raised with."""
    access.require(user, access.Permission.ADMINISTER, "setting")
    old = thresholds()
    merged = {**old.as_mapping(), **values}
    for name, (low, high) in rules.LIMITS.items():
        value = merged.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ServiceError(
                _("Enter a whole number from %(min)s to %(max)s", min=low, max=high), field=name
            )
    new = rules.Thresholds.from_mapping(merged)
    with unit_of_work():
        setting = db.session.get(Setting, SETTING_KEY)
        if setting is None:
            setting = Setting(key=SETTING_KEY, value={})
            db.session.add(setting)
        setting.value = new.as_mapping()
        setting.updated_by_id = user.id
        setting.updated_at = utcnow()
        changes = {
            name: [before, new.as_mapping()[name]]
            for name, before in old.as_mapping().items()
            if before != new.as_mapping()[name]
        }
        audit.record("flag_thresholds_changed", "setting", None, user=user, changes=changes)
    return new


# Evaluation


def evaluate(callout: Callout, *, now: datetime | None = None) -> list[Flag]:
    """Apply every rule to one call-out, inside the caller's transaction; return new flags."""
    db.session.flush()
    if not callout.in_scope:
        return []
    # Filings at one home take turns here until their transactions end (a row lock on the home;
    # SQLite already writes one at a time). Without it, three call-outs filed at once by several
    # web workers could each count fewer than three and no repeat flag would be raised. NO KEY
    # UPDATE: the new call-out's foreign key already holds KEY SHARE on the home, which FOR
    # UPDATE would wait on (a deadlock between two filings); NO KEY UPDATE does not.
    db.session.execute(
        select(Home.id).where(Home.id == callout.home_id).with_for_update(key_share=True)
    )
    limits = thresholds()
    raised = []
    for check in (_repeat_child, _repeat_home, _no_immediate_risk, _criminal_outcome, _unreported):
        flag = check(callout, limits, now or utcnow())
        if flag is not None:
            raised.append(flag)
    return raised


@dataclass
class Proposal:
    """A flag a rule would raise, before we know whether one is already open."""

    rule: FlagRule
    subject_key: str
    callout_ids: Sequence[int]
    explanation: str
    lines: list[str]
    values: dict[str, Any] = field(default_factory=dict)


def _repeat_child(callout: Callout, limits: rules.Thresholds, _now: datetime) -> Flag | None:
    if not callout.child_reference:
        return None
    start, end = rules.repeat_child_search_bounds(callout.occurred_at, limits.repeat_child_days)
    same_authority = (
        Callout.placing_authority_id.is_(None)
        if callout.placing_authority_id is None
        else Callout.placing_authority_id == callout.placing_authority_id
    )
    others = db.session.execute(
        select(Callout.id, Callout.occurred_at).where(
            Callout.home_id == callout.home_id,
            Callout.child_reference == callout.child_reference,
            Callout.occurred_at >= start,
            Callout.occurred_at < end,
            Callout.in_scope.is_(True),
            same_authority,
            Callout.id != callout.id,
        )
    ).all()
    window = rules.repeat_child_window(callout.id, callout.occurred_at, others, limits)
    if window is None:
        return None
    return _settle(callout, repeat_child_proposal(callout, window, limits))


def repeat_child_proposal(callout: Any, window: rules.Window, limits: rules.Thresholds) -> Proposal:
    """The repeat_child flag for a window of one child's call-outs at a home."""
    return Proposal(
        rule=FlagRule.REPEAT_CHILD,
        subject_key=rules.repeat_child_key(
            callout.home_id, callout.placing_authority_id, callout.child_reference
        ),
        callout_ids=window.callout_ids,
        explanation=rules.explain_repeat_child(window, limits, callout.child_reference),
        # Lazy: a raised flag's alert is made in each language (services.outbox).
        lines=[
            _l(
                "%(count)s call-outs about one child between %(first)s and %(last)s",
                count=window.count,
                first=later(format_day, window.first_day),
                last=later(format_day, window.last_day),
            ),
            _l(
                "Threshold: %(count)s or more within any %(days)s consecutive days",
                count=limits.repeat_child_count,
                days=limits.repeat_child_days,
            ),
        ],
        values={
            "child_reference": callout.child_reference,
            "placing_authority_id": callout.placing_authority_id,
            "threshold": limits.repeat_child_count,
            "window_days": limits.repeat_child_days,
        },
    )


def _repeat_home(callout: Callout, limits: rules.Thresholds, _now: datetime) -> Flag | None:
    ids = list(
        db.session.scalars(
            select(Callout.id)
            .where(
                Callout.home_id == callout.home_id,
                Callout.month == callout.month,
                Callout.in_scope.is_(True),
            )
            .order_by(Callout.occurred_at, Callout.id)
        )
    )
    if not rules.repeat_home_met(len(ids), limits):
        return None
    return _settle(callout, repeat_home_proposal(callout, ids, limits))


def repeat_home_proposal(callout: Any, ids: Sequence[int], limits: rules.Thresholds) -> Proposal:
    """The repeat_home flag for a home's in-scope call-outs in the call-out's month."""
    month = Month.parse(callout.month)
    return Proposal(
        rule=FlagRule.REPEAT_HOME,
        subject_key=rules.repeat_home_key(callout.home_id, callout.month),
        callout_ids=ids,
        explanation=rules.explain_repeat_home(month, ids, limits),
        lines=[
            _l(
                "%(count)s call-outs from one home in %(month)s",
                count=len(ids),
                month=later(lambda: month.label),
            ),
            _l(
                "Threshold: %(count)s or more in a calendar month",
                count=limits.repeat_home_count,
            ),
        ],
        values={"month": callout.month, "threshold": limits.repeat_home_count},
    )


def one_callout_proposal(
    callout: Callout, rule: FlagRule, explanation: str, **values: Any
) -> Proposal:
    return Proposal(
        rule=rule,
        subject_key=rules.callout_key(rule, callout.id),
        callout_ids=[callout.id],
        explanation=explanation,
        lines=[
            _l(
                "Call-out %(id)s, %(category)s",
                id=callout.id,
                category=later(lambda: callout.category_label),
            )
        ],
        values={
            "callout_id": callout.id,
            "child_reference": callout.child_reference,
            "placing_authority_id": callout.placing_authority_id,
            "month": callout.month,
            **values,
        },
    )


def _no_immediate_risk(callout: Callout, _limits: rules.Thresholds, _now: datetime) -> Flag | None:
    if not rules.no_immediate_risk_met(
        callout.in_scope, callout.police_attended, callout.immediate_risk
    ):
        return None
    explanation = rules.explain_no_immediate_risk(callout.id)
    return _settle(callout, one_callout_proposal(callout, FlagRule.NO_IMMEDIATE_RISK, explanation))


def _criminal_outcome(callout: Callout, _limits: rules.Thresholds, _now: datetime) -> Flag | None:
    if not rules.criminal_outcome_met(callout.in_scope, callout.criminal_outcome):
        return None
    explanation = rules.explain_criminal_outcome(callout.id, Outcome(callout.outcome).label)
    return _settle(callout, one_callout_proposal(callout, FlagRule.CRIMINAL_OUTCOME, explanation))


def _unreported(callout: Callout, limits: rules.Thresholds, now: datetime) -> Flag | None:
    if not rules.unreported_due(
        callout.in_scope,
        callout.police_record is not None,
        callout.home_report is not None,
        callout.occurred_at,
        now,
        limits,
    ):
        return None
    explanation = rules.explain_unreported(callout.id, callout.occurred_at, limits)
    return _settle(
        callout,
        one_callout_proposal(
            callout, FlagRule.UNREPORTED, explanation, threshold=limits.unreported_hours
        ),
    )


def _open_flag(subject_key: str) -> Flag | None:
    return db.session.scalar(
        select(Flag).where(
            Flag.subject_key == subject_key, Flag.status != FlagStatus.RESOLVED.value
        )
    )


def _already_flagged(subject_key: str, callout_id: int) -> bool:
    found = db.session.scalar(
        select(flag_callouts.c.flag_id)
        .join(Flag, Flag.id == flag_callouts.c.flag_id)
        .where(Flag.subject_key == subject_key, flag_callouts.c.callout_id == callout_id)
        .limit(1)
    )
    return found is not None


def _attach(flag: Flag, callout_ids: Sequence[int]) -> list[int]:
    """Link call-outs to a flag (those not linked yet); returns the ids newly linked."""
    linked = set(
        db.session.scalars(
            select(flag_callouts.c.callout_id).where(
                flag_callouts.c.flag_id == flag.id, flag_callouts.c.callout_id.in_(callout_ids)
            )
        )
    )
    new = [i for i in callout_ids if i not in linked]
    if new:
        db.session.execute(
            insert(flag_callouts), [{"flag_id": flag.id, "callout_id": i} for i in new]
        )
        db.session.expire(flag, ["callouts"])
    return new


def _settle(callout: Callout, proposal: Proposal) -> Flag | None:
    """Attach to the subject's unresolved flag, or raise a new one (and its alert)."""
    existing = _open_flag(proposal.subject_key)
    if existing is None and _already_flagged(proposal.subject_key, callout.id):
        return None
    if existing is None:
        flag = Flag(
            rule=proposal.rule.value,
            status=FlagStatus.OPEN.value,
            subject_key=proposal.subject_key,
            home_id=callout.home_id,
            explanation=proposal.explanation,
            raised_at=utcnow(),
            **proposal.values,
        )
        if not _insert_flag(flag):
            existing = _open_flag(proposal.subject_key)
    if existing is not None:
        new = _attach(existing, proposal.callout_ids)
        if new:
            audit.record("flag_callouts_attached", "flag", existing.id, changes={"callouts": new})
        return None
    _attach(flag, proposal.callout_ids)
    audit.record(
        "flag_raised",
        "flag",
        flag.id,
        changes={"rule": flag.rule, "callouts": list(proposal.callout_ids)},
    )
    _enqueue_alert(flag, callout.home, proposal)
    return flag


def _insert_flag(flag: Flag) -> bool:
    """Insert, unless another transaction has just raised the same subject (PostgreSQL only:
    SQLite serialises writers, so there the partial unique index can never be raced)."""
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.add(flag)
        db.session.flush()
        return True
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        return False
    return True


def _enqueue_alert(flag: Flag, home: Home, proposal: Proposal) -> None:
    """One flag_alert per raised flag (the area's channels), and one to the home's staff."""
    enqueue(lambda: alert_notice(flag, home, proposal))  # in each language
    enqueue(home_notices.flag_raised(flag, home, proposal.rule.label, proposal.lines))


def alert_notice(flag: Any, home: Any, proposal: Proposal) -> Notice:
    """A raised flag's alert. No names or free text; the child reference restricted."""
    restricted = {"child_reference": flag.child_reference} if flag.child_reference else {}
    return Notice(
        kind="flag_alert",
        key=f"flag:{flag.id}:raised",
        title=_("%(rule)s at %(home)s", rule=proposal.rule.label, home=home.name),
        lines=[_("Home: %(name)s (%(urn)s)", name=home.name, urn=home.urn), *proposal.lines],
        link_path=f"/flags/{flag.id}",
        home_id=flag.home_id,
        record_type="flag",
        record_id=flag.id,
        restricted=restricted,
        extra={"rule": flag.rule},
    )


def raise_unreported(now: datetime) -> int:
    """The daily job: flag in-scope police records the home has not reported after the set hours.
    Idempotent: a call-out that has had an unreported flag (open or resolved) gets no other."""
    with unit_of_work():
        limits = thresholds()
        cutoff = rules.unreported_cutoff(now, limits)
        subject = literal(f"{FlagRule.UNREPORTED.value}:", String) + cast(Callout.id, String)

        def has(source: Source) -> Any:
            return exists().where(Report.callout_id == Callout.id, Report.source == source.value)

        due = db.session.scalars(
            select(Callout)
            .where(
                Callout.in_scope.is_(True),
                Callout.occurred_at <= cutoff,
                has(Source.POLICE),
                ~has(Source.HOME),
                ~exists().where(Flag.subject_key == subject),
            )
            .options(selectinload(Callout.reports), selectinload(Callout.home))
            .order_by(Callout.occurred_at)
        ).all()
        raised = 0
        for callout in due:
            if _unreported(callout, limits, as_utc(now)) is not None:
                raised += 1
    return raised


def transfer(from_callout_id: int, to_callout_id: int) -> None:
    """When matching merges one call-out into another, its flags follow (caller's transaction)."""
    db.session.flush()
    flag_ids = list(
        db.session.scalars(
            select(flag_callouts.c.flag_id).where(flag_callouts.c.callout_id == from_callout_id)
        )
    )
    for flag_id in flag_ids:
        flag = db.session.get(Flag, flag_id)
        assert flag is not None
        _attach(flag, [to_callout_id])
    db.session.execute(flag_callouts.delete().where(flag_callouts.c.callout_id == from_callout_id))
    for flag in db.session.scalars(select(Flag).where(Flag.callout_id == from_callout_id)):
        flag.callout_id = to_callout_id
