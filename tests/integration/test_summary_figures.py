"""Every §8 figure of April 2026 on the hand-built data set; answers written out by hand."""

from datetime import date, datetime

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import Home, OutboxMessage, SummarySnapshot
from protocol_monitor.services import summaries
from tests.support import summary_data

PA_NONE = {"appropriate": 0, "partly": 0, "not_appropriate": 0, "insufficient_information": 0}


def _by(rows, key):
    return {row[key]: row for row in rows}


def test_host_authority_figures(app, make):
    summary_data.build(make)
    snapshot = summaries.compile_month("2026-04")
    assert snapshot.version == 1
    rows = _by(snapshot.figures["authorities"], "code")
    # Worcestershire hosts no home and is not a host row.
    assert set(rows) == {"E06000059", "E06000058"}
    dorset = rows["E06000059"]
    assert dorset == {
        "code": "E06000059",
        "name": "Dorset Council",
        "callouts": 6,  # 4 at SC000001 (incl. 00:30 on 1 April BST), 2 at SC000002
        "missing_excluded": 1,
        "children": 3,  # C1, W-77, B-5; the blank reference is not a child
        "homes_with_callouts": 2,
        "homes_in_scope": 2,  # SC000004 closed in February
        "registered_places": 7,
        "rate_per_10_places": 8.6,  # 60 / 7 = 8.57
        "arrests": 2,
        "criminal_outcomes": 2,  # charged, youth caution
        "reviewed": 2,
        "protocol_applied": {**PA_NONE, "appropriate": 1, "not_appropriate": 1},
        "same_month_last_year": 2,  # the missing call-out of April 2025 excluded
        "rolling_12_months": 8,  # 6 in April, 31 March 23:30, October 2025
        # Homes open in April 2025 and April 2026: SC000001 only.
        "like_for_like": {"homes": 1, "callouts": 4, "same_month_last_year": 1},
    }
    bcp = rows["E06000058"]
    assert bcp["callouts"] == 0
    assert bcp["homes_in_scope"] == 1
    assert bcp["registered_places"] == 6
    assert bcp["rate_per_10_places"] == 0.0
    assert bcp["like_for_like"] == {"homes": 1, "callouts": 0, "same_month_last_year": 0}


def test_placing_authority_figures_follow_the_child(app, make):
    summary_data.build(make)
    rows = _by(summaries.compile_month("2026-04").figures["placing_authorities"], "code")
    assert set(rows) == {"E06000059", "E06000058", "E10000034"}
    worcs = rows["E10000034"]  # places W-77 in a Dorset home: out of area
    assert (worcs["callouts"], worcs["children"], worcs["arrests"]) == (1, 1, 1)
    assert worcs["criminal_outcomes"] == 1
    assert worcs["protocol_applied"] == {**PA_NONE, "not_appropriate": 1}
    assert worcs["homes_in_scope"] is None and worcs["rate_per_10_places"] is None
    dorset = rows["E06000059"]
    assert dorset["callouts"] == 3
    assert dorset["missing_excluded"] == 1
    assert dorset["same_month_last_year"] == 2  # C1 at SC000001, C9 at SC000004
    assert dorset["rolling_12_months"] == 4
    assert dorset["like_for_like"] == {"callouts": 3, "same_month_last_year": 1}
    bcp = rows["E06000058"]
    assert (bcp["callouts"], bcp["homes_with_callouts"], bcp["rolling_12_months"]) == (1, 1, 2)


def test_home_figures_repeat_children_and_actions(app, make):
    data = summary_data.build(make)
    figures = summaries.compile_month("2026-04").figures
    homes = _by(figures["homes"], "urn")
    assert set(homes) == {"SC000001", "SC000002", "SC000003", "SC000004"}
    h1 = homes["SC000001"]
    assert (h1["callouts"], h1["missing_excluded"], h1["children"]) == (4, 1, 2)
    assert (h1["registered_places"], h1["rate_per_10_places"]) == (4, 10.0)
    assert (h1["same_month_last_year"], h1["rolling_12_months"]) == (1, 5)
    assert h1["like_for_like"] == {"callouts": 4, "same_month_last_year": 1}
    assert (h1["repeat_children"], h1["open_flags"]) == (1, 1)
    assert h1["allocated_officer"] == "PC Allocated"
    h2 = homes["SC000002"]  # opened mid-year: no like-for-like comparison
    assert (h2["callouts"], h2["rate_per_10_places"], h2["like_for_like"]) == (2, 6.7, None)
    assert (h2["rolling_12_months"], h2["open_flags"]) == (3, 0)
    h3 = homes["SC000003"]  # no call-outs at all, still listed
    assert (h3["callouts"], h3["rate_per_10_places"], h3["in_scope"]) == (0, 0.0, True)
    h4 = homes["SC000004"]  # closed: out of scope, but its last-year call-out is shown
    assert (h4["in_scope"], h4["same_month_last_year"], h4["registered_places"]) == (False, 1, 0)

    assert figures["repeat_children"] == [
        {
            "child_reference": "C1",
            "urn": "SC000001",
            "home": data.h1.name,
            "placing_authority": "E06000059",
            "callouts": 3,
            "categories": {"assault_staff": 1, "criminal_damage": 1, "threats_abuse": 1},
            "outcomes": {"charged": 1, "nfa": 1, "pending": 1},
            "actions": {"done": 1, "open": 1},
        }
    ]
    assert figures["actions"] == {
        "totals": {"agreed": 2, "agreed_this_month": 2, "done": 1, "open": 1, "overdue": 1},
        "by_owner": [
            {"owner": "PC Allocated", "agreed": 2, "agreed_this_month": 2, "done": 1, "open": 1,
             "overdue": 1}
        ],
        # What a reader's area is cut from (access.scoped_actions): by home and owner.
        "by_home": [
            {"urn": "SC000001", "owner_id": data.officer.id, "owner": "PC Allocated", "agreed": 2,
             "agreed_this_month": 2, "done": 1, "open": 1, "overdue": 1}
        ],
    }  # fmt: skip


def test_late_report_makes_a_new_version_and_says_what_changed(app, make):
    data = summary_data.build(make)
    first = summaries.compile_month("2026-04")
    again = summaries.compile_month("2026-04")
    assert again.id == first.id and again.version == 1  # unchanged figures: no new version

    make.home_report(data.h3, datetime(2026, 4, 30, 23, 59), child_reference="B-6",
                     placing=data.bcp)  # fmt: skip
    second = summaries.compile_month("2026-04", queue_digest=True)
    assert second.version == 2
    assert "Authority E06000058: callouts 0 → 1" in second.changes
    assert "Home SC000003: callouts 0 → 1" in second.changes
    assert summaries.compile_month("2026-04").version == 2
    count = db.session.scalar(select(func.count()).select_from(SummarySnapshot))
    assert count == 2
    message = db.session.scalar(select(OutboxMessage))
    assert message.idempotency_key == "digest:2026-04:v2"
    assert message.payload["version"] == 2
    assert "What changed since version 1" in message.payload["text"]
    assert "Authority E06000058: callouts 0 → 1" in message.payload["text"]
    assert "version 2" in message.payload["html"]
    assert message.payload["link_path"] == "/summaries/digests/2026-04"
    assert message.payload["teams_card"]["type"] == "AdaptiveCard"
    assert message.payload["slack_blocks"][0]["type"] == "header"
    # Pseudonymous references travel only in `restricted`, never in the bodies.
    assert message.restricted["repeat_children"] == [{"child_reference": "C1", "urn": "SC000001"}]
    assert "C1" not in str(message.payload)


def test_open_during_agrees_in_sql_and_python(app, make):
    """ "Open on any day of a period" is one rule (Home.open_during), run by Python on a home and
    by the database in the summary's queries: both answer alike for every kind of boundary."""
    days = [None, *(date(2026, 4, d) for d in range(1, 6))]
    host, police = make.authority(), make.force()
    homes = [
        make.home(f"SC9{i:05d}", host=host, police=police, opened_on=opened, closed_on=closed)
        for i, (opened, closed) in enumerate(
            (o, c) for o in days for c in days if o is None or c is None or o <= c
        )
    ]
    left_out = 0
    for first in days[1:]:
        for last in (d for d in days[1:] if d >= first):
            in_sql = set(db.session.scalars(select(Home.id).where(Home.open_during(first, last))))
            in_python = {h.id for h in homes if h.open_during(first, last)}
            assert in_sql == in_python, (first, last)
            left_out += len(homes) - len(in_python)
    assert left_out


def test_repeat_children_are_those_of_the_month_not_every_flag_open_today(app, make):
    from protocol_monitor.models import Callout, Flag

    data = summary_data.build(make)
    c1 = db.session.scalars(
        select(Callout).where(Callout.child_reference == "C1", Callout.month == "2026-04")
    ).all()
    db.session.add(
        Flag(
            rule="repeat_child",
            status="open",
            home_id=data.h1.id,
            subject_key=f"repeat_child:{data.h1.id}:C1",
            child_reference="C1",
            placing_authority_id=c1[0].placing_authority_id,
            explanation="3 call-outs about C1",
            callouts=c1,
        )
    )
    db.session.commit()
    april = summaries.compile_month("2026-04").figures["repeat_children"]
    assert [child["child_reference"] for child in april] == ["C1"]
    # C1's repeat-child flag is still open, but June has no call-out about C1.
    assert summaries.compile_month("2026-06").figures["repeat_children"] == []
