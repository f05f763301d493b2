"""The daily retention job anonymises expired call-outs and leaves every figure as it was."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Callout, Flag, Report, ReportRevision, Review
from protocol_monitor.rules.time import Month
from protocol_monitor.services.retention import REMOVED, cutoff_month, purge_expired

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _figures():
    """Per month, home and placing authority: the counts a summary is compiled from."""
    rows = db.session.execute(
        select(
            Callout.month,
            Callout.home_id,
            Callout.placing_authority_id,
            Callout.in_scope,
            func.count(),
            func.count(func.distinct(Callout.child_reference)),
            func.sum(func.coalesce(Callout.arrested, False).cast(db.Integer)),
            func.count(Callout.outcome),
        )
        .group_by(Callout.month, Callout.home_id, Callout.placing_authority_id, Callout.in_scope)
        .order_by(Callout.month, Callout.home_id)
    ).all()
    return [tuple(row) for row in rows]


def _detail(report):
    return (
        report.child_reference,
        report.child_sex,
        report.child_age,
        report.immediate_risk_reason,
        report.injuries_damage,
        report.description,
    )


def test_cutoff_keeps_24_months_after_the_month_of_the_callout():
    assert cutoff_month(NOW, 24) == Month(2024, 11)
    # 00:30 on 1 December 2026 in London is still 30 November in UTC: it is December's cutoff.
    assert cutoff_month(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), 24) == Month(2024, 12)


def test_expired_callouts_are_anonymised_and_figures_do_not_change(app, make):
    home = make.home("SC200001")
    other = make.authority("E06000058", "Bournemouth, Christchurch and Poole")
    user = make.user("provider", homes=[home])
    old = [
        make.home_report(
            home,
            datetime(2024, 10, 3, 21, 0),
            child_reference="LCS-1",
            child_sex="male",
            child_age=14,
            description="Kicked the door",
            injuries_damage="Door panel",
            arrested=True,
            outcome="nfa",
        ),
        make.home_report(
            home, datetime(2024, 10, 9, 21, 0), child_reference="LCS-1", placing=other
        ),
        make.home_report(home, datetime(2024, 10, 20, 21, 0), child_reference="LCS-2"),
        make.home_report(
            home, datetime(2024, 10, 21, 21, 0), category="missing", child_reference=None
        ),
    ]
    recent = make.home_report(
        home,
        datetime(2024, 11, 1, 0, 30),
        child_reference="LCS-1",
        child_sex="male",
        description="Shouting at staff",
    )
    report = old[0].home_report
    db.session.add(
        ReportRevision(
            report=report,
            changed_by_id=user.id,
            changes={"description": ["Kicked it", "Kicked the door"]},
            reason="LCS-1 told us more",
        )
    )
    db.session.add(
        Review(
            callout_id=old[0].id,
            protocol_applied="appropriate",
            police_necessary="slow_time",
            learning_points="Talk to LCS-1 first",
        )
    )
    db.session.add(
        Flag(
            rule="repeat_child",
            status="resolved",
            home_id=home.id,
            subject_key=f"repeat_child:{home.id}:LCS-1",
            child_reference="LCS-1",
            placing_authority_id=home.host_authority_id,
            callout_id=old[0].id,
            explanation="3 call-outs about LCS-1",
            resolved_note="Met LCS-1's SW",
        )
    )
    db.session.commit()
    before = _figures()
    recent_detail = _detail(recent.home_report)

    counts = purge_expired(NOW, months=24)

    assert counts == {
        "callouts": 4,
        "reports": 4,
        "revisions": 1,
        "reviews": 1,
        "flags": 1,
        "copies": 0,
        "saved_forms": 0,
    }
    db.session.expire_all()
    assert _figures() == before
    for callout in old:
        callout = db.session.get(Callout, callout.id)
        assert callout.child_reference is None or callout.child_reference.startswith("~")
        detail = _detail(callout.home_report)
        assert detail[1:] == (None, None, None, None, None)
        assert detail[0] == callout.child_reference
    anonymised = db.session.get(Callout, old[0].id)
    (revision,) = anonymised.home_report.revisions
    assert "LCS-1" not in revision.reason and "Kicked" not in str(revision.changes)
    assert anonymised.arrested is True and anonymised.outcome == "nfa"
    assert anonymised.month == "2024-10" and anonymised.category == "criminal_damage"
    # The same child in the same month under a different placing authority stays distinct.
    assert anonymised.child_reference != db.session.get(Callout, old[1].id).child_reference
    assert db.session.scalar(select(ReportRevision)).changes == {"description": [REMOVED, REMOVED]}
    assert db.session.scalar(select(Review)).learning_points == REMOVED
    flag = db.session.scalar(select(Flag))
    assert "LCS-1" not in flag.subject_key + flag.explanation + flag.child_reference
    assert flag.resolved_note == REMOVED
    # The recent call-out (November 2024, within 24 months of November 2026) is untouched.
    assert _detail(db.session.get(Report, recent.home_report.id)) == recent_detail
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention_purged"))
    assert entry.changes["cutoff_month"] == "2024-11"
    assert entry.changes["callouts"] == 4
    assert "LCS" not in str(entry.changes)


def test_running_twice_changes_nothing(app, make):
    home = make.home("SC200002")
    make.home_report(home, datetime(2023, 1, 5, 12, 0), description="Broke a plate")
    purge_expired(NOW, months=24)
    db.session.expire_all()
    snapshot = [
        (c.id, c.child_reference, c.updated_at) for c in db.session.scalars(select(Callout))
    ]
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEvent))

    assert purge_expired(NOW, months=24) == {
        "callouts": 0,
        "reports": 0,
        "revisions": 0,
        "reviews": 0,
        "flags": 0,
        "copies": 0,
        "saved_forms": 0,
    }
    db.session.expire_all()
    assert [
        (c.id, c.child_reference, c.updated_at) for c in db.session.scalars(select(Callout))
    ] == snapshot
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_rows


def test_retention_period_comes_from_the_setting(app, make):
    home = make.home("SC200003")
    callout = make.home_report(home, datetime(2026, 5, 5, 12, 0), description="Threw a cup")
    assert purge_expired(NOW)["callouts"] == 0  # default: 24 months
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(retention_months=3)
    assert purge_expired(NOW)["callouts"] == 1
    db.session.expire_all()
    assert db.session.get(Callout, callout.id).home_report.description is None


def test_purge_expired_command_reports_counts(app, make):
    home = make.home("SC200004")
    make.home_report(home, datetime(2020, 2, 2, 12, 0), description="Threw a cup")
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "callouts: 1, reports: 1, revisions: 0, reviews: 0, flags: 0, copies: 0, saved_forms: 0"
    )
    again = app.test_cli_runner().invoke(args=["purge-expired"])
    assert again.output.strip() == (
        "callouts: 0, reports: 0, revisions: 0, reviews: 0, flags: 0, copies: 0, saved_forms: 0"
    )
