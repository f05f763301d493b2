"""A group member acknowledges a flag, then resolves it with a note (meeting the error first)."""

from datetime import datetime

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import Flag
from protocol_monitor.rules.time import london_to_utc
from protocol_monitor.services import callouts as callout_service


def test_group_member_acknowledges_and_resolves_a_flag(journey, make):
    home = make.home("SC500001", name="Rowan House")
    provider = make.user("provider", homes=[home])
    member = make.user("group", authorities=[home.host_authority])
    # Police attended though the home recorded no immediate risk: a no_immediate_risk flag.
    callout_service.file_home_report(
        provider,
        {
            "home_id": home.id,
            "occurred_at": london_to_utc(datetime(2026, 8, 1, 12)),
            "category": "criminal_damage",
            "child_reference": "LCS-1001",
            "placing_authority_code": home.host_authority.code,
            "caller_role": "home_staff",
            "child_role": "alleged_perpetrator",
            "immediate_risk": "no",
            "deescalation": ["verbal"],
            "police_attended": True,
            "restorative": "planned",
            "ofsted_notified": False,
        },
    )
    flag = db.session.scalar(select(Flag))
    assert flag.rule == "no_immediate_risk"
    page = journey.page
    journey.sign_in(member)

    page.get_by_role("link", name="Flags", exact=True).click()
    page.get_by_role("heading", name="Flags", exact=True).wait_for()
    journey.check("flags")
    page.get_by_role("link", name=f"Flag {flag.id}").first.click()
    page.get_by_role("button", name="Acknowledge flag").wait_for()
    journey.check("flag-open")

    page.get_by_label("Note (optional)").fill("Looking into it with the home")
    page.get_by_role("button", name="Acknowledge flag").click()
    page.get_by_role("button", name="Acknowledge flag").wait_for(state="detached")
    journey.check("flag-acknowledged")
    db.session.refresh(flag)
    assert (flag.status, flag.acknowledged_note) == (
        "acknowledged",
        "Looking into it with the home",
    )

    # Resolving needs a note: the error first.
    page.get_by_role("button", name="Resolve flag").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error:")
    journey.check("resolve-error")
    summary.get_by_role("link", name="Enter how the flag was resolved").click()
    assert page.evaluate("document.activeElement.id") == "resolve_note"
    page.get_by_label("How was it resolved?").fill("Spoke to the manager; staff retrained")
    page.get_by_role("button", name="Resolve flag").click()
    page.get_by_role("button", name="Resolve flag").wait_for(state="detached")
    journey.check("flag-resolved")
    db.session.refresh(flag)
    assert (flag.status, flag.resolved_note) == (
        "resolved",
        "Spoke to the manager; staff retrained",
    )

    page.get_by_role("link", name="Flags", exact=True).click()
    page.locator("#resolved").wait_for()
    journey.check("flags-resolved")
