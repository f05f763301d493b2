"""An admin exports everything held about one child reference; the export is audited."""

import csv
import io
import json
import re
from datetime import date, datetime

import pytest
from docx import Document
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import (
    Action,
    ActionEvent,
    AuditEvent,
    Authority,
    Flag,
    Report,
    ReportRevision,
    Review,
)
from protocol_monitor.rules import flags as flag_rules
from protocol_monitor.services import Forbidden, subject_access
from tests.conftest import error_messages


def _held(make):
    home = make.home("SC400001")
    other = make.authority("E06000058", "Bournemouth, Christchurch and Poole")
    provider = make.user("provider", email="staff@example.org", homes=[home])
    mine = make.home_report(
        home,
        datetime(2026, 4, 1, 21, 0),
        child_reference="LCS-7",
        description="=cmd|' /C calc'!A0",
        filed_by=provider,
    )
    second = make.home_report(home, datetime(2026, 4, 9, 21, 0), child_reference="LCS-7")
    # The same reference from another authority is another child.
    not_mine = make.home_report(
        home, datetime(2026, 4, 10, 21, 0), child_reference="LCS-7", placing=other
    )
    # A police record naming the child, matched to a home report that does not.
    police_named = make.home_report(home, datetime(2026, 4, 12, 21, 0), child_reference=None)
    db.session.add(
        Report(
            callout=police_named,
            source="police",
            home_id=home.id,
            occurred_at=police_named.occurred_at,
            category="theft",
            child_reference="LCS-7",
            placing_authority_id=home.host_authority_id,
            police_reference="DP-9",
            arrested=True,
            outcome="charged",
        )
    )
    db.session.add(
        ReportRevision(
            report=mine.home_report,
            changed_by_id=provider.id,
            changes={"category": ["theft", "criminal_damage"]},
        )
    )
    review = Review(
        callout_id=mine.id,
        protocol_applied="partly",
        police_necessary="slow_time",
        learning_points="Use slow time",
    )
    action = Action(review=review, text="Meet the home manager", status="open")
    action.events.append(ActionEvent(status="open", note="Raised"))
    db.session.add_all([review, action])
    db.session.add(
        Flag(
            rule="repeat_child",
            home_id=home.id,
            subject_key="repeat_child:x:LCS-7",
            child_reference="LCS-7",
            placing_authority_id=home.host_authority_id,
            # As filing writes it (in English), for the reader's language to be shown.
            explanation=flag_rules.explain_repeat_child(
                flag_rules.Window(date(2026, 3, 1), date(2026, 3, 20), (mine.id, second.id)),
                flag_rules.Thresholds(repeat_child_count=2),
                "LCS-7",
            ),
        )
    )
    db.session.commit()
    return home, [mine.id, second.id, police_named.id], not_mine.id


def test_admin_downloads_json_with_every_record_and_it_is_audited(pages, make):
    home, ids, not_mine = _held(make)
    admin = make.user("admin", authorities=[home.host_authority])
    pages.sign_in(admin)
    pages.get("/admin/")
    pages.get("/admin/subject-access")
    response = pages.raw_post(
        "/admin/subject-access",
        {"child_reference": "lcs-7", "placing_authority": "E06000059", "format": "json"},
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert (
        'filename="subject-access-E06000059-LCS-7.json"' in response.headers["Content-Disposition"]
    )
    data = json.loads(response.get_data(as_text=True))
    assert [c["id"] for c in data["callouts"]] == ids and not_mine not in ids
    first = data["callouts"][0]
    report = first["reports"][0]
    assert report["description"] == "=cmd|' /C calc'!A0"
    assert report["filed_by"] == "staff@example.org"
    assert report["revisions"][0]["changes"] == {"category": ["theft", "criminal_damage"]}
    assert first["review"]["learning_points"] == "Use slow time"
    assert first["review"]["actions"][0]["events"][0]["note"] == "Raised"
    assert {r["source"] for r in data["callouts"][2]["reports"]} == {"home", "police"}
    assert len(data["flags"]) == 1
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "subject_access_exported")
    )
    assert event.user_id == admin.id
    assert event.changes["callout_ids"] == ids and event.changes["format"] == "json"
    assert "LCS-7" not in json.dumps(event.changes)


def test_csv_export_has_one_row_per_field_with_formulas_neutralised(pages, make):
    home, _ids, _ = _held(make)
    pages.sign_in(make.user("admin", authorities=[home.host_authority]))
    pages.get("/admin/subject-access")
    response = pages.raw_post(
        "/admin/subject-access",
        {"child_reference": "LCS-7", "placing_authority": "E06000059", "format": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    descriptions = [r["value"] for r in rows if r["field"] == "reports[0].description"]
    assert "'=cmd|' /C calc'!A0" in descriptions
    assert any(r["field"] == "review.actions[0].text" for r in rows)


def test_form_errors_are_shown_and_nothing_is_exported(pages, make):
    home, _ids, _ = _held(make)
    pages.sign_in(make.user("admin", authorities=[home.host_authority]))
    pages.get("/admin/subject-access")
    soup = pages.post("/admin/subject-access", {"child_reference": "", "format": "pdf"})
    assert error_messages(soup) == [
        "Enter the child reference",
        "Select the authority that placed the child",
        "Select how you want the records",
    ]
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "subject_access_exported"))
        is None
    )


def _exported() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "subject_access_exported"))
    )


def test_an_admin_exports_only_the_children_of_their_own_authorities(pages, make):
    """An administrator for Dorset cannot export a child placed by Bournemouth, Christchurch
    and Poole (the same reference, another child), nor choose that authority."""
    home, _ids, _ = _held(make)
    pages.sign_in(make.user("admin", authorities=[home.host_authority]))
    soup = pages.get("/admin/subject-access")
    choices = [o["value"] for o in soup.select("#placing_authority option") if o["value"]]
    assert choices == ["E06000059"]

    response = pages.raw_post(
        "/admin/subject-access",
        {"child_reference": "LCS-7", "placing_authority": "E06000058", "format": "json"},
    )
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    assert "Select the authority that placed the child" in response.get_data(as_text=True)
    assert _exported() == []


def test_the_service_refuses_another_authoritys_child_and_audits_it(app, make):
    home, _ids, _ = _held(make)
    admin = make.user("admin", authorities=[home.host_authority])
    with pytest.raises(Forbidden):
        subject_access.collect(admin, "LCS-7", "E06000058")
    refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "permission_refused"))
    assert (refusal.user_id, refusal.changes["permission"]) == (
        admin.id,
        "subject_access_authority",
    )
    assert _exported() == []
    # Linked to both, the same administrator may export either child.
    both = make.user("admin", authorities=[home.host_authority, _authority("E06000058")])
    assert len(subject_access.collect(both, "LCS-7", "E06000058")["callouts"]) == 1
    assert len(subject_access.collect(both, "LCS-7", "E06000059")["callouts"]) == 3


def _authority(code: str):
    return db.session.scalar(select(Authority).where(Authority.code == code))


def test_only_admins_can_export(pages, make):
    home, _ids, _ = _held(make)
    pages.sign_in(make.user("group", authorities=[home.host_authority]))
    pages.get("/admin/subject-access", status=403)


def test_command_line_export_json_and_csv(app, make, tmp_path):
    _held(make)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["subject-access", "LCS-7", "--authority", "E06000059", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["callouts"]) == 3
    assert "3 call-outs and 1 flag(s) held about LCS-7 (E06000059)" in result.stderr
    out = tmp_path / "export.csv"
    result = runner.invoke(
        args=[
            "subject-access",
            "lcs-7",
            "--authority",
            "e06000059",
            "--format",
            "csv",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("record_type,record_id,field,value")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject_access_exported")
    ).all()
    assert [(e.user_id, e.changes["via"], e.changes["format"]) for e in events] == [
        (None, "command line", "json"),
        (None, "command line", "csv"),
    ]


def test_command_line_refuses_an_unknown_authority(app, make):
    _held(make)
    result = app.test_cli_runner().invoke(
        args=["subject-access", "LCS-7", "--authority", "E99999999"]
    )
    assert result.exit_code == 1
    assert "Error: No authority has the code 'E99999999'" in result.stderr


def test_the_records_read_as_a_document_to_print_or_download_as_word(pages, make):
    """Labels, UK dates, who filed, corrected and reviewed, the actions; no codes (issue 15)."""
    home, ids, _ = _held(make)
    pages.sign_in(make.user("admin", authorities=[home.host_authority]))
    pages.get("/admin/subject-access")
    soup = pages.post(
        "/admin/subject-access",
        {"child_reference": "lcs-7", "placing_authority": "E06000059", "format": "page"},
    )
    text = " ".join(soup.get_text().split())
    assert soup.h1.get_text() == "Records held about LCS-7"
    assert "3 call-outs to a children's home or other residential setting, and 1 flag" in text
    assert f"Call-out {ids[0]}: 1 April 2026 at 21:00, Home SC400001" in text
    assert "Filed by Test provider on" in text or "Filed by staff@example.org on" in text
    assert "Theft in the home" in text and "Criminal damage in the home" in text  # corrected
    assert "Was the protocol applied? Partly applied" in text
    assert "Meet the home manager" in text and "Open on" in text
    assert "Charge or summons (outcome 1)" in text
    assert "Flag" in text and "Repeat call-outs about one child" in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)
    assert soup.select_one('button[data-module="app-print"]')
    # The same document as a Word file.
    response = pages.raw_post(
        "/admin/subject-access",
        {"child_reference": "LCS-7", "placing_authority": "E06000059", "format": "docx"},
    )
    assert (
        'filename="subject-access-E06000059-LCS-7.docx"' in response.headers["Content-Disposition"]
    )
    word = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in word.paragraphs]
    assert "Records held about LCS-7" in paragraphs
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "Partly applied" in cells and "Meet the home manager" in cells
    formats = [e.changes["format"] for e in _exported()]
    assert formats == ["page", "docx"]


def test_an_unknown_reference_says_so_instead_of_an_empty_file(pages, make):
    home, _ids, _ = _held(make)
    pages.sign_in(make.user("admin", authorities=[home.host_authority]))
    pages.get("/admin/subject-access")
    for fmt in ("page", "csv"):
        soup = pages.post(
            "/admin/subject-access",
            {"child_reference": "LCS-404", "placing_authority": "E06000059", "format": fmt},
        )
        assert error_messages(soup) == [
            "No call-out or flag is held about LCS-404 placed by Dorset Council. "
            "Check the reference and the placing authority"
        ]
