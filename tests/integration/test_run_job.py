"""`protocol-monitor run-job`: a scheduled job run now, through the same claims as the timers."""

from sqlalchemy import func, select

from protocol_monitor import jobs
from protocol_monitor.db import db
from protocol_monitor.models import Delivery, JobClaim, OutboxMessage, SummarySnapshot
from tests.support import alerts, summary_data
from tests.support.peers import MockSlack


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_monthly_job_runs_once_for_its_period(app, make):
    summary_data.build(make)
    result = _cli(app, "run-job", "monthly_summary", "--period", "2026-04")
    assert result.exit_code == 0, result.output
    assert "monthly_summary: done." in result.output
    again = _cli(app, "run-job", "monthly_summary", "--period", "2026-04")
    assert again.exit_code == 0
    assert "already run elsewhere; skipped" in again.output
    assert db.session.scalar(select(SummarySnapshot.month)) == "2026-04"
    claim = db.session.scalar(select(JobClaim))
    assert (claim.job, claim.period, claim.status) == ("monthly_summary", "2026-04", "done")
    digests = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "digest")
    )
    assert digests == 1


def test_deliver_alerts_job_sends_what_is_due(app):
    slack = MockSlack().start()
    try:
        app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(
            slack_bot_token="xoxb-test", slack_api_url=slack.api_url
        )
        alerts.channel("group", slack_channel_id="CGROUP")
        alerts.digest("2026-10")
        result = _cli(app, "run-job", "deliver_alerts")
        assert result.exit_code == 0, result.output
        assert "Delivered what was due." in result.output
        assert len(slack.calls("chat.postMessage")) == 1
        assert db.session.scalar(select(Delivery.status)) == "delivered"
        assert "Nothing to deliver." in _cli(app, "run-job", "deliver_alerts").output
        assert len(slack.calls("chat.postMessage")) == 1
    finally:
        slack.stop()


def test_bad_names_and_periods_are_refused(app):
    result = _cli(app, "run-job", "everything")
    assert result.exit_code == 1
    assert "Unknown job 'everything': use one of monthly_summary" in result.output
    result = _cli(app, "run-job", "monthly_summary", "--period", "April")
    assert result.exit_code == 1
    assert "Enter the period as a month, like 2026-10" in result.output
    result = _cli(app, "run-job", "unreported_flags", "--period", "2026-04")
    assert result.exit_code == 1
    assert "--period is only for monthly_summary" in result.output


def test_help_names_every_job(app):
    result = _cli(app, "run-job", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert all(name in text for name in jobs.JOBS) and "retention_purge" in text
