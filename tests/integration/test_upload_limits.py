"""Uploads stay within bounded memory: problems listed up to a limit and counted past it, long
values cut short, a row limit, and an XLSX checked before it is opened (bench/uploads.py measures
the peak memory of the large hostile files)."""

from __future__ import annotations

import tracemalloc
import zipfile

from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import Callout
from protocol_monitor.rules.callout_import import POLICE_IMPORT_COLUMNS
from protocol_monitor.services import imports
from tests.conftest import error_messages
from tests.integration.test_imports import _upload, police_rows, setup_home, write_csv
from tests.support.hostile_files import shared_strings_bomb


def _as_police(pages, make):
    setup_home(make)
    pages.sign_in(make.user("police", police=make.force()))


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Callout))


def test_problems_past_the_limit_are_counted_not_listed(pages, make, tmp_path):
    _as_police(pages, make)
    rows = list(police_rows(count=150))
    for row in rows:
        row["police_attended"] = "perhaps"
    soup = _upload(pages, write_csv(tmp_path / "bad.csv", rows), "police")
    assert error_messages(soup) == [
        "The file has 150 problems, the first 100 listed below. Nothing was imported: correct "
        "the file and upload it again"
    ]
    assert len(soup.select("#import-errors tbody tr")) == imports.MAX_PROBLEMS == 100
    more = soup.select_one("#import-more-errors").get_text(" ", strip=True)
    assert more.startswith("And 50 more problems, not listed.")
    assert _stored() == 0


def test_a_long_bad_value_is_shown_cut_short(pages, make, tmp_path):
    _as_police(pages, make)
    rows = list(police_rows(count=20))
    for row in rows:
        row["outcome"] = "o" * 100_000
    response_soup = _upload(pages, write_csv(tmp_path / "long.csv", rows), "police")
    cells = [
        row.find_all("td")[2].get_text() for row in response_soup.select("#import-errors tbody tr")
    ]
    assert cells and all(cell == "o" * 60 + "… (100,000 characters)" for cell in cells)
    assert len(str(response_soup)) < 100_000  # 20 values of 100 KB were 2 MB of page
    assert _stored() == 0


def test_a_file_past_the_row_limit_is_refused_whole(pages, make, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 40)
    _as_police(pages, make)
    soup = _upload(pages, write_csv(tmp_path / "many.csv", police_rows(count=41)), "police")
    assert error_messages(soup) == [
        "The file has more than 40 rows. Nothing was imported: split it into files of 40 rows "
        "or fewer and upload each one"
    ]
    assert _stored() == 0
    soup = _upload(pages, write_csv(tmp_path / "enough.csv", police_rows(count=40)), "police")
    assert _stored() == 40


def test_an_xlsx_that_expands_too_far_is_refused_before_it_is_opened(pages, make, tmp_path):
    _as_police(pages, make)
    path = shared_strings_bomb(
        tmp_path / "bomb.xlsx", POLICE_IMPORT_COLUMNS, strings=400, size=100_000
    )  # 40 MB of shared strings in a file of about 40 KB
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        soup = _upload(pages, path, "police")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024  # neither the progress estimate nor the import inflated it
    (message,) = error_messages(soup)
    assert message.startswith("The selected file is too large when opened (")
    assert "Save it as CSV, or split it into smaller files" in message
    assert _stored() == 0


def test_the_zip_ratio_of_a_part_is_checked(tmp_path):
    import pytest

    from protocol_monitor.services import ServiceError

    sheet = b"<row>" + b"0" * (3 * 1024 * 1024) + b"</row>"  # 3 MB compressing ~1000 times
    path = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(ServiceError, match=r"one part expands [0-9,]+ times, to 3 MB"):
        imports.check_xlsx_sizes(path)
