"""The monthly summary, the digest, their downloads and the yearly report in Welsh (issue 18): a
reader who chose Cymraeg reads Welsh headings, Welsh month names ("Ebrill 2026"), numbers and
changes in Welsh, and the Welsh authority under its Welsh name; nothing the English page says in
words is left in English."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from openpyxl import load_workbook

from protocol_monitor.db import db
from protocol_monitor.i18n import in_language
from protocol_monitor.services import summaries
from tests.support import summary_data
from tests.support.crawl import visible_text
from tests.support.welsh import data_values, english_left

BRIDGEND_CY = "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr"


def _build(make):
    """The summary data set, and Bridgend (a Welsh authority with its Welsh name) hosting a home
    with a call-out in April 2026."""
    data = summary_data.build(make)
    bridgend = make.authority("W06000013", "Bridgend County Borough Council")
    bridgend.name_cy = BRIDGEND_CY
    home = make.home("SC000009", host=bridgend, places=5)
    make.home_report(home, datetime(2026, 4, 8, 16, 0), child_reference="PB-1")
    db.session.commit()
    return data, bridgend


def _welsh_reader(pages, make, data, bridgend):
    member = make.user("group", authorities=[data.dorset, data.bcp, bridgend])
    pages.sign_in(member)
    return member


def _texts(soup, selector: str) -> set[str]:
    """The texts of the page's own content (not the find box or the timeout warning every
    signed-in page shares), and its charts' titles and descriptions."""
    for shared in soup.select(".app-find, #timeout-warning, .app-language-select"):
        shared.decompose()
    return {
        " ".join(node.get_text(" ", strip=True).split())
        for node in soup.select(f"main {selector}")
        if node.get_text(strip=True)
    }


def _words_only(texts: set[str]) -> set[str]:
    """Texts that say something in words: not numbers, codes, references or names."""
    names = ("Council", "SC0000", "PC Allocated", "C1", "W-77", "B-5", "PB-1", "E0", "W0")
    return {
        text
        for text in texts
        if re.search(r"[a-z]{3}", text) and not any(name in text for name in names)
    }


def _english_left(soup) -> list[str]:
    """English left in the page's own content (the find box and the timeout warning every
    signed-in page shares are another part's)."""
    for shared in soup.select(".app-find, #timeout-warning"):
        shared.decompose()
    return english_left(visible_text(str(soup.select_one("main"))), data_values())


def _cells(table, row_header):
    for tr in table.select("tbody tr"):
        th = tr.find("th")
        if th and row_header in th.get_text():
            return [td.get_text(strip=True) for td in tr.find_all("td")]
    raise AssertionError(f"no row {row_header}")


def test_the_monthly_summary_in_welsh(client, pages, make):
    data, bridgend = _build(make)
    summaries.compile_month("2026-04")
    make.home_report(data.h3, datetime(2026, 4, 29, 10, 0), child_reference="B-6",
                     placing=data.bcp)  # fmt: skip
    summaries.compile_month("2026-04")
    _welsh_reader(pages, make, data, bridgend)
    english = pages.get("/summaries/?month=2026-04")
    client.get("/language/cy")
    soup = pages.get("/summaries/?month=2026-04")

    assert soup.html["lang"] == "cy"
    assert soup.h1.get_text(strip=True) == "Crynodeb ar gyfer Ebrill 2026"
    assert soup.title.get_text().startswith("Crynodeb ar gyfer Ebrill 2026 – ")
    version = soup.select_one("#version").get_text(" ", strip=True)
    assert version.startswith("Fersiwn 2, lluniwyd ar ") and "(amser y DU)" in version
    # What changed, stored in English when compiled, is read in Welsh.
    assert "Awdurdod E06000058: galwadau 0 → 1" in soup.select_one("#changes").get_text()
    authorities = soup.select_one("#table-authorities")
    headings = [th.get_text(strip=True) for th in authorities.select("thead th")]
    assert headings[:5] == ["Awdurdod", "Galwadau", "Yr un mis y llynedd", "Newid",
                            "Newid tebyg at debyg"]  # fmt: skip
    assert _cells(authorities, "Dorset Council")[:4] == ["6", "2", "+4 (+200%)", "+3 (+300%)"]
    assert _cells(authorities, f"{BRIDGEND_CY} (W06000013)")[0] == "1"
    homes = soup.select_one("#table-homes")
    assert homes.select("thead th")[0].get_text(strip=True) == "Cartref"
    assert _cells(homes, "SC000002")[3] == "Dim modd cymharu"
    actions = soup.select_one("#table-actions")
    assert [th.get_text(strip=True) for th in actions.select("thead th")][-2:] == [
        "Ar agor",
        "Yn hwyr",
    ]
    # Month names in Welsh: the trend's rows in full, the chart's axis short.
    trend = soup.select_one("#table-trend")
    assert _cells(trend, "Ebrill 2026")[-1] == "1"  # Bridgend, after BCP and Dorset by code
    assert _cells(trend, "Hydref 2025") == ["0", "1", "0"]
    svg = soup.find("svg", attrs={"aria-labelledby": "chart-callouts-title chart-callouts-desc"})
    assert svg.find("title").get_text() == (
        "Galwadau bob mis fesul awdurdod cynnal, Mai 2024 – Ebrill 2026"
    )
    axis = [text.get_text() for text in svg.find_all("text")]
    assert "Ebr 2026" in axis and "Apr 2026" not in axis and BRIDGEND_CY in axis
    assert (
        soup.select_one("#downloads")
        .get_text(" ", strip=True)
        .startswith(
            "Excel (XLSX), taflen ar gyfer pob tabl CSV, ffeil ar gyfer pob tabl: Awdurdodau cynnal"
        )
    )
    # Nothing the English page says in words (headings, captions, cells, paragraphs) is left.
    selector = "h1, h2, th, td, caption, p, li, label, button, option, title, desc"
    left = _words_only(_texts(english, selector)) & _words_only(_texts(soup, selector))
    assert not left, left
    assert _english_left(soup) == []


def test_the_digest_page_in_welsh(client, pages, make):
    data, bridgend = _build(make)
    summaries.compile_month("2026-03")
    summaries.compile_month("2026-04")
    _welsh_reader(pages, make, data, bridgend)
    english = pages.get("/summaries/digests/2026-04")
    client.get("/language/cy")
    soup = pages.get("/summaries/digests/2026-04")

    assert soup.h1.get_text(strip=True) == "Crynhoad ar gyfer Ebrill 2026"
    assert soup.select_one(".govuk-caption-l").get_text(strip=True) == "Crynhoad misol"
    facts = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in soup.select("#digest-facts .govuk-summary-list__row")
    }
    assert facts["Galwadau"] == "7"  # Dorset 6, Bridgend 1
    assert facts["Wedi’u hadolygu"] == "2 o 7"
    assert facts["Camau gweithredu sy’n dal ar agor"] == "1, gyda 1 ohonynt yn hwyr"
    assert BRIDGEND_CY in soup.select_one("#digest-authorities").get_text()
    assert "Dyma’r fersiwn gyntaf ar gyfer Ebrill 2026." in soup.select_one("#changes").get_text()
    assert [a.get_text() for a in soup.select("#earlier-digests a")] == ["Mawrth 2026"]
    listing = pages.get("/summaries/digests/")
    assert listing.h1.get_text(strip=True) == "Crynoadau misol"
    assert [a.get_text() for a in listing.select("#digest-months a")] == [
        "Ebrill 2026",
        "Mawrth 2026",
    ]
    selector = "h1, h2, th, td, dt, dd, caption, p, li, span"
    left = _words_only(_texts(english, selector)) & _words_only(_texts(soup, selector))
    assert not left, left
    assert _english_left(soup) == []


def test_the_summary_downloads_in_welsh(client, pages, make):
    data, bridgend = _build(make)
    summaries.compile_month("2026-04")
    _welsh_reader(pages, make, data, bridgend)
    client.get("/language/cy")

    response = client.get("/summaries/download.csv?month=2026-04&table=host-authorities")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:6] == ["Mis", "Fersiwn", "Cod yr awdurdod", "Awdurdod", "Galwadau",
                           "Ar goll neu’n absennol (heb eu cyfrif)"]  # fmt: skip
    assert "Yr un mis y llynedd" in rows[0] and "12 mis treigl" in rows[0]
    bridgend_row = next(row for row in rows if row[2] == "W06000013")
    assert bridgend_row[:5] == ["2026-04", "1", "W06000013", BRIDGEND_CY, "1"]
    actions = client.get("/summaries/download.csv?month=2026-04&table=actions")
    owners = list(csv.reader(io.StringIO(actions.get_data(as_text=True))))
    assert owners[0] == ["Mis", "Fersiwn", "Perchennog", "Wedi’u cytuno y mis hwn",
                         "Wedi’u gwneud y mis hwn", "Ar agor", "Yn hwyr"]  # fmt: skip

    book = load_workbook(io.BytesIO(client.get("/summaries/download.xlsx?month=2026-04").data))
    assert book.sheetnames == [
        "Awdurdodau cynnal",
        "Awdurdodau lleoli",
        "Cartrefi",
        "Camau fesul perchennog",
    ]
    sheet = book["Cartrefi"]
    assert sheet["A1"].value == "Crynodeb ar gyfer Ebrill 2026 (fersiwn 1)"
    assert [c.value for c in sheet[2]][:3] == ["URN", "Cartref", "Awdurdod cynnal"]
    # Provisional figures say so in Welsh; the file's name stays as it is.
    response = client.get("/summaries/download.csv?month=2026-05&table=homes")
    assert "summary-2026-05-vprovisional-homes.csv" in response.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1][:2] == [
        "2026-05",
        "dros dro",
    ]


def test_the_yearly_report_in_welsh(client, pages, make):
    data, bridgend = _build(make)
    _welsh_reader(pages, make, data, bridgend)
    client.get("/language/cy")
    soup = pages.get("/summaries/yearly?basis=financial&year=2025")
    assert soup.h1.get_text(strip=True) == "Galwadau fesul awdurdod, Ebrill 2023 – Mawrth 2026"
    headings = [th.get_text(strip=True) for th in soup.select("#table-yearly thead th")]
    assert headings[:3] == ["Cod yr awdurdod", "Awdurdod", "Galwadau Ebrill 2023 – Mawrth 2024"]
    assert BRIDGEND_CY in soup.select_one("#table-yearly").get_text()
    assert _english_left(soup) == []
    wrong = pages.get("/summaries/yearly?basis=financial&year=19")
    summary = wrong.select_one(".govuk-error-summary")
    assert summary.h2.get_text(strip=True) == "Mae problem wedi codi"
    link = summary.select_one("a")
    assert link["href"] == "#year" and link.get_text().startswith("Rhowch flwyddyn fel pedwar")


def test_the_digest_message_is_rendered_in_the_language_asked_for(app, make):
    data, _bridgend = _build(make)
    summaries.compile_month("2026-04")
    make.home_report(data.h3, datetime(2026, 4, 29, 10, 0), child_reference="B-6",
                     placing=data.bcp)  # fmt: skip
    snapshot = summaries.compile_month("2026-04")
    with app.test_request_context():
        english = summaries.digest_for(snapshot)
        with in_language("cy"):
            welsh = summaries.digest_for(snapshot)
    # As the scheduler sends it: in the app's context, no request.
    with in_language("cy"):
        assert summaries.digest_for(snapshot) == welsh
    assert summaries.digest_for(snapshot) == english
    assert english["title"] == "Call-outs summary for April 2026 (version 2)"
    assert welsh["title"] == "Crynodeb o’r galwadau ar gyfer Ebrill 2026 (fersiwn 2)"
    assert "Beth sydd wedi newid ers fersiwn 1:" in welsh["text"]
    assert "- Awdurdod E06000058: galwadau 0 → 1" in welsh["text"]
    assert f"{BRIDGEND_CY} (W06000013): 1 alwad, 0 yn yr un mis y llynedd" in welsh["text"]
    assert "Bridgend County Borough Council (W06000013): 1 call-out" in english["text"]
    assert welsh["slack_blocks"][-1]["elements"][0]["text"]["text"] == "Darllen y crynhoad"
    assert welsh["teams_card"]["actions"][0]["title"] == "Darllen y crynhoad"
    assert "<h2>Fesul awdurdod cynnal</h2>" in welsh["html"]
