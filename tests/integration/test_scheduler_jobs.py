"""The scheduler's daily jobs run the real services, each claimed once per London day."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from protocol_monitor import create_app, jobs
from protocol_monitor.db import db
from protocol_monitor.models import Callout, Flag, JobClaim, OutboxMessage
from protocol_monitor.process import scheduler
from protocol_monitor.rules.time import london_to_utc
from protocol_monitor.services import police as police_service
from protocol_monitor.services import reviews as review_service
from protocol_monitor.services.retention import is_token
from tests.conftest import _settings

pytestmark = pytest.mark.usefixtures("app")


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _file_police_record(officer, home, occurred_at: datetime, reference: str):
    return police_service.file_police_record(
        officer,
        {
            "home_id": home.id,
            "police_reference": reference,
            "occurred_at": occurred_at,
            "category": "assault_staff",
            "child_reference": "LCS-2002",
            "placing_authority_code": home.host_authority.code,
            "police_attended": True,
            "arrested": False,
            "outcome": "pending",
        },
    )


def test_daily_unreported_job_flags_a_police_record_the_home_never_reported(make):
    force = make.force()
    home = make.home("SC400001", police=force)
    officer = make.user("police", police=force)
    occurred = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    callout = _file_police_record(officer, home, occurred, "DP-400001")
    assert _count(Flag) == 0  # filed an hour after: not yet unreported

    # The job at 71 hours: nothing yet. Claimed for the day all the same.
    assert jobs.unreported_job(occurred + timedelta(hours=71)) is True
    assert _count(Flag) == 0
    # The next day's run, 73 hours after the attendance: one unreported flag and its alert.
    later = occurred + timedelta(hours=95)
    assert jobs.unreported_job(later) is True
    (flag,) = db.session.scalars(select(Flag)).all()
    assert (flag.rule, flag.callout_id, flag.threshold) == ("unreported", callout.id, 72)
    alert = db.session.scalar(select(OutboxMessage))
    assert (alert.kind, alert.record_id) == ("flag_alert", flag.id)
    # The same day again (a restart, a second scheduler): claimed already, nothing runs.
    assert jobs.unreported_job(later + timedelta(minutes=5)) is False
    assert (_count(Flag), _count(OutboxMessage)) == (1, 2)  # the alert, and the home's notice
    claims = db.session.scalars(select(JobClaim).order_by(JobClaim.period)).all()
    assert [(c.job, c.status) for c in claims] == [("unreported_flags", "done")] * 2


def test_daily_reminder_job_queues_one_reminder_per_overdue_action_per_day(make):
    force = make.force()
    officer = make.user("police", police=force)
    home = make.home("SC400002", police=force, officer=officer)
    callout = make.home_report(home, datetime(2026, 5, 20, 12))
    review_service.record_review(
        officer,
        callout.id,
        {
            "protocol_applied": "partly",
            "police_necessary": "slow_time",
            "police_response_proportionate": True,
            "outcome_proportionate": None,
        },
        [
            {"text": "Restorative meeting", "due_on": date(2026, 6, 1), "status": "open"},
            {"text": "Not yet due", "due_on": date(2026, 6, 30), "status": "open"},
        ],
    )
    second_june = london_to_utc(datetime(2026, 6, 2, 8, 0))
    assert jobs.overdue_reminders_job(second_june) is True
    assert jobs.overdue_reminders_job(second_june + timedelta(hours=3)) is False
    assert jobs.overdue_reminders_job(second_june + timedelta(days=1)) is True
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind.in_(["action_reminder", "action_due"]))
        .order_by(OutboxMessage.id)
    ).all()
    due = [m for m in messages if m.kind == "action_due"]
    assert len(due) == 1  # the owner is told once that the action is overdue, ever
    messages = [m for m in messages if m.kind == "action_reminder"]
    assert [m.kind for m in messages] == ["action_reminder", "action_reminder"]
    assert [m.idempotency_key.rsplit(":", 1)[1] for m in messages] == ["2026-06-02", "2026-06-03"]
    assert len({m.record_id for m in messages}) == 1


def test_daily_retention_job_anonymises_expired_detail_once(make):
    home = make.home("SC400003")
    old = make.home_report(home, datetime(2023, 1, 10, 20, 0), child_reference="LCS-7001")
    recent = make.home_report(home, datetime(2026, 9, 10, 20, 0), child_reference="LCS-7002")
    now = london_to_utc(datetime(2026, 11, 2, 2, 30))
    assert jobs.retention_job(now) is True
    db.session.expire_all()
    assert is_token(db.session.get(Callout, old.id).child_reference)
    assert db.session.get(Callout, recent.id).child_reference == "LCS-7002"
    assert jobs.retention_job(now + timedelta(hours=1)) is False
    claim = db.session.scalar(select(JobClaim))
    assert (claim.job, claim.period, claim.status) == ("retention_purge", "2026-11-02", "done")


def test_the_relay_interval_comes_from_the_setting(database_url, tmp_path):
    for seconds, expected in ((None, 60), (5, 5)):
        extra = {} if seconds is None else {"scheduler_delivery_seconds": seconds}
        application = create_app(_settings(database_url, tmp_path / "i", **extra))
        built = scheduler.build_scheduler(application)
        trigger = built.get_job("deliver_alerts").trigger
        assert trigger.interval == timedelta(seconds=expected)
