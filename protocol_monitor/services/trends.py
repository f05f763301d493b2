"""Call-outs per month over a span of months (the trend charts), grouped in SQL."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from ..db import db
from ..models import Authority, Callout, Home
from ..rules.time import Month
from .summary_figures import count_where


def monthly_trend(
    end: Month, months: int, home_condition=None
) -> tuple[list[str], dict[str, dict[str, int]], dict[str, int]]:
    """In-scope call-outs per month per host authority code, and criminal outcomes per month."""
    labels = [str(end.shift(-i)) for i in range(months - 1, -1, -1)]
    statement = (
        select(
            Callout.month,
            Authority.code,
            func.count().label("callouts"),
            count_where(Callout.criminal_outcome.is_(True)).label("criminal"),
        )
        .select_from(Callout)
        .join(Home, Home.id == Callout.home_id)
        .join(Authority, Authority.id == Home.host_authority_id)
        .where(Callout.in_scope.is_(True), Callout.month >= labels[0], Callout.month <= labels[-1])
        .group_by(Callout.month, Authority.code)
    )
    if home_condition is not None:
        statement = statement.where(home_condition)
    by_authority: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(labels, 0))
    criminal = dict.fromkeys(labels, 0)
    for row in db.session.execute(statement):
        by_authority[row.code][row.month] = int(row.callouts)
        criminal[row.month] += int(row.criminal)
    return labels, dict(sorted(by_authority.items())), criminal
