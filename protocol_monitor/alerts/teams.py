"""Microsoft Teams: an Adaptive Card posted to a Workflows webhook ("When a Teams webhook
request is received"). The webhook URL is a secret: never logged, never put in an error text."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from flask_babel import pgettext

from ..i18n import in_language
from ..rules.alerts import Composition, item_facts, plain_text
from . import SendResult


def fallback_text(composition: Composition) -> str:
    """What a Teams client that cannot show the card shows instead, and what its notification
    says: the same plain text as Slack's fallback and the email's text part."""
    return plain_text(composition, own_text=True)


def card(composition: Composition) -> dict[str, Any]:
    """The message wrapping an Adaptive Card 1.4 with the facts and an Open link, and the same
    in plain text (``summary``, and the card's ``fallbackText``). A channel in both languages
    gets the Welsh, then the English, in one card, and one Open link per record naming both."""
    body: list[dict[str, Any]] = []
    opens: list[list[str]] = [[] for _item in composition.items]
    for part in composition.parts():
        with in_language(part.language):
            body.extend(_body_of(part, separator=bool(body)))
            for words in opens:
                words.append(pgettext("button", "Open"))
    actions = [
        {"type": "Action.OpenUrl", "title": " / ".join(dict.fromkeys(words)), "url": item.url}
        for item, words in zip(composition.items, opens, strict=True)
    ]
    text = fallback_text(composition)
    return {
        "type": "message",
        "summary": text,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "fallbackText": text,
                    "body": body,
                    "actions": actions[:5],
                },
            }
        ],
    }


def _body_of(composition: Composition, *, separator: bool) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": composition.header,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if separator:
        body[0]["separator"] = True
    for item in composition.items:
        if len(composition.items) > 1:
            body.append({"type": "TextBlock", "text": item.title, "weight": "Bolder", "wrap": True})
        facts = []
        for fact in item_facts(item):
            name, _colon, value = fact.partition(": ")
            facts.append({"title": name, "value": value} if value else {"title": "", "value": name})
        if facts:
            body.append({"type": "FactSet", "facts": facts})
    return body


def post(webhook_url: str, composition: Composition) -> SendResult:
    data = json.dumps(card(composition)).encode()
    request = urllib.request.Request(
        webhook_url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return SendResult(ok=True, http_status=response.status)
    except urllib.error.HTTPError as error:
        retry_after = error.headers.get("Retry-After") if error.headers else None
        permanent = 400 <= error.code < 500 and error.code not in (408, 429)
        return SendResult(
            ok=False,
            http_status=error.code,
            error=f"Teams webhook answered {error.code}",
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            permanent=permanent,
        )
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return SendResult(ok=False, error=f"Could not reach the Teams webhook: {reason}")
