"""Admins set where alerts go and watch the outbox; with nothing set up, nothing is lost."""

from __future__ import annotations

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, ChannelSetting, Delivery
from tests.conftest import error_messages
from tests.support import alerts

WEBHOOK = "https://prod-01.uksouth.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=TOPSECRET"


def test_with_nothing_configured_the_outbox_shows_what_would_have_been_sent(app, pages, make):
    home = make.home("SC400001", name="Yew House")
    alerts.flag_alert(alerts.flag(home), child_reference="LCS-555")
    alerts.digest("2026-10")
    result = app.test_cli_runner().invoke(args=["deliver-alerts"])
    assert result.exit_code == 0, result.output
    assert "not configured: 2" in result.output

    pages.sign_in(make.user("admin"))
    soup = pages.get("/admin/outbox")
    text = soup.get_text()
    assert "Flag raised: Repeat call-outs from one home" in text
    assert "Home: Yew House (SC400001)" in text
    assert "Call-outs digest for 2026-10" in text
    assert text.count("Not configured — would have been sent") == 2
    assert "LCS-555" not in text

    # Set up the group's Slack channel, but the installation has no Slack token yet.
    pages.post(
        "/admin/channels/group",
        {"slack_channel_id": "C0GROUP1", "teams_webhook_url": "", "email_recipients": ""},
    )
    assert db.session.scalar(select(Delivery)) is None  # nothing routed until sent again
    message_id = next(
        int(tag["id"].split("-")[1])
        for tag in soup.select("[id^=reroute-]")
        if "digest" in tag.find_parent(class_="govuk-summary-card").get_text()
    )
    pages.post(f"/admin/outbox/messages/{message_id}/send-again", {})
    assert app.test_cli_runner().invoke(args=["deliver-alerts"]).exit_code == 0
    soup = pages.get("/admin/outbox")
    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == "not_configured"
    assert "SLACK_BOT_TOKEN is not set" in soup.get_text()
    assert soup.find(id=f"retry-{delivery.id}") is not None


def test_admin_sets_channels_and_the_webhook_is_never_shown_back(pages, make):
    authority = make.authority()
    pages.sign_in(make.user("admin"))
    soup = pages.get("/admin/channels")
    assert "Dorset Council" in soup.get_text()
    key = f"authority:{authority.id}"
    pages.get(f"/admin/channels/{key}")
    soup = pages.post(
        f"/admin/channels/{key}",
        {
            "slack_channel_id": "C0123456789",
            "teams_webhook_url": WEBHOOK,
            "email_recipients": "chair@example.org; analyst@example.org",
            "allow_child_reference": "y",
        },
    )
    assert "Alert channels saved for Dorset Council" in soup.get_text()
    assert "TOPSECRET" not in str(soup)
    assert "prod-01.uksouth.logic.azure.com/…CRET" in soup.get_text()
    setting = db.session.scalar(select(ChannelSetting).where(ChannelSetting.scope_key == key))
    assert setting.teams_webhook_url == WEBHOOK
    assert setting.recipients == ["chair@example.org", "analyst@example.org"]
    assert setting.allow_child_reference is True

    edit = pages.get(f"/admin/channels/{key}")
    assert "TOPSECRET" not in str(edit)
    assert edit.find(id="teams_webhook_url")["value"] == ""
    pages.post(f"/admin/channels/{key}", {"slack_channel_id": "C0123456789"})
    db.session.expire_all()
    setting = db.session.get(ChannelSetting, setting.id)
    assert setting.teams_webhook_url == WEBHOOK  # a blank field keeps the secret
    assert setting.allow_child_reference is False
    pages.post(
        f"/admin/channels/{key}",
        {"slack_channel_id": "C0123456789", "remove_teams_webhook": "y"},
    )
    db.session.expire_all()
    assert db.session.get(ChannelSetting, setting.id).teams_webhook_url is None
    changes = [e.changes for e in db.session.scalars(select(AuditEvent))]
    assert changes and "TOPSECRET" not in str(changes)


def test_invalid_channel_settings_show_linked_errors(pages, make):
    pages.sign_in(make.user("admin"))
    soup = pages.post(
        "/admin/channels/group",
        {
            "slack_channel_id": "#general",
            "teams_webhook_url": "http://example.org/hook",
            "email_recipients": "chair@example.org, not-an-email",
        },
    )
    assert error_messages(soup) == [
        "Enter a Slack channel ID in the correct format, like C0123456789",
        "Enter a webhook URL starting https://",
        "Enter email addresses in the correct format, like name@example.org (not-an-email is not)",
    ]
    assert soup.title.get_text().startswith("Error: Alert channels")  # once, not "Error: Error:"
    assert db.session.scalar(select(ChannelSetting)) is None


def test_one_slack_channel_serves_one_area(pages, make):
    alerts.channel("group", slack_channel_id="C0SHARED1")
    authority = make.authority()
    pages.sign_in(make.user("admin"))
    soup = pages.post(
        f"/admin/channels/authority:{authority.id}", {"slack_channel_id": "C0SHARED1"}
    )
    assert error_messages(soup) == ["That Slack channel is already set for another area"]


def test_only_admins_manage_channels_and_the_outbox(pages, make):
    pages.sign_in(make.user("group"))
    pages.get("/admin/channels", status=403)
    pages.get("/admin/outbox", status=403)
    pages.get("/admin/channels/nowhere", status=403)


def test_an_unknown_area_is_not_found(pages, make):
    pages.sign_in(make.user("admin"))
    pages.get("/admin/channels/authority:9999", status=404)


def test_the_outbox_pages_and_filters_and_speaks_plainly(pages, make):
    home = make.home("SC400009", name="Ash House")
    for month in range(1, 12):
        alerts.digest(f"2025-{month:02d}")
    alerts.flag_alert(alerts.flag(home))
    db.session.commit()
    pages.sign_in(make.user("admin"))
    soup = pages.get("/admin/outbox")
    assert "12 messages, page 1 of 2" in soup.select_one("#outbox-count").get_text()
    assert len(soup.select(".govuk-summary-card")) == 10
    assert "deliver-alerts" not in soup.get_text() and "protocol-monitor" not in soup.get_text()
    assert len(pages.get("/admin/outbox?page=2").select(".govuk-summary-card")) == 2
    soup = pages.get("/admin/outbox?kind=flag_alert")
    assert "1 message" in soup.select_one("#outbox-count").get_text()
    assert "Flag alert · queued" in soup.get_text()
    soup = pages.get("/admin/outbox?status=failed")
    assert "No message matches." in soup.select_one("#outbox-empty").get_text()
