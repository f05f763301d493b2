"""Putting messages in the outbox. Callers are other services, inside their own transaction.

A message is kept in both of the service's languages, whatever the language of the page that
caused it: give ``enqueue`` (or ``bilingual``) a function that builds the notice, and it is
built once in English (the payload) and once in Welsh (``payload["cy"]``: the title, the lines
and any other words that differ). Each destination then reads its own language when it is sent
(rules.alerts.localised): a channel's (en, cy or both), a person's (``users.language``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import LazyString
from sqlalchemy import select

from ..db import db
from ..i18n import in_language
from ..models import OutboxMessage

#: The languages a message is kept in besides English (the payload's own words).
OTHER_LANGUAGES = ("cy",)


@dataclass(frozen=True)
class Notice:
    """A channel-neutral message. Never put a child's name or free text in it."""

    kind: str  # flag_alert | action_reminder | digest | home_* and action_* (home_notices)
    key: str  # idempotency key: the same key is enqueued once, ever
    title: str
    lines: list[str]
    link_path: str  # e.g. /flags/12; the relay prefixes BASE_URL
    home_id: int | None = None
    record_type: str | None = None
    record_id: int | None = None
    restricted: dict[str, Any] = field(default_factory=dict)  # e.g. {"child_reference": ...}
    extra: dict[str, Any] = field(default_factory=dict)
    #: The words in each other language: {"cy": {"title": ..., "lines": [...], ...}}.
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)


NoticeOrBuilder = Notice | Callable[[], Notice]


def later(function: Callable[..., Any], *args: Any, **kwargs: Any) -> LazyString:
    """A value made when a notice's words are made in each language (a date, a month, a label),
    for the lines a notice is given ready-made: ``_l("… %(day)s", day=later(format_day, d))``."""
    return LazyString(function, *args, **kwargs)


def _words(notice: Notice) -> Notice:
    """The notice with its words made text now (lazy strings read in the current language)."""
    return replace(notice, title=str(notice.title), lines=[str(line) for line in notice.lines])


def bilingual(build: NoticeOrBuilder) -> Notice:
    """The notice built in English, carrying its words in Welsh. A notice already built (not a
    function) is kept as it is."""
    if isinstance(build, Notice):
        return build
    with in_language("en"):
        english = _words(build())
    translations = {}
    for code in OTHER_LANGUAGES:
        with in_language(code):
            other = _words(build())
        translations[code] = {
            "title": other.title,
            "lines": other.lines,
            **{k: v for k, v in other.extra.items() if english.extra.get(k) != v},
        }
    return replace(english, translations=translations)


def enqueue(notice: NoticeOrBuilder) -> OutboxMessage:
    """Add the notice to the caller's transaction, once per idempotency key. Give a function
    that builds the notice to have it in each language (``bilingual``)."""
    notice = bilingual(notice)
    existing = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == notice.key)
    )
    if existing is not None:
        return existing
    message = OutboxMessage(**message_values(notice))
    db.session.add(message)
    return message


def message_values(notice: NoticeOrBuilder) -> dict[str, Any]:
    """The outbox row of a notice (services.bulk_filing inserts many at once)."""
    notice = bilingual(notice)
    return {
        "kind": notice.kind,
        "idempotency_key": notice.key,
        "payload": {
            "title": notice.title,
            "lines": list(notice.lines),
            "link_path": notice.link_path,
            **notice.extra,
            **notice.translations,
        },
        "restricted": dict(notice.restricted),
        "home_id": notice.home_id,
        "record_type": notice.record_type,
        "record_id": notice.record_id,
    }
