"""Email by SMTP: HTML with a plain-text alternative, in the destination's language (both: the
Welsh, then the English, in one email)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from html import escape

from ..config import Settings
from ..i18n import N_, _, in_language
from ..rules.alerts import Composition, item_facts, plain_text
from . import NotConfigured, SendResult


def html(composition: Composition) -> str:
    parts = composition.parts()
    bodies = []
    for part in parts:
        with in_language(part.language):
            bodies.append(f'<div lang="{part.language}">{_html_of(part)}</div>')
    if len(bodies) == 1 and composition.extra.get("html"):
        return str(composition.extra["html"])
    return "<!DOCTYPE html><html><body>" + "<hr>".join(bodies) + "</body></html>"


def _html_of(composition: Composition) -> str:
    if composition.extra.get("html"):
        return str(composition.extra["html"])
    parts = [f"<h1>{escape(composition.header)}</h1>"]
    for item in composition.items:
        if len(composition.items) > 1:
            parts.append(f"<h2>{escape(item.title)}</h2>")
        facts = "".join(f"<li>{escape(f)}</li>" for f in item_facts(item))
        parts.append(f"<ul>{facts}</ul>")
        parts.append(f'<p><a href="{escape(item.url)}">{escape(_("Open the record"))}</a></p>')
    return "".join(parts)


def subject(composition: Composition) -> str:
    """The header of each language, Welsh first: "Welsh / English"."""
    return " / ".join(part.header for part in composition.parts())


def build(settings: Settings, recipients: list[str], composition: Composition, key: str):
    message = EmailMessage()
    message["Subject"] = subject(composition)
    message["From"] = settings.mail_from
    message["To"] = ", ".join(recipients)
    domain = settings.mail_from.rsplit("@", 1)[-1]
    message["Message-ID"] = f"<{key.replace(':', '.').replace(' ', '')}@{domain}>"
    text = plain_text(composition, own_text=True)
    message.set_content(text)
    message.add_alternative(html(composition), subtype="html")
    return message


def send(settings: Settings, recipients: list[str], composition: Composition, key: str):
    if not settings.smtp_host:
        raise NotConfigured(N_("Email is not configured: SMTP_HOST is not set"))
    message = build(settings, recipients, composition, key)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
            if settings.smtp_use_tls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        return SendResult(ok=False, error=f"Every recipient was refused: {error}", permanent=True)
    except smtplib.SMTPResponseException as error:
        return SendResult(
            ok=False,
            error=f"The mail server answered {error.smtp_code}",
            permanent=500 <= error.smtp_code < 600,
        )
    except (smtplib.SMTPException, OSError) as error:
        return SendResult(ok=False, error=f"Could not send the email: {error}")
    if refused:
        return SendResult(ok=True, error=f"Refused: {', '.join(sorted(refused))}")
    return SendResult(ok=True)
