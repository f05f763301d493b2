"""More than one web machine (issue 13): on PostgreSQL an upload's progress and outcome are in the
database, so a machine that shares only the database with the one that took the upload shows them
(services.import_runs.RunTable). SQLite keeps them in the instance folder (one machine)."""

from __future__ import annotations

import os
import threading
from datetime import datetime

import pytest

from protocol_monitor import create_app
from protocol_monitor.db import db
from protocol_monitor.services import import_runs
from tests.conftest import Pages, _settings
from tests.integration.test_imports import (
    _start_upload,
    _wait_for,
    police_rows,
    setup_home,
    write_csv,
)

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL only: SQLite keeps import runs in the instance folder of its one machine",
)


def test_one_machine_takes_the_upload_and_another_shows_its_progress_and_outcome(
    app, make, database_url, tmp_path, monkeypatch
):
    # Another machine: its own app, instance folder and connections; only the database is shared.
    other = create_app(_settings(database_url, tmp_path / "other-machine"))
    try:
        setup_home(make)
        user = make.user("police", police=make.force())
        taking, showing = Pages(app.test_client()), Pages(other.test_client())
        taking.sign_in(user)
        showing.sign_in(user)

        app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(import_wait_seconds=0)
        # Hold the run at its first report of progress, its import's transaction open.
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
        path = write_csv(
            tmp_path / "police.csv", police_rows(count=300, start=datetime(2015, 1, 1))
        )
        response = _start_upload(taking, path)
        assert response.status_code == 302
        run_page = response.headers["Location"]
        assert reached.wait(60)
        try:
            midway = showing.client.get(run_page + "/progress").get_json()
        finally:
            release.set()
        assert midway["status"] == "running" and midway["rows_read"] == 100

        progress = _wait_for(showing, run_page)  # polled on the other machine only
        assert progress["finished"]
        soup = showing.get(run_page)
        summary = {
            row.dt.get_text(strip=True): row.dd.get_text(strip=True)
            for row in soup.select(".govuk-summary-list__row")
        }
        assert summary["Rows read"] == "300" and summary["New call-outs"] == "300"
        assert isinstance(import_runs.folder(other), import_runs.RunTable)
        # Nothing of the run is on either machine's disk: the upload is gone, the state is a row.
        assert not list((tmp_path / "instance" / "imports").glob("*"))
        assert not (tmp_path / "other-machine" / "imports").exists() or not list(
            (tmp_path / "other-machine" / "imports").glob("*")
        )
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
