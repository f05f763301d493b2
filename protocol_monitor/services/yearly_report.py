"""The yearly report: in-scope call-outs per host authority over three years, from the monthly
fact table (the figures the compiled summaries count)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, select

from ..db import db
from ..i18n import _
from ..models import Authority, Home
from ..rules import summary as rules
from . import monthly_facts
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
    like_homes = {
        home_id
        for home_id, opened, closed in db.session.execute(
            select(Home.id, Home.opened_on, Home.closed_on)
        )
        if all(rules.open_during(opened, closed, a, b) for a, b in periods)
    }
    counts: dict[int, dict[str, dict[int, int]]] = {}
    for year, (first, last) in zip(years, spans, strict=True):
        for row in monthly_facts.callout_totals(
            first,
            last,
            by=("home_id", "host_authority_id"),
            measures=("callouts",),
            home_condition=home_condition,
        ):
            entry = counts.setdefault(
                row.host_authority_id,
                {"callouts": dict.fromkeys(years, 0), "like": dict.fromkeys(years, 0)},
            )
            entry["callouts"][year] += int(row.callouts)
            if row.home_id in like_homes:
                entry["like"][year] += int(row.callouts)
    homes_statement = select(
        Home.host_authority_id,
        *(
            count_where(Home.open_during(a, b)).label(f"h{y}")
            for y, (a, b) in zip(years, periods, strict=True)
        ),
        count_where(like).label("like"),
    ).group_by(Home.host_authority_id)
    if home_condition is not None:
        homes_statement = homes_statement.where(home_condition)
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
                "name": authority.local_name,
                "callouts": c["callouts"] if c else dict.fromkeys(years, 0),
                "like_for_like": c["like"] if c else dict.fromkeys(years, 0),
                "homes": {y: int(getattr(h, f"h{y}")) if h else 0 for y in years},
                "like_for_like_homes": int(h.like) if h else 0,
            }
        )
    return {
        "basis": basis,
        "years": years,
        "labels": {y: rules.year_label(y, basis, today) for y in years},
        "spans": {y: rules.year_span(y, basis) for y in years},
        "heading": _(
            "Call-outs by authority, %(years)s", years=rules.years_label(years, basis, today)
        ),
        "in_progress": today is not None and today <= rules.year_ends(last_year, basis),
        "rows": rows,
    }
