"""The summaries pages, charts, downloads and the yearly report, as a group member sees them."""

import csv
import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook

from protocol_monitor.db import db
from protocol_monitor.identity import credentials
from protocol_monitor.models import Action, Review
from protocol_monitor.rules import summary as rules
from protocol_monitor.rules.time import Month, to_london
from protocol_monitor.services import demo, summaries
from tests.support import summary_data


def _cells(table, row_header):
    for tr in table.select("tbody tr"):
        th = tr.find("th")
        if th and row_header in th.get_text():
            return [td.get_text(strip=True) for td in tr.find_all("td")]
    raise AssertionError(f"no row {row_header}")


def test_group_member_reads_the_monthly_summary_with_charts(pages, make):
    data = summary_data.build(make)
    summaries.compile_month("2026-04")
    make.home_report(data.h3, datetime(2026, 4, 29, 10, 0), child_reference="B-6",
                     placing=data.bcp)  # fmt: skip
    summaries.compile_month("2026-04")
    member = make.user("group", authorities=[data.dorset, data.bcp])
    pages.sign_in(member)
    soup = pages.get("/summaries/?month=2026-04")
    assert soup.h1.get_text(strip=True) == "Summary for April 2026"
    assert "Version 2" in soup.select_one("#version").get_text()
    assert "Authority E06000058: callouts 0 → 1" in soup.select_one("#changes").get_text()
    dorset = _cells(soup.select_one("#table-authorities"), "Dorset Council")
    # Call-outs, last year, change, like-for-like change, missing, children, places, rate
    assert dorset[:8] == ["6", "2", "+4 (+200%)", "+3 (+300%)", "1", "3", "7", "8.6"]
    homes = soup.select_one("#table-homes")
    assert _cells(homes, "SC000002")[3] == "Not comparable"  # opened mid-year
    assert _cells(homes, "SC000001")[-1] == "PC Allocated"
    placing = soup.select_one("#table-placing").get_text()
    assert "E10000034" not in placing  # Worcestershire is outside this group's area
    assert "C1" in soup.select_one("#table-repeat").get_text()
    for chart_id in ("chart-callouts", "chart-criminal"):
        svg = soup.find("svg", attrs={"aria-labelledby": f"{chart_id}-title {chart_id}-desc"})
        assert svg["role"] == "img"
        assert svg.find("title").get_text().startswith(("Call-outs per month", "Criminal"))
        assert svg.find("desc").get_text()
    trend = soup.select_one("#table-trend")
    assert len(trend.select("tbody tr")) == 24
    assert _cells(trend, "April 2026") == ["1", "6"]  # BCP, Dorset (by code)
    assert _cells(trend, "October 2025") == ["0", "1"]
    assert _cells(soup.select_one("#table-criminal"), "April 2026") == ["2"]
    # Picking another month that is not compiled shows provisional figures.
    soup = pages.get("/summaries/?month=2026-03")
    assert "Provisional" in soup.select_one("#version").get_text()
    assert _cells(soup.select_one("#table-authorities"), "Dorset Council")[0] == "1"
    soup = pages.get("/summaries/?month=April")
    assert soup.title.get_text().startswith("Error:")


def test_downloads_parse_back_and_neutralise_formulas(pages, make, client):
    data = summary_data.build(make)
    make.home("SC000009", host=data.dorset, name='=HYPERLINK("http://x")')
    summaries.compile_month("2026-04")
    pages.sign_in(make.user("group", authorities=[data.dorset, data.bcp]))
    response = client.get("/summaries/download.xlsx?month=2026-04")
    assert response.status_code == 200
    assert "summary-2026-04-v1.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Host authorities", "Placing authorities", "Homes",
                               "Actions by owner"]  # fmt: skip
    sheet = book["Host authorities"]
    header = [c.value for c in sheet[2]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(3, values_only=True)}
    assert rows["E06000059"]["Call-outs"] == 6
    assert rows["E06000059"]["Call-outs per 10 places"] == 5.5  # 60 / (7 + 4 at SC000009)
    assert rows["E06000058"]["Homes in scope"] == 1
    names = [r[1] for r in book["Homes"].iter_rows(3, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
    response = client.get("/summaries/download.csv?month=2026-04&table=homes")
    assert "summary-2026-04-v1-homes.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    # One table per file: one header row, then the homes.
    assert rows[0][:4] == ["Month", "Version", "URN", "Home"]
    assert [r[0] for r in rows[1:]] == ["2026-04"] * (len(rows) - 1)
    home = next(r for r in rows if r[2] == "SC000009")
    assert home[3].startswith("'=")


def test_provider_cannot_see_summaries(pages, make):
    home = make.home("SC000001")
    pages.sign_in(make.user("provider", homes=[home]))
    pages.get("/summaries/", status=404)
    pages.get("/summaries/yearly", status=404)
    pages.get("/summaries/download.xlsx?month=2026-04", status=404)


def test_authority_sees_only_its_own_area(pages, make):
    data = summary_data.build(make)
    summaries.compile_month("2026-04")
    pages.sign_in(make.user("authority", authorities=[data.worcs]))
    soup = pages.get("/summaries/?month=2026-04")
    # Worcestershire hosts no home, but places W-77 in Dorset: it sees its placing row only.
    assert "No figures in your area" in soup.select_one("#table-authorities").get_text()
    assert _cells(soup.select_one("#table-placing"), "Worcestershire")[0] == "1"
    assert "SC000001" not in soup.select_one("#table-homes").get_text()


def test_yearly_report_suppresses_small_counts_and_downloads(pages, make, client):
    data = summary_data.build(make)
    for day in range(1, 6):
        make.home_report(data.h1, datetime(2024, 6, day, 12, 0), child_reference="C1")
    pages.sign_in(make.user("group", authorities=[data.dorset, data.bcp]))
    soup = pages.get("/summaries/yearly?basis=calendar&year=2025")
    table = soup.select_one("#table-yearly")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers[2:5] == ["Call-outs 2023", "Call-outs 2024", "Call-outs 2025"]
    # 2025: April (SC000001, SC000004) and October (SC000002) = 3, shown as <5.
    # Like-for-like: homes open in all three years (SC000001, SC000004; not SC000002).
    assert _cells(table, "E06000059") == ["Dorset Council", "0", "5", "<5", "0", "5", "<5", "2"]
    assert _cells(table, "E06000058")[1:4] == ["0", "0", "0"]
    soup = pages.get("/summaries/yearly?basis=financial&year=2025")
    table = soup.select_one("#table-yearly")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers[4] == "Call-outs April 2025 to March 2026"
    # April 2025 (2), October 2025, 23:30 on 31 March 2026 = 4; June 2024 = 5.
    assert _cells(table, "E06000059")[1:4] == ["0", "5", "<5"]
    response = client.get("/summaries/yearly.xlsx?basis=calendar&year=2025")
    sheet = load_workbook(io.BytesIO(response.data))["Yearly report"]
    assert "<5" in str(sheet["A1"].value)
    rows = list(sheet.iter_rows(3, values_only=True))
    dorset = next(r for r in rows if r[0] == "E06000059")
    assert list(dorset[2:]) == [0, 5, "<5", 0, 5, "<5", 2]
    soup = pages.get("/summaries/yearly?basis=calendar&year=twenty")
    assert soup.title.get_text().startswith("Error:")


def test_yearly_report_reads_as_one_span_opens_on_this_year_to_date_and_prints(pages, make):
    data = summary_data.build(make)
    pages.sign_in(make.user("group", authorities=[data.dorset, data.bcp]))
    soup = pages.get("/summaries/yearly?basis=financial&year=2025")
    assert soup.h1.get_text() == "Call-outs by authority, April 2023 to March 2026"
    assert soup.select_one("#to-date") is None
    soup = pages.get("/summaries/yearly?basis=calendar&year=2024")
    assert soup.h1.get_text() == "Call-outs by authority, 2022 to 2024"
    # By default the year we are in, marked "to date".
    today = to_london(datetime.now(UTC)).date()
    soup = pages.get("/summaries/yearly")
    this_year = rules.current_year(today, "financial")
    assert soup.h1.get_text().endswith(f"to March {this_year + 1} (to date)")
    assert "is not over yet" in soup.select_one("#to-date").get_text()
    assert soup.select_one("#year")["value"] == str(this_year)
    # Printing: a button wired by a script file (an inline onclick is refused by the CSP).
    assert not soup.select("[onclick]")
    assert soup.select_one('button[data-module="app-print"]').get_text() == "Print this page"
    soup = pages.get(f"/summaries/yearly?basis=calendar&year={today.year + 1}")
    assert f"from 1990 to {today.year}" in soup.select_one(".govuk-error-summary").get_text()


def _action_in(make, home, owner, when: datetime, text: str = "Talk it through") -> None:
    """A call-out at the home, reviewed, with an action agreed at ``when`` for ``owner``."""
    callout = make.home_report(home, when, child_reference="B-8", placing=home.host_authority)
    review = Review(callout_id=callout.id, protocol_applied="partly", police_necessary="slow_time")
    db.session.add(review)
    db.session.flush()
    created = when.replace(tzinfo=UTC)
    db.session.add(Action(review_id=review.id, text=text, owner_id=owner.id, created_at=created))
    db.session.commit()


def _owners(soup) -> list[str]:
    return [th.get_text(strip=True) for th in soup.select("#table-actions tbody th")]


def test_the_action_tracker_and_its_changes_are_the_readers_area(pages, make, client):
    """The actions by owner count only the actions on call-outs at the reader's homes; the
    changes about the whole group (repeat children, actions) are for readers of all of it."""
    data = summary_data.build(make)  # PC Allocated owns two actions at Dorset's SC000001
    bcp_owner = make.user("authority", authorities=[data.bcp])
    bcp_owner.display_name = "BCP Owner"
    _action_in(make, data.h3, bcp_owner, datetime(2026, 4, 12, 10, 0))
    summaries.compile_month("2026-04")
    _action_in(make, data.h1, data.officer, datetime(2026, 4, 25, 10, 0), "Meet the manager")
    assert summaries.compile_month("2026-04").version == 2
    group = make.user("group", authorities=[data.dorset, data.bcp])  # every home

    pages.sign_in(bcp_owner)
    soup = pages.get("/summaries/?month=2026-04")
    assert _owners(soup) == ["BCP Owner"]
    assert "PC Allocated" not in soup.select_one("#table-actions").get_text()
    assert "Actions agreed: " not in soup.get_text()  # the group-wide change of version 2
    csv_text = client.get("/summaries/download.csv?month=2026-04&table=actions").get_data(
        as_text=True
    )
    assert "BCP Owner" in csv_text and "PC Allocated" not in csv_text

    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(group)
    soup = pages.get("/summaries/?month=2026-04")
    assert _owners(soup) == ["BCP Owner", "PC Allocated"]
    assert _cells(soup.select_one("#table-actions"), "PC Allocated")[0] == "3"
    assert "Actions agreed: 3 → 4" in soup.select_one("#changes").get_text()


def test_a_version_compiled_before_actions_were_kept_by_home_withholds_them(pages, make):
    """A snapshot without the tracker's rows by home cannot be cut to an area: only a reader
    of the whole group sees its tracker; others are told why they do not."""
    data = summary_data.build(make)
    snapshot = summaries.compile_month("2026-04")
    actions = dict(snapshot.figures["actions"])
    del actions["by_home"]
    snapshot.figures = {**snapshot.figures, "actions": actions}
    db.session.commit()

    pages.sign_in(make.user("authority", authorities=[data.bcp]))
    soup = pages.get("/summaries/?month=2026-04")
    assert soup.select_one("#table-actions") is None
    assert (
        "compiled before actions were counted by area"
        in soup.select_one("#actions-withheld").get_text()
    )
    assert "PC Allocated" not in str(soup)

    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in(make.user("group", authorities=[data.dorset, data.bcp]))
    assert _owners(pages.get("/summaries/?month=2026-04")) == ["PC Allocated"]


def test_the_summary_of_the_demo_reads_in_words(pages):
    """No "+9" against a year with no data, months by name, authorities by name (issue 15)."""
    now = datetime.now(UTC)
    demo.load_if_empty(now=now)
    pages.sign_in(credentials.user_by_email("group@demo.example"))
    compiled = Month.of(now).previous()
    first = demo.history_start(now)  # the demo's three years of history begin here
    soup = pages.get(f"/summaries/?month={compiled}")
    assert "(UK time)" in soup.select_one("#version").get_text()
    table = soup.select_one("#table-authorities")
    columns = [th.get_text(strip=True) for th in table.select("thead th")]
    for row in table.select("tbody tr"):
        values = [td.get_text(strip=True) for td in row.select("td")]
        assert dict(zip(columns[1:], values, strict=True))["Same month last year"].isdigit()
    options = [o.get_text(strip=True) for o in soup.select("#month option")]
    # Back to the first month with a call-out, or at most three years.
    assert options[1] == compiled.label
    assert options[-1] == max(first, Month.of(now).shift(-36)).label
    repeat = soup.select_one("#table-repeat").get_text()
    assert "Worcestershire County Council" in repeat or "Dorset Council" in repeat
    assert not re.search(r"\b[EW]\d{8}\b", repeat)
    # The first month: nothing a year before it, said in words.
    soup = pages.get(f"/summaries/?month={first}")
    table = soup.select_one("#table-authorities")
    for row in table.select("tbody tr"):
        values = [td.get_text(strip=True) for td in row.select("td")]
        cells = dict(zip(columns[1:], values, strict=True))
        assert cells["Same month last year"] == "No data"
        assert cells["Change"] == "no data last year"
    soup = pages.get(f"/summaries/?month={first.previous()}")
    assert f"No call-outs are recorded before {first.label}" in soup.select_one("#version").text
    xlsx = load_workbook(
        io.BytesIO(pages.client.get(f"/summaries/download.xlsx?month={first}").data)
    )
    sheet = xlsx["Host authorities"]
    header = [c.value for c in sheet[2]]
    last_year = header.index("Same month last year")
    assert all(row[last_year] is None for row in sheet.iter_rows(3, values_only=True))
