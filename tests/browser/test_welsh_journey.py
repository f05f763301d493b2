"""Issue 18's journey: a provider switches to Cymraeg with the switch on the page and files a
call-out entirely in Welsh, mistakes first (the error summary and each field's error in Welsh),
then reads the filed page in Welsh; then someone who reads summaries reads the month's summary in
Welsh. Every page is looked at on a phone (390 px) and a desktop (1280 px)."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import Callout
from protocol_monitor.services import summaries
from tests.browser.conftest import Journey
from tests.support.crawl import visible_text
from tests.support.welsh import data_values, english_left

WIDTHS = {"phone": 390, "desktop": 1280}


def _shots(journey: Journey, label: str) -> None:
    """The page at 390 and 1280 px (full page, for reading afterwards), with axe at each."""
    page = journey.page
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        journey.check(f"{label}-{name}")
        # Nothing makes the page scroll sideways on a phone, however long the Welsh words.
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ), f"{label}: the page scrolls sideways at {width} px"


def _in_welsh(journey: Journey, *english: str) -> None:
    """The page is marked Welsh, and no English is left in its main content: no text holding an
    English word once the data (names, references) is taken out (tests/support/welsh.py), and
    none of these English texts the page held before it was wrapped."""
    page = journey.page
    assert page.locator("html").get_attribute("lang") == "cy"
    main = page.locator("main")
    left = english_left(visible_text(main.inner_html()), data_values())
    assert not left, f"English left on {page.url}: {left}"
    text = main.inner_text()
    left = [words for words in english if words in text]
    assert not left, f"English left on {page.url}: {left}"


def test_a_provider_files_a_callout_in_welsh_and_a_reader_reads_the_summary_in_welsh(
    journey, make, browser, live_server
):
    bridgend = make.authority("W06000013", "Bridgend County Borough Council")
    bridgend.name_cy = "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr"
    db.session.commit()
    home = make.home("SC300018", name="Tŷ Derwen", host=bridgend)
    provider = make.user("provider", homes=[home])
    last_month = date.today().replace(day=1) - timedelta(days=1)
    page = journey.page

    journey.sign_in(provider)
    assert page.locator("html").get_attribute("lang") == "en"
    # The switch on the page: Cymraeg, named in Welsh, back to the same page in Welsh.
    page.locator(".app-language-select").get_by_role(
        "link", name="Newid yr iaith i’r Gymraeg"
    ).click()
    page.locator("html[lang='cy']").wait_for(state="attached")
    assert page.locator(".app-language-select [aria-current]").inner_text() == "Cymraeg"

    page.locator(".govuk-service-navigation").get_by_role("link", name="Galwadau").click()
    page.get_by_role("heading", level=1, name="Galwadau").wait_for()
    page.get_by_role("button", name="Cyflwyno galwad").click()
    page.get_by_role("heading", level=1, name="Cyflwyno galwad").wait_for()
    _in_welsh(
        journey,
        "What was the call-out about?",
        "Child reference",
        "Placing authority",
        "Who called the police?",
        "Did the police attend?",
        "File call-out",
        "Never enter a name",
    )
    _shots(journey, "form")

    # Mistakes first: a time that is not on the clock, and the child's questions left blank.
    page.locator("#occurred_on-day").fill("3")
    page.locator("#occurred_on-month").fill(str(last_month.month))
    page.locator("#occurred_on-year").fill(str(last_month.year))
    page.locator("#occurred_time").fill("25:70")
    page.get_by_label("Bygythiadau neu gam-drin geiriol").check()
    page.get_by_role("button", name="Cyflwyno’r alwad").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Gwall:")
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert summary.get_by_role("heading").inner_text() == "Mae problem wedi codi"
    listed = summary.get_by_role("link").all_inner_texts()
    for message in (
        "Rhowch yr amser mewn oriau a munudau ar y cloc 24 awr, fel 21:30",
        "Rhowch gyfeirnod y plentyn gan yr awdurdod lleoli, fel LCS-104233",
        "Dewiswch pwy a alwodd yr heddlu",
        "Dewiswch rôl y plentyn",
        "Dewiswch a oedd risg uniongyrchol",
        "Dewiswch y dad-ddwysáu a geisiwyd, neu dewiswch ‘Dim’",
        "Dewiswch a ddaeth yr heddlu",
        "Dewiswch yr ymateb adferol",
        "Dewiswch a wnaed hysbysiad rheoliad 40 Ofsted",
    ):
        assert message in listed, (message, listed)
    # Each field says its own error, in Welsh, with the visually hidden "Gwall:" before it.
    field_error = page.locator("#child_reference-error")
    assert field_error.inner_text().replace("\n", " ") == (
        "Gwall: Rhowch gyfeirnod y plentyn gan yr awdurdod lleoli, fel LCS-104233"
    )
    _in_welsh(journey, "There is a problem", "Enter the", "Select ")
    _shots(journey, "errors")
    summary.get_by_role("link", name="Rhowch gyfeirnod y plentyn gan yr awdurdod lleoli").click()
    assert page.evaluate("document.activeElement.id") == "child_reference"

    # Then correctly, every answer chosen by its Welsh label.
    page.locator("#occurred_time").fill("21:40")
    page.get_by_label("Cyfeirnod y plentyn", exact=True).fill("lcs-55501")
    page.get_by_label("Awdurdod lleoli").select_option("W06000013")
    page.get_by_role("group", name="Rôl y plentyn").get_by_label(
        "Y sawl yr honnir iddo gyflawni’r drosedd"
    ).check()
    page.get_by_role("group", name="Pwy a alwodd yr heddlu?").get_by_label(
        "Staff y cartref"
    ).check()
    risk = page.get_by_role("group", name="A oedd risg uniongyrchol na ellid ei rheoli")
    risk.get_by_label("Na", exact=True).check()
    page.get_by_label("Dad-ddwysáu ar lafar").check()
    page.get_by_role("group", name="A ddaeth yr heddlu?").get_by_label("Ie", exact=True).check()
    page.get_by_role("group", name="Ymateb adferol").get_by_label("Wedi’i gynllunio").check()
    page.get_by_role("group", name="A wnaed hysbysiad rheoliad 40 Ofsted?").get_by_label(
        "Na", exact=True
    ).check()
    page.get_by_role("button", name="Cyflwyno’r alwad").click()

    page.wait_for_url("**/callouts/*/filed")
    callout_id = _filed_callout()
    page.get_by_role("heading", level=1, name=f"Galwad {callout_id} wedi’i chyflwyno").wait_for()
    panel = page.locator(".govuk-panel").inner_text()
    assert "Tŷ Derwen" in panel and "(amser y DU)" in panel
    day = last_month.replace(day=3)
    welsh_day = format_date(day, "d MMM y", locale="cy")
    assert welsh_day != format_date(day, "d MMM y", locale="en")
    assert f"{welsh_day} 21:40" in panel
    assert page.get_by_role("heading", name="Beth sy’n digwydd nesaf").is_visible()
    # The flag the call-out raised (police attended, no immediate risk), explained in Welsh: its
    # explanation is stored in English, so the English check must name it (stored text is data
    # to tests/support/welsh.py).
    assert page.get_by_role("heading", name="Daeth yr heddlu heb risg uniongyrchol").is_visible()
    _in_welsh(
        journey,
        "What happens next",
        "filed",
        "UK time",
        "File another call-out",
        "The police attended",
        "immediate and unmanageable risk",
    )
    _shots(journey, "filed")

    # The call-out itself, as counted: the placing authority by its Welsh name.
    page.get_by_role("link", name=f"Gweld galwad {callout_id}").click()
    page.get_by_role("heading", level=1, name=f"Galwad {callout_id}").wait_for()
    counted = page.locator(".govuk-summary-list").first.inner_text()
    assert "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr" in counted
    assert "LCS-55501" in counted
    _in_welsh(journey, "As counted", "Child reference", "Placing authority", "Filed by")
    _shots(journey, "callout")

    # The list of call-outs, and "Find a call-out" on every page, in Welsh too.
    page.get_by_role("link", name="Pob galwad").click()
    page.get_by_role("heading", level=1, name="Galwadau").wait_for()
    assert page.locator("#callout-count").inner_text() == "1 galwad"
    _in_welsh(journey, "call-out", "Apply filters", "All homes", "Reported by")
    _shots(journey, "callouts")
    page.get_by_role("searchbox", name="Dod o hyd i alwad").fill("LCS-0")
    page.locator(".app-find").get_by_role("button", name="Chwilio").click()
    page.get_by_role("heading", level=1, name="Dim galwadau ar gyfer LCS-0").wait_for()
    _in_welsh(journey, "No call-outs", "Check the reference")
    _shots(journey, "find")

    # The month is compiled, and someone who reads summaries for Bridgend reads it in Welsh,
    # on another browser, choosing Cymraeg with the switch as the provider did.
    summaries.compile_month(f"{last_month:%Y-%m}")
    reader = make.user("authority", authorities=[bridgend])
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        reading = Journey(context.new_page(), live_server, f"{journey.name}-summary")
        reading.page.set_default_timeout(15000)
        _reads_the_summary_in_welsh(reading, reader, last_month)
    finally:
        context.close()


def _reads_the_summary_in_welsh(journey: Journey, reader, month: date) -> None:
    page = journey.page
    journey.sign_in(reader)
    page.locator(".app-language-select").get_by_role(
        "link", name="Newid yr iaith i’r Gymraeg"
    ).click()
    page.locator("html[lang='cy']").wait_for(state="attached")
    page.locator(".govuk-service-navigation").get_by_role("link", name="Crynodebau").click()
    welsh_month = format_date(month, "LLLL y", locale="cy")
    assert welsh_month != format_date(month, "LLLL y", locale="en")
    page.get_by_role("heading", level=1, name=f"Crynodeb ar gyfer {welsh_month}").wait_for()
    assert page.title().startswith(f"Crynodeb ar gyfer {welsh_month} – ")
    # The call-out filed in Welsh is counted, under the authority's Welsh name.
    row = page.locator("#table-authorities").get_by_role(
        "row", name="Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr (W06000013)"
    )
    assert row.get_by_role("cell").first.inner_text() == "1"
    headings = page.locator("#table-authorities thead th").all_inner_texts()
    assert headings[:2] == ["Awdurdod", "Galwadau"]
    _in_welsh(journey, "Summary for", "Call-outs", "Host authorities", "Same month last year")
    _shots(journey, "summary")


def _filed_callout() -> int:
    db.session.expire_all()
    callout = db.session.scalar(select(Callout))
    assert callout is not None, "the call-out was not filed"
    return callout.id
