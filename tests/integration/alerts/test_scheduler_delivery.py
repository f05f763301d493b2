"""The scheduler's relay job delivers what the daily jobs put in the outbox, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from protocol_monitor import jobs
from protocol_monitor.db import db
from protocol_monitor.models import Delivery, Flag, JobClaim
from protocol_monitor.services import police as police_service
from tests.support import alerts


def test_relay_job_posts_an_unreported_flag_once_without_a_job_claim(make, slack):
    force = make.force()
    officer = make.user("police", police=force)
    home = make.home("SC410001", name="Elm House", police=force, officer=officer)
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0DORSET")
    occurred = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    police_service.file_police_record(
        officer,
        {
            "home_id": home.id,
            "police_reference": "DP-410001",
            "occurred_at": occurred,
            "category": "criminal_damage",
            "child_reference": "LCS-3003",
            "placing_authority_code": home.host_authority.code,
            "police_attended": True,
            "arrested": False,
            "outcome": "pending",
        },
    )
    assert jobs.deliver_job(occurred + timedelta(hours=2)) == {}
    assert jobs.unreported_job(occurred + timedelta(hours=80)) is True
    flag = db.session.scalar(select(Flag))

    later = occurred + timedelta(hours=80, minutes=1)
    assert jobs.deliver_job(later)["delivered"] == 1
    assert jobs.deliver_job(later + timedelta(minutes=1)).get("delivered", 0) == 0
    (post,) = slack.calls("chat.postMessage")
    assert post.params["channel"] == "C0DORSET"
    assert "Elm House" in post.params["text"] and "LCS-3003" not in str(post.params)
    assert f"/flags/{flag.id}" in str(post.params["blocks"])
    assert db.session.scalar(select(Delivery.status)) == "delivered"
    # Only the daily job took a claim; the relay relies on its per-delivery claims.
    assert [c.job for c in db.session.scalars(select(JobClaim))] == ["unreported_flags"]
