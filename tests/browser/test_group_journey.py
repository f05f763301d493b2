"""A group member opens the month's summary, reads a chart and its data, and downloads the XLSX."""

from openpyxl import load_workbook

from protocol_monitor.services import summaries
from tests.support import summary_data


def test_group_member_reads_the_summary_and_downloads_it(journey, make, tmp_path):
    data = summary_data.build(make)
    summaries.compile_month("2026-04")
    member = make.user("group", authorities=[data.dorset, data.bcp])
    page = journey.page
    journey.sign_in(member)
    page.get_by_role("heading", name="Your area today").wait_for()
    journey.check("start")

    page.get_by_role("link", name="Summaries", exact=True).click()
    page.get_by_role("heading", level=1).wait_for()
    journey.check("summary-default")
    # Pick April 2026 with the month form (the default is last month).
    page.get_by_label("Month", exact=True).select_option("2026-04")
    page.get_by_role("button", name="Show month").click()
    page.get_by_role("heading", name="Summary for April 2026").wait_for()
    assert page.url.endswith("/summaries/?month=2026-04")
    journey.check("summary-april")

    # The chart is an image with a name and description, and its numbers are in a table.
    chart = page.get_by_role("img", name="Call-outs per month by host authority")
    chart.scroll_into_view_if_needed()
    assert "The same numbers are in the table" in chart.locator("desc").text_content()
    trend = page.get_by_role("table", name="Call-outs per month (data for the chart)")
    april = trend.get_by_role("row", name="April 2026")
    assert april.get_by_role("cell").all_inner_texts() == ["6"]  # Dorset
    page.locator("#table-trend").scroll_into_view_if_needed()
    page.screenshot(path=str(journey.artifact("chart")), full_page=False)

    dorset = page.locator("#table-authorities").get_by_role("row", name="Dorset Council")
    assert dorset.get_by_role("cell").first.inner_text() == "6"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == "summary-2026-04-v1.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path)["Host authorities"]
    header = [cell.value for cell in sheet[2]]
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(3, values_only=True)
    }
    assert rows["E06000059"]["Call-outs"] == 6

    # A month that is not a month: the error state is checked too.
    journey.goto("/summaries/?month=April")
    page.locator(".govuk-error-summary").wait_for()
    journey.check("summary-error")
