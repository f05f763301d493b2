"""Call-outs, police records, imports and "Find a call-out" in Welsh (issue 18): a reader who
chose Cymraeg gets every label, hint, error and import problem in Welsh, whole sentences with the
row, column and value an import problem names; the English pages are unchanged (the other tests
of these pages read them in English)."""

from __future__ import annotations

from datetime import datetime

from protocol_monitor.db import db
from tests.conftest import error_messages
from tests.integration.test_imports import _upload, police_rows, setup_home, write_csv
from tests.support.crawl import visible_text
from tests.support.welsh import data_values, english_left

BRIDGEND_CY = "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr"


#: Values an import file holds, quoted as they are in its problems ("Rhowch yes neu no").
FILE_VALUES = ("‘yes’", "‘no’", "‘none’")


def _english_left(soup) -> list[str]:
    texts = visible_text(str(soup.select_one("main")))
    for value in FILE_VALUES:
        texts = [text.replace(value, "") for text in texts]
    return english_left(texts, data_values())


def _welsh(pages, client, user) -> None:
    pages.sign_in(user)
    client.get("/language/cy")


def test_the_callout_form_its_errors_and_a_correction_in_welsh(client, pages, make):
    bridgend = make.authority("W06000013", "Bridgend County Borough Council")
    bridgend.name_cy = BRIDGEND_CY
    db.session.commit()
    home = make.home("SC300101", host=bridgend)
    provider = make.user("provider", homes=[home])
    _welsh(pages, client, provider)

    soup = pages.get("/callouts/new")
    assert soup.html["lang"] == "cy" and soup.h1.get_text(strip=True) == "Cyflwyno galwad"
    options = [o.get_text(strip=True) for o in soup.select("#placing_authority option")]
    assert f"{BRIDGEND_CY} (W06000013)" in options
    assert _english_left(soup) == []

    soup = pages.post(
        "/callouts/new",
        {
            "home_id": str(home.id),
            "occurred_day": "31",
            "occurred_month": "2",
            "occurred_year": "2026",
            "occurred_time": "21:30",
            "category": "threats_abuse",
            "child_reference": "LCS 1",
            "description": "Jane Smith shouted at staff",
        },
    )
    messages = error_messages(soup)
    assert messages[:3] == [
        "Rhaid i ddyddiad yr alwad fod yn ddyddiad go iawn",
        "Rhaid i gyfeirnod y plentyn fod yn gyfeirnod achos yr awdurdod lleoli, fel LCS-104233: "
        "llythrennau, rhifau, cysylltnodau neu slaesau, gydag o leiaf un rhif a dim bylchau",
        "Dewiswch yr awdurdod a leolodd y plentyn",
    ]
    # A name in free text: the warning names the field and what was found, in Welsh.
    assert (
        "Beth ddigwyddodd: gallai gynnwys enw (‘Jane Smith’). Defnyddiwch gyfeirnod y plentyn yn "
        "lle enw" in messages[-1]
    )
    assert soup.title.get_text().startswith("Gwall: Cyflwyno galwad")
    assert _english_left(soup) == []

    # Two parts of the date missing: one whole Welsh sentence, not pieces joined.
    soup = pages.post(
        "/callouts/new",
        {"home_id": str(home.id), "occurred_year": "2026", "occurred_time": "21:30"},
    )
    assert "Rhaid i ddyddiad yr alwad gynnwys diwrnod a mis" in error_messages(soup)

    callout = make.home_report(home, datetime(2026, 4, 8, 16, 0), placing=bridgend)
    soup = pages.get(f"/callouts/{callout.id}/home-report/edit")
    assert soup.h1.get_text(strip=True) == f"Cywiro galwad {callout.id}"
    soup = pages.post(
        f"/callouts/{callout.id}/home-report/edit",
        {
            "home_id": str(home.id),
            "occurred_day": "8",
            "occurred_month": "4",
            "occurred_year": "2026",
            "occurred_time": "17:00",
            "category": "criminal_damage",
            "child_reference": "LCS-1001",
            "placing_authority": "W06000013",
            "caller_role": "home_staff",
            "child_role": "alleged_perpetrator",
            "immediate_risk": "yes",
            "immediate_risk_reason": "Threatening staff with a chair",
            "deescalation": "verbal",
            "police_attended": "yes",
            "restorative": "planned",
            "ofsted_notified": "no",
            "reason": "Roedd yr amser yn anghywir",
        },
    )
    assert soup.h1.get_text(strip=True) == f"Galwad {callout.id}"
    banner = soup.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "Mae eich cywiriad i adroddiad y cartref wedi’i gadw yn ei hanes" in banner
    history = soup.select_one("main").get_text(" ", strip=True)
    assert "Hanes y cywiriadau" in history and "“Roedd yr amser yn anghywir”" in history
    assert BRIDGEND_CY in history
    assert _english_left(soup) == []

    soup = pages.get("/callouts/")
    assert soup.select_one("#callout-count").get_text(strip=True) == "1 galwad"
    assert _english_left(soup) == []


def test_a_police_record_and_its_outcome_in_welsh(client, pages, make):
    home = setup_home(make)
    officer = make.user("police", police=home.police_force)
    _welsh(pages, client, officer)
    soup = pages.post("/police-records/new", {"home_id": str(home.id), "police_reference": "A B"})
    assert error_messages(soup)[:3] == [
        "Rhaid i gyfeirnod yr heddlu fod yn llythrennau, rhifau, cysylltnodau neu slaesau, heb "
        "fylchau",
        "Rhowch ddyddiad yr alwad",
        "Rhowch amser yr alwad, fel 21:30",
    ]
    assert _english_left(soup) == []


def test_an_import_lists_its_problems_in_welsh_by_row_column_and_value(
    client, pages, make, tmp_path
):
    setup_home(make)
    _welsh(pages, client, make.user("police", police=make.force()))
    soup = pages.get("/imports/new")
    assert soup.h1.get_text(strip=True) == "Mewnforio galwadau"
    assert _english_left(soup) == []

    rows = list(police_rows())
    rows[0]["police_attended"] = "perhaps"
    rows[1]["home_urn"] = "SC999999"
    rows[2]["occurred_at"] = "2026-03-29T01:30"  # the hour the clocks went forward
    soup = _upload(pages, write_csv(tmp_path / "drwg.csv", rows), "police")
    assert error_messages(soup) == [
        "Mae gan y ffeil 3 problem, wedi’u rhestru isod. Ni fewnforiwyd dim: cywirwch y ffeil a’i "
        "huwchlwytho eto"
    ]
    headings = [th.get_text(strip=True) for th in soup.select("#import-errors thead th")]
    assert headings == ["Rhes", "Colofn", "Gwerth", "Problem"]
    table = [
        [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in soup.select("#import-errors tbody tr")
    ]
    assert table == [
        ["2", "police_attended", "perhaps", "Rhowch ‘yes’ neu ‘no’"],
        [
            "3",
            "home_urn",
            "SC999999",
            "Nid oes gan unrhyw gartref y cewch fewnforio ar ei gyfer yr URN hwn",
        ],
        [
            "4",
            "occurred_at",
            "2026-03-29T01:30",
            "Doedd 01:30 ddim yn bodoli ar 29 Mawrth 2026 yn y DU (aeth y clociau ymlaen)",
        ],
    ]  # fmt: skip
    assert _english_left(soup) == []


def test_find_a_callout_in_welsh(client, pages, make):
    home = make.home("SC300102")
    provider = make.user("provider", homes=[home])
    make.home_report(home, datetime(2026, 4, 8, 16, 0), child_reference="LCS-77")
    make.home_report(home, datetime(2026, 4, 9, 16, 0), child_reference="LCS-77")
    _welsh(pages, client, provider)

    soup = pages.get("/find?q=LCS-77")
    assert soup.h1.get_text(strip=True) == "Galwadau ar gyfer LCS-77"
    assert soup.select_one("#found-count").get_text(strip=True) == "2 galwad ar gyfer LCS-77."
    assert _english_left(soup) == []

    soup = pages.get("/find?q=LCS-78")
    assert soup.h1.get_text(strip=True) == "Dim galwadau ar gyfer LCS-78"
    assert _english_left(soup) == []

    soup = pages.get("/find?q=%3F%3F")
    assert error_messages(soup) == [
        "Rhowch gyfeirnod sy’n defnyddio llythrennau, rhifau, cysylltnodau, slaesau, dotiau neu "
        "danlinellau yn unig, fel LCS-104233"
    ]
    assert _english_left(soup) == []
