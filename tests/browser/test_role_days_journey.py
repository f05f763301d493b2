"""Each role's day on the demo, in Chromium with axe on every page (issue 14): sign in, land on
the start page with something on it, find a call-out by the reference in hand, and do the
role's main task through to its end.

- provider: files a missing-person call-out on the short path and reads what happens next;
- police: sorts the review queue by its flags and reviews the call-out with the most;
- authority: finds a child's call-outs by reference and reads the monthly summary;
- group: opens the latest digest from the start page and the call-outs waiting for review;
- admin: opens what needs them from the start page (a locked account, the outbox).

The start-page screenshots these journeys take (test-artifacts/browser/) are the guides'
pictures (docs/images/<role>-start.png).
"""

from __future__ import annotations

from sqlalchemy import func, select

from protocol_monitor import access
from protocol_monitor.db import db
from protocol_monitor.models import Callout, Home, Review, User
from protocol_monitor.services import demo

START = {
    "provider": "Your homes today",
    "police": "Your work today",
    "authority": "Your area today",
    "group": "Your area today",
    "admin": "The service today",
}


def _start(journey, role: str):
    """Load the demo, sign in as its account for ``role`` and land on the start page, which has
    something on it (a table row or a list item beyond the navigation)."""
    result = demo.load_if_empty()
    account = next(a for a in result.accounts if a.role == role)
    user = db.session.scalar(select(User).where(User.email == account.email))
    journey.sign_in(user, password=account.password)
    page = journey.page
    page.get_by_role("heading", name=START[role], level=1).wait_for()
    assert page.url.rstrip("/") == journey.base_url
    assert page.locator("main tbody tr, main ul.govuk-list li").count() > 0, role
    journey.check(f"{role}-start")
    return page, user


def _search(page, typed: str) -> None:
    box = page.get_by_role("search", name="Find a call-out")
    box.get_by_label("Find a call-out").fill(typed)
    box.get_by_role("button", name="Search").click()


def test_provider_files_a_missing_child_on_the_short_path(journey):
    page, _provider = _start(journey, "provider")
    # The child's earlier call-outs, by the reference in hand.
    _search(page, "lcs-103318")
    page.get_by_role("heading", name="Call-outs for LCS-103318").wait_for()
    assert page.locator("table tbody tr").count() > 1
    journey.check("provider-found")

    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("button", name="File a call-out").first.click()
    page.get_by_role("heading", name="File a call-out").wait_for()
    stour = db.session.scalar(select(Home).where(Home.name == "Stour Lodge"))
    page.get_by_label("Home", exact=True).select_option(str(stour.id))
    page.get_by_label("Day", exact=True).fill("28")
    page.get_by_label("Month", exact=True).fill("11")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_label("Time (UK time, 24-hour clock)").fill("23:10")
    caller = page.get_by_role("group", name="Who called the police?")
    assert caller.is_visible()
    page.get_by_label("Missing person", exact=True).check()
    # Only what a missing child needs is left on the page.
    caller.wait_for(state="hidden")
    for hidden in ("The child's role", "Was there an immediate", "Restorative response"):
        assert not page.get_by_role("group", name=hidden).is_visible(), hidden
    journey.check("provider-short-path")
    page.get_by_label("Child reference").fill("LCS-103318")
    page.get_by_label("Placing authority").select_option("E06000059")
    page.get_by_label("Police reference (if known)").fill("DP-2026-1128")
    page.get_by_role("button", name="File call-out").click()

    panel = page.locator(".govuk-panel")
    panel.wait_for()
    callout = db.session.scalar(select(Callout).where(Callout.police_reference == "DP-2026-1128"))
    assert callout.category == "missing" and callout.home_report.caller_role is None
    assert panel.get_by_role("heading").inner_text() == f"Call-out {callout.id} filed"
    assert page.get_by_text("Nothing more is needed from you").is_visible()
    journey.check("provider-filed")
    # Choosing another category brings the other questions back.
    page.get_by_role("link", name="File another call-out").click()
    page.get_by_label("Away without authorisation, whereabouts known").check()
    page.get_by_role("group", name="Who called the police?").wait_for(state="hidden")
    page.get_by_label("Assault on staff").check()
    page.get_by_role("group", name="Who called the police?").wait_for(state="visible")


def test_police_sort_the_queue_by_flags_and_review_the_most_flagged(journey):
    page, _officer = _start(journey, "police")
    page.get_by_role("link", name="See every call-out to review").click()
    page.get_by_role("heading", name="Call-outs to review").wait_for()
    page.get_by_role("navigation", name="Sort the call-outs to review").get_by_role(
        "link", name="Most flags"
    ).click()
    page.wait_for_url("**sort=flags**")
    first = page.locator("#queue-table tbody tr").first
    cells = first.locator("td").all_inner_texts()
    assert cells[2].strip().isdigit()  # days waiting
    assert cells[6].strip() not in ("", "None")  # its flags, by label
    journey.check("police-queue")
    callout_id = int(cells[0])
    first.get_by_role("link", name="Review").click()
    page.get_by_role("heading", name=f"Review call-out {callout_id}").wait_for()
    page.get_by_role("group", name="Was the protocol applied appropriately?").get_by_label(
        "Partly applied"
    ).check()
    page.get_by_role("group", name="Was police involvement necessary?").get_by_label(
        "Could have been dealt with in slow time"
    ).check()
    page.get_by_role("group", name="Was the police response proportionate?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Was the outcome proportionate?").get_by_label(
        "Not yet known"
    ).check()
    page.get_by_label("Learning points (optional)").fill("Call the manager on call first")
    page.get_by_role("button", name="Save review").click()
    page.locator("#review-actions, #callout-review").first.wait_for()
    journey.check("police-reviewed")
    assert db.session.scalar(select(Review).where(Review.callout_id == callout_id)) is not None
    # It has left the queue.
    journey.goto("/reviews/?sort=flags")
    assert (
        str(callout_id) not in page.locator("#queue-table tbody td:first-child").all_inner_texts()
    )


def test_authority_finds_a_child_by_reference_and_reads_the_summary(journey):
    page, member = _start(journey, "authority")
    visible = access.scoped_callouts(member).where(Callout.child_reference.is_not(None)).subquery()
    child, count = db.session.execute(
        select(visible.c.child_reference, func.count())
        .group_by(visible.c.child_reference)
        .order_by(func.count().desc(), visible.c.child_reference)
        .limit(1)
    ).one()
    assert count > 1
    _search(page, child)
    page.get_by_role("heading", name=f"Call-outs for {child}").wait_for()
    assert page.locator("table tbody tr").count() == count
    journey.check("authority-found")
    page.locator("table tbody a").first.click()
    page.get_by_role("heading", name="Call-out ", exact=False).first.wait_for()
    _search(page, "NO-SUCH-99")
    page.get_by_role("heading", name="No call-outs for NO-SUCH-99").wait_for()
    journey.check("authority-none")
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="Read the monthly summary").click()
    page.get_by_role("heading", name="Summary for", exact=False).wait_for()
    journey.check("authority-summary")


def test_group_opens_the_latest_digest_and_the_call_outs_to_review(journey):
    page, _member = _start(journey, "group")
    page.get_by_role("link", name="The digest for", exact=False).click()
    page.get_by_role("heading", level=1).wait_for()
    assert "digest" in page.locator("main h1").inner_text().lower()
    journey.check("group-digest")
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="See the call-outs to review").click()
    page.get_by_role("heading", name="Call-outs to review").wait_for()
    assert page.locator("#queue-table tbody tr").count() > 0
    journey.check("group-queue")


def test_admin_opens_what_needs_them_from_the_start_page(journey):
    page, _admin = _start(journey, "admin")
    sections = page.locator("main h2").all_inner_texts()
    assert sections, "the admin start page lists what needs them"
    page.get_by_role("link", name="Set up alert channels").click()
    page.get_by_role("heading", name="Alert channels").wait_for()
    journey.check("admin-channels")
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("heading", name=START["admin"]).wait_for()
    _search(page, "#1")
    page.get_by_role("heading", level=1).wait_for()
    journey.check("admin-found")
