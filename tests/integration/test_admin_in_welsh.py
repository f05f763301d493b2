"""An administrator who reads Welsh runs the service in Welsh (issue 18): users, homes,
authorities and forces, alert channels and the outbox, their errors included. Nothing English is
left on these pages but the data people typed or named (tests/support/welsh.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import Delivery, OutboxMessage, User
from protocol_monitor.services import flags
from protocol_monitor.services.relay import deliver_due
from tests.conftest import error_messages
from tests.support import alerts
from tests.support.crawl import visible_text
from tests.support.welsh import data_values, english_left

pytestmark = pytest.mark.usefixtures("app")


def _english_left(pages, url: str) -> list[str]:
    """English on the page's main content, but for the data people named or typed."""
    response = pages.client.get(url)
    assert response.status_code == 200, url
    main = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main")
    return english_left(visible_text(str(main)), data_values())


def _world(make):
    admin = make.user("admin", email="gweinyddwr@example.org")
    admin.language = "cy"
    force = make.force()
    officer = make.user("police", police=force, email="swyddog@example.org")
    home = make.home("SC190001", name="Tŷ Derw", officer=officer)
    provider = make.user("provider", homes=[home], email="staff@derw.example")
    alerts.channel(f"authority:{home.host_authority_id}", email_recipients="tim@cyngor.example")
    callout = make.home_report(home, datetime(2026, 10, 14, 21, 5), outcome="charged")
    flags.evaluate(callout)  # a flag alert, and the home's email, in the outbox
    db.session.commit()
    deliver_due(utcnow())  # not configured here: each delivery's attempt is recorded
    return admin, home, provider


def test_every_administration_page_is_in_welsh(pages, make):
    admin, home, provider = _world(make)
    pages.sign_in(admin)
    setting_key = f"authority:{home.host_authority_id}"
    urls = [
        "/admin/",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{provider.id}",
        f"/admin/users/{provider.id}/edit",
        "/admin/homes",
        "/admin/homes/new",
        f"/admin/homes/{home.id}",
        "/admin/homes/import",
        "/admin/authorities",
        "/admin/authorities/new",
        "/admin/forces",
        "/admin/forces/new",
        "/admin/channels",
        f"/admin/channels/{setting_key}",
        "/admin/outbox",
    ]
    left = {url: found for url in urls if (found := _english_left(pages, url))}
    assert left == {}

    outbox = pages.get("/admin/outbox")
    assert outbox.h1.get_text(strip=True) == "Blwch anfon"
    assert db.session.scalar(select(OutboxMessage.payload)).get("cy")  # kept in Welsh too
    titles = [t.get_text(strip=True) for t in outbox.select(".govuk-summary-card__title")]
    assert any(title.startswith("Canlyniad troseddol yn Tŷ Derw") for title in titles)
    # The service's own reasons for an attempt are in Welsh too (stored in English).
    assert "Nid yw e-bost wedi’i osod: nid yw SMTP_HOST wedi’i osod" in outbox.get_text()
    assert "Email is not configured" not in outbox.get_text()

    # A delivery that failed is on the start page by its message's Welsh title.
    failed = db.session.scalars(select(Delivery)).first()
    failed.status = "failed"
    db.session.commit()
    listed = pages.get("/").select_one("#failed-list").get_text()
    assert "Canlyniad troseddol yn Tŷ Derw" in listed and "Criminal outcome" not in listed


def test_the_administrators_errors_are_in_welsh(pages, make):
    admin, home, _provider = _world(make)
    pages.sign_in(admin)
    refused = pages.post(
        "/admin/users/new", {"email": "not an address", "role": "provider", "language": "cy"}
    )
    assert refused.title.get_text(strip=True).startswith("Gwall:")
    assert error_messages(refused) == [
        "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@example.org",
        "Dewiswch o leiaf un cartref ar gyfer darparwr preswyl",
    ]
    channel = pages.post(
        f"/admin/channels/authority:{home.host_authority_id}",
        {"slack_channel_id": "general", "language": "en"},
    )
    assert error_messages(channel) == ["Rhowch ID sianel Slack yn y fformat cywir, fel C0123456789"]
    code = pages.post("/admin/authorities/new", {"code": "X123", "name": "Somewhere"})
    assert error_messages(code) == [
        "Rhaid i’r cod fod yn god ONS: y llythyren E, W, S neu N ac 8 digid, fel E06000059"
    ]
    assert db.session.scalar(select(User).where(User.email == "not an address")) is None
