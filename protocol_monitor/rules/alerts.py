"""Pure rules of alert delivery: backoff, grouping, and the channel-neutral composition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600


def next_delay(attempt_count: int, retry_after: float | None = None) -> timedelta:
    """How long to wait after the given number of failed attempts (1, 2, ...).

    Exponential (30 s, 1 min, 2 min, ... up to an hour), unless the service said when to come
    back (Slack's ``Retry-After`` on 429), which is honoured as given.
    """
    if retry_after is not None and retry_after > 0:
        return timedelta(seconds=retry_after)
    exponent = max(attempt_count - 1, 0)
    return timedelta(seconds=min(BASE_DELAY_SECONDS * 2**exponent, MAX_DELAY_SECONDS))


def within_window(first: datetime, other: datetime, minutes: int) -> bool:
    """Two alerts on the same home this close together go out as one message."""
    return abs(other - first) <= timedelta(minutes=minutes)


@dataclass(frozen=True)
class Item:
    """One message inside a composition (a grouped Slack post may hold several)."""

    title: str
    lines: list[str]
    url: str
    flag_id: int | None = None
    child_reference: str | None = None


@dataclass(frozen=True)
class Composition:
    """What a destination receives, before it is rendered as Slack blocks, a card or an email."""

    header: str
    items: list[Item]
    mention: str | None = None  # a Slack user id
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.items[0].url


def compose(
    messages: list[dict[str, Any]],
    base_url: str,
    *,
    allow_child_reference: bool,
    mention: str | None = None,
) -> Composition:
    """Build a composition from outbox messages given as dicts.

    Each dict has ``payload``, ``restricted``, ``record_type`` and ``record_id``. The child
    reference is included only when the destination is allowed to see it.
    """
    items = []
    for message in messages:
        payload = message["payload"]
        reference = (message.get("restricted") or {}).get("child_reference")
        items.append(
            Item(
                title=str(payload.get("title", "")),
                lines=[str(line) for line in payload.get("lines", [])],
                url=base_url.rstrip("/") + str(payload.get("link_path", "/")),
                flag_id=message.get("record_id") if message.get("record_type") == "flag" else None,
                child_reference=reference if allow_child_reference and reference else None,
            )
        )
    header = items[0].title if len(items) == 1 else f"{len(items)} alerts: {items[0].title}"
    extra = {k: v for k, v in messages[0]["payload"].items() if k in ("html", "text")}
    return Composition(header=header, items=items, mention=mention, extra=extra)


def item_facts(item: Item) -> list[str]:
    facts = list(item.lines)
    if item.child_reference:
        facts.append(f"Child reference: {item.child_reference}")
    return facts


def plain_text(composition: Composition) -> str:
    """The plain-text form: Slack's ``text`` fallback and the email's text part."""
    parts = [composition.header]
    for item in composition.items:
        if len(composition.items) > 1:
            parts.append("")
            parts.append(item.title)
        parts.extend(f"- {fact}" for fact in item_facts(item))
        parts.append(f"Open: {item.url}")
    return "\n".join(parts)
