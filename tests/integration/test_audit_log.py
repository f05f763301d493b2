"""Every read and change is recorded; admins search the log and download it as CSV."""

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select

from protocol_monitor import audit
from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent
from tests.conftest import error_messages
from tests.integration.test_provider_callouts import _valid_form


def _events(action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def test_provider_path_is_recorded_with_who_when_where_and_what_changed(pages, make):
    home = make.home("SC300001")
    provider = make.user("provider", homes=[home])
    pages.sign_in_with_form(provider)  # the sign-in is recorded too
    pages.post("/callouts/new", _valid_form(home))
    callout_id = _events("callout_created")[0].record_id
    pages.get("/callouts/")
    pages.get(f"/callouts/{callout_id}/home-report/edit")
    pages.post(
        f"/callouts/{callout_id}/home-report/edit",
        _valid_form(
            home, category="assault_staff", description="Kicked a door", reason="Wrong category"
        ),
    )
    pages.raw_post("/sign-out", {})

    created = _events("callout_created")[0]
    assert created.user_id == provider.id and created.ip == "127.0.0.1"
    assert created.changes["fields"]["category"] == [None, "criminal_damage"]
    assert created.changes["fields"]["child_reference"] == [audit.WITHHELD, audit.WITHHELD]
    assert _events("callout_list_viewed")[0].changes["ids"] == [callout_id]
    viewed = _events("callout_viewed")
    assert {e.changes.get("for") for e in viewed} >= {"correct_home", None}
    changed = _events("callout_changed")[0]
    assert changed.changes["fields"]["category"] == ["criminal_damage", "assault_staff"]
    assert changed.changes["fields"]["description"] == [audit.WITHHELD, audit.WITHHELD]
    assert changed.changes["revision_id"]
    assert "Kicked" not in str([e.changes for e in _events()])
    assert [e.action for e in _events() if e.record_type == "user"] == ["sign_in", "sign_out"]


def test_failed_sign_ins_and_refusals_are_recorded(pages, make, client):
    home = make.home("SC300002")
    other = make.home("SC300003")
    provider = make.user("provider", homes=[home])
    theirs = make.home_report(other, datetime(2026, 5, 1, 12, 0))
    pages.get("/sign-in")
    pages.post("/sign-in", {"email": provider.email, "password": "wrong password"})
    pages.post("/sign-in", {"email": "not an email", "password": "x"})
    pages.sign_in(provider)
    pages.get(f"/callouts/{theirs.id}", status=404)
    pages.get("/admin/audit", status=403)
    failed = _events("sign_in_failed")
    assert [e.user_id for e in failed] == [provider.id, None]
    assert _events("callout_not_found")[0].record_id == theirs.id
    refusal = _events("permission_refused")[0]
    assert refusal.changes == {"permission": "administer", "path": "/admin/audit", "method": "GET"}

    group = make.user("group", authorities=[home.host_authority])
    pages.raw_post("/sign-out", {})
    pages.sign_in(group)
    pages.get("/callouts/new", status=403)
    assert _events("permission_refused")[-1].changes["permission"] == "file_home_report"


def _seed_log(make):
    home = make.home("SC300010")
    alice = make.user("provider", email="alice@example.org", homes=[home])
    bob = make.user("police", email="bob@example.org", police=home.police_force)
    moments = [
        (alice, "callout_viewed", 7, datetime(2026, 3, 28, 23, 30, tzinfo=UTC)),  # 28 Mar London
        (alice, "callout_viewed", 8, datetime(2026, 3, 29, 23, 30, tzinfo=UTC)),  # 30 Mar (BST)
        (bob, "callout_changed", 7, datetime(2026, 3, 30, 10, 0, tzinfo=UTC)),
        (bob, "sign_in", bob.id, datetime(2026, 4, 2, 8, 0, tzinfo=UTC)),
    ]
    for user, action, record_id, at in moments:
        record_type = "user" if action == "sign_in" else "callout"
        db.session.add(
            AuditEvent(
                user_id=user.id,
                action=action,
                record_type=record_type,
                record_id=record_id,
                at=at,
                ip="10.1.1.1",
                changes={"fields": {"outcome": ["=cmd|' /C calc'!A0", "nfa"]}},
            )
        )
    db.session.commit()
    return alice, bob


def _rows(soup):
    """Each entry as (when, sentence): the raw entry behind its details link is left out."""
    rows = []
    for tr in soup.select("tbody tr"):
        when, what = tr.select("td")
        rows.append(
            [when.get_text(" ", strip=True), what.select_one("p").get_text(" ", strip=True)]
        )
    return rows


def test_admin_searches_by_user_record_action_and_london_dates(pages, make):
    alice, bob = _seed_log(make)
    admin = make.user("admin", email="admin@example.org")
    pages.sign_in(admin)
    soup = pages.get("/admin/audit?user=alice")
    assert "2 entries" in soup.select_one("#audit-count").get_text()
    rows = _rows(soup)
    assert rows[0][0].startswith("30 Mar 2026 00:30") and rows[1][0].startswith("28 Mar 2026")
    soup = pages.get("/admin/audit?record_type=callout&record_id=7")
    assert [r[1] for r in _rows(soup)] == [
        f"{bob} corrected the home report of call-out 7.",
        f"{alice} opened call-out 7.",
    ]
    # The raw entry is one click away, in a details component.
    raw = soup.select_one("tbody tr details")
    assert raw.select_one("summary").get_text(strip=True) == "Raw entry"
    assert '"event": "callout_changed"' in raw.select_one("pre").get_text()
    # The filters offer kinds of event and of record by name.
    assert ("callout_viewed", "Call-out opened") in [
        (o["value"], o.get_text()) for o in soup.select("#action option")
    ]
    assert "Call-out" in [o.get_text() for o in soup.select("#record_type option")]
    soup = pages.get("/admin/audit?action=sign_in&user=bob")
    assert len(_rows(soup)) == 1
    # 30 March in London starts at 23:00 UTC on the 29th: the 23:30 UTC entry belongs to it.
    soup = pages.get("/admin/audit?date_from=30/3/2026&date_to=2026-03-30")
    assert [r[1] for r in _rows(soup)] == [
        f"{bob} corrected the home report of call-out 7.",
        f"{alice} opened call-out 8.",
    ]
    soup = pages.get("/admin/audit?date_from=31/2/2026&record_id=x")
    assert "From must be a real date, like 27/3/2026" in error_messages(soup)
    assert "Record number must be a whole number, like 1042" in error_messages(soup)
    soup = pages.get("/admin/audit?date_from=2/4/2026&date_to=1/4/2026")
    assert "To must be the same as or after From" in error_messages(soup)
    assert _events("audit_log_viewed")[0].user_id == admin.id


def test_audit_log_is_paginated_newest_first(pages, make, app):
    admin = make.user("admin")
    for n in range(30):
        db.session.add(
            AuditEvent(
                action="callout_viewed",
                record_type="callout",
                record_id=n,
                at=datetime(2026, 1, 1, 12, n, tzinfo=UTC),
            )
        )
    db.session.commit()
    pages.sign_in(admin)
    first = pages.get("/admin/audit?action=callout_viewed")
    assert len(_rows(first)) == 25 and _rows(first)[0][1] == "The service opened call-out 29."
    second = pages.get("/admin/audit?action=callout_viewed&page=2")
    assert [r[1] for r in _rows(second)] == [
        f"The service opened call-out {n}." for n in range(4, -1, -1)
    ]


def test_export_is_filtered_neutralised_and_audited(pages, make):
    _seed_log(make)
    admin = make.user("admin")
    pages.sign_in(admin)
    soup = pages.get("/admin/audit?user=alice")
    link = soup.select_one("#audit-export")["href"]
    response = pages.client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["Record number"] for r in rows] == ["8", "7"]
    assert rows[0]["Email address"] == "alice@example.org"
    assert rows[0]["Time (UK)"] == "2026-03-30 00:30:00"
    assert rows[0]["What happened"].endswith("opened call-out 8")
    assert rows[0]["Event (code)"] == "callout_viewed"
    assert json.loads(rows[0]["Detail (raw JSON)"])["fields"]["outcome"][1] == "nfa"
    exported = _events("audit_log_exported")[0]
    assert exported.user_id == admin.id
    assert exported.changes == {"filters": {"user_email": "alice"}, "rows": 2}


def test_formula_in_a_logged_value_is_neutralised_in_the_csv(pages, make):
    admin = make.user("admin")
    audit.record('=HYPERLINK("http://evil")', "callout", 1)
    db.session.commit()
    pages.sign_in(admin)
    response = pages.client.get("/admin/audit/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    actions = [r["Event (code)"] for r in rows]
    assert '\'=HYPERLINK("http://evil")' in actions
    assert not any(a.startswith("=") for a in actions)


def test_only_admins_reach_the_audit_log(pages, make):
    for role in ("provider", "police", "authority", "group"):
        user = make.user(
            role,
            police=make.force() if role == "police" else None,
            homes=[make.home()] if role == "provider" else None,
            authorities=[make.authority()] if role in ("authority", "group") else None,
        )
        pages.sign_in(user)
        pages.get("/admin/audit", status=403)
        assert pages.client.get("/admin/audit/export.csv").status_code == 403
        pages.raw_post("/sign-out", {})


def test_hostile_search_input_is_refused_or_harmless(pages, make):
    _seed_log(make)
    pages.sign_in(make.user("admin"))
    soup = pages.get("/admin/audit?record_id=99999999999&date_to=31/12/9999")
    assert "Record number must be 2147483647 or less" in error_messages(soup)
    assert "To must be a real date, like 27/3/2026" in error_messages(soup)
    soup = pages.get("/admin/audit?record_id=%D9%A3")  # an Arabic-Indic digit
    assert "Record number must be a whole number, like 1042" in error_messages(soup)
    # LIKE wildcards are matched literally.
    assert "0 entries" in pages.get("/admin/audit?user=%25").select_one("#audit-count").get_text()
    soup = pages.get("/admin/audit?user=%3Cscript%3Ealert(1)%3C/script%3E&action=x'--")
    assert soup.find("script", string="alert(1)") is None
    assert pages.client.get("/admin/audit/export.csv?date_from=99/99/2026").status_code == 400
