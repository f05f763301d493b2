"""The figures of a month (domain.md §8).

The counts of call-outs come from the monthly fact tables (services.monthly_facts): month M's
rows, M-12's and the rolling twelve months', rolled up by host authority, placing authority and
home in one pass. Repeat children's details, flags and actions are GROUP BYs of their own. The
arithmetic lives in rules.summary; compiling the figures into versioned snapshots is
services.summaries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from ..db import db
from ..models import (
    Action,
    Authority,
    Callout,
    Flag,
    Home,
    MonthlyChildFact,
    Review,
    User,
    flag_callouts,
)
from ..models.monthly_facts import MEASURES
from ..rules import summary as rules
from ..rules.time import Month
from ..vocab import ActionStatus, FlagRule, FlagStatus, ProtocolApplied
from . import monthly_facts

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


class _Figures:
    """The counted figures of window M for every host authority, placing authority and home,
    from the monthly fact tables (services.monthly_facts): month M's rows, M-12's, the rolling
    twelve months summed by home and by placing authority, and M's children — read once, summed
    by home and by placing authority; a host authority's are its homes' summed."""

    def __init__(self, window: _Window, homes: dict[int, Any]) -> None:
        self._open(window, homes)
        host_of = {home_id: home.host_authority_id for home_id, home in homes.items()}
        like = self.like

        # Month M: every measure, by home and by placing authority.
        home_rows: dict[int, list[list[int]]] = defaultdict(list)
        placing_rows: dict[int, list[list[int]]] = defaultdict(list)
        placing_homes: dict[int, set[int]] = defaultdict(set)
        placing_like: dict[int, int] = defaultdict(int)
        for home_id, placing_id, *values in monthly_facts.callout_totals(
            window.m, window.m, by=("home_id", "placing_authority_id")
        ):
            home_rows[home_id].append(values)
            if placing_id is not None:
                placing_rows[placing_id].append(values)
                if values[0]:
                    placing_homes[placing_id].add(home_id)
                    if home_id in like:
                        placing_like[placing_id] += values[0]
        home_m = {h: [sum(c) for c in zip(*rows, strict=True)] for h, rows in home_rows.items()}
        placing_m = {
            p: [sum(c) for c in zip(*rows, strict=True)] for p, rows in placing_rows.items()
        }

        # M-12: in-scope call-outs.
        home_ly: dict[int, int] = defaultdict(int)
        placing_ly: dict[int, int] = defaultdict(int)
        placing_like_ly: dict[int, int] = defaultdict(int)
        for home_id, placing_id, callouts in monthly_facts.callout_totals(
            window.last_year,
            window.last_year,
            by=("home_id", "placing_authority_id"),
            measures=("callouts",),
        ):
            home_ly[home_id] += callouts
            if placing_id is not None:
                placing_ly[placing_id] += callouts
                if home_id in like:
                    placing_like_ly[placing_id] += callouts

        # The rolling twelve months, M-11 … M.
        home_rolling = monthly_facts.callouts_per("home_id", window.rolling_start, window.m)
        placing_rolling = monthly_facts.callouts_per(
            "placing_authority_id", window.rolling_start, window.m
        )

        # Distinct children in M (a reference is unique within its placing authority).
        home_children: dict[int, set] = defaultdict(set)
        host_children: dict[int, set] = defaultdict(set)
        placing_children: dict[int, set] = defaultdict(set)
        for _month, home_id, placing_id, reference, _n in monthly_facts.child_rows(
            window.m, window.m
        ):
            child = (placing_id, reference)
            home_children[home_id].add(child)
            host_children[host_of[home_id]].add(child)
            if placing_id is not None:
                placing_children[placing_id].add(reference)

        zero = [0] * len(MEASURES)
        self.homes: dict[int, dict[str, Any]] = {}
        host_m: dict[int, list[int]] = {}
        # Per host: homes with call-outs, M-12, rolling, like-for-like M and M-12.
        host_extra: dict[int, list[int]] = {}
        for home_id in home_m.keys() | home_ly.keys() | home_rolling.keys():
            values = home_m.get(home_id, zero)
            last_year, rolling = home_ly.get(home_id, 0), home_rolling.get(home_id, 0)
            lfl = (values[0], last_year) if home_id in like else (0, 0)
            with_callouts = 1 if values[0] else 0
            self.homes[home_id] = _figures(
                values,
                len(home_children.get(home_id, ())),
                with_callouts,
                last_year,
                rolling,
                lfl,
            )
            host = host_of[home_id]
            extra = [with_callouts, last_year, rolling, *lfl]
            if host not in host_m:
                host_m[host], host_extra[host] = list(values), extra
            else:
                host_m[host] = [a + b for a, b in zip(host_m[host], values, strict=True)]
                host_extra[host] = [a + b for a, b in zip(host_extra[host], extra, strict=True)]
        self.hosts = {
            host: _figures(
                values,
                len(host_children.get(host, ())),
                host_extra[host][0],
                host_extra[host][1],
                host_extra[host][2],
                (host_extra[host][3], host_extra[host][4]),
            )
            for host, values in host_m.items()
        }
        self.placing = {
            p: _figures(
                placing_m.get(p, zero),
                len(placing_children.get(p, ())),
                len(placing_homes.get(p, ())),
                placing_ly.get(p, 0),
                placing_rolling.get(p, 0),
                (placing_like.get(p, 0), placing_like_ly.get(p, 0)),
            )
            for p in placing_m.keys() | placing_ly.keys() | placing_rolling.keys()
        }

    def _open(self, window: _Window, homes: dict[int, Any]) -> None:
        """Which homes were open in M and in M-12, worked out once per pair of dates."""
        month, last_year = window.month, window.month.shift(-12)
        now_days = (month.first_day, month.last_day)
        before_days = (last_year.first_day, last_year.last_day)
        seen: dict[tuple[Any, Any], tuple[bool, bool]] = {}
        self.open_now: set[int] = set()
        self.like: set[int] = set()  # open in M and in M-12: like-for-like
        for home_id, home in homes.items():
            dates = (home.opened_on, home.closed_on)
            if dates not in seen:
                seen[dates] = (
                    rules.open_during(*dates, *now_days),
                    rules.open_during(*dates, *before_days),
                )
            now, before = seen[dates]
            if now:
                self.open_now.add(home_id)
                if before:
                    self.like.add(home_id)


_PROTOCOL = ProtocolApplied.slugs()


def _figures(
    values: list[int],
    children: int,
    homes_with_callouts: int,
    last_year: int,
    rolling: int,
    like_for_like: tuple[int, int],
) -> dict[str, Any]:
    """A row's counted figures, in the order every row carries them (rules.COUNT_NAMES, then
    protocol_applied and like_for_like). ``values``: the fact table's MEASURES, summed."""
    callouts, missing, arrests, criminal, reviewed, *protocol = values
    return {
        "callouts": callouts,
        "missing_excluded": missing,
        "children": children,
        "homes_with_callouts": homes_with_callouts,
        "arrests": arrests,
        "criminal_outcomes": criminal,
        "reviewed": reviewed,
        "same_month_last_year": last_year,
        "rolling_12_months": rolling,
        "protocol_applied": dict(zip(_PROTOCOL, protocol, strict=True)),
        "like_for_like": {"callouts": like_for_like[0], "same_month_last_year": like_for_like[1]},
    }


assert MEASURES[:5] == ("callouts", "missing_excluded", "arrests", "criminal_outcomes", "reviewed")
assert tuple(_figures([0] * len(MEASURES), 0, 0, 0, 0, (0, 0)))[:9] == rules.COUNT_NAMES


def _empty_figures() -> dict[str, Any]:
    figures: dict[str, Any] = dict.fromkeys(rules.COUNT_NAMES, 0)
    figures["protocol_applied"] = dict.fromkeys(_PROTOCOL, 0)
    figures["like_for_like"] = {"callouts": 0, "same_month_last_year": 0}
    return figures


def _home_capacity(counted: _Figures, homes: dict[int, Any]) -> dict[int, dict[str, int]]:
    """Per host authority: homes open in M, their places, and homes open in M and M-12."""
    capacity: dict[int, dict[str, int]] = {}
    for home_id in counted.open_now:
        home = homes[home_id]
        entry = capacity.setdefault(
            home.host_authority_id, {"homes_in_scope": 0, "registered_places": 0, "lfl_homes": 0}
        )
        entry["homes_in_scope"] += 1
        entry["registered_places"] += home.registered_places or 0
        if home_id in counted.like:
            entry["lfl_homes"] += 1
    return capacity


def _has_figures(figures: dict[str, Any]) -> bool:
    return any(figures.get(name) for name in rules.COUNT_NAMES)


def _authority_rows(
    window: _Window, authorities: dict[int, Authority], counted: _Figures, homes: dict[int, Any]
) -> list[dict[str, Any]]:
    aggregates = counted.hosts
    capacity = _home_capacity(counted, homes)
    rows = []
    for authority_id, authority in authorities.items():
        figures = aggregates.get(authority_id) or _empty_figures()
        homes_ = capacity.get(authority_id, {})
        if not homes_.get("homes_in_scope") and not _has_figures(figures):
            continue
        places = homes_.get("registered_places", 0)
        figures["like_for_like"]["homes"] = homes_.get("lfl_homes", 0)
        rows.append(
            {
                "code": authority.code,
                "name": authority.name,
                **figures,
                "homes_in_scope": homes_.get("homes_in_scope", 0),
                "registered_places": places,
                "rate_per_10_places": rules.rate_per_10_places(figures["callouts"], places),
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def _placing_rows(authorities: dict[int, Authority], counted: _Figures) -> list[dict[str, Any]]:
    rows = []
    for authority_id, figures in counted.placing.items():
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
    child = MonthlyChildFact
    frequent = (
        select(child.home_id, child.child_reference)
        .where(child.month == window.m)
        .group_by(child.home_id, child.child_reference)
        .having(func.sum(child.callouts) >= REPEAT_THRESHOLD)
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


def _home_listing() -> dict[int, Any]:
    """Every home with what its row shows, by id."""
    officer = aliased(User)
    listing = db.session.execute(
        select(
            Home.id,
            Home.urn,
            Home.name,
            Home.opened_on,
            Home.closed_on,
            Home.registered_places,
            Home.host_authority_id,
            Authority.code,
            officer.display_name,
            officer.email,
        )
        .join(Authority, Authority.id == Home.host_authority_id)
        .outerjoin(officer, officer.id == Home.allocated_officer_id)
    )
    return {home.id: home for home in listing}


def _home_rows(
    window: _Window, repeat: list[dict], counted: _Figures, homes: dict[int, Any]
) -> list[dict]:
    aggregates = counted.homes
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
    rows = []
    for home in homes.values():
        in_scope = home.id in counted.open_now
        figures = aggregates.get(home.id)
        if not in_scope and (figures is None or not _has_figures(figures)):
            continue
        figures = figures or _empty_figures()
        like = home.id in counted.like
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
                "owner": rules.OWNER_HOME
                if row.owner_home_id
                else (row.display_name or row.email)
                if row.owner_id
                else rules.OWNER_NONE,
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
    monthly_facts.sync()  # a unit of work that filed and now compiles reads its own call-outs
    authorities = {a.id: a for a in db.session.scalars(select(Authority))}
    homes = _home_listing()
    counted = _Figures(window, homes)
    repeat = _repeat_children(window, authorities)
    return {
        "authorities": _authority_rows(window, authorities, counted, homes),
        "placing_authorities": _placing_rows(authorities, counted),
        "homes": _home_rows(window, repeat, counted, homes),
        "repeat_children": repeat,
        "actions": _action_tracker(window.month),
    }
