"""The monthly digest as a page (issue 14, item 4): group, authority and police users open each
compiled month's digest, with earlier months, cut to their area exactly as the summary is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, OutboxMessage
from protocol_monitor.services import summaries
from tests.support import summary_data


def _facts(soup) -> dict[str, str]:
    rows = soup.select("#digest-facts .govuk-summary-list__row")
    return {
        r.select_one(".govuk-summary-list__key").get_text(strip=True): r.select_one(
            ".govuk-summary-list__value"
        ).get_text(strip=True)
        for r in rows
    }


def test_group_member_follows_the_digest_link_from_the_message_and_the_start_page(pages, make):
    data = summary_data.build(make)
    summaries.compile_month("2026-03")
    summaries.compile_month("2026-04", queue_digest=True)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "digest"))
    assert message.payload["link_path"] == "/summaries/digests/2026-04"
    assert "http://localhost/summaries/digests/2026-04" in message.payload["text"]

    member = make.user("group", authorities=[data.dorset, data.bcp])
    pages.sign_in(member)
    start = pages.get("/")
    latest = start.find("a", string="The digest for April 2026")
    assert latest["href"] == "/summaries/digests/2026-04"

    soup = pages.get(latest["href"])
    assert soup.h1.get_text(strip=True) == "Digest for April 2026"
    assert "Version 1" in soup.select_one("#version").get_text()
    facts = _facts(soup)
    assert facts["Call-outs"] == "6"  # Dorset 6, BCP 0 (missing and absent apart)
    assert facts["Missing or absent (not counted as call-outs)"] == "1"
    assert facts["Children called about repeatedly"] == "1"
    authorities = soup.select_one("#digest-authorities").get_text()
    assert "Dorset Council" in authorities and "Worcestershire" not in authorities
    assert "C1" not in soup.get_text()  # counts only, never a child's reference
    earlier = soup.select_one("#earlier-digests")
    assert [a.get_text() for a in earlier.find_all("a")] == ["March 2026"]
    march = pages.get(earlier.find("a")["href"])
    assert march.h1.get_text(strip=True) == "Digest for March 2026"
    listing = pages.get("/summaries/digests/")
    assert [a.get_text() for a in listing.select("#digest-months a")] == [
        "April 2026",
        "March 2026",
    ]
    viewed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "digest_viewed")
    ).all()
    assert [e.changes["month"] for e in viewed] == ["2026-04", "2026-03"]


def test_an_authority_sees_only_its_own_homes_in_the_digest(pages, make):
    data = summary_data.build(make)
    summaries.compile_month("2026-04")
    make.home_report(data.h3, datetime(2026, 4, 29, 10, 0), child_reference="B-6",
                     placing=data.bcp)  # fmt: skip
    summaries.compile_month("2026-04")
    pages.sign_in(make.user("authority", authorities=[data.bcp]))
    soup = pages.get("/summaries/digests/2026-04")
    assert _facts(soup)["Call-outs"] == "1"
    authorities = soup.select_one("#digest-authorities").get_text()
    assert "Bournemouth" in authorities and "Dorset" not in authorities
    changes = soup.select_one("#changes").get_text()
    assert "E06000058" in changes and "E06000059" not in changes


def test_police_open_the_digest_from_their_start_page(pages, make):
    data = summary_data.build(make)
    summaries.compile_month("2026-04")
    pages.sign_in(data.officer)
    start = pages.get("/")
    link = start.select_one("#digest ~ p a")
    assert link["href"] == "/summaries/digests/2026-04"
    assert pages.get(link["href"]).h1.get_text(strip=True) == "Digest for April 2026"


def test_providers_cannot_open_a_digest_and_unknown_months_are_not_found(pages, make):
    data = summary_data.build(make)
    summaries.compile_month("2026-04")
    pages.sign_in(make.user("provider", homes=[data.h1]))
    pages.get("/summaries/digests/2026-04", status=404)
    pages.get("/summaries/digests/", status=404)
    pages.sign_in(make.user("group", authorities=[data.dorset]))
    pages.get("/summaries/digests/2026-05", status=404)
    pages.get("/summaries/digests/May", status=404)
