"""A group member who reads Welsh opens the monthly summary, the digest, the yearly report and the
board report in Chromium, at 1280 px and at 390 px (issue 18): each page is Welsh, passes axe, and
at 390 px does not scroll sideways however long the Welsh words (wide tables scroll in their own
wrappers). Screenshots: test-artifacts/browser/welsh-reports/WIDTH-NN-PAGE.png."""

from __future__ import annotations

from datetime import datetime

import pytest

from protocol_monitor.db import db
from protocol_monitor.services import board_report, summaries
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_small_screens import SIDEWAYS
from tests.support import board_data, summary_data

SHOTS = ARTIFACTS / "welsh-reports"
BRIDGEND_CY = "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr"

#: Each page and its Welsh main heading.
PAGES = (
    ("/summaries/?month=2026-04", "Crynodeb ar gyfer Ebrill 2026"),
    ("/summaries/digests/2026-04", "Crynhoad ar gyfer Ebrill 2026"),
    (
        "/summaries/yearly?basis=financial&year=2025",
        "Galwadau fesul awdurdod, Ebrill 2023 – Mawrth 2026",
    ),
    (
        "/summaries/board-report/?ending_month=9&ending_year=2027",
        "Galwadau i’r heddlu mewn cartrefi plant: Hydref 2024 – Medi 2027",
    ),
)


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(board_report, "utcnow", lambda: board_data.NOW)


def test_a_welsh_reader_reads_the_reports_at_1280_and_390_px(journey, make, fixed_now):
    data = summary_data.build(make)
    board_data.build(make)
    bridgend = make.authority("W06000013", "Bridgend County Borough Council")
    bridgend.name_cy = BRIDGEND_CY
    home = make.home("SC000009", host=bridgend, places=5)
    make.home_report(home, datetime(2026, 4, 8, 16, 0), child_reference="PB-1")
    db.session.commit()
    summaries.compile_month("2026-03")
    summaries.compile_month("2026-04")
    member = make.user("group", authorities=[data.dorset, data.bcp, bridgend])

    page = journey.page
    journey.sign_in(member)
    page.locator(".app-language-select a[hreflang=cy]").click()  # the switch, top right
    page.get_by_text("Wedi mewngofnodi fel").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for n, (path, heading) in enumerate(PAGES, start=1):
            journey.goto(path)
            page.get_by_role("heading", level=1, name=heading).wait_for()
            assert page.locator("html").get_attribute("lang") == "cy"
            assert BRIDGEND_CY in page.locator("main").inner_text(), path
            page.screenshot(path=str(SHOTS / f"{width}-{n:02d}.png"), full_page=True)
            journey.check(f"welsh-{width}-{n:02d}")
            if width == 390:
                found = page.evaluate(SIDEWAYS)
                assert found["scrollWidth"] <= found["width"], (path, found)
