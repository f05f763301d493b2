"""Call-outs per month over a span of months (the trend charts), from the monthly fact table."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..db import db
from ..models import Authority
from ..rules.time import Month
from . import monthly_facts


def monthly_trend(
    end: Month, months: int, home_condition=None
) -> tuple[list[str], dict[str, dict[str, int]], dict[str, int]]:
    """In-scope call-outs per month per host authority code, and criminal outcomes per month,
    from the monthly fact table (the figures the compiled summaries count)."""
    labels = [str(end.shift(-i)) for i in range(months - 1, -1, -1)]
    rows = monthly_facts.callout_totals(
        labels[0],
        labels[-1],
        by=("month", "host_authority_id"),
        measures=("callouts", "criminal_outcomes"),
        home_condition=home_condition,
    )
    codes = dict(db.session.execute(select(Authority.id, Authority.code)).all())
    by_authority: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(labels, 0))
    criminal = dict.fromkeys(labels, 0)
    for row in rows:
        if not row.callouts:
            continue
        by_authority[codes[row.host_authority_id]][row.month] = int(row.callouts)
        criminal[row.month] += int(row.criminal_outcomes)
    return labels, dict(sorted(by_authority.items())), criminal
