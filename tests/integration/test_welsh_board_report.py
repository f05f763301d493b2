"""The board report in Welsh (issue 18): the page, the Word document and the workbook a reader
who chose Cymraeg downloads are Welsh throughout — the title, every sentence of the summary, the
tables' titles and headings, the charts' titles, the notes — with Welsh month names (Hydref 2024
to Medi 2027 with a dash), and the Welsh authority under its Welsh name. The data set is
tests/support/board_data.py (it is 15 November 2026), with a home in Bridgend."""

from __future__ import annotations

import io

import docx
import pytest
from openpyxl import load_workbook

from protocol_monitor.db import db
from protocol_monitor.services import board_report
from tests.support.board_data import NOW
from tests.support.board_data import build as _build
from tests.support.crawl import visible_text
from tests.support.welsh import data_values, english_left

QUERY = "?ending_month=9&ending_year=2027"
BRIDGEND_CY = "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr"
YEARS = ["Hyd 2024 – Medi 2025", "Hyd 2025 – Medi 2026", "Hyd 2026 – Medi 2027 hyd yma"]
TITLE = "Galwadau i’r heddlu mewn cartrefi plant: Hydref 2024 – Medi 2027"
HEADLINE = (
    "Bu gostyngiad o 4 (40%) yn nifer y galwadau i’r heddlu mewn cartrefi plant, o 10 (Hydref "
    "2025 – Medi 2026) i 6 (Hydref 2026 – Medi 2027, hyd yma). Yn y 3 chartref a oedd ar agor"
)


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(board_report, "utcnow", lambda: NOW)


def _welsh_reader(make, pages, client):
    """A group member of Dorset, BCP and Bridgend (a home with no call-outs), reading in Welsh."""
    data = _build(make)
    bridgend = make.authority("W06000013", "Bridgend County Borough Council")
    bridgend.name_cy = BRIDGEND_CY
    make.home("SC100009", host=bridgend, places=4, name="Tŷ Derw")
    db.session.commit()
    pages.sign_in(make.user("group", authorities=[data.dorset, data.bcp, bridgend]))
    client.get("/language/cy")
    return data


def _english_left(soup) -> list[str]:
    for shared in soup.select(".app-find, #timeout-warning"):
        shared.decompose()
    return english_left(visible_text(str(soup.select_one("main"))), data_values())


def test_the_board_report_page_in_welsh(app, make, pages, client, fixed_now):
    _welsh_reader(make, pages, client)
    soup = pages.get(f"/summaries/board-report/{QUERY}")

    assert soup.html["lang"] == "cy"
    assert soup.h1.get_text(strip=True) == TITLE
    assert soup.select_one(".govuk-caption-l").get_text(strip=True) == (
        "Adroddiad y bwrdd: fersiwn fewnol"
    )
    headline = soup.select_one("#headline").get_text(strip=True)
    assert headline.startswith(HEADLINE), headline
    assert headline.endswith("Nid yw Hydref 2026 – Medi 2027 wedi dod i ben eto: ffigurau hyd "
                             "yma yw’r rhain.")  # fmt: skip
    # The form: Welsh month names, the chosen one kept; Welsh labels.
    months = soup.select("#ending_month option")
    assert [o.get_text() for o in months][:3] == ["Ionawr", "Chwefror", "Mawrth"]
    assert soup.select_one("#ending_month option[selected]").get_text() == "Medi"
    assert soup.select_one("label[for=ending_month]").get_text(strip=True) == "Mis olaf y flwyddyn"
    table = soup.select_one("#table-callouts")
    assert table.caption.get_text(strip=True) == "Tabl 1: Galwadau, plant a chartrefi"
    assert [th.get_text(strip=True) for th in table.select("thead th")] == ["Mesur", *YEARS]
    hosts = soup.select_one("#table-hosts").get_text()
    assert BRIDGEND_CY in hosts and "Pob awdurdod cynnal" in hosts
    figure = soup.select_one("#figure-trend figcaption").get_text(strip=True)
    assert figure == "Ffigur 1: Galwadau bob mis, Hydref 2024 – Tachwedd 2026"
    description = soup.select_one("#figure-funnel-description").get_text()
    assert description.startswith("Barrau ar gyfer pob blwyddyn")
    assert "galwadau 6; daeth yr heddlu 2 (33.3% o’r cam blaenorol); arestiwyd 1" in description
    assert soup.select_one("main").get_text().count("Gwnaed ar 15 Tachwedd 2026") == 1
    assert _english_left(soup) == []

    # The public version, and a wrong year, in Welsh.
    public = pages.get(f"/summaries/board-report/{QUERY}&version=public")
    assert public.select_one(".govuk-caption-l").get_text(strip=True) == (
        "Adroddiad y bwrdd: fersiwn gyhoeddus"
    )
    assert "llai na 5" in public.select_one("#figure-trend-description").get_text() or (
        "Mae misoedd â llai na 5 galwad" in public.select_one("#figure-trend-description").text
    )
    assert _english_left(public) == []
    wrong = pages.get("/summaries/board-report/?ending_month=9&ending_year=twenty")
    assert wrong.title.get_text().startswith("Gwall: ")
    assert "Rhowch y flwyddyn fel 4 digid, er enghraifft 2026" in (
        wrong.select_one(".govuk-error-summary").get_text()
    )


def test_the_board_report_word_document_in_welsh(app, make, pages, client, fixed_now):
    _welsh_reader(make, pages, client)
    response = client.get(f"/summaries/board-report/download.docx{QUERY}")
    assert "board-report-2027-09.docx" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))

    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [TITLE, "Crynodeb", "Ffigurau", "Nodiadau am y ffigurau",
                        "Atal cyfrifau bach"]  # fmt: skip
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[1] == (
        "Fersiwn fewnol ar gyfer y grŵp amlasiantaeth: nid i’w chyhoeddi. Paratowyd ar 15 "
        "Tachwedd 2026 o fonitor y protocol."
    )
    assert paragraphs[3].startswith(HEADLINE)
    assert paragraphs[5].startswith("Yn y tair blynedd hyn, agorodd New Court (Ebrill 2026); "
                                    "caeodd Cedar Close (Mawrth 2025).")  # fmt: skip
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[:2] == [
        "Tabl 1: Galwadau, plant a chartrefi",
        "Tabl 2: Tebyg at debyg: y cartrefi a oedd ar agor yn y tair blynedd",
    ]
    assert [c for c in captions if c.startswith("Ffigur")] == [
        "Ffigur 1: Galwadau bob mis, Hydref 2024 – Tachwedd 2026",
        "Ffigur 2: O alwad i ganlyniad troseddol, fesul blwyddyn",
    ]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    assert tables[0][0] == ["Mesur", *YEARS]
    assert tables[0][1] == ["Galwadau", "11", "10", "6"]
    hosts = [row[0] for row in tables[2]]
    assert BRIDGEND_CY in hosts and hosts[-1] == "Pob awdurdod cynnal"
    sex = next(t for t in tables if t[0][0] == "Mesur" and t[0][1] == "Blwyddyn")
    assert sex[0][2:] == ["Benyw", "Gwryw", "Arall", "Anhysbys", "Y cyfan"]
    texts = paragraphs + [cell for table in tables for row in table for cell in row]
    assert english_left([t for t in texts if t], data_values()) == []


def test_the_board_report_workbook_in_welsh(app, make, pages, client, fixed_now):
    _welsh_reader(make, pages, client)
    book = load_workbook(
        io.BytesIO(client.get(f"/summaries/board-report/download.xlsx{QUERY}").data)
    )
    assert book.sheetnames[:4] == [
        "Ynghylch",
        "Galwadau a chartrefi",
        "Tebyg at debyg",
        "Fesul awdurdod cynnal",
    ]
    assert book.sheetnames[-1] == "Plant â galwadau dro ar ôl tro"
    about = [row[0] for row in book["Ynghylch"].iter_rows(values_only=True) if row]
    assert about[0] == TITLE
    assert (
        about[1]
        == "Fersiwn fewnol. Gwnaed ar 15 Tachwedd 2026 (amser y DU) gan fonitor y protocol."
    )
    assert (
        "Tabl 3: Galwadau fesul awdurdod cynnal (lle mae’r cartref) "
        "(taflen ‘Fesul awdurdod cynnal’)" in about
    )
    sheet = book["Fesul awdurdod cynnal"]
    assert sheet["A1"].value == "Tabl 3: Galwadau fesul awdurdod cynnal (lle mae’r cartref)"
    assert [c.value for c in sheet[3]] == ["Awdurdod cynnal", *YEARS]
    rows = {r[0]: list(r[1:]) for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows[BRIDGEND_CY] == [0, 0, 0] and rows["Pob awdurdod cynnal"] == [11, 10, 6]
    (line,) = book["Bob mis"]._charts
    assert line.y_axis.title.tx.rich.p[0].r[0].t == "Galwadau"
