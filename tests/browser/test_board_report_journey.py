"""A group member opens the board report from the summaries, picks the year with its form, reads a
chart by its description and data table, prints the report from its print button (under the
service's own Content-Security-Policy, which refuses inline script), and downloads the Word
document and the spreadsheet, opening each (issue 16). The data: tests/support/board_data.py."""

import docx
import pytest
from openpyxl import load_workbook

from protocol_monitor.services import board_report
from tests.browser.test_charts_and_printing import WATCH
from tests.support import board_data

YEARS = ["Oct 2024 to Sep 2025", "Oct 2025 to Sep 2026", "Oct 2026 to Sep 2027 to date"]
TITLE = "Police call-outs to children's homes: October 2024 to September 2027"


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(board_report, "utcnow", lambda: board_data.NOW)


def test_group_member_reads_prints_and_downloads_the_board_report(
    journey, browser, make, tmp_path, fixed_now
):
    data = board_data.build(make)
    member = make.user("group", authorities=[data.dorset, data.bcp])
    page = journey.page
    journey.sign_in(member)
    page.get_by_role("link", name="Summaries", exact=True).click()
    page.get_by_role("link", name="The board report").click()
    # 15 November 2026: the latest October-to-September year over ends September 2026.
    page.get_by_role("heading", level=1, name="October 2023 to September 2026").wait_for()
    journey.check("board-report-default")

    page.get_by_label("Month the year ends with").select_option("9")
    page.get_by_label("Year of that month").fill("2027")
    page.get_by_role("button", name="Show report").click()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
    journey.check("board-report-2027")

    # The trend chart: an image named by its title, described in words, its numbers in a table.
    chart = page.get_by_role("img", name="Figure 1: Call-outs per month")
    chart.scroll_into_view_if_needed()
    description = page.locator(f"#{chart.get_attribute('aria-describedby')}").inner_text()
    assert "27 call-outs in all; the most in one month was 5, in October 2026" in description
    trend = page.get_by_role("table", name="Call-outs per month")
    april = trend.get_by_role("row", name="April 2025")
    assert april.get_by_role("cell").all_inner_texts() == ["4", "4", "0"]
    page.screenshot(path=str(journey.artifact("chart")), full_page=False)
    hosts = page.get_by_role("table", name="Call-outs by host authority")
    assert hosts.get_by_role("row", name="Dorset Council").get_by_role(
        "cell"
    ).all_inner_texts() == ["5", "5", "5"]

    # The downloads: opened as an officer would, table by table and sheet by sheet.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a Word document (DOCX)").click()
    download = download_info.value
    assert download.suggested_filename == "board-report-2027-09.docx"
    download.save_as(tmp_path / download.suggested_filename)
    document = docx.Document(str(tmp_path / download.suggested_filename))
    assert document.paragraphs[0].text == TITLE
    first = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert first[:2] == [["Measure", *YEARS], ["Call-outs", "11", "10", "6"]]
    assert len(document.inline_shapes) == 2
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a spreadsheet (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == "board-report-2027-09.xlsx"
    download.save_as(tmp_path / download.suggested_filename)
    book = load_workbook(tmp_path / download.suggested_filename)
    rows = {r[0]: list(r[1:]) for r in book["By host authority"].iter_rows(4, values_only=True)}
    assert rows["Dorset Council"] == [5, 5, 5]
    assert len(book["Per month"]._charts) == 1

    # The public version: small counts shown as <5, no children's references.
    page.get_by_label("Public: counts from 1 to 4 shown as <5").check()
    page.get_by_role("button", name="Show report").click()
    page.get_by_text("Board report: public version").wait_for()
    hosts = page.get_by_role("table", name="Call-outs by host authority")
    assert hosts.get_by_role("row", name="Bournemouth").get_by_role("cell").all_inner_texts() == [
        "6",
        "5",
        "<5",
    ]
    assert "BC-2" not in page.content()
    journey.check("board-report-public")
    page.set_viewport_size({"width": 390, "height": 844})
    journey.check("board-report-public-390")

    # Print, under the real Content-Security-Policy: the button is shown by the service's own
    # script file and calls the browser's print; the print stylesheet leaves the report only.
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        context.add_cookies(page.context.cookies())
        context.add_init_script(WATCH)
        printing = context.new_page()
        printing.goto(page.url)
        button = printing.get_by_role("button", name="Print this report")
        button.click()
        assert printing.evaluate("window.printed") == 1
        assert printing.evaluate("window.refused") == []
        printing.emulate_media(media="print")
        assert not printing.get_by_role("button", name="Show report").is_visible()
        assert not button.is_visible()
        # What a printed page leaves out: the header, the menu, the search box, the report's form
        # and links, the footer. Each is on the page (so its absence from print means something).
        hidden = (".govuk-generic-header", ".govuk-service-navigation", ".app-find")
        hidden += ("#download-docx", "form[action$='/board-report/']", ".govuk-footer")
        for selector in hidden:
            assert printing.locator(selector).count() == 1, selector
            assert not printing.locator(selector).is_visible(), selector
        assert printing.get_by_role("heading", level=1, name=TITLE).is_visible()
        assert printing.locator("#figure-funnel img").is_visible()
        printing.screenshot(path=str(journey.artifact("print")), full_page=True)
        (tmp_path / "printed.pdf").write_bytes(printing.pdf(format="A4"))
        assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")
    finally:
        context.close()
