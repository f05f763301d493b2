"""The board report (domain.md §9): a year and the two before it, for the area a reader may see,
per host authority, and per placing authority for children placed out of area.

Every figure is a GROUP BY in the database (decision 0004); Python only adds grouped rows up and
lays them out (rules.board_report). The counts per month and home — call-outs, missing or absent,
arrests, criminal outcomes, reviewed, and the reviews' "was the protocol applied?" — are read from
the monthly fact table (services.monthly_facts), as the monthly summary, the trends and the yearly
report read them, so the board report's figures are theirs. What the table does not hold is
counted from the call-outs (``_callout_counts``): police attended, formal out-of-court and
charged, by sex, age band and category, "were the police necessary?", and the children placed
out of area by their placing authority (a condition on the call-outs themselves); distinct
children need the call-outs too (``_children_counts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.orm import aliased

from .. import access
from ..db import db, utcnow
from ..i18n import local_name
from ..models import Authority, Callout, Flag, Home, Report, Review, User, flag_callouts
from ..rules import board_report as rules
from ..rules.time import Month, to_london
from ..vocab import (
    Category,
    FlagRule,
    Outcome,
    OutcomeGroup,
    PoliceNecessary,
    ProtocolApplied,
    Role,
    Source,
)
from . import NotFound, audit_trail, monthly_facts
from .summary_figures import count_where

_HOME_REPORT = aliased(Report)
_POLICE_RECORD = aliased(Report)
_FORMAL = tuple(o.value for o in Outcome if o.group is OutcomeGroup.FORMAL_OUT_OF_COURT)
_CHARGED = tuple(o.value for o in Outcome if o.group is OutcomeGroup.CHARGED)

#: The counts every call-out row carries (see ``_measures``).
MEASURES = (
    "callouts",
    "excluded",
    "attended",
    "arrested",
    "criminal",
    "formal",
    "charged",
    "reviewed",
)


@dataclass(frozen=True)
class Scope:
    """What a report covers: the homes (by a condition on Home) and, for children placed out
    of area, the call-outs (by a condition on Callout joined to Home)."""

    homes: ColumnElement[bool]
    callouts: ColumnElement[bool]
    authority: Authority | None = None
    references: bool = False  # children's references may be listed (the group's internal version)


# The data source ------------------------------------------------------------------------------


def _sex():
    value = func.coalesce(_HOME_REPORT.child_sex, _POLICE_RECORD.child_sex)
    return case((value.in_(("female", "male", "other")), value), else_=literal("not_known"))


def _age_band():
    age = func.coalesce(_HOME_REPORT.child_age, _POLICE_RECORD.child_age)
    whens = []
    for key, _label, lowest, highest in rules.AGE_BANDS[:-1]:
        conditions = [age.is_not(None)]
        if lowest is not None:
            conditions.append(age >= lowest)
        if highest is not None:
            conditions.append(age <= highest)
        whens.append((and_(*conditions), literal(key)))
    return case(*whens, else_=literal("not_recorded"))


def _with_reports(statement):
    """Join each call-out's home report and police record: the child's sex and age at the
    call-out are the home's where it gave them, else the police record's."""
    return statement.outerjoin(
        _HOME_REPORT,
        and_(_HOME_REPORT.callout_id == Callout.id, _HOME_REPORT.source == Source.HOME.value),
    ).outerjoin(
        _POLICE_RECORD,
        and_(_POLICE_RECORD.callout_id == Callout.id, _POLICE_RECORD.source == Source.POLICE.value),
    )


def _dimension(name: str):
    return {
        "month": lambda: Callout.month,
        "home_id": lambda: Callout.home_id,
        "placing_authority_id": lambda: Callout.placing_authority_id,
        "category": lambda: Callout.category,
        "sex": _sex,
        "band": _age_band,
        "protocol_applied": lambda: Review.protocol_applied,
        "police_necessary": lambda: Review.police_necessary,
    }[name]().label(name)


#: The measures the monthly fact table holds, by their names there.
FACT_MEASURES = {
    "callouts": "callouts",
    "excluded": "missing_excluded",
    "arrested": "arrests",
    "criminal": "criminal_outcomes",
    "reviewed": "reviewed",
}
#: The rest, counted from the call-outs.
CALLOUT_MEASURES = tuple(name for name in MEASURES if name not in FACT_MEASURES)


def _fact_counts(
    dimensions: Sequence[str], where: ColumnElement[bool], first: Month, last: Month
) -> list[dict[str, Any]]:
    """``FACT_MEASURES`` (named as in ``MEASURES``) by month and/or home, for the homes meeting
    ``where`` (a condition on Home), from the monthly fact table."""
    rows = monthly_facts.callout_totals(
        first, last, by=dimensions, measures=tuple(FACT_MEASURES.values()), home_condition=where
    )
    return [
        {
            **{name: getattr(row, name) for name in dimensions},
            **{name: int(getattr(row, fact)) for name, fact in FACT_MEASURES.items()},
        }
        for row in rows
    ]


def _measures(names: Sequence[str] = MEASURES) -> list:
    scoped = Callout.in_scope.is_(True)
    conditions = {
        "callouts": scoped,
        "excluded": Callout.in_scope.is_(False),
        "attended": and_(scoped, Callout.police_attended.is_(True)),
        "arrested": and_(scoped, Callout.arrested.is_(True)),
        "criminal": and_(scoped, Callout.criminal_outcome.is_(True)),
        "formal": and_(scoped, Callout.outcome.in_(_FORMAL)),
        "charged": and_(scoped, Callout.outcome.in_(_CHARGED)),
        "reviewed": and_(scoped, Review.id.is_not(None)),
    }
    return [count_where(conditions[name]).label(name) for name in names]


def _callout_counts(
    dimensions: Sequence[str],
    where: ColumnElement[bool],
    first: Month,
    last: Month,
    measures: Sequence[str] = MEASURES,
) -> list[dict[str, Any]]:
    """The call-outs from ``first`` to ``last`` that meet ``where`` (a condition on Callout and
    Home), counted (``measures``, of ``MEASURES``) by the named dimensions: month, home_id,
    placing_authority_id, category, sex, band, protocol_applied, police_necessary."""
    columns = [_dimension(name) for name in dimensions]
    statement = (
        select(*columns, *_measures(measures))
        .select_from(Callout)
        .join(Home, Home.id == Callout.home_id)
        .outerjoin(Review, Review.callout_id == Callout.id)
    )
    if {"sex", "band"} & set(dimensions):
        statement = _with_reports(statement)
    statement = statement.where(
        Callout.month >= str(first), Callout.month <= str(last), where
    ).group_by(*columns)
    return [dict(row) for row in db.session.execute(statement).mappings()]


def _year_index(years: Sequence[rules.Year]):
    return case(
        *(
            (and_(Callout.month >= str(y.first), Callout.month <= str(y.last)), i)
            for i, y in enumerate(years)
        )
    )


def _is_child():
    return and_(Callout.child_reference.is_not(None), Callout.child_reference != "")


def _first_criminal_months():
    """Each child's earliest month with a criminal outcome in the whole database (§9)."""
    return (
        select(
            Callout.placing_authority_id.label("placing"),
            Callout.child_reference.label("reference"),
            func.min(Callout.month).label("first_month"),
        )
        .where(Callout.in_scope.is_(True), Callout.criminal_outcome.is_(True), _is_child())
        .group_by(Callout.placing_authority_id, Callout.child_reference)
        .subquery()
    )


def _children_counts(
    years: Sequence[rules.Year],
    where: ColumnElement[bool],
    *,
    per: str | None = None,
    criminal: bool = False,
) -> list[dict[str, Any]]:
    """Distinct children (placing authority, reference) with an in-scope call-out meeting
    ``where`` in each year, counted by year, ``per`` (``host``, ``placing`` or None), and the sex
    and age band of their first such call-out in the year. With ``criminal``: only call-outs
    with a criminal outcome, and ``first_here`` also counts the children whose earliest criminal
    outcome in the whole database is in that year."""
    year = _year_index(years)
    per_column = {
        None: literal(0),
        "host": Home.host_authority_id,
        "placing": Callout.placing_authority_id,
    }[per]
    order = func.row_number().over(
        partition_by=[year, per_column, Callout.placing_authority_id, Callout.child_reference],
        order_by=[Callout.occurred_at, Callout.id],
    )
    columns = [
        year.label("year"),
        per_column.label("per"),
        _sex().label("sex"),
        _age_band().label("band"),
        order.label("n"),
    ]
    conditions = [
        Callout.month >= str(years[0].first),
        Callout.month <= str(years[-1].last),
        Callout.in_scope.is_(True),
        _is_child(),
        where,
    ]
    statement = select().select_from(Callout).join(Home, Home.id == Callout.home_id)
    if criminal:
        first = _first_criminal_months()
        starts = case(*((year == i, str(y.first)) for i, y in enumerate(years)))
        columns.append((first.c.first_month >= starts).label("first_here"))
        conditions.append(Callout.criminal_outcome.is_(True))
        statement = statement.join(
            first,
            and_(
                first.c.placing.is_not_distinct_from(Callout.placing_authority_id),
                first.c.reference == Callout.child_reference,
            ),
        )
    inner = _with_reports(statement.add_columns(*columns)).where(*conditions).subquery()
    measures = [func.count().label("children")]
    if criminal:
        measures.append(count_where(inner.c.first_here.is_(True)).label("first_here"))
    outer = (
        select(inner.c.year, inner.c.per, inner.c.sex, inner.c.band, *measures)
        .where(inner.c.n == 1)
        .group_by(inner.c.year, inner.c.per, inner.c.sex, inner.c.band)
    )
    return [dict(row) for row in db.session.execute(outer).mappings()]


def _repeat_children(
    years: Sequence[rules.Year], where: ColumnElement[bool], *, listed: bool
) -> tuple[list[int], list[dict[str, Any]]]:
    """Children with a repeat-child flag (§7) raised by call-outs in each year: how many, and
    (``listed``) who, where and how many of the year's call-outs."""
    year = _year_index(years)
    child = func.coalesce(cast(Flag.placing_authority_id, String), "") + ":" + Flag.child_reference
    base = (
        select()
        .select_from(Flag)
        .join(flag_callouts, flag_callouts.c.flag_id == Flag.id)
        .join(Callout, Callout.id == flag_callouts.c.callout_id)
        .join(Home, Home.id == Flag.home_id)
        .where(
            Flag.rule == FlagRule.REPEAT_CHILD.value,
            Flag.child_reference.is_not(None),
            Callout.month >= str(years[0].first),
            Callout.month <= str(years[-1].last),
            where,
        )
    )
    counts = [0] * len(years)
    for row in db.session.execute(
        base.add_columns(year.label("year"), func.count(distinct(child)).label("n")).group_by(year)
    ):
        counts[row.year] = int(row.n)
    rows: list[dict[str, Any]] = []
    if listed:
        placing = aliased(Authority)
        statement = (
            base.add_columns(
                year.label("year"),
                Flag.child_reference,
                placing.name.label("placing"),
                placing.name_cy.label("placing_cy"),
                Home.name.label("home"),
                func.count(distinct(Callout.id)).label("callouts"),
            )
            .outerjoin(placing, placing.id == Flag.placing_authority_id)
            .group_by(year, Flag.child_reference, placing.name, placing.name_cy, Home.name)
            .order_by(year, Home.name, Flag.child_reference)
        )
        rows = [
            {
                "year": int(row.year),
                "reference": row.child_reference,
                "placing_authority": local_name(row.placing, row.placing_cy)
                if row.placing
                else None,
                "home": row.home,
                "callouts": int(row.callouts),
            }
            for row in db.session.execute(statement)
        ]
    return counts, rows


# Scope ----------------------------------------------------------------------------------------


def scope_for(user: User | None, authority_code: str | None = None) -> Scope:
    """The report a person may read: the homes they may see (and the children their authority
    places elsewhere); ``authority_code`` narrows it to one host authority of that area. None:
    the command line, acting for the service: every home."""
    homes = access.homes_condition(user) if user is not None else true()
    callouts = access.callouts_condition(user) if user is not None else true()
    references = user is None or Role(user.role) is Role.GROUP
    authority = None
    if authority_code:
        authority = db.session.scalar(select(Authority).where(Authority.code == authority_code))
        hosts = set(db.session.scalars(select(Home.host_authority_id).where(homes).distinct()))
        if authority is None or authority.id not in hosts:
            audit_trail.not_found("authority", authority.id if authority else None, user=user)
            raise NotFound()
        homes = and_(homes, Home.host_authority_id == authority.id)
        callouts = and_(
            callouts,
            (Home.host_authority_id == authority.id)
            | (Callout.placing_authority_id == authority.id),
        )
    return Scope(homes, callouts, authority, references)


def today() -> date:
    """Today in the UK (the report's default year and its years to date start from it)."""
    return to_london(utcnow()).date()


def host_authorities(user: User | None) -> list[Authority]:
    """The host authorities of the homes a person may see (the report's "area" choices)."""
    homes = access.homes_condition(user) if user is not None else true()
    return list(
        db.session.scalars(
            select(Authority)
            .where(Authority.id.in_(select(Home.host_authority_id).where(homes)))
            .order_by(Authority.name)
        )
    )


# The figures ----------------------------------------------------------------------------------


def _zero() -> list[int]:
    return [0] * rules.YEARS


def _by_year(years: Sequence[rules.Year]) -> dict[str, int]:
    return {str(month): i for i, y in enumerate(years) for month in y.months}


def compute(scope: Scope, last: Month, *, now: datetime | None = None) -> dict[str, Any]:
    """Every figure of the board report for three years ending with ``last``, as plain values
    (ints, lists by year oldest first); no suppression (rules.board_report.layout does that)."""
    now = now or utcnow()
    this_month = Month.of(now)
    years = rules.years_ending(last, this_month)
    first, final = years[0].first, years[-1].last
    which_year = _by_year(years)
    authorities = {a.id: a for a in db.session.scalars(select(Authority))}

    # Homes: few enough to take as they are.
    home_rows = db.session.execute(
        select(
            Home.id,
            Home.urn,
            Home.name,
            Home.registered_places,
            Home.opened_on,
            Home.closed_on,
            Home.host_authority_id,
        ).where(scope.homes)
    ).all()
    spans = {
        h.id: rules.HomeSpan(h.urn, h.name, h.registered_places, h.opened_on, h.closed_on)
        for h in home_rows
    }
    host_of = {h.id: h.host_authority_id for h in home_rows}
    months = [rules.counted_months(y, this_month) for y in years]
    like_ids = {
        home_id
        for home_id, span in spans.items()
        if all(m and span.open_during(m[0].first_day, m[-1].last_day) for m in months)
    }

    def homes_and_places(ids) -> tuple[list[int], list[float]]:
        counts, places = [], []
        for m in months:
            chosen = [
                spans[i] for i in ids if m and spans[i].open_during(m[0].first_day, m[-1].last_day)
            ]
            counts.append(len(chosen))
            places.append(rules.average_places(chosen, m))
        return counts, places

    # Call-outs by month and home: the area, its authorities, like-for-like, the trend.
    area = {name: _zero() for name in MEASURES}
    like = {name: _zero() for name in MEASURES}
    hosts: dict[int, dict[str, list[int]]] = defaultdict(
        lambda: {name: _zero() for name in MEASURES}
    )
    # The months begun so far (a year to date has months still to come).
    trend_months = [str(first.shift(i)) for i in range(36) if first.shift(i) <= this_month]
    trend_area = dict.fromkeys(trend_months, 0)
    trend_hosts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(trend_months, 0))
    for host_id in set(host_of.values()):
        trend_hosts[host_id] = dict.fromkeys(trend_months, 0)
    by_home = [
        *_fact_counts(("month", "home_id"), scope.homes, first, final),
        *_callout_counts(("month", "home_id"), scope.homes, first, final, CALLOUT_MEASURES),
    ]
    for row in by_home:
        y = which_year[row["month"]]
        host = host_of.get(row["home_id"])
        for name in MEASURES:
            if name in row:
                area[name][y] += row[name]
                hosts[host][name][y] += row[name]
                if row["home_id"] in like_ids:
                    like[name][y] += row[name]
        if row["month"] in trend_area and "callouts" in row:
            trend_area[row["month"]] += row["callouts"]
            trend_hosts[host][row["month"]] += row["callouts"]

    # By sex and age band, by category, and the reviews' findings.
    by_sex = {name: {key: _zero() for key, _ in rules.SEX_GROUPS} for name in MEASURES}
    by_band = {name: {key: _zero() for key, *_ in rules.AGE_BANDS} for name in MEASURES}
    for row in _callout_counts(("month", "sex", "band"), scope.homes, first, final):
        y = which_year[row["month"]]
        for name in MEASURES:
            by_sex[name][row["sex"]][y] += row[name]
            by_band[name][row["band"]][y] += row[name]
    categories = {c.value: _zero() for c in Category if c.in_scope}
    categories_by_sex = {
        c.value: {key: _zero() for key, _ in rules.SEX_GROUPS} for c in Category if c.in_scope
    }
    for row in _callout_counts(("month", "category", "sex"), scope.homes, first, final):
        if row["category"] in categories:
            y = which_year[row["month"]]
            categories[row["category"]][y] += row["callouts"]
            categories_by_sex[row["category"]][row["sex"]][y] += row["callouts"]
    protocol = {value: _zero() for value in ProtocolApplied.slugs()}
    for row in monthly_facts.callout_totals(
        first,
        final,
        by=("month",),
        measures=tuple(f"protocol_{value}" for value in protocol),
        home_condition=scope.homes,
    ):
        for value in protocol:
            protocol[value][which_year[row.month]] += int(getattr(row, f"protocol_{value}"))
    necessary = {value: _zero() for value in PoliceNecessary.slugs()}
    for row in _callout_counts(("month", "police_necessary"), scope.homes, first, final):
        if row["police_necessary"] in necessary:
            necessary[row["police_necessary"]][which_year[row["month"]]] += row["callouts"]

    # Children (distinct), in the area, per host authority, with a criminal outcome.
    children = {"all": _zero(), "sex": {k: _zero() for k, _ in rules.SEX_GROUPS}}
    children["band"] = {k: _zero() for k, *_ in rules.AGE_BANDS}
    for row in _children_counts(years, scope.homes):
        children["all"][row["year"]] += row["children"]
        children["sex"][row["sex"]][row["year"]] += row["children"]
        children["band"][row["band"]][row["year"]] += row["children"]
    host_children: dict[int, list[int]] = defaultdict(_zero)
    for row in _children_counts(years, scope.homes, per="host"):
        host_children[row["per"]][row["year"]] += row["children"]
    criminal_children = {
        kind: {
            "all": _zero(),
            "sex": {k: _zero() for k, _ in rules.SEX_GROUPS},
            "band": {k: _zero() for k, *_ in rules.AGE_BANDS},
        }
        for kind in ("children", "first_here")
    }
    for row in _children_counts(years, scope.homes, criminal=True):
        for kind in ("children", "first_here"):
            entry = criminal_children[kind]
            entry["all"][row["year"]] += row[kind]
            entry["sex"][row["sex"]][row["year"]] += row[kind]
            entry["band"][row["band"]][row["year"]] += row[kind]

    # Children placed out of area: their placing authority is not the home's host.
    out_of_area = and_(
        scope.callouts,
        Callout.placing_authority_id.is_not(None),
        Callout.placing_authority_id != Home.host_authority_id,
    )
    placing: dict[int, dict[str, list[int]]] = defaultdict(
        lambda: {"callouts": _zero(), "children": _zero(), "criminal": _zero()}
    )
    for row in _callout_counts(("month", "placing_authority_id"), out_of_area, first, final):
        y = which_year[row["month"]]
        placing[row["placing_authority_id"]]["callouts"][y] += row["callouts"]
        placing[row["placing_authority_id"]]["criminal"][y] += row["criminal"]
    for row in _children_counts(years, out_of_area, per="placing"):
        placing[row["per"]]["children"][row["year"]] += row["children"]

    repeat, repeat_list = _repeat_children(years, scope.homes, listed=scope.references)

    homes_count, places = homes_and_places(spans)
    like_count, like_places = homes_and_places(like_ids)
    host_rows = []
    for host_id in sorted(
        {*host_of.values()}, key=lambda i: authorities[i].name if i in authorities else ""
    ):
        ids = [i for i, h in host_of.items() if h == host_id]
        counts, host_places = homes_and_places(ids)
        host_rows.append(
            {
                "code": authorities[host_id].code,
                "name": authorities[host_id].local_name,
                "callouts": hosts[host_id]["callouts"],
                "children": host_children[host_id],
                "criminal": hosts[host_id]["criminal"],
                "homes": counts,
                "places": host_places,
            }
        )
    changes = rules.home_changes(spans.values(), years)
    in_scope_homes = [span for span in spans.values() if any(span.open_in_year(y) for y in years)]
    return {
        "year_ending": str(last),
        "years": [
            {
                "first": str(y.first),
                "last": str(y.last),
                "label": y.label,
                "short": y.short,
                "to_date": y.to_date,
            }
            for y in years
        ],
        "area": scope.authority.local_name if scope.authority else None,
        "made_at": to_london(now).isoformat(timespec="minutes"),
        **{name: area[name] for name in MEASURES},
        "homes": homes_count,
        "places": places,
        "children": children,
        "criminal_children": criminal_children,
        "repeat_children": repeat,
        "repeat_children_list": repeat_list,
        "by_sex": by_sex,
        "by_band": by_band,
        "categories": categories,
        "categories_by_sex": categories_by_sex,
        "protocol_applied": protocol,
        "police_necessary": necessary,
        "like_for_like": {
            "homes": len(like_ids),
            "callouts": like["callouts"],
            "open_homes": like_count,
            "places": like_places,
        },
        "home_changes": [
            {"name": c.name, "event": c.event, "on": c.on.isoformat()} for c in changes
        ],
        "homes_sentence": rules.describe_home_changes(changes, len(like_ids), len(in_scope_homes)),
        "hosts": host_rows,
        "placing": sorted(
            (
                {"code": authorities[pid].code, "name": authorities[pid].local_name, **values}
                for pid, values in placing.items()
            ),
            key=lambda r: r["name"],
        ),
        "trend": {
            "months": trend_months,
            "area": [trend_area[m] for m in trend_months],
            "hosts": [
                {
                    "code": authorities[host_id].code,
                    "name": authorities[host_id].local_name,
                    "values": [trend_hosts[host_id][m] for m in trend_months],
                }
                for host_id in sorted(
                    trend_hosts, key=lambda i: authorities[i].name if i in authorities else ""
                )
                if host_id in authorities
            ],
        },
    }


def board_report(
    user: User | None,
    last: Month,
    *,
    authority_code: str | None = None,
    public: bool = False,
    now: datetime | None = None,
    audit_action: str = "board_report_viewed",
    output: str = "page",
) -> dict[str, Any]:
    """The report a person (None: the command line) may read, laid out as tables, internal or
    public; the read is audited."""
    scope = scope_for(user, authority_code)
    figures = compute(scope, last, now=now)
    report = rules.layout(figures, public=public, references=scope.references and not public)
    audit_trail.read(
        audit_action,
        user=user,
        changes={
            "year_ending": str(last),
            "version": "public" if public else "internal",
            "authority": authority_code,
            "format": output,
        },
    )
    return report
