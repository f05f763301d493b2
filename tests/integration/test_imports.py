"""Importing police extracts and home reports, from the command line and the upload page."""

import csv
import io
import os
import threading
import time
from datetime import UTC, datetime, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select, update

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Callout, ImportRun, Report, ReportRevision
from protocol_monitor.rules.callout_import import (
    HOME_REPORT_IMPORT_COLUMNS,
    POLICE_IMPORT_COLUMNS,
)
from protocol_monitor.services import import_runs
from tests.conftest import error_messages

HOME_DEFAULTS = {
    "police_reference": "",
    "arrested": "",
    "outcome": "",
    "caller_role": "home_staff",
    "child_role": "alleged_perpetrator",
    "immediate_risk": "no",
    "immediate_risk_reason": "",
    "deescalation": "verbal;space_time",
    "restorative": "planned",
    "ofsted_notified": "no",
    "injuries_damage": "",
    "description": "",
    "child_sex": "",
    "child_age": "",
}


def police_rows(urn="SC300001", count=3, start=datetime(2026, 4, 1, 20, 0)):
    for n in range(count):
        yield {
            "police_reference": f"DP-{n:05d}",
            "home_urn": urn,
            "occurred_at": (start + timedelta(days=n)).isoformat(timespec="minutes"),
            "child_reference": f"LCS-{n % 7}",
            "placing_authority_code": "E06000059",
            "category": "criminal_damage",
            "police_attended": "yes",
            "arrested": "no",
            "outcome": "nfa",
        }


def home_rows(urn="SC300001", count=3, start=datetime(2026, 4, 1, 20, 40)):
    """The home's reports of the same incidents: 40 minutes later, no police reference."""
    for row in police_rows(urn, count, start):
        row.update(HOME_DEFAULTS, category="assault_staff", police_attended="yes")
        yield row


def write_csv(path, rows, columns=POLICE_IMPORT_COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, columns=POLICE_IMPORT_COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    workbook.save(path)
    return path


def run(app, path, source="police", *extra):
    return app.test_cli_runner().invoke(
        args=["import-callouts", str(path), "--source", source, *extra]
    )


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def setup_home(make, urn="SC300001"):
    return make.home(urn, police=make.force())


def test_police_extract_then_home_reports_count_each_incident_once(app, make, tmp_path):
    setup_home(make)
    result = run(app, write_csv(tmp_path / "police.csv", police_rows()))
    assert result.exit_code == 0, result.output
    assert (
        "3 rows: 3 new call-outs, 0 joined to a call-out the other side had reported, 0 corrected"
        in result.output
    )
    assert count(Callout) == 3
    home_file = write_xlsx(tmp_path / "home.xlsx", home_rows(), HOME_REPORT_IMPORT_COLUMNS)
    result = run(app, home_file, "home")
    assert result.exit_code == 0, result.output
    # The counts add up to what is stored: no new call-out, three joined.
    assert "3 rows: 0 new call-outs, 3 joined to a call-out the other side" in result.output
    db.session.expire_all()
    assert count(Callout) == 3
    assert count(Report) == 6
    for callout in db.session.scalars(select(Callout)):
        assert {r.source for r in callout.reports} == {"home", "police"}
        assert callout.category == "assault_staff"  # the home's category stands
        assert callout.outcome == "nfa"  # the police outcome stands


def test_the_counts_of_an_import_add_up_to_what_is_stored(app, make, tmp_path):
    """Two of three incidents the home had reported: one new call-out, two joined (issue 15)."""
    setup_home(make)
    home_file = write_csv(tmp_path / "home.csv", home_rows(count=2), HOME_REPORT_IMPORT_COLUMNS)
    assert run(app, home_file, "home").exit_code == 0
    before = count(Callout)
    result = run(app, write_csv(tmp_path / "police.csv", police_rows(count=3)))
    assert "3 rows: 1 new call-out, 2 joined to a call-out the other side" in result.output
    assert count(Callout) - before == 1 and count(Report) == 5


def test_home_reports_then_police_extract_count_each_incident_once(app, make, tmp_path):
    setup_home(make)
    home_file = write_csv(tmp_path / "home.csv", home_rows(), HOME_REPORT_IMPORT_COLUMNS)
    assert run(app, home_file, "home").exit_code == 0
    assert count(Callout) == 3
    police_file = write_xlsx(tmp_path / "police.xlsx", police_rows())
    result = run(app, police_file)
    assert result.exit_code == 0, result.output
    assert "0 new call-outs, 3 joined" in result.output
    db.session.expire_all()
    assert count(Callout) == 3
    assert count(Report) == 6


def test_importing_the_same_extract_twice_changes_nothing(app, make, tmp_path):
    setup_home(make)
    path = write_xlsx(tmp_path / "police.xlsx", police_rows())
    assert run(app, path).exit_code == 0
    events = count(AuditEvent)
    result = run(app, path)
    assert result.exit_code == 0, result.output
    assert "0 new call-outs, 0 joined to a call-out the other side had reported, " in result.output
    assert "0 corrected, 3 unchanged" in result.output
    assert count(Callout) == 3 and count(Report) == 3
    assert count(ReportRevision) == 0
    assert count(AuditEvent) == events + 1  # only the record of the import itself
    home_file = write_csv(tmp_path / "home.csv", home_rows(), HOME_REPORT_IMPORT_COLUMNS)
    assert run(app, home_file, "home").exit_code == 0
    result = run(app, home_file, "home")
    assert "3 unchanged" in result.output
    assert count(Callout) == 3 and count(Report) == 6


def test_a_changed_outcome_in_a_later_extract_updates_with_history(app, make, tmp_path):
    setup_home(make)
    rows = list(police_rows())
    assert run(app, write_csv(tmp_path / "april.csv", rows)).exit_code == 0
    rows[1]["outcome"] = "charged"
    result = run(app, write_csv(tmp_path / "may.csv", rows))
    assert "0 joined to a call-out the other side had reported, 1 corrected, 2 unchanged" in (
        result.output
    )
    changed = db.session.scalar(select(Callout).where(Callout.police_reference == "DP-00001"))
    assert changed.outcome == "charged" and changed.criminal_outcome is True
    revision = db.session.scalar(select(ReportRevision))
    assert revision.changes == {"outcome": ["nfa", "charged"]}


def test_a_bad_file_stores_nothing_and_names_every_bad_row(app, make, tmp_path):
    setup_home(make)
    rows = list(police_rows(count=4))
    rows[1]["category"] = "fighting"
    rows[3]["occurred_at"] = "yesterday"
    rows[3]["home_urn"] = "SC999999"
    result = run(app, write_csv(tmp_path / "bad.csv", rows))
    assert result.exit_code == 1
    assert "Nothing was stored" in result.output
    assert "Row 3, column category ('fighting')" in result.output
    assert "Row 5, column home_urn ('SC999999')" in result.output
    assert "Row 5, column occurred_at ('yesterday')" in result.output
    assert count(Callout) == 0 and count(Report) == 0


def test_a_reference_twice_in_one_file_is_a_row_error(app, make, tmp_path):
    setup_home(make)
    rows = list(police_rows(count=2))
    rows[1]["police_reference"] = rows[0]["police_reference"]
    result = run(app, write_csv(tmp_path / "twice.csv", rows))
    assert result.exit_code == 1
    assert "Row 3, column police_reference ('DP-00000'): Same call-out as row 2" in result.output
    assert count(Callout) == 0


def test_a_missing_column_is_reported_from_the_header(app, make, tmp_path):
    setup_home(make)
    columns = [c for c in POLICE_IMPORT_COLUMNS if c != "outcome"]
    rows = [{k: v for k, v in r.items() if k != "outcome"} for r in police_rows()]
    result = run(app, write_csv(tmp_path / "short.csv", rows, columns))
    assert result.exit_code == 1
    assert "Row 1, column outcome" in result.output


def test_dry_run_reports_what_would_change_and_stores_nothing(app, make, tmp_path):
    setup_home(make)
    result = run(app, write_csv(tmp_path / "police.csv", police_rows()), "police", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run, nothing stored. 3 rows would give 3 new call-outs" in result.output
    assert count(Callout) == 0 and count(Report) == 0 and count(AuditEvent) == 0


def test_a_file_that_is_not_csv_or_xlsx_is_refused(app, make, tmp_path):
    path = tmp_path / "police.txt"
    path.write_text("hello")
    result = run(app, path)
    assert result.exit_code == 1
    assert "must be a CSV or XLSX file" in result.output


def test_cli_as_a_police_user_is_limited_to_their_force(app, make, tmp_path):
    setup_home(make)
    make.home("SC300099", police=make.force("E23000001", "Other Police"))
    officer = make.user("police", police=make.force())
    rows = [*police_rows(), *police_rows("SC300099", count=1)]
    result = run(
        app, write_csv(tmp_path / "police.csv", rows), "police", "--as-user", officer.email
    )
    assert result.exit_code == 1
    assert "Row 5, column home_urn ('SC300099'): No home you may import for" in result.output
    assert count(Callout) == 0


def test_an_extract_of_many_rows_imports_every_row_with_progress(app, make, tmp_path):
    # The same at 5,000 rows, timed against a bare executemany: bench/imports.py.
    setup_home(make)
    path = write_csv(
        tmp_path / "large.csv",
        police_rows(count=120, start=datetime(2012, 1, 1, 12, 0)),
    )
    result = run(app, path, "police", "--every", "50")
    assert result.exit_code == 0, result.output
    progress = [line for line in result.output.splitlines() if line.endswith("rows read")]
    assert progress == ["… 50 rows read", "… 100 rows read", "… 120 rows read"]
    assert "120 rows: 120 new call-outs" in result.output
    assert count(Callout) == 120


def _upload(pages, path, source, dry_run="no"):
    """Upload a file as a person would, then follow its run to the end; the page it ends on."""
    response = _start_upload(pages, path, source, dry_run)
    if response.status_code == 200:  # the form itself was refused
        return pages._check(response)
    assert response.status_code == 302, response.status_code
    run_page = response.headers["Location"]
    _wait_for(pages, run_page)
    return pages.get(run_page)


def _start_upload(pages, path, source="police", dry_run="no"):
    """POST the upload form with a file; the response (a redirect to the run, or the form)."""
    with open(path, "rb") as stream:
        return pages.raw_post(
            "/imports/new",
            {"source": source, "dry_run": dry_run, "file": (io.BytesIO(stream.read()), path.name)},
        )


def _wait_for(pages, run_page, limit=300.0):
    """Poll the run's progress, as the page's script does, until it has finished."""
    deadline = time.monotonic() + limit
    while True:
        progress = pages.client.get(run_page + "/progress").get_json()
        if progress["finished"]:
            return progress
        assert time.monotonic() < deadline, f"the import did not finish: {progress}"
        time.sleep(0.05)


def test_police_upload_an_extract_and_see_the_counts(pages, make, tmp_path):
    home = setup_home(make)
    provider = make.user("provider", homes=[home])
    pages.sign_in(make.user("police", police=make.force()))
    soup = pages.get("/imports/new")
    assert soup.find("input", attrs={"name": "source", "value": "police"})
    assert not soup.find("input", attrs={"name": "source", "value": "home"})
    path = write_xlsx(tmp_path / "police.xlsx", police_rows())
    soup = _upload(pages, path, "police", dry_run="yes")
    assert "Checked: nothing was stored" in soup.get_text()
    assert count(Callout) == 0
    soup = _upload(pages, path, "police")
    summary = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }
    assert summary["Rows read"] == "3" and summary["New call-outs"] == "3"
    assert count(Callout) == 3

    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(provider)
    home_path = write_csv(tmp_path / "home.csv", home_rows(), HOME_REPORT_IMPORT_COLUMNS)
    soup = _upload(pages, home_path, "home")
    summary = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }
    assert summary["New call-outs"] == "0"
    assert summary["Joined to a call-out the other side had reported"] == "3"
    assert count(Callout) == 3


def test_upload_of_a_bad_file_lists_every_problem_and_stores_nothing(pages, make, tmp_path):
    setup_home(make)
    pages.sign_in(make.user("police", police=make.force()))
    rows = list(police_rows())
    rows[0]["police_attended"] = "perhaps"
    rows[2]["outcome"] = ""
    soup = _upload(pages, write_csv(tmp_path / "bad.csv", rows), "police")
    assert error_messages(soup) == [
        "The file has 2 problems, listed below. Nothing was imported: correct the file and "
        "upload it again"
    ]
    table = [
        [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in soup.select("#import-errors tbody tr")
    ]
    assert table == [
        ["2", "police_attended", "perhaps", "Enter yes or no"],
        ["4", "outcome", "(blank)", table[1][3]],
    ]
    assert count(Callout) == 0


def test_a_provider_cannot_import_for_another_home_or_as_police(pages, make, tmp_path):
    setup_home(make)
    mine = make.home("SC300002")
    pages.sign_in(make.user("provider", homes=[mine]))
    path = write_csv(tmp_path / "home.csv", home_rows(), HOME_REPORT_IMPORT_COLUMNS)
    soup = _upload(pages, path, "home")
    assert "No home you may import for has this URN" in soup.get_text()
    soup = _upload(pages, write_csv(tmp_path / "p.csv", police_rows()), "police")
    assert error_messages(soup) == ["Select what you are importing"]
    assert count(Callout) == 0


def test_upload_page_needs_a_file(pages, make):
    pages.sign_in(make.user("police", police=make.force()))
    soup = pages.post("/imports/new", {"source": "police", "dry_run": "no"})
    assert error_messages(soup) == ["Select a CSV or XLSX file"]


def test_xlsx_with_real_date_and_boolean_cells_imports(app, make, tmp_path):
    setup_home(make)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(POLICE_IMPORT_COLUMNS))
    sheet.append(
        ["DP-1", "SC300001", datetime(2026, 4, 1, 0, 30), "", "", "theft", True, False, "nfa"]
    )
    workbook.save(tmp_path / "typed.xlsx")
    result = run(app, tmp_path / "typed.xlsx")
    assert result.exit_code == 0, result.output
    callout = db.session.scalar(select(Callout))
    assert callout.month == "2026-04"  # a naive spreadsheet time is UK time
    assert callout.police_attended is True and callout.arrested is False


def test_a_csv_named_xlsx_is_refused_clearly(app, make, tmp_path):
    path = write_csv(tmp_path / "police.csv", police_rows())
    renamed = path.rename(tmp_path / "police.xlsx")
    result = run(app, renamed)
    assert result.exit_code == 1
    assert "could not be read as an XLSX workbook" in result.output


# The upload page runs the import in the background and shows its progress ----------------------


def test_a_large_upload_shows_its_progress_then_its_outcome(
    app, pages, make, tmp_path, monkeypatch
):
    setup_home(make)
    pages.sign_in(make.user("police", police=make.force()))
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(import_wait_seconds=0)
    # Hold the run at its first report of progress, so the test sees it mid-way.
    reached, release = threading.Event(), threading.Event()
    real_import = import_runs.import_callouts

    def paused_import(*args, progress, **kwargs):
        def pausing(rows):
            progress(rows)
            if not reached.is_set():
                reached.set()
                release.wait(60)

        return real_import(*args, progress=pausing, **kwargs)

    monkeypatch.setattr(import_runs, "import_callouts", paused_import)
    path = write_csv(tmp_path / "large.csv", police_rows(count=300, start=datetime(2015, 1, 1)))
    response = _start_upload(pages, path)
    assert response.status_code == 302
    run_page = response.headers["Location"]
    assert reached.wait(60)
    try:
        soup = pages.get(run_page)
        assert soup.h1.get_text(strip=True) == "Import of large.csv"
        assert soup.select_one("#import-progress-text").get_text(strip=True) == (
            "100 of about 300 rows read"
        )
        assert soup.select_one("#import-progress-bar")["value"] == "33"
        assert pages.client.get(run_page + "/progress").get_json() == {
            "status": "running",
            "finished": False,
            "rows_read": 100,
            "rows_expected": 300,
            "percent": 33,
            "text": "100 of about 300 rows read",
        }
        assert count(Callout) == 0  # nothing is visible until the whole file is stored
    finally:
        release.set()
    assert _wait_for(pages, run_page)["text"] == "300 rows read"
    soup = pages.get(run_page)
    assert soup.select_one("#import-result").get_text(strip=True) == "Imported"
    assert not soup.select("#import-progress")
    assert count(Callout) == 300
    assert not list((tmp_path / "instance" / "imports").glob("*.upload.*"))  # file deleted


def test_an_upload_run_is_seen_only_by_the_person_who_started_it(pages, make, tmp_path):
    setup_home(make)
    force = make.force()
    pages.sign_in(make.user("police", police=force))
    path = write_csv(tmp_path / "police.csv", police_rows())
    response = _start_upload(pages, path)
    run_page = response.headers["Location"]
    _wait_for(pages, run_page)
    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(make.user("police", police=force, email="colleague@example.org"))
    assert pages.client.get(run_page).status_code == 404
    assert pages.client.get(run_page + "/progress").status_code == 404
    assert pages.client.get("/imports/not-a-run").status_code == 404
    assert pages.client.get("/imports/..%2F..%2Fsecret").status_code == 404


def test_a_run_whose_worker_died_is_shown_as_stopped_and_old_runs_are_tidied(app, pages, make):
    user = make.user("police", police=make.force())
    pages.sign_in(user)
    runs = import_runs.folder(app)
    run = import_runs.Run(
        id="stalled-run", user_id=user.id, source="police", filename="x.csv", dry_run=False
    )
    run.status = import_runs.RUNNING
    runs.save(run)
    stale = time.time() - import_runs.STALLED.total_seconds() - 1
    if isinstance(runs, import_runs.RunTable):  # PostgreSQL: the state is a row
        db.session.execute(
            update(ImportRun)
            .where(ImportRun.id == run.id)
            .values(updated_at=datetime.fromtimestamp(stale, UTC))
        )
        db.session.commit()
    else:
        os.utime(runs.state_path(run.id), (stale, stale))
    soup = pages.get("/imports/stalled-run")
    assert error_messages(soup) == [
        "The import stopped before it finished, so nothing was imported. Upload the file again"
    ]
    runs.tidy(now=time.time() + import_runs.KEEP.total_seconds() + 1)
    assert runs.load(run.id) is None
    assert pages.client.get("/imports/stalled-run").status_code == 404


def test_a_reimported_row_that_no_longer_matches_parts_from_the_home_report(app, make, tmp_path):
    home = setup_home(make)
    # The home's report: 40 minutes after the police record of row 2, same child, no reference.
    make.home_report(home, datetime(2026, 4, 1, 20, 40), child_reference="LCS-0")
    result = run(app, write_csv(tmp_path / "police.csv", police_rows(count=1)))
    assert "1 row: 0 new call-outs, 1 joined" in result.output
    assert count(Callout) == 1
    # The next extract corrects the child on that record: it is not the same incident after all.
    corrected = [{**row, "child_reference": "LCS-9"} for row in police_rows(count=1)]
    result = run(app, write_csv(tmp_path / "corrected.csv", corrected))
    assert result.exit_code == 0, result.output
    assert "0 joined to a call-out the other side had reported, 1 corrected" in result.output
    db.session.expire_all()
    assert count(Callout) == 2
    police = db.session.scalar(select(Report).where(Report.source == "police"))
    assert police.callout.home_report is None and police.child_reference == "LCS-9"
    assert count(AuditEvent, AuditEvent.action == "callout_unmatched") == 1
