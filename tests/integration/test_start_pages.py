"""Each role's start page: the first page after signing in, and what the service name leads to,
showing what needs the person — in their scope only (issue 14)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from protocol_monitor import access
from protocol_monitor.db import db, utcnow
from protocol_monitor.identity import accounts, throttle
from protocol_monitor.models import (
    Action,
    AuditEvent,
    ChannelSetting,
    Delivery,
    Flag,
    OutboxMessage,
    Review,
    User,
)
from protocol_monitor.rules.time import Month, to_london
from protocol_monitor.services import demo, flags, imports, start_pages
from tests.conftest import Pages
from tests.integration.test_imports import police_rows, write_csv

pytestmark = pytest.mark.usefixtures("app")


def _last_month_local(day: int = 3, hour: int = 20) -> datetime:
    """A London wall-clock time in last month (always in the past)."""
    first = Month.of(utcnow()).previous().first_day
    return datetime(first.year, first.month, day, hour, 0)


def _areas(make):
    ours, theirs = make.authority(), make.authority("E10000034", "Worcestershire")
    force, their_force = make.force(), make.force("E23000016", "West Mercia Police")
    officer = make.user("police", police=force)
    home = make.home("SC400001", name="Oak House", host=ours, police=force, officer=officer)
    other = make.home("SC400002", name="Elm House", host=theirs, police=their_force)
    return ours, theirs, force, officer, home, other


def _review(callout, *, learning: str, reviewed_at: datetime, actions=()) -> Review:
    review = Review(
        callout=callout,
        protocol_applied="partly",
        police_necessary="slow_time",
        learning_points=learning,
        reviewed_at=reviewed_at,
        actions=list(actions),
    )
    db.session.add(review)
    db.session.commit()
    return review


def _unreported(callout) -> Flag:
    """The police-only call-out's unreported flag, raised as the daily job does."""
    report = callout.reports[0]
    report.source = "police"
    report.police_reference = f"PR-{callout.id}"
    db.session.commit()
    flags.raise_unreported(utcnow())
    return db.session.scalar(select(Flag).where(Flag.callout_id == callout.id))


def test_signing_in_lands_on_the_start_page_which_the_service_name_links_to(pages, make):
    _ours, _theirs, _force, officer, _home, _other = _areas(make)
    pages.sign_in(officer)
    soup = pages.get("/")
    assert soup.find("h1").get_text(strip=True) == "Your work today"
    assert soup.select_one("header a[class$=homepage-link]")["href"] == "/"
    home_link = soup.select_one(".govuk-service-navigation a[href='/']")
    assert home_link is not None and home_link.get_text(strip=True) == "Home"
    # Only the start page's menu item is current there, not every item (every path starts "/").
    current = soup.select(".govuk-service-navigation__item--active")
    assert [item.get_text(strip=True) for item in current] == ["Home"]


def test_sign_in_redirects_to_the_start_page(pages, make):
    provider = make.user("provider", homes=[make.home()])
    pages.get("/sign-in")
    response = pages.raw_post(
        "/sign-in", {"email": provider.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_provider_sees_their_homes_unreported_attendances_reviews_and_actions(pages, make):
    _ours, _theirs, _force, officer, home, other = _areas(make)
    provider = make.user("provider", homes=[home])
    waiting = make.home_report(home, _last_month_local(2), child_reference="LCS-501")
    elsewhere = make.home_report(other, _last_month_local(2), child_reference="WM-9001")
    assert _unreported(waiting) is not None and _unreported(elsewhere) is not None
    reviewed = make.home_report(home, _last_month_local(5))
    their_reviewed = make.home_report(other, _last_month_local(5))
    today = to_london(utcnow()).date()
    late = Action(text="Restorative meeting", owner=officer, due_on=today - timedelta(days=3))
    soon = Action(text="Training for the night team", owner=officer, due_on=today + timedelta(3))
    done = Action(text="Already done", owner=officer, due_on=today, status="done")
    _review(
        reviewed,
        learning="Try space and time first",
        reviewed_at=utcnow() - timedelta(days=2),
        actions=[soon, late, done],
    )
    _review(
        their_reviewed,
        learning="Theirs-learning",
        reviewed_at=utcnow(),
        actions=[Action(text="Theirs-action", due_on=today)],
    )

    pages.sign_in(provider)
    soup = pages.get("/")
    assert soup.find("h1").get_text(strip=True) == "Your homes today"
    assert "Oak House" in soup.select_one(".govuk-caption-l").get_text()
    table = soup.find(id="unreported-table")
    assert f"Call-out {waiting.id}" in table.get_text()
    assert f"Call-out {elsewhere.id}" not in soup.get_text()
    assert table.find("a", href=f"/callouts/new?home={home.id}") is not None
    reviews = soup.find(id="review-list")
    assert "Try space and time first" in reviews.get_text()
    assert reviews.select_one(".govuk-tag").get_text(strip=True) == "New"
    rows = [
        row.select("td")[0].get_text(strip=True) for row in soup.select("#actions-table tbody tr")
    ]
    assert rows == ["Restorative meeting", "Training for the night team"]  # overdue first
    assert "Overdue" in soup.select("#actions-table tbody tr")[0].get_text()
    for theirs in ("Theirs-learning", "Theirs-action", "WM-9001", "Elm House"):
        assert theirs not in str(soup)
    # Looked at once, the review is no longer new.
    assert pages.get("/").find(id="review-list").select_one(".govuk-tag") is None
    # The view is audited, with the call-outs it listed.
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "start_page_viewed")
    ).first()
    assert event.user_id == provider.id
    assert set(event.changes["callouts"]) == {waiting.id, reviewed.id}


def test_a_provider_with_nothing_waiting_reads_that_nothing_is_waiting(pages, make):
    provider = make.user("provider", homes=[make.home(name="Quiet House")])
    pages.sign_in(provider)
    text = pages.get("/").get_text()
    assert "Every police attendance at your homes has your report" in text
    assert "No reviews of your homes' call-outs" in text
    assert "No actions to do" in text


def test_police_see_the_queue_flags_their_actions_unreported_and_imports(pages, make, tmp_path):
    _ours, _theirs, force, officer, home, other = _areas(make)
    colleague = make.user("police", police=force)
    oldest = make.home_report(home, _last_month_local(1))
    for day in (4, 5, 6, 7, 8, 9):
        make.home_report(home, _last_month_local(day), child_reference=f"LCS-{day}")
    make.home_report(home, _last_month_local(2), category="missing")
    make.home_report(other, _last_month_local(1), child_reference="WM-9001")
    lonely = _unreported(make.home_report(home, _last_month_local(10), child_reference="LCS-77"))
    assert lonely is not None
    reviewed = make.home_report(home, _last_month_local(11))
    today = to_london(utcnow()).date()
    _review(
        reviewed,
        learning="",
        reviewed_at=utcnow(),
        actions=[
            Action(text="Mine, later", owner=officer, due_on=today + timedelta(days=9)),
            Action(text="Mine, overdue", owner=officer, due_on=today - timedelta(days=1)),
            Action(text="A colleague's", owner=colleague, due_on=today),
        ],
    )
    path = tmp_path / "extract.csv"
    write_csv(path, police_rows(urn=home.urn, count=2, start=_last_month_local(20)))
    imports.import_callouts(path, "police", user=officer, filename="october.csv")

    pages.sign_in(officer)
    soup = pages.get("/")
    # 7 in-scope call-outs of ours + the unreported one; not the missing one, nor theirs; plus the
    # two just imported.
    assert soup.find(id="queue-count").get_text(strip=True).startswith("10 call-outs wait")
    first = soup.select("#queue-table tbody tr")[0]
    assert f"Call-out {oldest.id}" in first.get_text()
    assert first.find("a", href=f"/callouts/{oldest.id}/review") is not None
    assert len(soup.select("#queue-table tbody tr")) == start_pages.SHOWN
    # The attendance no home reported, and the two imported ones (none has a home report).
    assert "Police attendance the home has not reported: 3" in soup.find(id="flags-by-rule").text
    mine = [
        row.select("td")[0].get_text(strip=True) for row in soup.select("#actions-table tr")[1:]
    ]
    assert mine == ["Mine, overdue", "Mine, later"]
    assert f"Call-out {lonely.callout_id}" in soup.find(id="unreported-table").get_text()
    imported = soup.find(id="import-list").get_text()
    assert "october.csv" in imported and "2 rows" in imported and "2 new" in imported
    assert "WM-9001" not in str(soup)


def test_headline_figures_count_this_month_against_last_in_the_readers_homes(make):
    ours, _theirs, _force, _officer, home, other = _areas(make)
    for day in (1, 2, 3):
        make.home_report(home, datetime(2026, 4, day, 20), arrested=True)
    make.home_report(home, datetime(2026, 4, 4, 20), category="missing")
    make.home_report(home, datetime(2026, 3, 9, 20), child_reference="LCS-2")
    make.home_report(other, datetime(2026, 4, 9, 20), child_reference="WM-2")
    group = make.user("group", authorities=[ours])
    figures = {
        h.label: (h.this_month, h.last_month, h.change)
        for h in start_pages.headlines(
            access.homes_condition(group), Month.parse("2026-04"), Month.parse("2026-03")
        )
    }
    assert figures["Call-outs (missing and absent excluded)"] == (3, 1, "+2 (+200%)")
    assert figures["Children called about"] == (1, 1, "no change")
    assert figures["Arrests"] == (3, 0, "+3")
    assert figures["Missing and absent call-outs"] == (1, 0, "+1")


def test_group_and_authority_see_their_areas_flags_overdue_actions_and_repeat_children(pages, make):
    ours, _theirs, _force, officer, home, other = _areas(make)
    group = make.user("group", authorities=[ours])
    authority = make.user("authority", authorities=[ours])
    for day in (3, 6, 9):
        make.home_report(home, _last_month_local(day), child_reference="LCS-3333")
    for day in (3, 6, 9):
        make.home_report(other, _last_month_local(day), child_reference="WM-9001")
    callout = make.home_report(home, _last_month_local(12))
    for c in db.session.scalars(select(type(callout))):
        flags.evaluate(c)
    db.session.commit()
    today = to_london(utcnow()).date()
    _review(
        callout,
        learning="",
        reviewed_at=utcnow(),
        actions=[
            Action(text="Overdue follow-up", owner=officer, due_on=today - timedelta(days=2)),
            Action(text="Not due yet", owner=officer, due_on=today + timedelta(days=2)),
        ],
    )
    for user, heading in ((group, "Your area today"), (authority, "Your area today")):
        pages.sign_in(user)
        soup = pages.get("/")
        assert soup.find("h1").get_text(strip=True) == heading
        assert soup.find(id="headlines") is not None
        assert "Repeat call-outs about one child: 1" in soup.find(id="flags-by-rule").text
        assert "LCS-3333 at Oak House" in soup.find(id="repeat-list").get_text()
        overdue = soup.find(id="actions-table").get_text()
        assert "Overdue follow-up" in overdue and "Not due yet" not in overdue
        assert "WM-9001" not in str(soup) and "Elm House" not in str(soup)
        assert "No month has been compiled yet" in soup.find(id="digest").find_next("p").text
    # Only the group reviews: only the group is shown the queue.
    pages.sign_in(group)
    assert pages.get("/").find(id="queue-count") is not None
    pages.sign_in(authority)
    assert pages.get("/").find(id="queue-count") is None


def test_admin_sees_failed_deliveries_locked_accounts_and_homes_missing_an_officer_or_channel(
    pages, make
):
    ours, theirs, _force, _officer, _home, _other = _areas(make)
    closed = make.home("SC400003", name="Closed House", closed_on=date(2020, 1, 1))
    admin = make.user("admin", authorities=[ours])
    codes = make.user("provider", email="wrong-codes@example.org")
    codes.locked_until = utcnow() + timedelta(minutes=10)
    passwords = make.user("police", email="wrong-passwords@example.org")
    policy = throttle.SignInPolicy(max_failures=2, lockout=timedelta(minutes=15))
    for _ in range(2):
        with pytest.raises(throttle.SignInRefused):
            accounts.authenticate(passwords.email, "not the password", policy)
    message = OutboxMessage(kind="flag_alert", idempotency_key="k", payload={"title": "A flag"})
    db.session.add_all(
        [
            Delivery(
                message=message,
                channel="email",
                destination="x@example.org",
                idempotency_key="k|email",
                status="failed",
            ),
            ChannelSetting(
                scope_key=f"authority:{ours.id}",
                authority_id=ours.id,
                email_recipients="safeguarding@example.org",
            ),
            ChannelSetting(scope_key=f"authority:{theirs.id}", authority_id=theirs.id),
        ]
    )
    db.session.commit()
    pages.sign_in(admin)
    soup = pages.get("/")
    assert soup.find("h1").get_text(strip=True) == "The service today"
    assert "A flag, by email" in soup.find(id="failed-list").get_text()
    locked = soup.find(id="locked-list").get_text()
    assert "wrong-codes@example.org" in locked and "wrong-passwords@example.org" in locked
    assert admin.email not in locked
    no_officer = soup.find(id="no-officer-list").get_text()
    assert "Elm House" in no_officer and "Oak House" not in no_officer
    assert "Closed House" not in no_officer and closed.id
    # Our authority's channel has an email address; theirs is set but empty.
    no_channel = soup.find(id="no-channel-list").get_text()
    assert "Elm House" in no_channel and "Oak House" not in no_channel


def test_the_demo_shows_every_start_page_with_something_on_it(app):
    demo.load_if_empty()
    expected = {
        "provider@demo.example": ("unreported-table", "review-list", "actions-table"),
        "police@demo.example": ("queue-table", "flags-by-rule", "actions-table"),
        "authority@demo.example": ("headlines", "flags-by-rule", "repeat-list"),
        "group@demo.example": ("headlines", "actions-table", "repeat-list"),
        "admin@demo.example": ("no-channel-list",),
    }
    for email, sections in expected.items():
        with app.app_context():
            pages = Pages(app.test_client())
            pages.sign_in(db.session.scalar(select(User).where(User.email == email)))
            soup = pages.get("/")
            missing = [s for s in sections if soup.find(id=s) is None]
            assert not missing, (email, missing)
            assert soup.find(id="digest") is None or "The digest for" in soup.get_text()
