"""The board report's hand-built data set (domain.md §9), shared by
tests/integration/test_board_report.py, which holds the answers, and the browser journey.

Three years ending September 2027, the last one in progress (it is 15 November 2026: ``NOW``).
Alder House (Dorset) and Beech Lodge (BCP) are open throughout; Cedar Close (BCP) closed at the
end of March 2025; New Court (Dorset) opened in April 2026. DC-1 has a criminal outcome in the
first year and another in the second; WC-9 is placed by Worcestershire in Beech Lodge (out of
area). Alder House has 5 call-outs then 4, Beech Lodge 4 then 5: the suppression edges.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from protocol_monitor.db import unit_of_work
from protocol_monitor.services import flags, reviews

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def build(make) -> SimpleNamespace:
    dorset = make.authority("E06000059", "Dorset Council")
    bcp = make.authority("E06000058", "Bournemouth, Christchurch and Poole Council")
    worcs = make.authority("E10000034", "Worcestershire County Council")
    alder = make.home("SC100001", host=dorset, places=4, name="Alder House")
    beech = make.home("SC100002", host=bcp, places=6, name="Beech Lodge")
    cedar = make.home(
        "SC100003", host=bcp, places=3, name="Cedar Close", closed_on=date(2025, 3, 31)
    )
    new = make.home("SC100004", host=dorset, places=2, name="New Court", opened_on=date(2026, 4, 1))
    children = {
        "DC-1": (dorset, "female", 15),
        "DC-2": (dorset, "male", 13),
        "DC-3": (dorset, "male", 18),
        "DC-4": (dorset, "female", 12),
        "BC-1": (bcp, "male", 17),
        "BC-2": (bcp, "unknown", None),
        "WC-9": (worcs, "male", 16),
    }
    made = []

    def callout(home, when, child, category, attended=False, arrested=False, outcome=None):
        placing, sex, age = children[child] if child else (None, None, None)
        made.append(
            make.home_report(
                home,
                datetime(*when, 20, 0),
                category=category,
                child_reference=child,
                placing=placing,
                child_sex=sex,
                child_age=age,
                police_attended=attended,
                arrested=arrested if attended else None,
                outcome=outcome if attended else None,
            )
        )
        return made[-1]

    # October 2024 to September 2025: 11 call-outs (Alder 5, Cedar 2, Beech 4) and a missing one.
    first = callout(alder, (2024, 10, 10), "DC-1", "assault_staff", True, True, "youth_caution")
    callout(alder, (2024, 11, 5), "DC-1", "criminal_damage", True, False, "nfa")
    callout(alder, (2025, 1, 15), "DC-2", "threats_abuse", True, False, "pending")
    callout(alder, (2025, 3, 3), "DC-2", "criminal_damage")
    callout(alder, (2025, 6, 20), None, "disorder")
    callout(alder, (2025, 7, 1), "DC-2", "missing")
    callout(cedar, (2024, 12, 1), "BC-1", "assault_child", True, True, "charged")
    callout(cedar, (2025, 2, 14), "BC-1", "assault_staff", True, False, "community_resolution")
    beech_april = (
        (1, "welfare_concern", True),
        (8, "welfare_concern", True),
        (15, "threats_abuse", False),
        (22, "threats_abuse", False),
    )
    for day, category, attended in beech_april:
        callout(beech, (2025, 4, day), "BC-2", category, attended, False, "no_crime_advice")
    # October 2025 to September 2026: 10 (Alder 4, Beech 5, New Court 1).
    second = callout(alder, (2025, 10, 12), "DC-1", "assault_staff", True, True, "charged")
    for when in ((2025, 11, 1), (2025, 12, 1), (2026, 1, 10)):
        callout(alder, when, "DC-3", "criminal_damage")
    callout(beech, (2025, 10, 20), "WC-9", "assault_staff", True, True, "youth_conditional_caution")
    callout(beech, (2026, 2, 2), "WC-9", "assault_staff", True, False, "nfa")
    for when in ((2026, 3, 1), (2026, 6, 1), (2026, 9, 1)):
        callout(beech, when, None, "disorder")
    callout(new, (2026, 5, 5), "DC-4", "sexual_incident", True, False, "pending")
    # October 2026 to date: 6 (Alder 2, Beech 1, New Court 3).
    callout(alder, (2026, 10, 3), "DC-1", "threats_abuse", True, False, "nfa")
    callout(alder, (2026, 10, 20), "DC-2", "criminal_damage")
    callout(beech, (2026, 11, 1), "WC-9", "assault_staff", True, True, "pending")
    for day in (5, 10, 25):
        callout(new, (2026, 10, day), "DC-4", "assault_child")
    # The flag rules, as filing runs them: BC-2 (April 2025) and DC-4 (October 2026) repeat.
    with unit_of_work():
        for made_callout in made:
            flags.evaluate(made_callout, now=NOW)
    police = make.user("police", police=alder.police_force)
    reviews.record_review(
        police,
        first.id,
        {"protocol_applied": "appropriate", "police_necessary": "yes_immediate_risk"},
    )
    reviews.record_review(
        police,
        second.id,
        {"protocol_applied": "not_appropriate", "police_necessary": "home_could_manage"},
    )
    return SimpleNamespace(dorset=dorset, bcp=bcp, worcs=worcs, alder=alder, beech=beech)
