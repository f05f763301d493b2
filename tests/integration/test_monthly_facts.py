"""The monthly fact tables follow every change to call-outs and reviews in the same transaction,
and every reader of figures (the compiled month, trends, the yearly report) reads them.

(Every test's teardown also checks that the tables agree with a fresh count: tests/conftest.py.)
"""

from datetime import date, datetime

import pytest
from sqlalchemy import insert, select

from protocol_monitor.db import db, unit_of_work
from protocol_monitor.models import (
    Authority,
    Callout,
    Home,
    MonthlyCalloutFact,
    MonthlyChildFact,
    Report,
)
from protocol_monitor.rules.time import Month, london_to_utc, month_key
from protocol_monitor.services import callouts as callout_service
from protocol_monitor.services import monthly_facts, reviews, summaries, trends, yearly_report
from protocol_monitor.services.matching import new_callout_for
from tests.support import summary_data

pytestmark = pytest.mark.usefixtures("app")

ZERO = dict.fromkeys(monthly_facts.MEASURES, 0)


def facts() -> dict[tuple[str, str, str | None], dict[str, int]]:
    """Every row of ft_monthly_callouts by (month, home URN, placing authority code)."""
    rows = {}
    for fact in db.session.scalars(select(MonthlyCalloutFact)):
        home = db.session.get(Home, fact.home_id)
        placing = db.session.get(Authority, fact.placing_authority_id or 0)
        key = (fact.month, home.urn, placing.code if placing else None)
        rows[key] = {name: getattr(fact, name) for name in monthly_facts.MEASURES}
    return rows


def children() -> set[tuple[str, int, str, int]]:
    return {
        (c.month, c.home_id, c.child_reference, c.callouts)
        for c in db.session.scalars(select(MonthlyChildFact))
    }


def _form(home, local: datetime, **overrides):
    data = {
        "home_id": home.id,
        "occurred_at": london_to_utc(local),
        "category": "criminal_damage",
        "child_reference": "LCS-900",
        "placing_authority_code": home.host_authority.code,
        "caller_role": "home_staff",
        "child_role": "alleged_perpetrator",
        "immediate_risk": "yes",
        "immediate_risk_reason": "Smashing windows",
        "deescalation": ["verbal"],
        "police_attended": True,
        "restorative": "planned",
        "ofsted_notified": False,
    }
    return {**data, **overrides}


def test_facts_follow_filing_matching_reviews_and_corrections(make):
    dorset = make.authority("E06000059", "Dorset Council")
    force = make.force()
    home = make.home("SC500002", host=dorset, police=force)
    provider = make.user("provider", homes=[home])
    officer = make.user("police", police=force)
    key = ("2026-09", "SC500002", "E06000059")

    # A home files its report: one in-scope call-out in September.
    first = callout_service.file_home_report(provider, _form(home, datetime(2026, 9, 3, 21)))
    assert facts() == {key: {**ZERO, "callouts": 1}}
    assert children() == {("2026-09", home.id, "LCS-900", 1)}

    # The police record of the same attendance is matched to it: still one call-out, now with
    # the police side's arrest and criminal outcome.
    police = Report(
        source="police",
        home_id=home.id,
        occurred_at=london_to_utc(datetime(2026, 9, 3, 21, 10)),
        category="criminal_damage",
        child_reference="LCS-900",
        placing_authority_id=dorset.id,
        police_attended=True,
        arrested=True,
        police_reference="DP-1",
        outcome="charged",
    )
    with unit_of_work():
        matched = callout_service.after_change(new_callout_for(police), police)
    assert matched.id == first.id
    assert facts() == {key: {**ZERO, "callouts": 1, "arrests": 1, "criminal_outcomes": 1}}

    # Reviewed: counted as reviewed, and by what the review found.
    reviews.record_review(
        officer,
        first.id,
        {
            "protocol_applied": "partly",
            "police_necessary": "slow_time",
            "police_response_proportionate": True,
            "outcome_proportionate": True,
        },
    )
    counted = {"callouts": 1, "arrests": 1, "criminal_outcomes": 1, "reviewed": 1}
    assert facts() == {key: {**ZERO, **counted, "protocol_partly": 1}}

    # A second report in September, then corrected to October: it moves month.
    second = callout_service.file_home_report(
        provider, _form(home, datetime(2026, 9, 20, 9), child_reference="LCS-901")
    )
    assert facts()[key]["callouts"] == 2
    callout_service.correct_report(
        provider,
        second.id,
        "home",
        {"occurred_at": london_to_utc(datetime(2026, 10, 1, 9)), "reason": "Wrong date"},
    )
    assert facts() == {
        key: {**ZERO, **counted, "protocol_partly": 1},
        ("2026-10", "SC500002", "E06000059"): {**ZERO, "callouts": 1},
    }
    assert children() == {
        ("2026-09", home.id, "LCS-900", 1),
        ("2026-10", home.id, "LCS-901", 1),
    }

    # Corrected to a missing child: no longer in scope, so neither counted nor reviewed in scope.
    callout_service.correct_report(
        provider, second.id, "home", {"category": "missing", "reason": "The child was missing"}
    )
    assert facts()[("2026-10", "SC500002", "E06000059")] == {**ZERO, "missing_excluded": 1}
    assert ("2026-10", home.id, "LCS-901", 1) not in children()
    assert monthly_facts.differences() == []


def test_writes_the_session_cannot_see_are_found_by_differences_until_marked(make):
    home = make.home("SC500003")
    at = london_to_utc(datetime(2026, 5, 2, 12))
    row = {
        "home_id": home.id,
        "occurred_at": at,
        "month": month_key(at),
        "category": "theft",
        "in_scope": True,
        "criminal_outcome": False,
        "created_at": at,
        "updated_at": at,
    }
    db.session.execute(insert(Callout.__table__), [row])
    db.session.commit()
    assert monthly_facts.differences() == [
        f"ft_monthly_callouts: missing ('2026-05', {home.id}, None, 1, 0, 0, 0, 0, 0, 0, 0, 0)"
    ]
    monthly_facts.mark([("2026-05", home.id)])
    db.session.commit()
    assert monthly_facts.differences() == []


def test_a_unit_of_work_reads_what_it_has_filed_before_it_commits(make):
    home = make.home("SC500004")
    provider = make.user("provider", homes=[home])
    with unit_of_work():
        callout_service.file_home_report(provider, _form(home, datetime(2026, 6, 1, 12)))
        (row,) = monthly_facts.callout_totals("2026-06", "2026-06", by=("home_id",))
        assert (row.home_id, row.callouts) == (home.id, 1)
    assert monthly_facts.differences() == []


def test_reading_by_host_and_placing_authority(make):
    data = summary_data.build(make)
    by_host = {
        r.host_authority_id: r.callouts
        for r in monthly_facts.callout_totals(
            "2026-04", "2026-04", by=("host_authority_id",), measures=("callouts",)
        )
    }
    assert by_host == {data.dorset.id: 6}
    by_placing = {
        r.placing_authority_id: (r.callouts, r.arrests)
        for r in monthly_facts.callout_totals(
            "2026-04", "2026-04", by=("placing_authority_id",), placing_only=True
        )
    }
    # The call-out with no child reference has no placing authority.
    assert by_placing == {data.dorset.id: (3, 1), data.worcs.id: (1, 1), data.bcp.id: (1, 0)}
    with pytest.raises(ValueError, match="not a dimension or measure"):
        monthly_facts.callout_totals("2026-04", "2026-04", by=("child_reference",))


def test_compiled_month_trends_and_yearly_report_give_the_same_counts(make):
    data = summary_data.build(make)
    snapshot = summaries.compile_month("2026-04")
    compiled = {row["code"]: row for row in snapshot.figures["authorities"]}
    labels, by_authority, criminal = trends.monthly_trend(Month(2026, 4), 13)
    assert by_authority["E06000059"]["2026-04"] == compiled["E06000059"]["callouts"] == 6
    assert by_authority["E06000059"]["2025-04"] == compiled["E06000059"]["same_month_last_year"]
    rolling = sum(by_authority["E06000059"][m] for m in labels[1:])
    assert rolling == compiled["E06000059"]["rolling_12_months"] == 8
    assert criminal["2026-04"] == sum(r["criminal_outcomes"] for r in compiled.values())
    report = yearly_report.yearly_report(2026, "calendar", today=date(2026, 5, 1))
    (dorset,) = [r for r in report["rows"] if r["code"] == "E06000059"]
    assert dorset["callouts"][2026] == sum(
        by_authority["E06000059"][m] for m in labels if m.startswith("2026")
    )
    # Open in each of 2024-2026: SC000001 (four in April, 23:30 on 31 March) and SC000004
    # (closed in February 2026, none in 2026); SC000002 opened in 2025.
    assert dorset["like_for_like"][2026] == 5
    assert data.h2.opened_on == date(2025, 9, 1)
