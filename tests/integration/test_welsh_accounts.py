"""Signing in, your account, the help pages, the start pages and the shared parts of a page in
Welsh (issue 18): a person chooses Welsh on their account (or with the switch before signing in)
and reads these pages, their errors and their messages in Welsh; the English pages stay as they
were."""

import json
import re
from dataclasses import replace

import pyotp
import pytest
from bs4 import BeautifulSoup
from flask import render_template_string
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.forms.admin import AdminHomeForm
from protocol_monitor.forms.base import date_from_parts
from protocol_monitor.i18n import in_language
from protocol_monitor.models import AuditEvent, User
from tests.conftest import error_messages
from tests.support.crawl import visible_text
from tests.support.welsh import data_values, english_left

pytestmark = pytest.mark.usefixtures("app")


def _main_english(pages, url: str, status: int = 200) -> list[str]:
    """English left in the page's <main>, but for the data people named or typed."""
    response = pages.client.get(url)
    assert response.status_code == status, url
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.html["lang"] == "cy", url
    texts = visible_text(str(soup.find("main")))
    # Addresses and paths are what an administrator copies, in any language.
    texts = [t for t in texts if not re.fullmatch(r"(https?://|docs/)\S+", t)]
    return english_left(texts, data_values())


def _account_row(page, key: str):
    for row in page.select(".govuk-summary-list__row"):
        if row.select_one(".govuk-summary-list__key").get_text(strip=True) == key:
            return row
    raise AssertionError(f"no row {key!r}")


def test_a_person_chooses_welsh_on_their_account_and_reads_it_in_welsh(pages, make):
    user = make.user("police", police=make.force())
    pages.sign_in(user)

    account = pages.get("/account/")
    row = _account_row(account, "Language")
    assert row.select_one(".govuk-summary-list__value").get_text(strip=True) == "English"
    change = row.select_one(".govuk-summary-list__actions a")
    assert change["href"] == "/account/language"
    assert change.get_text(" ", strip=True) == "Change language"

    form = pages.get("/account/language")
    assert form.select_one("h1").get_text(strip=True) == "Which language do you want to use?"
    assert form.select_one("input[name=language][value=en]").has_attr("checked")
    # Each language named in itself, marked as that language for screen readers.
    assert form.select_one("label[for=language-2]")["lang"] == "cy"

    # Nothing chosen: a GOV.UK error, in the page's language (still English here).
    refused = pages.post("/account/language", {"language": ""})
    assert error_messages(refused) == ["Select English or Cymraeg"]
    refused = pages.post("/account/language", {"language": "fr"})
    assert error_messages(refused) == ["Choose English or Cymraeg"]
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "en"

    welsh = pages.post("/account/language", {"language": "cy"})
    assert welsh.html["lang"] == "cy"
    assert welsh.select_one("h1").get_text(strip=True) == "Eich cyfrif"
    assert (
        "Mae eich iaith wedi’i chadw" in welsh.select_one(".govuk-notification-banner").get_text()
    )
    row = _account_row(welsh, "Iaith")
    assert row.select_one(".govuk-summary-list__value").get_text(strip=True) == "Cymraeg"
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "cy"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user_language_changed")
    ).one()
    assert event.changes == {"language": ["en", "cy"]}

    # And back, from the same page in Welsh.
    english = pages.post("/account/language", {"language": "en"})
    assert english.select_one("h1").get_text(strip=True) == "Your account"
    assert "Your language has been saved" in english.get_text()


def test_a_welsh_sign_in_error_is_in_welsh_in_the_summary_and_on_the_field(pages, make):
    user = make.user("police", police=make.force())
    pages.client.get("/language/cy?next=/sign-in")  # the switch, before signing in: a cookie

    page = pages.get("/sign-in")
    assert page.html["lang"] == "cy"
    assert page.select_one("h1").get_text(strip=True) == "Mewngofnodi"
    assert page.select_one("label[for=email]").get_text(strip=True) == "Cyfeiriad e-bost"

    empty = pages.post("/sign-in", {"email": "", "password": ""})
    assert empty.title.get_text(strip=True).startswith("Gwall: Mewngofnodi")
    assert empty.select_one(".govuk-error-summary__title").get_text(strip=True) == (
        "Mae problem wedi codi"
    )
    assert error_messages(empty) == ["Rhowch eich cyfeiriad e-bost", "Rhowch eich cyfrinair"]
    field_error = empty.select_one("#email-error").get_text(" ", strip=True)
    assert field_error == "Gwall: Rhowch eich cyfeiriad e-bost"

    wrong = pages.post("/sign-in", {"email": user.email, "password": "not the password"})
    assert error_messages(wrong) == ["Rhowch gyfeiriad e-bost a chyfrinair cywir"]
    field_error = wrong.select_one("#email-error").get_text(" ", strip=True)
    assert field_error == "Gwall: Rhowch gyfeiriad e-bost a chyfrinair cywir"


def test_the_english_sign_in_error_is_as_it_was(pages, make):
    user = make.user("police", police=make.force())
    wrong = pages.post("/sign-in", {"email": user.email, "password": "not the password"})
    assert wrong.html["lang"] == "en"
    assert wrong.select_one(".govuk-error-summary__title").get_text(strip=True) == (
        "There is a problem"
    )
    assert error_messages(wrong) == ["Enter a correct email address and password"]


def _world(make):
    authority = make.authority()
    force = make.force()
    home = make.home("SC300001", host=authority)
    return {
        "provider": make.user("provider", homes=[home]),
        "police": make.user("police", police=force),
        "authority": make.user("authority", authorities=[authority]),
        "group": make.user("group", authorities=[authority]),
        "admin": make.user("admin"),
    }


#: The pages of this part of the service every role reaches (each role's start page is "/").
PAGES = (
    "/",
    "/account/",
    "/account/language",
    "/account/emails",
    "/account/password",
    "/account/two-factor",
    "/account/tokens",
    "/accessibility",
    "/feedback",
)
ADMIN_PAGES = ("/admin/single-sign-on/", "/admin/single-sign-on/new")


def test_every_account_help_and_start_page_is_all_welsh_for_every_role(pages, make):
    people = _world(make)
    left = {}
    for role, person in people.items():
        person.language = "cy"
        db.session.commit()
        pages.sign_in(person)
        for url in PAGES + (ADMIN_PAGES if role == "admin" else ()):
            english = _main_english(pages, url)
            if english:
                left[f"{role} {url}"] = english
        english = _main_english(pages, "/no-such-page", status=404)
        if english:
            left[f"{role} 404"] = english
    assert left == {}


def test_the_timeout_warning_and_the_autosave_status_carry_their_words_in_welsh(pages, make):
    user = make.user("police", police=make.force())
    user.language = "cy"
    db.session.commit()
    pages.sign_in(user)
    page = pages.get("/account/")
    dialog = page.select_one("#timeout-warning")
    minutes = json.loads(dialog["data-minutes"])
    # Every plural category Intl.PluralRules gives for Welsh, with the count left to fill.
    assert set(minutes) == {"zero", "one", "two", "few", "many", "other"}
    assert all(re.fullmatch(r"%\{count\} [mf]unud", text) for text in minutes.values())
    assert json.loads(dialog["data-seconds"])["other"] == "%{count} eiliad"
    assert (
        dialog["data-announcement"] == "Er eich diogelwch, byddwn yn eich allgofnodi ymhen %{time}."
    )
    assert dialog.select_one("#timeout-heading").get_text(strip=True) == (
        "Rydych ar fin cael eich allgofnodi"
    )

    pages.sign_in(make.user("provider", homes=[make.home("SC300002")]))
    english = pages.get("/account/")
    dialog = english.select_one("#timeout-warning")
    assert json.loads(dialog["data-minutes"])["one"] == "%{count} minute"
    assert json.loads(dialog["data-minutes"])["other"] == "%{count} minutes"
    assert dialog.select_one("[data-timeout-countdown]").get_text(strip=True) == "2 minutes"


class _Page:
    """A queries.Page's shape, for the pager."""

    def __init__(self, number: int, pages: int) -> None:
        self.number, self.pages = number, pages
        self.has_previous, self.has_next = number > 1, number < pages


@pytest.mark.parametrize(
    ("language", "previous", "next_", "page_two"),
    [
        ("en", "Previous page", "Next page", "Page 2"),
        ("cy", "Blaenorol tudalen", "Nesaf tudalen", "Tudalen 2"),
    ],
)
def test_the_pager_speaks_the_pages_language(app, language, previous, next_, page_two):
    template = '{% from "macros/pagination.html" import pager %}{{ pager(page) }}'
    with app.test_request_context("/callouts/"), in_language(language):
        html = render_template_string(
            template, page=_Page(3, 9), page_url=lambda n: f"/callouts/?page={n}"
        )
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("a[rel=prev]").get_text(" ", strip=True) == previous
    assert soup.select_one("a[rel=next]").get_text(" ", strip=True) == next_
    assert (
        soup.select_one(".govuk-pagination__item a[href='/callouts/?page=2']")["aria-label"]
        == page_two
    )
    assert soup.select_one("nav")["aria-label"] == ("Pages" if language == "en" else "Tudalennau")


@pytest.mark.parametrize(
    ("parts", "english", "welsh"),
    [
        (("1", "", "2019"), "Date the home opened must include a month",
         "Rhaid i’r dyddiad yr agorodd y cartref gynnwys mis"),
        (("", "", "2019"), "Date the home opened must include a day and a month",
         "Rhaid i’r dyddiad yr agorodd y cartref gynnwys diwrnod a mis"),
        (("31", "2", "2019"), "Date the home opened must be a real date, like 27 3 2019",
         "Rhaid i’r dyddiad yr agorodd y cartref fod yn ddyddiad go iawn, fel 27 3 2019"),
    ],
)  # fmt: skip
def test_a_date_error_is_one_whole_sentence_in_each_language(app, parts, english, welsh):
    messages = AdminHomeForm.DATES["opened_on"]
    for language, expected in (("en", english), ("cy", welsh)):
        with app.test_request_context("/"), in_language(language):
            with pytest.raises(ValueError) as raised:
                date_from_parts(*parts, messages)
            assert str(raised.value) == expected
    assert date_from_parts("", "", "", messages) is None


def test_the_reset_email_is_in_the_persons_language(pages, make, app, smtp):
    app.config["SETTINGS"] = replace(
        app.config["SETTINGS"], smtp_host="127.0.0.1", smtp_port=smtp.port
    )
    user = make.user("police", police=make.force())
    user.language = "cy"
    db.session.commit()
    page = pages.post("/reset-password", {"email": user.email})  # the page itself in English
    assert page.select_one("h1").get_text(strip=True) == "Check your email"
    message = smtp.messages[0]
    assert message["Subject"] == "Ailosod eich cyfrinair ar gyfer Monitor y protocol"
    body = message.get_payload(decode=True).decode()
    assert "I ddewis cyfrinair newydd, agorwch y ddolen hon o fewn" in body
    assert re.search(r"http://localhost/reset-password/\S+", body)
    assert english_left(body.splitlines(), [re.search(r"http\S+", body).group(0)]) == []


#: Pages before signing in, each with the status it answers.
SIGNED_OUT = (
    ("/sign-in", 200),
    ("/reset-password", 200),
    ("/reset-password/not-a-real-token", 404),
    ("/invitation/not-a-real-token", 404),
    ("/sign-in/organisation/999999", 400),
    ("/sign-in/organisation/callback?state=unknown", 400),
    ("/accessibility", 200),
    ("/feedback", 200),
)


def test_the_pages_before_signing_in_are_all_welsh_after_the_switch(pages):
    pages.client.get("/language/cy?next=/sign-in")
    left = {}
    for url, status in SIGNED_OUT:
        english = _main_english(pages, url, status=status)
        if english:
            left[url] = english
    assert left == {}
    problem = pages.get("/sign-in/organisation/999999", status=400)
    assert problem.select_one("h1").get_text(strip=True) == "Nid oedd modd eich mewngofnodi"
    assert problem.select_one("#problem").get_text(strip=True) == (
        "Nid oes sefydliad o’r fath i fewngofnodi gydag ef."
    )
    assert problem.select_one("#reference").get_text(strip=True).startswith("Cyfeirnod: ")


def test_two_factor_sign_in_and_recovery_codes_in_welsh(pages, make):
    user = make.user("police", police=make.force())
    user.language = "cy"
    db.session.commit()
    pages.sign_in(user)
    setup = pages.get("/account/two-factor")
    secret = setup.select_one("#totp-secret").get_text(strip=True)
    wrong = pages.post("/account/two-factor", {"code": "12"})
    assert error_messages(wrong) == ["Rhowch y cod 6 digid o’ch ap dilysu"]
    codes = pages.post("/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert codes.select_one(".govuk-panel__title").get_text(strip=True) == (
        "Mae mewngofnodi dau gam wedi’i sefydlu"
    )
    left = {
        url: english
        for url in ("/account/two-factor", "/account/recovery-codes", "/account/")
        if (english := _main_english(pages, url))
    }
    assert left == {}
    recovery = codes.select_one("#recovery-codes li code").get_text(strip=True)

    pages.client.post("/sign-out", data={"csrf_token": pages.csrf_token})
    pages.sign_in_with_form(user)
    assert _main_english(pages, "/sign-in/two-factor") == []
    assert _main_english(pages, "/sign-in/recovery-code") == []
    wrong = pages.post("/sign-in/recovery-code", {"code": "abcde-12345"})
    assert error_messages(wrong) == ["Rhowch un o’ch codau adfer, fel abcde-12345"]
    start = pages.post("/sign-in/recovery-code", {"code": recovery})
    assert start.html["lang"] == "cy"
    assert start.select_one("h1").get_text(strip=True) == "Eich gwaith heddiw"


def test_a_page_that_needs_signing_in_says_so_in_welsh(pages):
    pages.client.get("/language/cy?next=/sign-in")
    response = pages.client.get("/account/", follow_redirects=True)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("h1").get_text(strip=True) == "Mewngofnodi"
    assert "Mewngofnodwch i barhau" in page.select_one(".govuk-notification-banner").get_text()


def test_an_administrator_sets_up_organisation_sign_in_in_welsh(pages, make, identity_provider):
    from protocol_monitor.models import IdentityProvider
    from tests.integration.test_single_sign_on_admin import form

    admin = make.user("admin", authorities=[make.authority()])
    admin.language = "cy"
    db.session.commit()
    pages.sign_in(admin)
    refused = pages.post("/admin/single-sign-on/new", form(identity_provider, issuer="ftp://x"))
    assert error_messages(refused) == [
        "Rhowch URL y cyhoeddwr fel cyfeiriad gwe sy’n dechrau gyda https://"
    ]
    saved = pages.post("/admin/single-sign-on/new", form(identity_provider))
    banner = saved.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "Mewngofnodi ar gyfer Dorset Police wedi’i gadw" in banner
    provider = db.session.scalar(select(IdentityProvider))
    left = {
        url: english
        for url in (
            f"/admin/single-sign-on/{provider.id}",
            f"/admin/single-sign-on/{provider.id}/edit",
            f"/admin/single-sign-on/{provider.id}/groups/new",
            f"/admin/single-sign-on/{provider.id}/invite",
        )
        if (english := _main_english(pages, url))
    }
    assert left == {}
