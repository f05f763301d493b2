"""The Slack app (Bolt): the Acknowledge button and the /callouts command.

Built lazily on the first request to /slack/events, so the service starts offline and without
Slack settings. Bolt checks every request's signature and timestamp (replays older than five
minutes and bad signatures get 401) before any listener runs.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask, current_app
from slack_bolt import App
from slack_bolt.request.internals import parse_body
from slack_sdk import WebClient
from sqlalchemy import select

from .access import Permission, can
from .config import Settings
from .db import db, utcnow
from .i18n import N_, _, format_moment, in_language, translate
from .models import ChannelSetting, User
from .rules.alerts import LANGUAGE_BREAK, LANGUAGE_PARTS
from .rules.time import Month, to_london
from .services import Forbidden, NotFound, ServiceError, channels, flag_workflow

REFUSAL = N_(
    "You cannot acknowledge this flag from Slack. Ask an administrator to link your Slack account "
    "to a protocol-monitor account that manages flags for this home."
)
USAGE = N_("Try `/callouts home SC123456`, `/callouts flags` or `/callouts summary [YYYY-MM]`.")


def is_configured(settings: Settings) -> bool:
    return bool(settings.slack_bot_token and settings.slack_signing_secret)


def well_formed(timestamp: str | None, body: str, mimetype: str) -> bool:
    """Whether Bolt can check and read this request: a whole-number timestamp header (Slack's
    signature covers it, and Bolt's check does int() on it) and a body that is a form, a form
    carrying a JSON ``payload``, or a JSON object. Anything else is a 400, never a 500."""
    if timestamp is not None and not (timestamp.isascii() and timestamp.isdigit()):
        return False  # a missing one is Bolt's to refuse (401)
    if mimetype not in ("application/json", "application/x-www-form-urlencoded"):
        return False
    try:
        parsed = parse_body(body, mimetype)
    except ValueError:  # json.JSONDecodeError is a ValueError
        return False
    return isinstance(parsed, dict)


def get(app: Flask) -> App:
    """The Bolt app of this Flask app, built on first use."""
    bolt = app.extensions.get("slack_bolt")
    if bolt is None:
        bolt = build(app.config["SETTINGS"])
        app.extensions["slack_bolt"] = bolt
    return bolt


def build(settings: Settings, flask_app: Flask | None = None) -> App:
    """Make the Bolt app. With ``flask_app`` (Socket Mode) each listener runs in its context."""
    bolt = App(
        signing_secret=settings.slack_signing_secret,
        client=WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
        token_verification_enabled=False,
        process_before_response=True,
    )

    if flask_app is not None:

        @bolt.middleware
        def in_app_context(next):
            with flask_app.app_context():
                next()

    bolt.action("acknowledge_flag")(_acknowledge)
    bolt.action("open_record")(lambda ack: ack())
    bolt.command("/callouts")(_callouts)
    return bolt


def _languages(setting: ChannelSetting | None) -> tuple[str, ...]:
    """The languages a channel is answered in, Welsh first (English when it is not set up)."""
    return LANGUAGE_PARTS.get(setting.language if setting is not None else "en", ("en",))


def in_channel_languages(setting: ChannelSetting | None, make) -> str:
    """``make()`` in each of the channel's languages: Welsh, then English, for both."""
    texts = []
    for code in _languages(setting):
        with in_language(code):
            texts.append(make())
    return LANGUAGE_BREAK.join(texts)


def _linked_user(slack_user_id: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.slack_user_id == slack_user_id, User.active.is_(True))
    )


def _acknowledge(ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    ack()
    slack_user_id = body["user"]["id"]
    channel_id = body["channel"]["id"]
    user = _linked_user(slack_user_id)
    setting = channels.setting_for_slack_channel(channel_id)
    flag, refusal = None, None
    if user is not None and can(user, Permission.MANAGE_FLAGS):
        try:
            flag = flag_workflow.acknowledge(
                user, int(action["value"]), note="Acknowledged in Slack"
            )
        except (NotFound, Forbidden, ValueError):
            flag = None
        except ServiceError as error:  # pressed twice, or by two people: say so, change nothing
            flag, refusal = None, str(error)
    if flag is None:
        # To the one person who pressed: in their language if they are linked, else the channel's.
        if refusal is None and user is not None:
            with in_language(user.language):
                refusal = translate(REFUSAL)
        text = refusal or in_channel_languages(setting, lambda: translate(REFUSAL))
        client.chat_postEphemeral(channel=channel_id, user=slack_user_id, text=text)
        return
    message = body.get("message") or {}
    languages = _languages(setting)
    acknowledged = in_channel_languages(
        setting, lambda: _("Acknowledged by %(name)s", name=str(user))
    )
    client.chat_update(
        channel=channel_id,
        ts=message["ts"],
        text=f"{message.get('text', '')}\n{acknowledged}",
        blocks=acknowledged_blocks(
            message.get("blocks") or [], action["value"], str(user), languages
        ),
    )


def acknowledged_blocks(
    blocks: list[dict[str, Any]],
    flag_value: str,
    who: str,
    languages: tuple[str, ...] = ("en",),
):
    """The posted blocks with the flag's Acknowledge button replaced by who acknowledged it and
    when; a message in both languages has the button twice (Welsh, then English), each replaced
    in its own language."""
    result = copy.deepcopy(blocks)
    found = 0
    for index, block in reversed(list(enumerate(result))):
        if block.get("type") != "actions":
            continue
        elements = block.get("elements", [])
        if any(
            e.get("action_id") == "acknowledge_flag" and e.get("value") == flag_value
            for e in elements
        ):
            block["elements"] = [e for e in elements if e.get("action_id") != "acknowledge_flag"]
            found += 1
            # From the last: the last button is the last language's.
            code = languages[max(len(languages) - found, 0)]
            with in_language(code):
                text = _(
                    "Acknowledged by %(name)s, %(when)s",
                    name=who,
                    when=format_moment(to_london(utcnow())),
                )
            result.insert(
                index, {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
            )
            if found == len(languages):
                break
    return result


def _callouts(ack, command: dict[str, Any]) -> None:
    """Answer in the request itself (the ack carries the answer), in the channel's scope."""
    ack(
        text=answer(command.get("channel_id", ""), command.get("text", "")),
        response_type="ephemeral",
    )


def answer(channel_id: str, text: str) -> str:
    """The answer to ``/callouts``, in the channel's languages (Welsh first, for both)."""
    setting = channels.setting_for_slack_channel(channel_id)
    if setting is None:
        return _("This channel is not set up for protocol-monitor. An administrator can set it up.")
    return in_channel_languages(setting, lambda: _answer(setting, text))


def _answer(setting: ChannelSetting, text: str) -> str:
    settings: Settings = current_app.config["SETTINGS"]
    words = text.split()
    if not words:
        return translate(USAGE)
    verb = words[0].lower()
    if verb == "home" and len(words) == 2:
        return channels.answer_home(setting, words[1], utcnow(), settings.base_url)
    if verb == "flags" and len(words) == 1:
        return channels.answer_flags(setting, settings.base_url)
    if verb == "summary" and len(words) <= 2:
        now = utcnow()
        try:
            # Without a month: the last complete one, the latest a summary exists for.
            month = Month.parse(words[1]) if len(words) == 2 else Month.of(now).previous()
        except ValueError as error:
            return str(error)
        return channels.answer_summary(setting, month, now, settings.base_url)
    return translate(USAGE)
