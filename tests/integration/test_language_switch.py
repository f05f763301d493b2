"""English / Cymraeg on every page: the switch, remembered on the account and, before signing in,
by the essential ``language`` cookie (issue 18)."""

from __future__ import annotations

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, User
from tests.conftest import Person


def _switch_link(soup, code: str):
    return soup.select_one(f".app-language-select a[hreflang='{code}']")


def test_before_sign_in_the_switch_turns_the_page_welsh_and_a_cookie_remembers_it(client, pages):
    soup = pages.get("/sign-in")
    assert soup.html["lang"] == "en"
    assert soup.select_one(".app-language-select [aria-current]").get_text(strip=True) == "English"
    link = _switch_link(soup, "cy")
    assert link["href"] == "/language/cy?next=/sign-in" and link["lang"] == "cy"

    response = client.get(link["href"])
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("language=cy;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie

    soup = pages.get("/sign-in")
    assert soup.html["lang"] == "cy"
    assert soup.select_one(".govuk-skip-link").get_text(strip=True) == "Neidio i’r prif gynnwys"
    assert "Rhoi adborth" in soup.select_one(".govuk-footer").get_text()
    assert _switch_link(soup, "en")["href"] == "/language/en?next=/sign-in"


def test_the_choice_is_kept_on_the_account_and_followed_on_any_browser(app, client, pages, make):
    user = make.user("provider")
    pages.sign_in(user)
    assert pages.get("/").html["lang"] == "en"
    response = client.get("/language/cy?next=/callouts/%3Fpage%3D2")
    assert response.headers["Location"] == "/callouts/?page=2"
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "cy"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user_language_changed")
    )
    assert event.user_id == user.id and event.changes == {"language": ["en", "cy"]}

    other_browser = app.test_client()  # no cookie: the account says Welsh
    person = Person(other_browser)
    person.sign_in(db.session.get(User, user.id))
    soup = person.get("/")
    assert soup.html["lang"] == "cy"
    assert "Hafan Galwadau" in soup.select_one(".govuk-service-navigation").get_text(
        " ", strip=True
    )


def test_the_switch_sends_nobody_off_the_site(client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", ""):
        response = client.get("/language/cy", query_string={"next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/", target
    assert client.get("/language/fr").status_code == 404


def test_the_language_chosen_before_signing_in_becomes_the_accounts(app, client, pages, make):
    user = make.user("police")
    client.get("/language/cy?next=/sign-in")
    pages.sign_in_with_form(user)
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "cy"
    assert pages.get("/").html["lang"] == "cy"
