"""A small hand-built data set for the monthly summary of April 2026 (BST), answers in the tests.

Dorset (E06000059) hosts SC000001 (4 places, open since 2015), SC000002 (3 places, opened
1 September 2025: not like-for-like with April 2025) and SC000004 (closed February 2026).
BCP (E06000058) hosts SC000003 (6 places, no call-outs). Worcestershire (E10000034) hosts
nothing but places child W-77 in SC000001 (out of area).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from protocol_monitor.db import db
from protocol_monitor.models import Action, Flag, Review


@dataclass
class SummaryData:
    dorset: object
    bcp: object
    worcs: object
    h1: object
    h2: object
    h3: object
    h4: object
    officer: object
    first_callout: object


def build(make) -> SummaryData:
    dorset = make.authority("E06000059", "Dorset Council")
    bcp = make.authority("E06000058", "Bournemouth, Christchurch and Poole Council")
    worcs = make.authority("E10000034", "Worcestershire County Council")
    officer = make.user("police", police=make.force())
    officer.display_name = "PC Allocated"
    h1 = make.home("SC000001", host=dorset, places=4, officer=officer)
    h2 = make.home("SC000002", host=dorset, places=3, opened_on=date(2025, 9, 1))
    h3 = make.home("SC000003", host=bcp, places=6)
    h4 = make.home("SC000004", host=dorset, places=2, closed_on=date(2026, 2, 28))

    r = make.home_report
    # April 2026. 00:30 on 1 April BST is 23:30 on 31 March UTC: it belongs to April.
    c1 = r(h1, datetime(2026, 4, 1, 0, 30), child_reference="C1", arrested=True, outcome="charged")
    r(h1, datetime(2026, 4, 10, 14, 0), category="assault_staff", child_reference="C1",
      arrested=False, outcome="nfa")  # fmt: skip
    r(h1, datetime(2026, 4, 20, 9, 0), category="threats_abuse", child_reference="C1",
      outcome="pending")  # fmt: skip
    c4 = r(h1, datetime(2026, 4, 15, 11, 0), category="theft", child_reference="W-77",
           placing=worcs, arrested=True, outcome="youth_caution")  # fmt: skip
    r(h1, datetime(2026, 4, 16, 22, 0), category="missing", child_reference="C1")
    r(h2, datetime(2026, 4, 5, 18, 0), category="disorder", child_reference="B-5", placing=bcp)
    r(h2, datetime(2026, 4, 6, 3, 0), category="welfare_concern", child_reference=None)
    # 23:30 on 31 March BST is still March.
    r(h1, datetime(2026, 3, 31, 23, 30), child_reference="C1")
    # April 2025, and the rolling year.
    r(h1, datetime(2025, 4, 12, 12, 0), child_reference="C1")
    r(h4, datetime(2025, 4, 13, 12, 0), child_reference="C9")
    r(h4, datetime(2025, 4, 14, 12, 0), category="missing", child_reference="C9")
    r(h2, datetime(2025, 10, 10, 12, 0), category="theft", child_reference="B-5", placing=bcp)

    review1 = Review(callout_id=c1.id, protocol_applied="appropriate", police_necessary="slow_time")
    review4 = Review(
        callout_id=c4.id, protocol_applied="not_appropriate", police_necessary="home_could_manage"
    )
    db.session.add_all([review1, review4])
    db.session.flush()
    agreed = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
    db.session.add_all(
        [
            Action(review_id=review1.id, text="Meeting with the home", owner_id=officer.id,
                   due_on=date(2026, 4, 20), status="open", created_at=agreed),
            Action(review_id=review1.id, text="Restorative session", owner_id=officer.id,
                   due_on=date(2026, 5, 20), status="done", created_at=agreed),
            Flag(rule="repeat_home", subject_key="repeat_home:SC000001:2026-04", home_id=h1.id,
                 month="2026-04", status="open"),
            Flag(rule="repeat_home", subject_key="repeat_home:SC000002:2026-03", home_id=h2.id,
                 month="2026-03", status="resolved"),
        ]
    )  # fmt: skip
    db.session.commit()
    return SummaryData(dorset, bcp, worcs, h1, h2, h3, h4, officer, c1)
