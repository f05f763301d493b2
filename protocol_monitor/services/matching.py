"""A call-out as the merge of its reports, and matching a call-out known from one side with the
call-out holding the other side (§5).

Called from services.callouts.after_change (and the imports) inside the caller's transaction;
never commits. Callouts imports matching, never the other way round.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased

from .. import audit
from ..db import db
from ..models import Action, Callout, Report
from ..rules.callouts import merge
from ..rules.matching import MATCH_WINDOW, Candidate, Side, best_match, same_callout
from ..rules.time import as_utc
from ..vocab import Source
from . import flags

#: Another report on the candidate's call-out (built once: aliasing is costly per call).
_SAME_SIDE = aliased(Report)


def apply_effective(callout: Callout) -> None:
    """Recompute the counted fields of a call-out from its reports (rules.callouts.merge)."""
    effective = merge(callout.home_report, callout.police_record)
    primary = callout.home_report or callout.police_record
    assert primary is not None
    callout.home_id = primary.home_id
    for name, value in vars(effective).items():
        setattr(callout, name, value)


def new_callout_for(report: Report) -> Callout:
    callout = Callout(home_id=report.home_id, reports=[report])
    apply_effective(callout)
    db.session.add(callout)
    return callout


def _side(report: Report) -> Side:
    return Side(
        home_id=report.home_id,
        occurred_at=report.occurred_at,
        child_reference=report.child_reference,
        police_reference=report.police_reference,
    )


def candidates_for(report: Report) -> list[Candidate]:
    """Call-outs at the same home holding only the other side's report, found through the
    indexes on reports (home + occurred_at, and home + police reference): never a scan."""
    other = Source.POLICE.value if report.source == Source.HOME else Source.HOME.value
    moment = as_utc(report.occurred_at)
    one_sided = and_(
        Report.home_id == report.home_id,
        Report.source == other,
        Report.callout_id != report.callout_id,
        ~exists().where(
            _SAME_SIDE.callout_id == Report.callout_id, _SAME_SIDE.source == report.source
        ),
    )
    slack = MATCH_WINDOW + timedelta(seconds=1)
    near = select(Report).where(
        one_sided, Report.occurred_at >= moment - slack, Report.occurred_at <= moment + slack
    )
    rows = {r.id: r for r in db.session.scalars(near)}
    if report.police_reference:
        same_reference = select(Report).where(
            one_sided, Report.police_reference == report.police_reference
        )
        rows.update((r.id, r) for r in db.session.scalars(same_reference))
    return [Candidate(callout_id=r.callout_id, report=_side(r)) for r in rows.values()]


def match(callout: Callout) -> Callout:
    """Merge a one-sided call-out into the call-out holding the other side of the same incident,
    if there is one. Returns the call-out that survives (redirect callers to it)."""
    if len(callout.reports) != 1:
        return callout
    report = callout.reports[0]
    db.session.flush()
    chosen = best_match(_side(report), candidates_for(report))
    if chosen is None:
        return callout
    target = db.session.get(Callout, chosen.callout_id)
    assert target is not None
    old_id = callout.id
    _repoint(old_id, target)
    report.callout = target
    db.session.flush()
    db.session.expire(target, ["reports", "review"])
    db.session.expire(callout, ["reports", "review"])
    apply_effective(target)
    db.session.delete(callout)
    db.session.flush()
    audit.record(
        "callout_matched",
        "callout",
        target.id,
        changes={"merged_callout_id": old_id, "report_id": report.id, "source": report.source},
    )
    return target


def _repoint(old_id: int, target: Callout) -> None:
    """Move what is attached to the emptied call-out (flags, review) onto the survivor."""
    flags.transfer(old_id, target.id)
    old = db.session.get(Callout, old_id)
    if old is not None and old.review is not None:
        review = old.review
        if target.review is None:
            review.callout_id = target.id
        else:
            # Both were reviewed: keep the survivor's review and carry the actions across.
            db.session.execute(
                update(Action)
                .where(Action.review_id == review.id)
                .values(review_id=target.review.id)
            )
            db.session.delete(review)
        db.session.flush()


def unmatch(callout: Callout) -> Callout | None:
    """Split a matched call-out whose two reports, after a correction, no longer meet §5.

    The home report keeps the call-out (its id, review and flags); the police record moves to a
    call-out of its own. Returns that new call-out, or None when the reports still match. The
    caller runs matching again on both, since either may now match another report.
    """
    home, police = callout.home_report, callout.police_record
    if home is None or police is None or same_callout(_side(home), _side(police)):
        return None
    separate = new_callout_for(police)
    db.session.flush()
    db.session.expire(callout, ["reports"])
    apply_effective(callout)
    db.session.flush()
    audit.record(
        "callout_unmatched",
        "callout",
        callout.id,
        changes={"separated_callout_id": separate.id, "report_id": police.id},
    )
    return separate
