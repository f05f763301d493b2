"""A police liaison officer who reads Welsh reviews a call-out in Welsh — the error, the saved
review, its action, the flag — and the administrator reads the event in the audit log in Welsh
(issue 18). Nothing English is left on these pages but the data people typed or named."""

import io
from datetime import datetime

import pytest
from bs4 import BeautifulSoup
from docx import Document

from protocol_monitor.db import db
from protocol_monitor.i18n import in_language
from protocol_monitor.models import Flag, Review, flag_callouts
from protocol_monitor.services import ServiceError, flags
from tests.conftest import error_messages
from tests.integration.test_subject_access import _held
from tests.support.crawl import visible_text
from tests.support.welsh import data_values, english_left

pytestmark = pytest.mark.usefixtures("app")


def _welsh(user) -> None:
    user.language = "cy"
    db.session.commit()


def _english_left(pages, url: str) -> list[str]:
    """English on the page's main content, but for the data people named or typed."""
    response = pages.client.get(url)
    assert response.status_code == 200, url
    main = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main")
    return english_left(visible_text(str(main)), data_values())


def test_a_police_liaison_officer_reviews_a_callout_in_welsh_and_the_log_says_so(pages, make):
    force = make.force()
    officer = make.user("police", police=force, email="swyddog@example.org")
    home = make.home("SC310001", officer=officer)
    callout = make.home_report(home, datetime(2026, 10, 14, 21, 5), outcome="charged")
    flags.evaluate(callout)  # a criminal outcome raises a flag, explained in English on record
    db.session.commit()
    _welsh(officer)
    pages.sign_in(officer)
    url = f"/callouts/{callout.id}/review"

    form = pages.get(url)
    assert form.find("h1").get_text(strip=True) == f"Adolygu galwad {callout.id}"
    assert "Gafodd y protocol ei gymhwyso’n briodol?" in form.get_text()
    assert _english_left(pages, url) == []

    # Nothing chosen: the error summary and each message are in Welsh.
    refused = pages.post(url, {"police_response_proportionate": "yes"})
    assert refused.title.get_text(strip=True).startswith("Gwall:")
    assert refused.select_one(".govuk-error-summary__title").get_text(strip=True) == (
        "Mae problem wedi codi"
    )
    assert error_messages(refused) == [
        "Dewiswch a gafodd y protocol ei gymhwyso",
        "Dewiswch a oedd angen i’r heddlu gymryd rhan",
        "Dewiswch a oedd y canlyniad yn gymesur, neu nad yw’n hysbys eto",
    ]
    assert db.session.query(Review).count() == 0

    saved = pages.post(
        url,
        {
            "protocol_applied": "partly",
            "police_necessary": "slow_time",
            "police_response_proportionate": "yes",
            "outcome_proportionate": "not_known",
            "learning_points": "Rhoi lle ac amser cyn galw",
            "actions-0-text": "Cyfarfod â’r cartref",
            "actions-0-owner_id": str(officer.id),
            "actions-0-due_day": "30",
            "actions-0-due_month": "11",
            "actions-0-due_year": "2026",
            "actions-0-status": "open",
        },
    )
    assert f"Adolygiad o alwad {callout.id} wedi’i gadw" in saved.get_text()
    section = saved.find(id="callout-review").find_parent()
    assert "Y protocol wedi’i gymhwyso" in section.get_text()
    assert "Wedi’i gymhwyso’n rhannol" in section.get_text()
    review = db.session.query(Review).one()
    action = review.actions[0]
    # The call-out page's own part is another's; its foot (flags, review, actions) is this one's.
    page = pages.client.get(f"/callouts/{callout.id}").get_data(as_text=True)
    foot = BeautifulSoup(page, "html.parser").find(id="callout-flags")
    texts = [t for tag in [foot, *foot.find_next_siblings()] for t in visible_text(str(tag))]
    assert "Galwad wedi’i chyflwyno" not in texts  # (the foot only: not the page's history)
    assert english_left(texts, data_values()) == []

    # The action's page: its history's first note, stored in English, reads in Welsh.
    action_page = pages.get(f"/actions/{action.id}")
    assert "Cam gweithredu wedi’i gytuno" in action_page.find(id="action-history").get_text()
    assert _english_left(pages, f"/actions/{action.id}") == []
    assert _english_left(pages, "/actions/") == []

    # The flag's reason, kept in English, is shown in Welsh (the outcome by its Welsh label).
    (flag,) = _flags_of(callout)
    explanation = pages.get(f"/flags/{flag.id}").find(id="explanation").get_text(strip=True)
    assert explanation.startswith(f"Mae gan alwad {callout.id} ganlyniad troseddol:")
    assert "criminal outcome" in flag.explanation  # the record itself stays as it was
    assert _english_left(pages, f"/flags/{flag.id}") == []
    assert _english_left(pages, "/flags/") == []
    assert _english_left(pages, "/reviews/") == []

    pages.get("/flags/settings", status=403)  # an administrator's page: refused, audited

    # The administrator, in Welsh, finds the review in the audit log.
    admin = make.user("admin", email="gweinyddwr@example.org")
    _welsh(admin)
    pages.sign_in(admin)
    log = pages.get("/admin/audit?action=review_recorded")
    sentences = [p.get_text(strip=True) for p in log.select(".app-audit-log td p.govuk-body")]
    assert sentences == [f"Adolygodd {officer} alwad (adolygiad {review.id})."]
    assert "Adolygiad wedi’i gofnodi" in log.find(id="action").get_text()
    assert _english_left(pages, "/admin/audit") == []
    refusal = pages.get("/admin/audit?action=permission_refused").select(".app-audit-log td")[1]
    assert refusal.find("p").get_text(strip=True) == (
        f"Gwrthodwyd cais {officer}: dim ond pobl sy’n cael gweinyddu’r gwasanaeth sy’n gallu "
        "gwneud hynny."
    )
    assert "Tudalen y gofynnwyd amdani:" in refusal.find("li").get_text()
    assert refusal.find("li").find("code").get_text() == "/flags/settings"

    # The CSV of the log is headed in the reader's language.
    csv = pages.client.get("/admin/audit/export.csv?action=review_recorded").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("Cofnod,Amser (y DU),Amser (UTC),Pwy,")
    assert f"Adolygodd {officer} alwad (adolygiad {review.id})" in csv


def _flags_of(callout) -> list[Flag]:
    return (
        db.session.query(Flag)
        .join(flag_callouts, flag_callouts.c.flag_id == Flag.id)
        .filter(flag_callouts.c.callout_id == callout.id)
        .all()
    )


def test_a_subject_access_request_reads_in_welsh_on_the_page_and_in_the_word_document(pages, make):
    home, _ids, _not_mine = _held(make)
    admin = make.user("admin", authorities=[home.host_authority])
    _welsh(admin)
    pages.sign_in(admin)
    form = pages.get("/admin/subject-access")
    assert form.find("h1").get_text(strip=True) == "Cais gwrthrych am wybodaeth"
    assert _english_left(pages, "/admin/subject-access") == []
    refused = pages.post("/admin/subject-access", {"child_reference": "", "format": "page"})
    assert "Rhowch gyfeirnod y plentyn" in error_messages(refused)

    asked = {"child_reference": "LCS-7", "placing_authority": home.host_authority.code}
    page = pages.raw_post("/admin/subject-access", {**asked, "format": "page"})
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Cofnodion a gedwir am LCS-7"
    main = visible_text(str(soup.find("main")))
    assert "Adolygiad" in main and "Cywiriadau" in main
    assert english_left(main, data_values()) == []

    word = pages.raw_post("/admin/subject-access", {**asked, "format": "docx"})
    document = Document(io.BytesIO(word.get_data()))
    texts = [p.text for p in document.paragraphs if p.text] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    assert texts[0] == "Cofnodion a gedwir am LCS-7"
    assert "Pam" in texts and "Cyn" in texts and "Ar ôl" in texts
    assert english_left(texts, data_values()) == []


def test_a_threshold_out_of_range_is_refused_on_its_field_in_words_never_its_code(make):
    admin = make.user("admin")
    with pytest.raises(ServiceError) as refused:
        flags.change_thresholds(admin, {"repeat_child_days": 0})
    assert refused.value.field == "repeat_child_days"
    assert str(refused.value) == "Enter a whole number from 1 to 366"
    with in_language("cy"), pytest.raises(ServiceError) as refused:
        flags.change_thresholds(admin, {"unreported_hours": 10_000})
    assert str(refused.value) == "Rhowch rif cyfan o 1 i 744"
