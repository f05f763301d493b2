"""The figures of a month (domain.md §8), aggregated by the database.

Every figure is a GROUP BY over call-outs joined to homes (and reviews, flags, actions); Python
only arranges the grouped rows. The arithmetic lives in rules.summary; compiling the figures into
versioned snapshots is services.summaries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, case, cast, distinct, func, select
from sqlalchemy.orm import aliased

from ..db import db
from ..models import Action, Authority, Callout, Flag, Home, Review, User, flag_callouts
from ..rules import summary as rules
from ..rules.time import Month
from ..vocab import ActionStatus, FlagRule, FlagStatus, ProtocolApplied

REPEAT_THRESHOLD = 3
_OPEN_ACTION = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
_DONE_ACTION = (ActionStatus.DONE.value, ActionStatus.CLOSED_NO_ACTION.value)


def first_month() -> Month | None:
    """The first month any call-out was recorded in (missing and absent too): before it the
    service holds no figures, so "the same month last year" there is not a zero, it is unknown."""
    first = db.session.scalar(select(func.min(Callout.month)))
    return Month.parse(first) if first else None


def count_where(condition) -> Any:
    """How many rows meet ``condition``, as an aggregate column (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _home_open_in(month: Month):
    return Home.open_during(month.first_day, month.last_day)


@dataclass(frozen=True)
class _Window:
    month: Month

    @property
    def m(self) -> str:
        return str(self.month)

    @property
    def last_year(self) -> str:
        return str(self.month.shift(-12))

    @property
    def rolling_start(self) -> str:
        return str(self.month.shift(-11))


def _callout_aggregates(key, window: _Window, extra_where=None) -> dict[Any, dict[str, Any]]:
    """One GROUP BY over call-outs (M-12 … M) joined to homes and reviews, by ``key``."""
    in_month = and_(Callout.month == window.m, Callout.in_scope.is_(True))
    last_year = and_(Callout.month == window.last_year, Callout.in_scope.is_(True))
    like = and_(_home_open_in(window.month), _home_open_in(window.month.shift(-12)))
    child_key = case(
        (
            and_(in_month, Callout.child_reference.is_not(None), Callout.child_reference != ""),
            func.coalesce(cast(Callout.placing_authority_id, String), "")
            + ":"
            # a child reference is unique within its placing authority (§3)
            + Callout.child_reference,
        )
    )
    columns = [
        key.label("key"),
        count_where(in_month).label("callouts"),
        count_where(and_(Callout.month == window.m, Callout.in_scope.is_(False))).label(
            "missing_excluded"
        ),
        func.count(distinct(child_key)).label("children"),
        func.count(distinct(case((in_month, Callout.home_id)))).label("homes_with_callouts"),
        count_where(and_(in_month, Callout.arrested.is_(True))).label("arrests"),
        count_where(and_(in_month, Callout.criminal_outcome.is_(True))).label("criminal_outcomes"),
        count_where(and_(in_month, Review.id.is_not(None))).label("reviewed"),
        count_where(last_year).label("same_month_last_year"),
        count_where(and_(Callout.month >= window.rolling_start, Callout.in_scope.is_(True))).label(
            "rolling_12_months"
        ),
        count_where(and_(in_month, like)).label("lfl_callouts"),
        count_where(and_(last_year, like)).label("lfl_last_year"),
    ]
    for value in ProtocolApplied.slugs():
        columns.append(
            count_where(and_(in_month, Review.protocol_applied == value)).label(f"pa_{value}")
        )
    statement = (
        select(*columns)
        .select_from(Callout)
        .join(Home, Home.id == Callout.home_id)
        .outerjoin(Review, Review.callout_id == Callout.id)
        .where(Callout.month >= window.last_year, Callout.month <= window.m)
        .group_by(key)
    )
    if extra_where is not None:
        statement = statement.where(extra_where)
    result = {}
    for row in db.session.execute(statement).mappings():
        figures = {name: int(row[name] or 0) for name in rules.COUNT_NAMES}
        figures["protocol_applied"] = {
            value: int(row[f"pa_{value}"] or 0) for value in ProtocolApplied.slugs()
        }
        figures["like_for_like"] = {
            "callouts": int(row["lfl_callouts"] or 0),
            "same_month_last_year": int(row["lfl_last_year"] or 0),
        }
        result[row["key"]] = figures
    return result


def _empty_figures() -> dict[str, Any]:
    figures: dict[str, Any] = dict.fromkeys(rules.COUNT_NAMES, 0)
    figures["protocol_applied"] = dict.fromkeys(ProtocolApplied.slugs(), 0)
    figures["like_for_like"] = {"callouts": 0, "same_month_last_year": 0}
    return figures


def _home_capacity(month: Month) -> dict[int, dict[str, int]]:
    """Per host authority: homes open in M, their places, and homes open in M and M-12."""
    open_now = _home_open_in(month)
    like = and_(open_now, _home_open_in(month.shift(-12)))
    statement = select(
        Home.host_authority_id,
        count_where(open_now).label("homes_in_scope"),
        func.coalesce(func.sum(case((open_now, Home.registered_places), else_=0)), 0).label(
            "registered_places"
        ),
        count_where(like).label("lfl_homes"),
    ).group_by(Home.host_authority_id)
    return {
        row.host_authority_id: {
            "homes_in_scope": int(row.homes_in_scope),
            "registered_places": int(row.registered_places),
            "lfl_homes": int(row.lfl_homes),
        }
        for row in db.session.execute(statement)
    }


def _has_figures(figures: dict[str, Any]) -> bool:
    return any(figures.get(name) for name in rules.COUNT_NAMES)


def _authority_rows(window: _Window, authorities: dict[int, Authority]) -> list[dict[str, Any]]:
    aggregates = _callout_aggregates(Home.host_authority_id, window)
    capacity = _home_capacity(window.month)
    rows = []
    for authority_id, authority in authorities.items():
        figures = aggregates.get(authority_id) or _empty_figures()
        homes = capacity.get(authority_id, {})
        if not homes.get("homes_in_scope") and not _has_figures(figures):
            continue
        places = homes.get("registered_places", 0)
        figures["like_for_like"]["homes"] = homes.get("lfl_homes", 0)
        rows.append(
            {
                "code": authority.code,
                "name": authority.name,
                **figures,
                "homes_in_scope": homes.get("homes_in_scope", 0),
                "registered_places": places,
                "rate_per_10_places": rules.rate_per_10_places(figures["callouts"], places),
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def _placing_rows(window: _Window, authorities: dict[int, Authority]) -> list[dict[str, Any]]:
    aggregates = _callout_aggregates(
        Callout.placing_authority_id, window, Callout.placing_authority_id.is_not(None)
    )
    rows = []
    for authority_id, figures in aggregates.items():
        if not _has_figures(figures):
            continue
        authority = authorities[authority_id]
        rows.append(
            {
                "code": authority.code,
                "name": authority.name,
                **figures,
                # Places belong to host authorities; a placing authority has none of its own.
                "homes_in_scope": None,
                "registered_places": None,
                "rate_per_10_places": None,
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def _repeat_children(window: _Window, authorities) -> list[dict]:
    """Children with an open repeat_child flag, or 3+ in-scope call-outs at one home in M."""
    in_month = and_(
        Callout.month == window.m,
        Callout.in_scope.is_(True),
        Callout.child_reference.is_not(None),
        Callout.child_reference != "",
    )
    candidates: set[tuple[int, str]] = set()
    # Repeat-child flags raised by call-outs in this month (whatever their status now), not
    # every flag open on the day the month is compiled.
    flagged = (
        select(Flag.home_id, Flag.child_reference)
        .join(flag_callouts, flag_callouts.c.flag_id == Flag.id)
        .join(Callout, Callout.id == flag_callouts.c.callout_id)
        .where(
            Flag.rule == FlagRule.REPEAT_CHILD.value,
            Flag.child_reference.is_not(None),
            Callout.month == window.m,
        )
        .distinct()
    )
    candidates.update((r.home_id, r.child_reference) for r in db.session.execute(flagged))
    frequent = (
        select(Callout.home_id, Callout.child_reference)
        .where(in_month)
        .group_by(Callout.home_id, Callout.child_reference)
        .having(func.count() >= REPEAT_THRESHOLD)
    )
    candidates.update((r.home_id, r.child_reference) for r in db.session.execute(frequent))
    if not candidates:
        return []
    home_ids = {h for h, _ in candidates}
    references = {c for _, c in candidates}
    details = db.session.execute(
        select(
            Callout.home_id,
            Callout.child_reference,
            Callout.placing_authority_id,
            Callout.category,
            Callout.outcome,
            func.count().label("n"),
        )
        .where(in_month, Callout.home_id.in_(home_ids), Callout.child_reference.in_(references))
        .group_by(
            Callout.home_id,
            Callout.child_reference,
            Callout.placing_authority_id,
            Callout.category,
            Callout.outcome,
        )
    )
    entries: dict[tuple[int, str], dict[str, Any]] = {
        key: {
            "callouts": 0,
            "categories": defaultdict(int),
            "outcomes": defaultdict(int),
            "placing": None,
            "actions": defaultdict(int),
        }
        for key in candidates
    }
    for row in details:
        entry = entries.get((row.home_id, row.child_reference))
        if entry is None:
            continue
        entry["callouts"] += row.n
        entry["categories"][row.category] += row.n
        entry["outcomes"][row.outcome or "pending"] += row.n
        entry["placing"] = entry["placing"] or row.placing_authority_id
    actions = db.session.execute(
        select(Callout.home_id, Callout.child_reference, Action.status, func.count().label("n"))
        .select_from(Action)
        .join(Review, Review.id == Action.review_id)
        .join(Callout, Callout.id == Review.callout_id)
        .where(Callout.home_id.in_(home_ids), Callout.child_reference.in_(references))
        .group_by(Callout.home_id, Callout.child_reference, Action.status)
    )
    for row in actions:
        entry = entries.get((row.home_id, row.child_reference))
        if entry is not None:
            entry["actions"][row.status] += row.n
    homes = {
        h.id: h
        for h in db.session.execute(
            select(Home.id, Home.urn, Home.name).where(Home.id.in_(home_ids))
        )
    }
    rows = []
    for (home_id, reference), entry in entries.items():
        home = homes[home_id]
        placing = authorities.get(entry["placing"])
        rows.append(
            {
                "child_reference": reference,
                "urn": home.urn,
                "home": home.name,
                "placing_authority": placing.code if placing else None,
                "callouts": entry["callouts"],
                "categories": dict(sorted(entry["categories"].items())),
                "outcomes": dict(sorted(entry["outcomes"].items())),
                "actions": dict(sorted(entry["actions"].items())),
            }
        )
    return sorted(rows, key=lambda r: (r["urn"], r["child_reference"]))


def _home_rows(window: _Window, repeat: list[dict]) -> list[dict]:
    aggregates = _callout_aggregates(Callout.home_id, window)
    open_flags = dict(
        db.session.execute(
            select(Flag.home_id, func.count())
            .where(Flag.status != FlagStatus.RESOLVED.value)
            .group_by(Flag.home_id)
        ).all()
    )
    repeat_by_urn: dict[str, int] = defaultdict(int)
    for entry in repeat:
        repeat_by_urn[entry["urn"]] += 1
    month, last_year = window.month, window.month.shift(-12)
    officer = aliased(User)
    listing = db.session.execute(
        select(
            Home.id,
            Home.urn,
            Home.name,
            Home.opened_on,
            Home.closed_on,
            Home.registered_places,
            Authority.code,
            officer.display_name,
            officer.email,
        )
        .join(Authority, Authority.id == Home.host_authority_id)
        .outerjoin(officer, officer.id == Home.allocated_officer_id)
    )
    rows = []
    for home in listing:
        in_scope = rules.open_in_month(home.opened_on, home.closed_on, month)
        figures = aggregates.get(home.id)
        if not in_scope and (figures is None or not _has_figures(figures)):
            continue
        figures = figures or _empty_figures()
        like = in_scope and rules.open_in_month(home.opened_on, home.closed_on, last_year)
        figures["like_for_like"] = figures["like_for_like"] if like else None
        places = home.registered_places if in_scope else 0
        rows.append(
            {
                "urn": home.urn,
                "name": home.name,
                "authority": home.code,
                "in_scope": in_scope,
                **figures,
                "registered_places": places,
                "rate_per_10_places": rules.rate_per_10_places(figures["callouts"], places),
                "repeat_children": repeat_by_urn.get(home.urn, 0),
                "open_flags": int(open_flags.get(home.id, 0)),
                "allocated_officer": (home.display_name or home.email) if home.email else None,
            }
        )
    return sorted(rows, key=lambda r: r["urn"])


def _action_tracker(month: Month) -> dict[str, Any]:
    """Actions agreed up to the end of M: agreed, agreed in M, done, open, overdue — by owner
    and in total, and by home and owner (``by_home``: what a reader's area is cut from)."""
    start, end = month.utc_bounds()
    is_open = Action.status.in_(_OPEN_ACTION)
    statement = (
        select(
            Home.urn,
            Action.owner_id,
            Action.owner_home_id,
            User.display_name,
            User.email,
            func.count().label("agreed"),
            count_where(Action.created_at >= start).label("agreed_this_month"),
            count_where(Action.status.in_(_DONE_ACTION)).label("done"),
            count_where(is_open).label("open"),
            count_where(and_(is_open, Action.due_on < month.next().first_day)).label("overdue"),
        )
        .select_from(Action)
        .join(Review, Review.id == Action.review_id)
        .join(Callout, Callout.id == Review.callout_id)
        .join(Home, Home.id == Callout.home_id)
        .outerjoin(User, User.id == Action.owner_id)
        .where(Action.created_at < end)
        .group_by(Home.urn, Action.owner_id, Action.owner_home_id, User.display_name, User.email)
    )
    by_home = sorted(
        (
            {
                "urn": row.urn,
                # An action a home owns is counted under "The home" (its row names the home).
                "owner_id": "home" if row.owner_home_id else row.owner_id,
                "owner": "The home"
                if row.owner_home_id
                else (row.display_name or row.email)
                if row.owner_id
                else "No owner",
                **{name: int(getattr(row, name)) for name in rules.ACTION_COUNTS},
            }
            for row in db.session.execute(statement)
        ),
        key=lambda r: (r["urn"], r["owner"]),
    )
    return {**rules.action_tracker(by_home), "by_home": by_home}


def compute_figures(month: Month) -> dict[str, Any]:
    """Every §8 figure of a month, group-wide, without storing anything."""
    window = _Window(month)
    authorities = {a.id: a for a in db.session.scalars(select(Authority))}
    repeat = _repeat_children(window, authorities)
    return {
        "authorities": _authority_rows(window, authorities),
        "placing_authorities": _placing_rows(window, authorities),
        "homes": _home_rows(window, repeat),
        "repeat_children": repeat,
        "actions": _action_tracker(window.month),
    }
