"""The accessibility statement and the feedback page (issue 15): open to everyone, linked from
every page's footer and the phase banner, naming who runs the service and how to reach them."""

from __future__ import annotations

from bs4 import BeautifulSoup

from protocol_monitor import create_app
from tests.conftest import _settings

#: The sections of GOV.UK's sample accessibility statement, in its order.
MODEL = [
    "How accessible this service is",
    "Feedback and contact information",
    "Enforcement procedure",
    "Technical information about this service’s accessibility",
    "Compliance status",
    "Non-accessible content",
    "Non-compliance with the accessibility regulations",
    "Disproportionate burden",
    "Content that’s not within the scope of the accessibility regulations",
    "What we’re doing to improve accessibility",
    "Preparation of this accessibility statement",
]


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html5lib")


def test_every_page_links_to_the_statement_and_feedback_and_anyone_can_open_them(client):
    sign_in = _soup(client.get("/sign-in"))
    footer = sign_in.select_one(".govuk-footer")
    assert footer.find("a", string="Accessibility statement")["href"] == "/accessibility"
    assert footer.find("a", string="Give feedback")["href"] == "/feedback"
    banner = sign_in.select_one(".govuk-phase-banner")
    assert banner.find("a", string="give your feedback")["href"] == "/feedback"
    assert "never enter a child’s name" in banner.get_text()

    statement = _soup(client.get("/accessibility"))
    assert statement.h1.get_text() == "Accessibility statement for Protocol monitor"
    headings = [h.get_text() for h in statement.select("main h2, main h3")]
    assert headings == MODEL
    text = " ".join(statement.get_text().split())
    assert "This service is partially compliant with the Web Content Accessibility" in text
    # Without CONTACT_EMAIL the pages say whom to ask instead of giving no way to reach anyone.
    assert "Ask the administrator who gave you your account" in text
    assert "run by the partnership that runs it in your area" in text

    feedback = _soup(client.get("/feedback"))
    assert feedback.h1.get_text() == "Give feedback"
    assert "Do not include a child's name" in feedback.get_text()


def test_the_owner_and_contact_email_come_from_the_settings(database_url, tmp_path):
    settings = _settings(
        database_url,
        tmp_path / "instance",
        service_owner="Dorset Children in Care Partnership",
        contact_email="protocol@dorset.example",
    )
    client = create_app(settings).test_client()
    statement = _soup(client.get("/accessibility"))
    text = " ".join(statement.get_text().split())
    assert "This service is run by Dorset Children in Care Partnership." in text
    assert "Dorset Children in Care Partnership is committed" in text
    mail = statement.select_one('a[href^="mailto:"]')
    assert (
        mail["href"]
        == "mailto:protocol@dorset.example?subject=Accessibility%20of%20Protocol%20monitor"
    )
    feedback = _soup(client.get("/feedback"))
    assert feedback.select_one('a[href^="mailto:"]').get_text() == "protocol@dorset.example"
