"""Slack: Block Kit messages through the real slack_sdk WebClient."""

from __future__ import annotations

import http.client
import socket
from datetime import datetime
from typing import Any
from urllib.error import URLError

from flask_babel import pgettext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from ..config import Settings
from ..i18n import N_, _, in_language
from ..rules.alerts import Composition, item_facts, plain_text
from . import NotConfigured, SendResult

METADATA_EVENT = "protocol_monitor_delivery"


def client(settings: Settings, *, resend_on_connection_error: bool = True) -> WebClient:
    """A Web API client. slack_sdk's default retry handler repeats a request whose connection
    failed — harmless for a read, a second message for a post that Slack had already taken — so a
    post is made with ``resend_on_connection_error=False`` (no retry handlers at all): only the
    relay sends again, after it has looked in the channel's history."""
    if not settings.slack_bot_token:
        raise NotConfigured(N_("Slack is not configured: SLACK_BOT_TOKEN is not set"))
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=None if resend_on_connection_error else [],
    )


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(composition: Composition, acknowledged_by: str | None = None) -> list[dict[str, Any]]:
    """Header, a facts section per item, context (link, mention) and Acknowledge/Open buttons;
    in a channel of both languages, the Welsh blocks, a divider, then the English."""
    result: list[dict[str, Any]] = []
    for part in composition.parts():
        if result:
            result.append({"type": "divider"})
        with in_language(part.language):
            result.extend(_blocks_of(part, acknowledged_by))
    return result


def _blocks_of(composition: Composition, acknowledged_by: str | None) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": composition.header[:150]}}
    ]
    for item in composition.items:
        if len(composition.items) > 1:
            result.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_mrkdwn(item.title)}*"}}
            )
        facts = item_facts(item)
        if facts:
            result.append(
                {
                    "type": "section",
                    "fields": [{"type": "mrkdwn", "text": _mrkdwn(f)[:2000]} for f in facts[:10]],
                }
            )
        context = [f"<{item.url}|{_mrkdwn(_('View the record'))}>"]
        if composition.mention:
            # Our own words (no < > &) around Slack's mention syntax.
            context.append(_("Allocated officer: %(officer)s", officer=f"<@{composition.mention}>"))
        if acknowledged_by:
            context.append(_mrkdwn(_("Acknowledged by %(name)s", name=acknowledged_by)))
        result.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]}
        )
        buttons: list[dict[str, Any]] = []
        if item.flag_id is not None and not acknowledged_by:
            buttons.append(
                {
                    "type": "button",
                    "action_id": "acknowledge_flag",
                    "text": {"type": "plain_text", "text": _("Acknowledge")},
                    "style": "primary",
                    "value": str(item.flag_id),
                }
            )
        buttons.append(
            {
                "type": "button",
                "action_id": "open_record",
                "text": {"type": "plain_text", "text": pgettext("button", "Open")},
                "url": item.url,
            }
        )
        result.append({"type": "actions", "elements": buttons})
    return result


def fallback_text(composition: Composition) -> str:
    text = plain_text(composition)
    if composition.mention:
        with in_language(composition.language):
            officer = _("Allocated officer: %(officer)s", officer=f"<@{composition.mention}>")
        text += f"\n{officer}"
    return text


def _unconfirmed(reason: str, http_status: int | None = None) -> SendResult:
    return SendResult(
        ok=False,
        http_status=http_status,
        unconfirmed=True,
        error=f"Slack's answer was lost ({reason}): it may have been posted, so the channel's "
        "history is checked before it is sent again",
    )


def _never_sent(error: OSError) -> bool:
    """Whether the connection failed before the request went out (refused, or no such host):
    only then is it certain that Slack did not take the post."""
    reason = getattr(error, "reason", None)
    return isinstance(error, URLError) and isinstance(
        reason, ConnectionRefusedError | socket.gaierror
    )


def _failure(error: SlackClientError) -> SendResult:
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", None)
        headers = {k.lower(): v for k, v in (getattr(response, "headers", {}) or {}).items()}
        retry_after = headers.get("retry-after")
        if isinstance(retry_after, list):
            retry_after = retry_after[0]
        code = (response.data or {}).get("error") if isinstance(response.data, dict) else None
        if code is None and status is not None and status >= 500:
            # Not Slack's own answer (a proxy's 502 or 504): the post may have gone through.
            return _unconfirmed(f"HTTP {status} without Slack's answer", status)
        permanent = code in {
            "channel_not_found",
            "not_in_channel",
            "is_archived",
            "invalid_auth",
            "account_inactive",
            "invalid_blocks",
        }
        return SendResult(
            ok=False,
            http_status=status,
            error=f"Slack said: {code or 'error'}",
            retry_after=float(retry_after) if retry_after else None,
            permanent=permanent,
        )
    return SendResult(ok=False, error=f"Could not reach Slack: {type(error).__name__}: {error}")


def post(settings: Settings, channel: str, composition: Composition, key: str) -> SendResult:
    """Post once; the idempotency key travels as message metadata so a resend can be checked.

    A failure after the request may have reached Slack (the connection reset or timed out while
    waiting for the answer) is *unconfirmed*: the relay checks the channel before sending again.
    """
    web = client(settings, resend_on_connection_error=False)
    try:
        response = web.chat_postMessage(
            channel=channel,
            text=fallback_text(composition),
            blocks=blocks(composition),
            unfurl_links=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}},
        )
    except SlackClientError as error:
        return _failure(error)
    except OSError as error:
        if _never_sent(error):
            return SendResult(ok=False, error=f"Could not reach Slack: {error}")
        return _unconfirmed(f"{type(error).__name__}: {error}")
    except http.client.HTTPException as error:  # a broken answer: it may have been posted
        return _unconfirmed(type(error).__name__)
    return SendResult(
        ok=True,
        http_status=response.status_code,
        external_id=response.get("ts"),
        external_channel=response.get("channel"),
    )


#: How far back the history check reads: pages of 200 messages since the first attempt.
HISTORY_PAGES = 10


class HistoryTooLong(Exception):
    """More messages since the send than the history check reads: nobody can tell."""


def find_posted(settings: Settings, channel: str, key: str, since: datetime) -> str | None:
    """The ts of a message already posted with this key since the given time, if any.

    Reads the channel's history page by page (newest first). Raises SlackClientError when the
    history cannot be read, and HistoryTooLong when it holds more than ``HISTORY_PAGES`` pages
    since then (in both cases nobody can tell).
    """
    web = client(settings)
    cursor = None
    for _page in range(HISTORY_PAGES):
        response = web.conversations_history(
            channel=channel,
            oldest=f"{since.timestamp() - 60:.6f}",
            include_all_metadata=True,
            limit=200,
            cursor=cursor,
        )
        for message in response.get("messages", []):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and (
                (metadata.get("event_payload") or {}).get("key") == key
            ):
                return message.get("ts")
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not response.get("has_more") or not cursor:
            return None
    raise HistoryTooLong(f"more than {HISTORY_PAGES * 200} messages since it was sent")
