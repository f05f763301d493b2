"""Messages in the reader's language (issue 18): each alert channel is set to English, Welsh or
both (Welsh first, then English, in one message), and each person's emails are in their language
— whatever the language of the page that caused them. Checked where they arrive: the mock Slack
Web API, the Teams receiver and the SMTP sink."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from protocol_monitor.db import db, utcnow
from protocol_monitor.i18n import in_language
from protocol_monitor.models import AuditEvent, ChannelSetting, Delivery, User
from protocol_monitor.services import flags, summaries
from protocol_monitor.services.relay import deliver_due
from protocol_monitor.vocab import FlagRule
from tests.conftest import Person
from tests.integration.alerts.test_slack_app import _command, _press
from tests.support import alerts

ENGLISH_RULE = "Criminal outcome"
WELSH_RULE = "Canlyniad troseddol"


def _flag_on(make, home, **report):
    """A call-out with a charge at the home raises a criminal-outcome flag (the real rules)."""
    callout = make.home_report(home, datetime(2026, 5, 20, 12), outcome="charged", **report)
    (flag,) = flags.evaluate(callout)
    db.session.commit()
    return callout, flag


def _texts(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_the_vocabulary_differs_between_the_languages():
    """The checks below could not tell the languages apart if these were the same."""
    with in_language("cy"):
        assert FlagRule.CRIMINAL_OUTCOME.label == WELSH_RULE
    with in_language("en"):
        assert FlagRule.CRIMINAL_OUTCOME.label == ENGLISH_RULE


def test_a_welsh_channel_gets_its_slack_alert_in_welsh(make, slack):
    home = make.home("SC180001", name="Tŷ Derw")
    alerts.channel(
        f"authority:{home.host_authority_id}", slack_channel_id="C0CYMRU01", language="cy"
    )
    callout, flag = _flag_on(make, home)

    assert deliver_due(utcnow())["delivered"] == 1
    (post,) = slack.calls("chat.postMessage")
    blocks = post.params["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "context", "actions"]
    assert blocks[0]["text"]["text"] == f"{WELSH_RULE} yn Tŷ Derw"
    facts = [f["text"] for f in blocks[1]["fields"]]
    assert facts[0] == "Cartref: Tŷ Derw (SC180001)"
    assert facts[1].startswith(f"Galwad {callout.id}, ")
    assert f"<http://localhost/flags/{flag.id}|Gweld y cofnod>" in blocks[2]["elements"][0]["text"]
    acknowledge, open_button = blocks[3]["elements"]
    assert (acknowledge["text"]["text"], open_button["text"]["text"]) == ("Cydnabod", "Agor")
    assert acknowledge["value"] == str(flag.id)
    assert post.params["text"].startswith(f"{WELSH_RULE} yn Tŷ Derw\n- Cartref: ")
    assert f"Agor: http://localhost/flags/{flag.id}" in post.params["text"]
    everything = _texts(blocks) + post.params["text"]
    for english in (ENGLISH_RULE, "Home:", "View the record", "Acknowledge", "Open:", "Call-out"):
        assert english not in everything, english


def test_a_channel_in_both_languages_puts_the_welsh_first_then_the_english(make, slack, teams):
    home = make.home("SC180002", name="Oak House")
    alerts.channel(
        f"authority:{home.host_authority_id}",
        slack_channel_id="C0BOTH001",
        teams_webhook_url=teams.webhook_url(),
        language="both",
    )
    # Raised while a Welsh page is being made: the channel's languages decide, not the page's.
    with in_language("cy"):
        _callout, flag = _flag_on(make, home)

    assert deliver_due(utcnow())["delivered"] == 2
    (post,) = slack.calls("chat.postMessage")
    blocks = post.params["blocks"]
    headers = [b["text"]["text"] for b in blocks if b["type"] == "header"]
    assert headers == [f"{WELSH_RULE} yn Oak House", f"{ENGLISH_RULE} at Oak House"]
    divider = [b["type"] for b in blocks].index("divider")
    welsh, english = _texts(blocks[:divider]), _texts(blocks[divider:])
    assert "Cartref: Oak House (SC180002)" in welsh and "Cydnabod" in welsh
    assert "Home: Oak House (SC180002)" in english and '"Acknowledge"' in english
    assert "Home:" not in welsh and "Cartref:" not in english
    # One message: the Welsh text, then the English, and both buttons acknowledge the one flag.
    text = post.params["text"]
    assert text.index(WELSH_RULE) < text.index(ENGLISH_RULE)
    assert text.index("Agor: http") < text.index("Open: http")
    values = [
        e["value"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "acknowledge_flag"
    ]
    assert values == [str(flag.id), str(flag.id)]

    (card,) = [r.params for r in teams.requests]
    body = card["attachments"][0]["content"]["body"]
    titles = [b["text"] for b in body if b["type"] == "TextBlock"]
    assert titles == [f"{WELSH_RULE} yn Oak House", f"{ENGLISH_RULE} at Oak House"]
    assert body[[b.get("separator") for b in body].index(True)]["text"].endswith("at Oak House")
    actions = card["attachments"][0]["content"]["actions"]
    assert [a["title"] for a in actions] == ["Agor / Open"]


def test_an_english_channel_stays_english_whatever_page_raised_the_flag(make, slack):
    home = make.home("SC180003", name="Elm House")
    alerts.channel(f"authority:{home.host_authority_id}", slack_channel_id="C0ENGLISH")
    with in_language("cy"):
        _flag_on(make, home)
    deliver_due(utcnow())
    (post,) = slack.calls("chat.postMessage")
    assert post.params["blocks"][0]["text"]["text"] == f"{ENGLISH_RULE} at Elm House"
    assert "Cydnabod" not in _texts(post.params["blocks"])


def test_each_person_gets_the_homes_email_in_their_own_language(make, smtp):
    home = make.home("SC180004", name="Tŷ Celyn")
    welsh = make.user("provider", homes=[home], email="eleri@celyn.example")
    welsh.language = "cy"
    make.user("provider", homes=[home], email="tom@celyn.example")
    alerts.channel(
        f"authority:{home.host_authority_id}",
        email_recipients="diogelu@cyngor.example",
        language="both",
    )
    db.session.commit()
    _callout, flag = _flag_on(make, home)

    assert deliver_due(utcnow())["delivered"] == 3
    mail = {}
    for envelope, message in zip(smtp.envelopes, smtp.messages, strict=True):
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        for to in envelope.rcpt_tos:
            mail[to] = (message["Subject"], text, html)

    subject, text, html = mail["eleri@celyn.example"]
    assert subject == f"{WELSH_RULE} yn Tŷ Celyn"
    assert "Cartref: Tŷ Celyn (SC180004)" in text
    assert f"Agor: http://localhost/flags/{flag.id}" in text
    assert "Agor y cofnod" in html
    assert "Home:" not in text and "Open the record" not in html

    subject, text, _html = mail["tom@celyn.example"]
    assert subject == f"{ENGLISH_RULE} at Tŷ Celyn"
    assert "Home: Tŷ Celyn (SC180004)" in text and "Cartref:" not in text

    # The area's list, in both: one email, the Welsh subject and text first.
    subject, text, html = mail["diogelu@cyngor.example"]
    assert subject == f"{WELSH_RULE} yn Tŷ Celyn / {ENGLISH_RULE} at Tŷ Celyn"
    assert text.index("Cartref: Tŷ Celyn") < text.index("Home: Tŷ Celyn")
    assert html.index('lang="cy"') < html.index('lang="en"')


def test_the_admin_sets_a_persons_language_and_their_invitation_comes_in_it(app, make, smtp):
    admin = make.user("admin", email="admin@example.org")
    home = make.home("SC180005", name="Tŷ Onnen")
    pages = Person(app.test_client())
    pages.sign_in(admin)

    form = pages.get("/admin/users/new")
    choices = {i["value"]: i.has_attr("checked") for i in form.select("input[name=language]")}
    assert choices == {"en": True, "cy": False}
    page = pages.post(
        "/admin/users/new",
        {
            "email": "gwen@onnen.example",
            "display_name": "Gwen",
            "role": "provider",
            "homes": [home.urn],
            "language": "cy",
        },
    )
    assert "Invitation sent to gwen@onnen.example" in page.get_text()  # the admin's English
    person = db.session.scalar(select(User).where(User.email == "gwen@onnen.example"))
    assert person.language == "cy"
    (message,) = smtp.messages
    assert message["Subject"] == "Rydych chi wedi cael gwahoddiad i Protocol monitor"
    text = message.get_content()
    assert "defnyddiwr o’r math" in text and "agorwch y ddolen hon o fewn 7 diwrnod" in text
    assert "invited" not in text and "password" not in text
    changed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user_language_changed")
    )
    assert (changed.user_id, changed.changes) == (admin.id, {"language": ["en", "cy"]})

    # Back to English on the change page; a value that is neither is refused, not stored.
    edit = pages.get(f"/admin/users/{person.id}/edit")
    assert edit.select_one("input[name=language][value=cy]").has_attr("checked")
    data = {"display_name": "Gwen", "role": "provider", "homes": [home.urn]}
    refused = pages.post(f"/admin/users/{person.id}/edit", {**data, "language": "fr"})
    assert "Select the language of the person's pages and emails" in refused.get_text()
    pages.post(f"/admin/users/{person.id}/edit", {**data, "language": "en"})
    db.session.refresh(person)
    assert person.language == "en"


def test_the_channel_form_sets_the_language_and_refuses_any_other(app, make):
    admin = make.user("admin")
    authority = make.authority("W06000013", "Bridgend County Borough Council")
    pages = Person(app.test_client())
    pages.sign_in(admin)
    url = f"/admin/channels/authority:{authority.id}"
    form = pages.get(url)
    labels = [label.get_text(strip=True) for label in form.select(".govuk-radios__label")]
    assert labels == ["English", "Welsh", "Welsh and English"]
    refused = pages.post(url, {"slack_channel_id": "C0BRIDGEND", "language": "fr"})
    assert "Select the language of the messages" in refused.get_text()
    assert db.session.scalar(select(ChannelSetting)) is None
    listed = pages.post(url, {"slack_channel_id": "C0BRIDGEND", "language": "both"})
    assert "Welsh and English" in listed.get_text()
    setting = db.session.scalar(select(ChannelSetting))
    assert setting.language == "both"
    # The Welsh page of the same form reads the choices in Welsh.
    pages.client.get("/language/cy")
    welsh = pages.get(url)
    assert [label.get_text(strip=True) for label in welsh.select(".govuk-radios__label")] == [
        "Saesneg",
        "Cymraeg",
        "Cymraeg a Saesneg",
    ]
    assert welsh.select_one("input[name=language][value=both]").has_attr("checked")


def test_acknowledging_in_a_channel_of_both_languages_marks_both_and_answers_in_welsh_first(
    client, make, slack
):
    officer = make.user("police", police=make.force())
    officer.slack_user_id = "UOFFICER1"
    home = make.home("SC180006", name="Oak House", officer=officer)
    alerts.channel(
        f"authority:{home.host_authority_id}", slack_channel_id="C0AUTHORITY", language="both"
    )
    _callout, flag = _flag_on(make, home)
    deliver_due(utcnow())
    (post,) = slack.calls("chat.postMessage")
    message = {
        "ts": slack.history["C0AUTHORITY"][0]["ts"],
        "text": post.params["text"],
        "blocks": post.params["blocks"],
    }
    assert _press(client, flag, message).status_code == 200

    (update,) = slack.calls("chat.update")
    blocks = update.params["blocks"]
    pressed = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in pressed] == ["open_record", "open_record"]
    said = [
        b["elements"][0]["text"]
        for b in blocks
        if (b["type"] == "context" and "Cydnabuwyd" in b["elements"][0]["text"])
        or (b["type"] == "context" and "Acknowledged" in b["elements"][0]["text"])
    ]
    assert [text.split(" ")[0] for text in said] == ["Cydnabuwyd", "Acknowledged"]
    assert update.params["text"].endswith(
        f"Cydnabuwyd gan {officer}\n\n---\n\nAcknowledged by {officer}"
    )

    # The /callouts command answers the channel in Welsh, then English.
    answer = _command(client, "flags").get_json()["text"]
    welsh, english = answer.split("\n\n---\n\n")
    assert "baner" in welsh and f"Oak House (SC180006): {WELSH_RULE}" in welsh
    assert "open flag" in english and f"Oak House (SC180006): {ENGLISH_RULE}" in english


def test_the_digest_reaches_a_welsh_group_channel_in_welsh_and_an_english_one_in_english(
    make, smtp, slack
):
    home = make.home("SC180007", name="Oak House")
    for day in (3, 9):
        make.home_report(home, datetime(2026, 10, day, 20, 0))
    alerts.channel("group", email_recipients="grwp@cyngor.example", language="cy")
    summaries.compile_month("2026-10", queue_digest=True)
    db.session.commit()

    assert deliver_due(utcnow())["delivered"] == 1
    (message,) = smtp.messages
    assert message["Subject"] == "Crynodeb o’r galwadau ar gyfer Hydref 2026 (fersiwn 1)"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hydref 2026" in text and "October" not in text and "Call-outs" not in text

    # The same message sent again once the channel is set to English reads in English: the
    # language is chosen when it is sent.
    setting = db.session.scalar(select(ChannelSetting))
    setting.language = "en"
    delivery = db.session.scalar(select(Delivery))
    delivery.status, delivery.attempt_count = "pending", 0
    smtp.messages.clear()
    db.session.commit()
    deliver_due(utcnow())
    (again,) = smtp.messages
    assert again["Subject"] == "Call-outs summary for October 2026 (version 1)"
