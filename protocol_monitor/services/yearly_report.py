"""The yearly report: in-scope call-outs per host authority over three years, grouped in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, select

from ..db import db
from ..models import Authority, Callout, Home
from ..rules import summary as rules
from .summary_figures import count_where


def yearly_report(
    last_year: int, basis: str, home_condition=None, today: date | None = None
) -> dict[str, Any]:
    """In-scope call-outs per year per host authority for three years, with like-for-like.

    Like-for-like counts only homes open during each of the three years. A year not over by
    ``today`` (London) is labelled "(to date)".
    """
    years = [last_year - 2, last_year - 1, last_year]
    spans = [rules.year_months(y, basis) for y in years]
    periods = [(first.first_day, last.last_day) for first, last in spans]
    like = and_(*(Home.open_during(a, b) for a, b in periods))
    columns = []
    for year, (first, last) in zip(years, spans, strict=True):
        in_year = and_(Callout.month >= str(first), Callout.month <= str(last))
        columns.append(count_where(in_year).label(f"y{year}"))
        columns.append(count_where(and_(in_year, like)).label(f"l{year}"))
    statement = (
        select(Home.host_authority_id, *columns)
        .select_from(Callout)
        .join(Home, Home.id == Callout.home_id)
        .where(
            Callout.in_scope.is_(True),
            Callout.month >= str(spans[0][0]),
            Callout.month <= str(spans[-1][1]),
        )
        .group_by(Home.host_authority_id)
    )
    homes_statement = select(
        Home.host_authority_id,
        *(
            count_where(Home.open_during(a, b)).label(f"h{y}")
            for y, (a, b) in zip(years, periods, strict=True)
        ),
        count_where(like).label("like"),
    ).group_by(Home.host_authority_id)
    if home_condition is not None:
        statement = statement.where(home_condition)
        homes_statement = homes_statement.where(home_condition)
    counts = {row.host_authority_id: row for row in db.session.execute(statement)}
    homes = {row.host_authority_id: row for row in db.session.execute(homes_statement)}
    authorities = db.session.scalars(select(Authority).order_by(Authority.code)).all()
    rows = []
    for authority in authorities:
        c, h = counts.get(authority.id), homes.get(authority.id)
        if c is None and (h is None or not any(getattr(h, f"h{y}") for y in years)):
            continue
        rows.append(
            {
                "code": authority.code,
                "name": authority.name,
                "callouts": {y: int(getattr(c, f"y{y}")) if c else 0 for y in years},
                "like_for_like": {y: int(getattr(c, f"l{y}")) if c else 0 for y in years},
                "homes": {y: int(getattr(h, f"h{y}")) if h else 0 for y in years},
                "like_for_like_homes": int(h.like) if h else 0,
            }
        )
    return {
        "basis": basis,
        "years": years,
        "labels": {y: rules.year_label(y, basis, today) for y in years},
        "heading": f"Call-outs by authority, {rules.years_label(years, basis, today)}",
        "in_progress": today is not None and today <= rules.year_ends(last_year, basis),
        "rows": rows,
    }
