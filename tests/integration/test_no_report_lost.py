"""No report lost (issue 14): a form sent after its author's session ended, or without a valid
CSRF token, is held; once signed in again they land back on it filled in, once. And the timeout
warning's two requests: how long is left (not a use of the session) and "stay signed in"."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import AuditEvent, BrowserSession, Callout, SavedForm
from protocol_monitor.services import saved_forms
from tests.conftest import Pages, error_messages
from tests.support.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("app")

FREE_TEXT = "Kicked the office door after a phone call"


def _callout_form(home_id: int, **changes) -> dict[str, str]:
    data = {
        "home_id": str(home_id),
        "occurred_day": "3",
        "occurred_month": "4",
        "occurred_year": "2026",
        "occurred_time": "21:30",
        "category": "criminal_damage",
        "child_reference": "LCS-104233",
        "placing_authority": "E06000059",
        "child_role": "alleged_perpetrator",
        "caller_role": "home_staff",
        "immediate_risk": "no",
        "deescalation": "verbal",
        "police_attended": "yes",
        "restorative": "planned",
        "ofsted_notified": "no",
        "description": FREE_TEXT,
    }
    data.update(changes)
    return data


def _last_used(minutes_ago: float) -> None:
    """Time passes: every signed-in browser was last used this long ago."""
    db.session.execute(
        update(BrowserSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes_ago))
    )
    db.session.commit()


def _expire(client=None) -> None:
    """Time passes: the session's last use was longer ago than the idle timeout."""
    _last_used(61)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _provider(make):
    home = make.home("SC500001", name="Willow House")
    return make.user("provider", homes=[home]), home


def test_a_callout_sent_after_the_session_ended_is_filled_in_again_after_signing_in(pages, make):
    provider, home = _provider(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    _expire(pages.client)

    response = pages.raw_post("/callouts/new", _callout_form(home.id))
    assert response.status_code == 302
    target = response.headers["Location"]
    assert target.startswith("/sign-in?next=")
    assert _count(Callout) == 0
    (held,) = db.session.scalars(select(SavedForm)).all()
    assert held.purpose == "held" and held.user_id == provider.id and held.path == "/callouts/new"
    sign_in = pages.get(target)
    assert "Nothing you typed is lost" in sign_in.get_text()

    # Signing in goes back to the form, filled in with what was typed.
    response = pages.client.post(
        target,
        data={"email": provider.email, "password": PASSWORD, "csrf_token": pages.csrf_token},
    )
    assert response.status_code == 302
    back = response.headers["Location"]
    assert back.startswith("/callouts/new?restore=")
    form = pages.get(back)
    assert "check your answers, then send the form again" in form.get_text()
    assert form.find(id="child_reference")["value"] == "LCS-104233"
    assert form.find(id="description").get_text() == FREE_TEXT
    assert form.find("input", attrs={"name": "category", "value": "criminal_damage"}).has_attr(
        "checked"
    )
    assert form.find("select", id="home_id").find(selected=True)["value"] == str(home.id)
    assert _count(SavedForm) == 0  # taken once: gone

    # Sent again as it is, it is filed.
    filed = pages.post("/callouts/new", _callout_form(home.id))
    assert _count(Callout) == 1, error_messages(filed)
    # What it held is never in the audit log; that it was held and taken back is.
    events = db.session.scalars(select(AuditEvent)).all()
    assert {"form_held", "form_restored"} <= {e.action for e in events}
    assert all(FREE_TEXT not in str(e.changes) for e in events)
    assert all("LCS-104233" not in str(e.changes) for e in events if e.action.startswith("form"))


def test_a_form_sent_from_another_tab_after_the_session_ended_is_held(pages, make):
    """One tab found the session ended (and signed this browser out); the form in another tab,
    sent afterwards, is still held for the person whose session it was."""
    provider, home = _provider(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    _expire()
    assert pages.client.get("/callouts/").headers["Location"] == "/sign-in"  # the other tab

    response = pages.raw_post("/callouts/new", _callout_form(home.id))
    target = response.headers["Location"]
    assert target.startswith("/sign-in?next=")
    (held,) = db.session.scalars(select(SavedForm)).all()
    assert held.user_id == provider.id
    pages.get(target)
    response = pages.client.post(
        target,
        data={"email": provider.email, "password": PASSWORD, "csrf_token": pages.csrf_token},
    )
    form = pages.get(response.headers["Location"])
    assert form.find(id="child_reference")["value"] == "LCS-104233"


def test_nothing_is_held_for_nobody_or_after_signing_out(app, make):
    """A browser whose cookie had gone names nobody, and a browser that signed out (or was
    signed out everywhere) chose to end its session: what they send is refused, not kept."""
    provider, home = _provider(make)
    pages = Pages(app.test_client())
    pages.sign_in(provider)
    pages.get("/callouts/new")
    token = pages.csrf_token
    pages.client.delete_cookie("session")
    response = pages.client.post(
        "/callouts/new", data={**_callout_form(home.id), "csrf_token": token}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)

    pages.sign_in(provider)
    pages.get("/callouts/new")
    pages.raw_post("/sign-out", {})
    response = pages.raw_post("/callouts/new", _callout_form(home.id))
    assert response.headers["Location"].startswith("/sign-in")
    assert "restore" not in response.headers["Location"]

    laptop, phone = Pages(app.test_client()), Pages(app.test_client())
    laptop.sign_in(provider)
    phone.sign_in(provider)
    phone.get("/callouts/new")
    laptop.get("/account/")
    laptop.raw_post("/account/sign-out-everywhere", {})
    response = phone.raw_post("/callouts/new", _callout_form(home.id))
    assert response.headers["Location"] == "/sign-in"
    assert _count(SavedForm) == 0


def test_a_form_sent_from_another_site_is_not_held(pages, make):
    """Another site cannot plant a form to be filled in for someone whose session ended."""
    provider, home = _provider(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    _expire()
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        response = pages.client.post(
            "/callouts/new",
            data={**_callout_form(home.id), "csrf_token": pages.csrf_token},
            headers=header,
        )
        assert "restore" not in response.headers.get("Location", "")
    assert _count(SavedForm) == 0
    # From the service's own page it is held.
    response = pages.client.post(
        "/callouts/new",
        data={**_callout_form(home.id), "csrf_token": pages.csrf_token},
        headers={"Origin": "http://localhost"},
    )
    assert "restore" in response.headers["Location"]
    assert _count(SavedForm) == 1


def test_a_held_form_goes_back_only_to_its_author_in_the_browser_it_came_from(app, make):
    provider, home = _provider(make)
    colleague = make.user("provider", homes=[home])
    pages = Pages(app.test_client())
    pages.sign_in(provider)
    pages.get("/callouts/new")
    _expire(pages.client)
    target = pages.raw_post("/callouts/new", _callout_form(home.id)).headers["Location"]
    restore = target.split("next=", 1)[1].replace("%3F", "?").replace("%3D", "=")

    # Another person signing in on the same browser does not get it.
    pages.sign_in_with_form(colleague)
    form = pages.get(restore)
    assert form.find(id="child_reference").get("value", "") == ""
    assert "could not be found" in form.get_text()
    # The author, from another browser, does not either (the key is this browser's).
    elsewhere = Pages(app.test_client())
    elsewhere.sign_in(provider)
    assert elsewhere.get(restore).find(id="child_reference").get("value", "") == ""
    assert _count(SavedForm) == 1


def test_a_correction_is_held_and_given_back_instead_of_the_stored_report(pages, make):
    provider, home = _provider(make)
    callout = make.home_report(home, datetime(2026, 4, 3, 21, 30))
    pages.sign_in(provider)
    pages.get(f"/callouts/{callout.id}/home-report/edit")
    _expire(pages.client)
    data = _callout_form(home.id, category="threats_abuse", reason="Staff were threatened")
    target = pages.raw_post(f"/callouts/{callout.id}/home-report/edit", data).headers["Location"]
    pages.sign_in_with_form(provider)  # a new session keeps the browser's held keys
    restore = target.split("next=", 1)[1].replace("%3F", "?").replace("%3D", "=")
    form = pages.get(restore)
    checked = form.find("input", attrs={"name": "category", "checked": True})
    assert checked["value"] == "threats_abuse"  # what was typed, not what is stored
    assert form.find(id="reason").get_text() == "Staff were threatened"


def test_a_review_sent_after_the_session_ended_is_held(app, make):
    officer = make.user("police", police=make.force())
    home = make.home("SC500002", police=officer.police_force, officer=officer)
    callout = make.home_report(home, datetime(2026, 4, 3, 21, 30))
    pages = Pages(app.test_client())
    pages.sign_in(officer)
    pages.get(f"/callouts/{callout.id}/review")
    _expire()
    response = pages.raw_post(
        f"/callouts/{callout.id}/review",
        {"protocol_applied": "partly", "learning_points": "Try space and time first"},
    )
    assert response.headers["Location"].startswith("/sign-in?next=")
    (held,) = db.session.scalars(select(SavedForm)).all()
    assert (
        held.user_id == officer.id and held.value("learning_points") == "Try space and time first"
    )


def test_forms_that_are_not_kept_are_not_held(pages, make):
    """Signing in, passwords and uploads are never held: only the forms that keep typing."""
    user = make.user("group", authorities=[make.authority()])
    pages.sign_in(user)
    pages.get("/account/password")
    _expire(pages.client)
    response = pages.raw_post(
        "/account/password", {"current_password": PASSWORD, "new_password": "x" * 20}
    )
    assert response.headers["Location"] == "/sign-in"
    assert _count(SavedForm) == 0


def test_a_post_too_big_to_keep_is_refused_as_before(pages, make):
    provider, home = _provider(make)
    pages.sign_in(provider)
    _expire(pages.client)
    response = pages.raw_post(
        "/callouts/new", _callout_form(home.id, description="x" * saved_forms.MAX_CHARACTERS)
    )
    assert response.headers["Location"] == "/sign-in"
    assert _count(SavedForm) == 0


def test_held_forms_are_bounded_per_person(app, make):
    """However often a person's forms are held, they have at most MAX_HELD_PER_PERSON (the
    oldest go); each is bounded in size (test_a_post_too_big_to_keep_is_refused_as_before)."""
    provider, home = _provider(make)
    for _ in range(saved_forms.MAX_HELD_PER_PERSON + 3):
        saved_forms.hold(provider.id, "/callouts/new", [("home_id", str(home.id))])
    mine = select(func.count()).select_from(SavedForm).where(SavedForm.user_id == provider.id)
    assert db.session.scalar(mine) == saved_forms.MAX_HELD_PER_PERSON


def test_held_forms_expire_after_the_draft_days(app, make):
    provider, _home = _provider(make)
    key = saved_forms.hold(provider.id, "/callouts/new", [("home_id", "1")])
    later = utcnow() + timedelta(days=app.config["SETTINGS"].draft_days, minutes=1)
    assert saved_forms.take_held(provider, key, from_this_browser=True, now=later) is None
    assert saved_forms.purge(later) == 1
    assert _count(SavedForm) == 0


def test_session_status_says_how_long_is_left_without_using_the_session(pages, make, client, app):
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], session_idle_minutes=30)
    pages.sign_in(make.user("group", authorities=[make.authority()]))
    _last_used(25)
    left = client.get("/session/status").get_json()["seconds_left"]
    assert 4 * 60 <= left <= 5 * 60
    left = client.get("/session/status").get_json()["seconds_left"]
    assert left <= 5 * 60  # not moved on by asking
    # "Stay signed in" is a use: the time is renewed.
    response = pages.raw_post("/session/keep-alive", {})
    assert response.status_code == 204
    assert client.get("/session/status").get_json()["seconds_left"] > 29 * 60
    # Once it has ended, there is nothing left, and staying is refused.
    _last_used(31)
    assert client.get("/session/status").get_json()["seconds_left"] == 0
    assert pages.raw_post("/session/keep-alive", {}).status_code == 302


def test_every_signed_in_page_carries_the_timeout_warning(pages, make):
    pages.sign_in(make.user("group", authorities=[make.authority()]))
    dialog = pages.get("/").find("dialog", id="timeout-warning")
    assert dialog["data-idle-seconds"] == str(60 * 60)
    assert dialog["data-warn-seconds"] == "120"
    assert dialog.find("button", string="Stay signed in") is not None
    anonymous = Pages(pages.client.application.test_client())
    assert anonymous.get("/sign-in").find("dialog") is None


def test_a_form_with_a_stale_csrf_token_goes_straight_back_to_its_author_filled_in(pages, make):
    """Signed in, but the form's CSRF token no longer fits the session (the page is from an
    earlier one): it is held and given back at once; nothing was filed without a valid token,
    and it must be sent again to be filed."""
    provider, home = _provider(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    response = pages.client.post(
        "/callouts/new", data={**_callout_form(home.id), "csrf_token": "from-an-old-page"}
    )
    target = response.headers["Location"]
    assert target.startswith("/callouts/new?restore=")
    assert _count(Callout) == 0
    form = pages.get(target)
    assert "check your answers below and send them again" in form.get_text()
    assert form.find(id="child_reference")["value"] == "LCS-104233"
    pages.post("/callouts/new", _callout_form(home.id))
    assert _count(Callout) == 1


def test_a_stale_csrf_token_after_the_session_ended_is_held_through_signing_in(pages, make):
    provider, home = _provider(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    _expire()
    response = pages.client.post(
        "/callouts/new", data={**_callout_form(home.id), "csrf_token": "from-an-old-page"}
    )
    assert response.headers["Location"].startswith("/sign-in?next=")
    (held,) = db.session.scalars(select(SavedForm)).all()
    assert held.user_id == provider.id
