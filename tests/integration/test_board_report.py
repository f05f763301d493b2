"""The board report (domain.md §9) from a hand-built data set, with the answers written in: the
page, the JSON, the Excel workbook (sheet by sheet, charts present) and the Word document (table
by table), internal and public, and each reader's own area.

The data set (tests/support/board_data.py): three years ending September 2027, the last one in
progress (it is 15 November 2026). Alder House (Dorset) and Beech Lodge (BCP) are open
throughout; Cedar Close (BCP) closed at the end of March 2025; New Court (Dorset) opened in April
2026. DC-1 has a criminal outcome in the first year and another in the second; WC-9 is placed by
Worcestershire in Beech Lodge (out of area). Alder House has 5 call-outs then 4, Beech Lodge 4
then 5: the suppression edges.
"""

from __future__ import annotations

import io
import json

import docx
import pytest
from openpyxl import load_workbook

from protocol_monitor.models import AuditEvent
from protocol_monitor.rules.time import Month
from protocol_monitor.services import board_report
from tests.support.board_data import NOW
from tests.support.board_data import build as _build

YEARS = ["Oct 2024 to Sep 2025", "Oct 2025 to Sep 2026", "Oct 2026 to Sep 2027 to date"]
QUERY = "?ending_month=9&ending_year=2027"


@pytest.fixture
def fixed_now(monkeypatch):
    """The report's clock (its default year and its year to date) set to NOW."""
    monkeypatch.setattr(board_report, "utcnow", lambda: NOW)


def _table(report, table_id):
    return next(t for t in report["tables"] if t["id"] == table_id)


def _row(table, label, year=None):
    for row in table["rows"]:
        if row[0] == label and (year is None or row[1] == year):
            return row[table["heading_columns"] :]
    raise AssertionError(f"no row {label!r} in {table['title']}")


HEADLINE = (
    "Police call-outs to children's homes fell by 4 (40%), from 10 in October 2025 to September "
    "2026 to 6 in October 2026 to September 2027 (to date). At the 2 homes open in all three "
    "years, call-outs fell by 6 (66.7%), from 9 in October 2025 to September 2026 to 3 in "
    "October 2026 to September 2027 (to date). October 2026 to September 2027 is not over yet: "
    "its figures are so far."
)
HOMES_SENTENCE = (
    "In these three years New Court (April 2026) opened; Cedar Close (March 2025) closed. 2 of "
    "the 4 homes in scope were open in all three years: the like-for-like figures count only "
    "those."
)


def _check_internal(report):
    """The answers, worked out by hand from the data set."""
    assert report["title"] == (
        "Police call-outs to children's homes: October 2024 to September 2027"
    )
    assert report["summary"][0] == HEADLINE
    assert report["summary"][1] == (
        "Children with a criminal outcome fell by 2 (100%), from 2 in October 2025 to September "
        "2026 to 0 in October 2026 to September 2027 (to date)."
    )
    assert report["summary"][2] == HOMES_SENTENCE
    one = _table(report, "callouts")
    assert one["headers"] == ["Measure", *YEARS]
    assert _row(one, "Call-outs") == [11, 10, 6]
    assert _row(one, "Missing or absent call-outs (not counted above)") == [1, 0, 0]
    assert _row(one, "Children called about") == [4, 4, 4]
    assert _row(one, "Call-outs per child") == [2.8, 2.5, 1.5]
    assert _row(one, "Homes in scope") == [3, 3, 3]
    # Cedar Close's 3 places for 6 of 12 months; New Court's 2 for 6 of 12; the year to date
    # counts its 2 months so far.
    assert _row(one, "Registered places (average)") == [11.5, 11.0, 12.0]
    assert _row(one, "Call-outs per 10 places") == [9.6, 9.1, 5.0]
    assert _row(one, "Children called about repeatedly") == [1, 0, 1]
    like = _table(report, "like_for_like")
    assert _row(like, "Homes") == [2, 2, 2]
    assert _row(like, "Call-outs") == [9, 9, 3]
    assert _row(like, "Call-outs per 10 places") == [9.0, 9.0, 3.0]
    assert like["note"] == HOMES_SENTENCE
    hosts = _table(report, "hosts")
    assert _row(hosts, "Dorset Council") == [5, 5, 5]
    assert _row(hosts, "Bournemouth, Christchurch and Poole Council") == [6, 5, 1]
    assert _row(hosts, "All host authorities") == [11, 10, 6]
    placing = _table(report, "placing")
    assert [r[0] for r in placing["rows"]] == [
        "Worcestershire County Council",
        "All placing authorities",
    ]
    assert _row(placing, "Worcestershire County Council") == [0, 2, 1, 0, 1, 1]
    funnel = _table(report, "funnel")
    assert _row(funnel, "Call-outs") == [11, 100.0, 10, 100.0, 6, 100.0]
    assert _row(funnel, "Police attended") == [7, 63.6, 4, 40.0, 2, 33.3]
    assert _row(funnel, "Arrested") == [2, 18.2, 2, 20.0, 1, 16.7]
    assert _row(funnel, "Criminal outcome") == [2, 18.2, 2, 20.0, 0, 0.0]
    assert _row(funnel, "of which a formal out-of-court disposal")[::2] == [1, 1, 0]
    assert _row(funnel, "of which a charge or summons")[::2] == [1, 1, 0]
    criminal = _table(report, "criminal_children")
    # DC-1 in both years, first in the first; BC-1 in the first; WC-9 first in the second.
    assert _row(criminal, "Children with a criminal outcome") == [2, 2, 0]
    assert _row(criminal, "of whom their first criminal outcome here") == [2, 1, 0]
    sex = _table(report, "sex")
    assert sex["headers"] == ["Measure", "Year", "Female", "Male", "Other", "Not known", "All"]
    assert _row(sex, "Call-outs", YEARS[0]) == [2, 4, 0, 5, 11]
    assert _row(sex, "Children called about", YEARS[0]) == [1, 2, 0, 1, 4]
    assert _row(sex, "Children with a criminal outcome", YEARS[1]) == [1, 1, 0, 0, 2]
    assert _row(sex, "First criminal outcome here", YEARS[1]) == [0, 1, 0, 0, 1]
    age = _table(report, "age")
    # Bands: 10 to 13, 14 to 15, 16 to 17, 18 and over, under 10, not recorded, all.
    assert _row(age, "Call-outs", YEARS[1]) == [1, 1, 2, 3, 0, 3, 10]
    assert _row(age, "Children with a criminal outcome", YEARS[0]) == [0, 1, 1, 0, 0, 0, 2]
    categories = _table(report, "categories")
    assert _row(categories, "Assault on staff") == [2, 3, 1]
    assert _row(categories, "All call-outs") == [11, 10, 6]
    by_sex = _table(report, "categories_by_sex")
    assert _row(by_sex, "Assault on another child") == [3, 0, 0, 0, 3]
    assert _row(by_sex, "All call-outs") == [4, 2, 0, 0, 6]  # DC-1 and DC-4 are girls
    protocol = _table(report, "protocol_applied")
    assert _row(protocol, "Appropriately applied") == [1, 0, 0]
    assert _row(protocol, "Not appropriately applied") == [0, 1, 0]
    assert _row(protocol, "Not reviewed (or no answer)") == [10, 9, 6]
    trend = _table(report, "trend")
    assert trend["headers"] == [
        "Month",
        "All homes in the area",
        "Bournemouth, Christchurch and Poole Council",
        "Dorset Council",
    ]
    assert len(trend["rows"]) == 26  # October 2024 to November 2026: no months to come
    assert trend["rows"][0] == ["October 2024", 1, 0, 1]
    assert trend["rows"][6] == ["April 2025", 4, 4, 0]
    repeat = _table(report, "repeat_children")
    assert [r[:4] for r in repeat["rows"]] == [
        [YEARS[0], "BC-2", "Bournemouth, Christchurch and Poole Council", "Beech Lodge"],
        [YEARS[2], "DC-4", "Dorset Council", "New Court"],
    ]
    assert [t["number"] for t in report["tables"]] == list(range(1, 16))
    charts = {c["id"]: c for c in report["charts"]}
    assert charts["trend"]["series"][0]["values"][6] == 4
    assert charts["funnel"]["series"][2]["values"] == [6, 2, 1, 0]
    assert "(66.7% of the step before)" not in charts["funnel"]["description"]
    assert "police attended 2 (33.3% of the step before)" in charts["funnel"]["description"]


def _check_public(report):
    assert report["version"] == "public"
    one = _table(report, "callouts")
    assert _row(one, "Call-outs") == [11, 10, 6]
    assert _row(one, "Missing or absent call-outs (not counted above)") == ["<5", 0, 0]
    assert _row(one, "Children called about") == ["<5", "<5", "<5"]
    assert _row(one, "Call-outs per child") == ["*", "*", "*"]  # worked out from a hidden count
    assert _row(one, "Homes in scope") == [3, 3, 3]  # homes are not people
    hosts = _table(report, "hosts")
    # 5 is shown and 4 is not; in the last year BCP's 1 is <5 and the total would give it
    # away, so Dorset's 5 is withheld too.
    assert _row(hosts, "Dorset Council") == [5, 5, "*"]
    assert _row(hosts, "Bournemouth, Christchurch and Poole Council") == [6, 5, "<5"]
    assert _row(hosts, "All host authorities") == [11, 10, 6]
    sex = _table(report, "sex")
    assert _row(sex, "Call-outs", YEARS[0]) == ["<5", "<5", 0, 5, 11]
    like = _table(report, "like_for_like")
    assert _row(like, "Call-outs") == [9, 9, "<5"]
    assert "repeat_children" not in {t["id"] for t in report["tables"]}
    assert report["summary"][0].startswith(
        "Police call-outs to children's homes fell by 4 (40%), from 10"
    )
    assert "went from 9 in October 2025 to September 2026 to fewer than 5" in report["summary"][0]
    text = json.dumps(report)
    for reference in ("DC-1", "DC-4", "BC-2", "WC-9"):
        assert reference not in text
    assert "counts from 1 to 4 are shown as <5" in report["notes"][-1]


def test_the_report_from_the_hand_built_data_set(app, make, fixed_now):
    _build(make)
    internal = board_report.board_report(None, Month(2027, 9), now=NOW)
    _check_internal(internal)
    public = board_report.board_report(None, Month(2027, 9), public=True, now=NOW)
    _check_public(public)


def test_the_page_json_workbook_and_document(app, make, pages, client, fixed_now):
    data = _build(make)
    member = make.user("group", authorities=[data.dorset, data.bcp])
    pages.sign_in(member)
    soup = pages.get(f"/summaries/board-report/{QUERY}")
    assert soup.h1.get_text(strip=True) == (
        "Police call-outs to children's homes: October 2024 to September 2027"
    )
    assert soup.select_one("#headline").get_text(strip=True) == HEADLINE
    table = soup.select_one("#table-hosts")
    assert table.caption.get_text(strip=True) == (
        "Table 3: Call-outs by host authority (where the home is)"
    )
    dorset = next(tr for tr in table.select("tbody tr") if "Dorset" in tr.th.get_text())
    assert [td.get_text(strip=True) for td in dorset.find_all("td")] == ["5", "5", "5"]
    for chart in ("trend", "funnel"):
        image = soup.select_one(f"#figure-{chart} img")
        assert image["src"].startswith("data:image/svg+xml;base64,")
        assert soup.select_one(f"#{image['aria-describedby']}").get_text(strip=True)
    assert soup.select_one('[data-module="app-print"]') is not None
    assert "BC-2" in soup.select_one("#table-repeat_children").get_text()
    # The public page: suppressed, and no references.
    soup = pages.get(f"/summaries/board-report/{QUERY}&version=public")
    assert soup.select_one("#table-repeat_children") is None
    assert "BC-2" not in soup.get_text() and "DC-1" not in soup.get_text()

    response = client.get(f"/summaries/board-report/download.json{QUERY}")
    assert response.status_code == 200
    assert "board-report-2027-09.json" in response.headers["Content-Disposition"]
    _check_internal(json.loads(response.data))
    response = client.get(f"/summaries/board-report/download.json{QUERY}&version=public")
    assert "board-report-2027-09-public.json" in response.headers["Content-Disposition"]
    _check_public(json.loads(response.data))

    response = client.get(f"/summaries/board-report/download.xlsx{QUERY}")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "About",
        "Call-outs and homes",
        "Like-for-like",
        "By host authority",
        "Places by host authority",
        "Per month",
        "Placed out of area",
        "Call-out to outcome",
        "Criminal outcomes",
        "By sex",
        "By age band",
        "By category",
        "Category and sex",
        "Protocol applied",
        "Police necessary",
        "Called about repeatedly",
    ]
    assert book["About"]["A1"].value == internal_title()
    assert HEADLINE in [row[0] for row in book["About"].iter_rows(values_only=True)]
    sheet = book["By host authority"]
    assert sheet["A1"].value == "Table 3: Call-outs by host authority (where the home is)"
    assert [c.value for c in sheet[3]] == ["Host authority", *YEARS]
    rows = {r[0]: list(r[1:]) for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Dorset Council"] == [5, 5, 5]
    assert rows["All host authorities"] == [11, 10, 6]
    sheet = book["Call-outs and homes"]
    rows = {r[0]: list(r[1:]) for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Registered places (average)"] == [11.5, 11.0, 12.0]
    # Native Excel charts beside their tables.
    (line,) = book["Per month"]._charts
    assert type(line).__name__ == "LineChart" and len(line.series) == 3
    (bars,) = book["Call-out to outcome"]._charts
    assert type(bars).__name__ == "BarChart" and len(bars.series) == 3
    public_book = load_workbook(
        io.BytesIO(client.get(f"/summaries/board-report/download.xlsx{QUERY}&version=public").data)
    )
    assert "Called about repeatedly" not in public_book.sheetnames
    rows = {
        r[0]: list(r[1:])
        for r in public_book["By host authority"].iter_rows(min_row=4, values_only=True)
    }
    assert rows["Dorset Council"] == [5, 5, "*"]

    response = client.get(f"/summaries/board-report/download.docx{QUERY}")
    assert "board-report-2027-09.docx" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == [internal_title(), "Summary", "Figures"]
    assert "Notes on the figures" in headings and "Suppression" in headings
    paragraphs = [p.text for p in document.paragraphs]
    assert HEADLINE in paragraphs
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert [c for c in captions if c.startswith("Table")][:3] == [
        "Table 1: Call-outs, children and homes",
        "Table 2: Like-for-like: the homes open in all three years",
        "Table 3: Call-outs by host authority (where the home is)",
    ]
    assert [c for c in captions if c.startswith("Figure")] == [
        "Figure 1: Call-outs per month, October 2024 to November 2026",
        "Figure 2: From call-out to criminal outcome, by year",
    ]
    assert len(document.inline_shapes) == 2  # the two charts, as pictures
    assert len(document.tables) == 15
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    assert tables[0][0] == ["Measure", *YEARS]
    assert tables[0][1] == ["Call-outs", "11", "10", "6"]
    assert tables[0][7] == ["Call-outs per 10 places", "9.6", "9.1", "5.0"]
    assert tables[2][1] == ["Bournemouth, Christchurch and Poole Council", "6", "5", "1"]
    assert tables[5][1] == ["Worcestershire County Council", "0", "2", "1", "0", "1", "1"]
    assert tables[14][1][:2] == [YEARS[0], "BC-2"]
    public_document = docx.Document(
        io.BytesIO(client.get(f"/summaries/board-report/download.docx{QUERY}&version=public").data)
    )
    public_tables = [[[c.text for c in r.cells] for r in t.rows] for t in public_document.tables]
    assert len(public_tables) == 14
    assert public_tables[2][2] == ["Dorset Council", "5", "5", "*"]
    assert "BC-2" not in " ".join(p.text for p in public_document.paragraphs)
    actions = [e.action for e in app.extensions["sqlalchemy"].session.query(AuditEvent)]
    assert actions.count("board_report_viewed") == 2
    assert actions.count("board_report_downloaded") == 6


def internal_title() -> str:
    return "Police call-outs to children's homes: October 2024 to September 2027"


def test_each_reader_sees_their_own_area(app, make, pages, fixed_now):
    data = _build(make)
    # Dorset's officer: Dorset's homes only, and the children Dorset places elsewhere (none).
    pages.sign_in(make.user("authority", authorities=[data.dorset]))
    report = board_report.board_report(
        make.user("authority", authorities=[data.dorset]), Month(2027, 9), now=NOW
    )
    assert _row(_table(report, "callouts"), "Call-outs") == [5, 5, 5]
    assert [r[0] for r in _table(report, "hosts")["rows"]] == [
        "Dorset Council",
        "All host authorities",
    ]
    assert _table(report, "placing")["rows"] == []
    soup = pages.get(f"/summaries/board-report/{QUERY}")
    assert "Bournemouth" not in soup.select_one("#table-hosts").get_text()
    # Worcestershire hosts no home but places WC-9 in Beech Lodge: that is all it sees.
    worcs = make.user("authority", authorities=[data.worcs])
    report = board_report.board_report(worcs, Month(2027, 9), now=NOW)
    assert _row(_table(report, "callouts"), "Call-outs") == [0, 0, 0]
    assert _row(_table(report, "placing"), "Worcestershire County Council") == [0, 2, 1, 0, 1, 1]
    # The group narrows its report to one host authority; another area's code is not found.
    member = make.user("group", authorities=[data.dorset, data.bcp])
    report = board_report.board_report(member, Month(2027, 9), authority_code="E06000058", now=NOW)
    assert report["title"].startswith(
        "Police call-outs to children's homes in Bournemouth, Christchurch and Poole Council"
    )
    assert _row(_table(report, "callouts"), "Call-outs") == [6, 5, 1]
    pages.sign_in(member)
    pages.get(f"/summaries/board-report/{QUERY}&area=E10000034", status=404)
    provider = make.user("provider", homes=[data.alder])
    pages.sign_in(provider)
    pages.get(f"/summaries/board-report/{QUERY}", status=404)
    pages.get(f"/summaries/board-report/download.docx{QUERY}", status=404)


def test_the_default_year_and_a_wrong_year(app, make, pages, fixed_now):
    data = _build(make)
    pages.sign_in(make.user("group", authorities=[data.dorset, data.bcp]))
    soup = pages.get("/summaries/board-report/")
    # 15 November 2026: the latest October-to-September year over is the one to September 2026.
    assert soup.h1.get_text(strip=True).endswith("October 2023 to September 2026")
    soup = pages.get("/summaries/board-report/?ending_month=9&ending_year=twenty")
    assert soup.title.get_text().startswith("Error:")
    assert (
        "Enter the year as 4 digits, like 2026"
        in soup.select_one(".govuk-error-summary").get_text()
    )
    pages.get("/summaries/board-report/download.xlsx?ending_month=9&ending_year=20x6", status=404)
    soup = pages.get("/summaries/board-report/?ending_month=3&ending_year=2026")
    assert soup.h1.get_text(strip=True).endswith("April 2023 to March 2026")


def test_the_command_line_writes_each_format(app, make, tmp_path, fixed_now):
    _build(make)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["board-report", "--year-ending", "2027-09", "--format", "json"])
    assert result.exit_code == 0, result.output
    _check_internal(json.loads(result.output))
    result = runner.invoke(
        args=["board-report", "--year-ending", "2027-09", "--format", "json", "--public"]
    )
    _check_public(json.loads(result.output))
    for fmt in ("docx", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(
            args=["board-report", "--year-ending", "2027-09", "--format", fmt, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert "Wrote Police call-outs" in result.output and out.stat().st_size > 1000
    assert len(docx.Document(str(tmp_path / "report.docx")).tables) == 15
    assert "Per month" in load_workbook(tmp_path / "report.xlsx").sheetnames
    result = runner.invoke(args=["board-report", "--year-ending", "September"])
    assert result.exit_code == 1 and "Enter --year-ending as YYYY-MM" in result.output
    result = runner.invoke(args=["board-report", "--year-ending", "2027-09", "--authority", "X1"])
    assert result.exit_code == 1 and "No homes of an authority" in result.output
