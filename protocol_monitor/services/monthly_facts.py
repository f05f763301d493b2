"""The monthly fact tables (models.monthly_facts): reading them, and keeping them true.

Every figure counted from call-outs — the month's compiled summary, the trend charts, the yearly
report, the board report — reads these tables, not ``callouts``, so the figures agree wherever
they are shown and cost the same at a million call-outs as at a thousand.

Reading (no unit of work needed):

- ``callout_totals(first, last, by=...)``: the counts of ``MEASURES`` summed over a span of
  months, grouped by any of ``month``, ``home_id``, ``placing_authority_id`` and
  ``host_authority_id``, optionally for the homes meeting a condition on ``Home``.
- ``child_rows(first, last)``: the in-scope call-outs of each child at each home in each month
  (what distinct and repeat children are counted from).

Keeping them true: a row is a count of the call-outs of one (month, home); whenever a call-out
or its review is added, changed or removed through the ORM, the session notes the (month, home)
(both, when a call-out moves), and just before the transaction commits those pairs are counted
again from ``callouts`` and ``reviews`` in the same transaction (on PostgreSQL after locking the
homes, as filing does, so two transactions cannot count one home's month at once). The readers
first do the same for what their own transaction has changed so far (``sync``), so a unit of
work that files and then compiles (the demo loader) reads its own call-outs. Code that
writes call-outs with Core statements (the bulk import) calls ``mark`` or ``mark_callouts``.
``rebuild`` counts everything again (the migration's backfill, the benchmark after a bulk load);
``differences`` compares the tables with a fresh count (the tests, and an operator's check).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, delete, event, func, insert, inspect, select, true
from sqlalchemy.orm import Session

from ..db import db
from ..models import Authority, Callout, Home, MonthlyCalloutFact, MonthlyChildFact, Review
from ..models.monthly_facts import MEASURES
from ..rules.time import Month
from ..vocab import ProtocolApplied

__all__ = [
    "MEASURES",
    "callout_totals",
    "callouts_per",
    "child_rows",
    "differences",
    "mark",
    "mark_callouts",
    "rebuild",
    "sync",
]

assert tuple(f"protocol_{s}" for s in ProtocolApplied.slugs()) == MEASURES[5:], (
    "ft_monthly_callouts needs a column for each protocol_applied answer"
)

#: The dimensions ``callout_totals`` can group by.
DIMENSIONS = ("month", "home_id", "placing_authority_id", "host_authority_id")

_CHUNK = 500

# Reading


def _month(value: Month | str) -> str:
    return str(value)


def callout_totals(
    first: Month | str,
    last: Month | str,
    *,
    by: Sequence[str] = ("month",),
    measures: Sequence[str] = MEASURES,
    home_condition: Any = None,
    placing_only: bool = False,
) -> list[Any]:
    """The sums of ``measures`` over the months ``first`` … ``last`` (inclusive), one row per
    group of ``by`` (named as given), for the homes meeting ``home_condition`` (a condition on
    ``Home``) if one is given; ``placing_only`` leaves out call-outs with no placing authority.
    Groups whose every measure is 0 are left out."""
    sync()
    fact = MonthlyCalloutFact
    unknown = [name for name in (*by, *measures) if name not in (*DIMENSIONS, *MEASURES)]
    if unknown:
        raise ValueError(f"not a dimension or measure of the monthly facts: {unknown}")
    keys = [
        (Home.host_authority_id if name == "host_authority_id" else getattr(fact, name)).label(name)
        for name in by
    ]
    if _month(first) == _month(last) and {"home_id", "placing_authority_id"} <= set(by):
        # One month at the table's own grain: each group is one row, nothing to add up.
        statement = select(*keys, *(getattr(fact, n).label(n) for n in measures)).where(
            fact.month == _month(first)
        )
    else:
        sums = [func.sum(getattr(fact, name)).label(name) for name in measures]
        statement = (
            select(*keys, *sums)
            .where(fact.month >= _month(first), fact.month <= _month(last))
            .group_by(*keys)
        )
    if "host_authority_id" in by or home_condition is not None:
        statement = statement.join(Home, Home.id == fact.home_id)
    if home_condition is not None:
        statement = statement.where(home_condition)
    if placing_only:
        statement = statement.where(fact.placing_authority_id.is_not(None))
    if len(measures) == 1:
        statement = statement.where(getattr(fact, measures[0]) > 0)
    return [row for row in db.session.execute(statement) if any(row[len(by) :])]


def callouts_per(dimension: str, first: Month | str, last: Month | str) -> dict[int, int]:
    """In-scope call-outs over the months ``first`` … ``last`` per home (``home_id``) or per
    placing authority (``placing_authority_id``), those with any only: one index range per home
    or authority and no sort, which is what a span of many months over many homes costs least
    as (the rolling twelve months)."""
    fact = MonthlyCalloutFact
    if dimension == "home_id":
        owner, column = Home.id, fact.home_id
    elif dimension == "placing_authority_id":
        owner, column = Authority.id, fact.placing_authority_id
    else:
        raise ValueError(f"not a dimension callouts_per can count by: {dimension}")
    sync()
    total = (
        select(func.sum(fact.callouts))
        .where(column == owner, fact.month >= _month(first), fact.month <= _month(last))
        .scalar_subquery()
    )
    return {key: n for key, n in db.session.execute(select(owner, total)) if n}


def child_rows(first: Month | str, last: Month | str, *, home_condition: Any = None) -> list[Any]:
    """(month, home_id, placing_authority_id, child_reference, callouts): the in-scope call-outs
    of each child at each home in each month of the span (children with a reference only)."""
    sync()
    fact = MonthlyChildFact
    statement = select(
        fact.month, fact.home_id, fact.placing_authority_id, fact.child_reference, fact.callouts
    ).where(fact.month >= _month(first), fact.month <= _month(last))
    if home_condition is not None:
        statement = statement.join(Home, Home.id == fact.home_id).where(home_condition)
    return list(db.session.execute(statement))


# Counting from call-outs


def _count(condition) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _callout_counts(where) -> Any:
    c, r = Callout.__table__.c, Review.__table__.c
    in_scope = c.in_scope.is_(True)
    count = _count

    columns = [
        c.month,
        c.home_id,
        c.placing_authority_id,
        count(in_scope).label("callouts"),
        count(c.in_scope.is_(False)).label("missing_excluded"),
        count(and_(in_scope, c.arrested.is_(True))).label("arrests"),
        count(and_(in_scope, c.criminal_outcome.is_(True))).label("criminal_outcomes"),
        count(and_(in_scope, r.id.is_not(None))).label("reviewed"),
        *(
            count(and_(in_scope, r.protocol_applied == slug)).label(f"protocol_{slug}")
            for slug in ProtocolApplied.slugs()
        ),
    ]
    return (
        select(*columns)
        .select_from(Callout.__table__.outerjoin(Review.__table__, r.callout_id == c.id))
        .where(where)
        .group_by(c.month, c.home_id, c.placing_authority_id)
    )


def _child_counts(where) -> Any:
    c = Callout.__table__.c
    return (
        select(
            c.month,
            c.home_id,
            c.placing_authority_id,
            c.child_reference,
            func.count().label("callouts"),
        )
        .where(
            where,
            c.in_scope.is_(True),
            c.child_reference.is_not(None),
            c.child_reference != "",
        )
        .group_by(c.month, c.home_id, c.placing_authority_id, c.child_reference)
    )


_CALLOUT_COLUMNS = ("month", "home_id", "placing_authority_id", *MEASURES)
_CHILD_COLUMNS = ("month", "home_id", "placing_authority_id", "child_reference", "callouts")


def _recount(session: Session, where_callouts, where_facts) -> None:
    for table, count, columns in (
        (MonthlyCalloutFact.__table__, _callout_counts, _CALLOUT_COLUMNS),
        (MonthlyChildFact.__table__, _child_counts, _CHILD_COLUMNS),
    ):
        session.execute(delete(table).where(where_facts(table.c)))
        session.execute(insert(table).from_select(list(columns), count(where_callouts)))


def refresh(session: Session, pairs: Iterable[tuple[str, int]]) -> None:
    """Count the call-outs of these (month, home_id) pairs again, in the session's transaction."""
    by_month: dict[str, set[int]] = defaultdict(set)
    for month, home_id in pairs:
        if month is not None and home_id is not None:
            by_month[month].add(home_id)
    if not by_month:
        return
    if session.get_bind().dialect.name == "postgresql":
        # As filing does: one transaction at a time counts a home's months.
        homes = sorted(set().union(*by_month.values()))
        for chunk in _chunks(homes):
            session.execute(
                select(Home.id)
                .where(Home.id.in_(chunk))
                .order_by(Home.id)
                .with_for_update(key_share=True)
            ).all()
    c = Callout.__table__.c
    for month, homes in sorted(by_month.items()):
        for chunk in _chunks(sorted(homes)):
            _recount(
                session,
                and_(c.month == month, c.home_id.in_(chunk)),
                lambda t, month=month, chunk=chunk: and_(t.month == month, t.home_id.in_(chunk)),
            )


def rebuild(months: Iterable[Month | str] | None = None) -> None:
    """Count every month (or these months) again from call-outs, in the caller's transaction
    (a service's unit of work, or a script's session it then commits)."""
    c = Callout.__table__.c
    if months is None:
        _recount(db.session, true(), lambda t: true())
        return
    for month in sorted({_month(m) for m in months}):
        _recount(db.session, c.month == month, lambda t, month=month: t.month == month)


def differences(limit: int = 20) -> list[str]:
    """How the fact tables differ from a fresh count of call-outs (empty when they agree)."""
    found: list[str] = []
    for table, count, columns in (
        (MonthlyCalloutFact.__table__, _callout_counts, _CALLOUT_COLUMNS),
        (MonthlyChildFact.__table__, _child_counts, _CHILD_COLUMNS),
    ):
        stored = Counter(
            tuple(row) for row in db.session.execute(select(*(table.c[n] for n in columns)))
        )
        fresh = Counter(tuple(row) for row in db.session.execute(count(true())))
        missing, extra = list(fresh - stored), list(stored - fresh)
        found += [f"{table.name}: missing {row}" for row in missing[:limit]]
        found += [f"{table.name}: not counted {row}" for row in extra[:limit]]
    return found


# Noting what changed


@dataclass
class _Pending:
    pairs: set[tuple[str, int]] = field(default_factory=set)
    callout_ids: set[int] = field(default_factory=set)
    callouts: list[Callout] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


_KEY = "monthly_facts_pending"
#: What a call-out's row in the facts depends on.
_CALLOUT_FIELDS = (
    "month",
    "home_id",
    "placing_authority_id",
    "in_scope",
    "arrested",
    "criminal_outcome",
    "child_reference",
)
_REVIEW_FIELDS = ("callout_id", "protocol_applied")


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_KEY)
    if pending is None:
        pending = session.info[_KEY] = _Pending()
    return pending


def mark(pairs: Iterable[tuple[str, int]]) -> None:
    """Count these (month, home_id) pairs again before the transaction commits (for call-outs
    written with Core statements, which the session does not see)."""
    _pending(db.session()).pairs.update(pairs)


def mark_callouts(ids: Iterable[int]) -> None:
    """Count the months and homes of these call-outs again before the transaction commits: both
    where they are now (before a Core UPDATE) and where they are at the commit."""
    ids = list(ids)
    pending = _pending(db.session())
    pending.callout_ids.update(ids)
    pending.pairs.update(_pairs_of(db.session(), ids))


def _pairs_of(session: Session, ids: Sequence[int]) -> set[tuple[str, int]]:
    c = Callout.__table__.c
    pairs: set[tuple[str, int]] = set()
    for chunk in _chunks(sorted(ids)):
        pairs.update(
            (row.month, row.home_id)
            for row in session.execute(select(c.month, c.home_id).where(c.id.in_(chunk)))
        )
    return pairs


def _changed(obj: Any, names: Sequence[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    pending = None
    for obj in session.new:
        if isinstance(obj, Callout):
            pending = pending or _pending(session)
            pending.callouts.append(obj)
        elif isinstance(obj, Review):
            pending = pending or _pending(session)
            pending.reviews.append(obj)
    for obj in session.dirty:
        if isinstance(obj, Callout) and _changed(obj, _CALLOUT_FIELDS):
            pending = pending or _pending(session)
            attrs = inspect(obj).attrs
            month, home = attrs.month.history, attrs.home_id.history
            before = (
                month.deleted[0] if month.deleted else obj.month,
                home.deleted[0] if home.deleted else obj.home_id,
            )
            pending.pairs.add(before)
            pending.callouts.append(obj)
        elif isinstance(obj, Review) and _changed(obj, _REVIEW_FIELDS):
            pending = pending or _pending(session)
            old = inspect(obj).attrs.callout_id.history.deleted
            pending.callout_ids.update(i for i in old if i is not None)
            pending.reviews.append(obj)
    for obj in session.deleted:
        if isinstance(obj, Callout):
            pending = pending or _pending(session)
            attrs = inspect(obj).attrs
            month, home = attrs.month.history, attrs.home_id.history
            pending.pairs.add(
                (
                    month.deleted[0] if month.deleted else obj.month,
                    home.deleted[0] if home.deleted else obj.home_id,
                )
            )
        elif isinstance(obj, Review):
            pending = pending or _pending(session)
            old = inspect(obj).attrs.callout_id.history
            pending.callout_ids.update(i for i in (*old.deleted, obj.callout_id) if i is not None)


def sync(session: Session | None = None) -> None:
    """Count again now what this transaction has changed so far (the readers call this first, so
    a use case that files and then compiles in one unit of work reads its own changes)."""
    session = session or db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending: _Pending | None = session.info.pop(_KEY, None)
    if pending is None:
        return
    pairs = set(pending.pairs)
    ids = set(pending.callout_ids)
    for callout in pending.callouts:
        if inspect(callout).persistent:
            pairs.add((callout.month, callout.home_id))
    for review in pending.reviews:
        if inspect(review).persistent and review.callout_id is not None:
            ids.add(review.callout_id)
    if ids:
        pairs |= _pairs_of(session, sorted(ids))
    refresh(session, pairs)


def _before_commit(session: Session) -> None:
    # The commit flushes after this hook: what that flush writes must be noted first.
    if not session.in_nested_transaction():
        sync(session)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_KEY, None)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_transaction_end", _after_transaction_end)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
