"""Drafts of a call-out (issue 14): saved by their author as they are, listed on the author's
start page, resumed, deleted when filed or by their author, removed after DRAFT_DAYS, and never
counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import AuditEvent, Callout, SavedForm
from protocol_monitor.rules.time import Month
from protocol_monitor.services import Forbidden, NotFound, retention, saved_forms, summary_figures
from tests.conftest import Pages, error_messages
from tests.integration.test_no_report_lost import FREE_TEXT, _callout_form, _expire
from tests.integration.test_police_records import _police_form
from tests.integration.test_reviews import _review_form

pytestmark = pytest.mark.usefixtures("app")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _world(make):
    home = make.home("SC510001", name="Rowan House")
    other = make.home("SC510002", name="Hazel House")
    return home, make.user("provider", homes=[home, other]), make.user("provider", homes=[home])


def test_a_provider_saves_a_half_done_callout_resumes_it_from_the_start_page_and_files_it(
    pages, make
):
    home, provider, _colleague = _world(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    half = {
        "home_id": str(home.id),
        "category": "assault_staff",
        "description": FREE_TEXT,
        "save": "draft",
    }
    start = pages.post("/callouts/new", half)
    assert "Your draft is saved" in start.get_text()
    assert _count(Callout) == 0
    (line,) = start.select("#draft-list li")
    assert "Rowan House" in line.get_text() and "Assault on staff" in line.get_text()
    link = line.find("a")["href"]

    form = pages.get(link)
    assert form.find(id="description").get_text() == FREE_TEXT
    assert form.find("input", attrs={"name": "category", "value": "assault_staff"}).has_attr(
        "checked"
    )
    draft_id = form.find("input", attrs={"name": "draft"})["value"]
    # Saved again, it is the same draft, changed.
    pages.post("/callouts/new", {**half, "child_reference": "LCS-1", "draft": draft_id})
    (draft,) = db.session.scalars(select(SavedForm)).all()
    assert draft.value("child_reference") == "LCS-1" and str(draft.id) == draft_id
    # Filed: the draft goes with it, in the same transaction.
    filed = pages.post("/callouts/new", {**_callout_form(home.id), "draft": draft_id})
    assert _count(Callout) == 1, error_messages(filed)
    assert _count(SavedForm) == 0
    assert "You have no drafts" in pages.get("/").get_text()
    events = db.session.scalars(select(AuditEvent)).all()
    assert {"draft_saved", "draft_opened", "draft_filed"} <= {e.action for e in events}
    assert all(FREE_TEXT not in str(e.changes) for e in events)


def test_a_draft_is_its_authors_alone(pages, make, app):
    home, provider, colleague = _world(make)
    draft = saved_forms.save_draft(provider, "/callouts/new", [("home_id", str(home.id))])
    pages.sign_in(colleague)
    assert pages.get("/").find(id="draft-list") is None
    pages.get(f"/callouts/new?draft={draft.id}", status=404)
    assert pages.raw_post(f"/drafts/{draft.id}/delete", {}).status_code == 404
    # Filing with someone else's draft id files, and leaves their draft alone.
    pages.post("/callouts/new", {**_callout_form(home.id), "draft": str(draft.id)})
    assert _count(Callout) == 1 and _count(SavedForm) == 1


def test_the_author_deletes_a_draft(pages, make):
    home, provider, _colleague = _world(make)
    draft = saved_forms.save_draft(provider, "/callouts/new", [("home_id", str(home.id))])
    pages.sign_in(provider)
    page = pages.post(f"/drafts/{draft.id}/delete", {})
    assert "Draft deleted" in page.get_text()
    assert _count(SavedForm) == 0


def test_a_draft_names_only_a_home_of_its_author(make):
    home, provider, _colleague = _world(make)
    stranger = make.home("SC510003", name="Not Theirs")
    draft = saved_forms.save_draft(provider, "/callouts/new", [("home_id", str(stranger.id))])
    assert draft.home_id is None
    draft = saved_forms.save_draft(provider, "/callouts/new", [("home_id", str(home.id))])
    assert draft.home_id == home.id


def test_drafts_are_never_counted(make):
    home, provider, _colleague = _world(make)
    make.home_report(home, utcnow().replace(tzinfo=None) - timedelta(days=1))
    month = Month.of(utcnow() - timedelta(days=1))
    before = summary_figures.compute_figures(month)
    saved_forms.save_draft(
        provider, "/callouts/new", list(_callout_form(home.id, occurred_day="1").items())
    )
    assert summary_figures.compute_figures(month) == before


def test_drafts_are_removed_after_the_draft_days_by_the_retention_purge(app, make):
    home, provider, _colleague = _world(make)
    saved_forms.save_draft(provider, "/callouts/new", [("home_id", str(home.id))])
    days = app.config["SETTINGS"].draft_days
    assert retention.purge_expired(utcnow() + timedelta(days=days - 1))["saved_forms"] == 0
    assert saved_forms.drafts(provider)
    counts = retention.purge_expired(utcnow() + timedelta(days=days, minutes=1))
    assert counts["saved_forms"] == 1 and _count(SavedForm) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention_purged"))
    assert event.changes["saved_forms"] == 1


def test_too_many_drafts_are_refused_with_the_form_kept(pages, make, monkeypatch):
    home, provider, _colleague = _world(make)
    monkeypatch.setattr(saved_forms, "MAX_DRAFTS", 1)
    saved_forms.save_draft(provider, "/callouts/new", [("home_id", str(home.id))])
    pages.sign_in(provider)
    page = pages.post(
        "/callouts/new", {"home_id": str(home.id), "description": "x", "save": "draft"}
    )
    assert "before saving another" in page.get_text()
    assert page.find(id="description").get_text() == "x"
    assert _count(SavedForm) == 1


def test_a_police_record_is_saved_as_a_draft_resumed_from_the_start_page_and_filed(pages, make):
    force = make.force()
    officer = make.user("police", police=force)
    home = make.home("SC510010", name="Ash House", police=force)
    pages.sign_in(officer)
    pages.get("/police-records/new")
    start = pages.post(
        "/police-records/new",
        {"police_reference": "DP-9", "home_id": str(home.id), "save": "draft"},
    )
    assert "Your draft is saved" in start.get_text()
    (line,) = start.select("#draft-list li")
    assert line.get_text().strip().startswith("Police record at Ash House")
    form = pages.get(line.find("a")["href"])
    assert form.find(id="police_reference")["value"] == "DP-9"
    draft_id = form.find("input", attrs={"name": "draft"})["value"]
    filed = pages.post("/police-records/new", {**_police_form(home), "draft": draft_id})
    assert _count(Callout) == 1, error_messages(filed)
    assert _count(SavedForm) == 0


def test_a_review_is_saved_as_a_draft_and_filed_and_only_its_reviewer_sees_it(app, pages, make):
    force = make.force()
    officer = make.user("police", police=force)
    colleague = make.user("police", police=force)
    home = make.home("SC510011", officer=officer, police=force)
    callout = make.home_report(home, utcnow().replace(tzinfo=None) - timedelta(days=2))
    pages.sign_in(officer)
    url = f"/callouts/{callout.id}/review"
    pages.get(url)
    start = pages.post(url, {"learning_points": "Half a thought", "save": "draft"})
    (line,) = start.select("#draft-list li")
    assert f"Review of call-out {callout.id}" in line.get_text()
    form = pages.get(line.find("a")["href"])
    assert form.find(id="learning_points").get_text() == "Half a thought"
    draft_id = form.find("input", attrs={"name": "draft"})["value"]

    # Another reviewer of the same call-out cannot open, use or delete it.
    other = Pages(app.test_client())
    other.sign_in(colleague)
    assert other.get("/").find(id="draft-list") is None
    other.get(f"{url}?draft={draft_id}", status=404)
    # Nor can a draft be opened on another form's page.
    pages.get(f"/police-records/new?draft={draft_id}", status=404)

    filed = pages.post(url, {**_review_form(), "draft": draft_id})
    assert "saved" in filed.get_text(), error_messages(filed)
    assert _count(SavedForm) == 0


def test_a_review_draft_needs_a_callout_the_author_may_review(make):
    force, elsewhere = make.force(), make.force("E23000001", "Other Police")
    officer = make.user("police", police=force)
    home = make.home("SC510012", police=elsewhere)
    callout = make.home_report(home, utcnow().replace(tzinfo=None) - timedelta(days=2))
    with pytest.raises(NotFound):
        saved_forms.save_draft(
            officer, "/x", [("learning_points", "x")], form="review", callout_id=callout.id
        )
    provider = make.user("provider", homes=[home])
    with pytest.raises(Forbidden):
        saved_forms.save_draft(provider, "/x", [], form="review", callout_id=callout.id)
    assert _count(SavedForm) == 0


def test_the_page_saves_the_draft_as_it_is_filled_in(pages, make):
    """static/autosave.js: the form sent in the background with save=draft, asking for JSON,
    gets its draft's id and changes that same draft the next time; filing deletes it."""
    home, provider, _colleague = _world(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    json = {"Accept": "application/json"}
    typed = {"home_id": str(home.id), "description": "Half", "save": "draft"}
    response = pages.client.post(
        "/callouts/new", data={**typed, "csrf_token": pages.csrf_token}, headers=json
    )
    draft_id = response.get_json()["draft_id"]
    response = pages.client.post(
        "/callouts/new",
        data={**typed, "description": "More", "draft": draft_id, "csrf_token": pages.csrf_token},
        headers=json,
    )
    assert response.get_json()["draft_id"] == draft_id
    (draft,) = db.session.scalars(select(SavedForm)).all()
    assert draft.value("description") == "More"
    pages.post("/callouts/new", {**_callout_form(home.id), "draft": str(draft_id)})
    assert _count(Callout) == 1 and _count(SavedForm) == 0


def test_a_background_save_after_the_session_ended_is_not_held(pages, make):
    home, provider, _colleague = _world(make)
    pages.sign_in(provider)
    pages.get("/callouts/new")
    _expire()
    response = pages.client.post(
        "/callouts/new",
        data={"home_id": str(home.id), "save": "draft", "csrf_token": pages.csrf_token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert _count(SavedForm) == 0
    # The form itself, sent afterwards, is held as ever.
    response = pages.raw_post("/callouts/new", _callout_form(home.id))
    assert "restore" in response.headers["Location"]
