"""Pure rules of alert delivery: backoff, grouping, and the channel-neutral composition.

A composition is in one language (``en`` or ``cy``); a channel set to both languages gets the
Welsh composition with the English one as its ``then``, rendered after it in the same message
(Welsh first, as Welsh public bodies write). An outbox message holds its words in English, and
in Welsh under ``payload["cy"]`` (services.outbox), so each destination reads its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..i18n import _, in_language, ngettext

#: The languages a channel's messages can be in (vocab.ChannelLanguage): each is one or two
#: of the service's languages, Welsh first.
LANGUAGE_PARTS: dict[str, tuple[str, ...]] = {"en": ("en",), "cy": ("cy",), "both": ("cy", "en")}

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
    language: str = "en"
    #: The same message in the channel's other language, rendered after this one (``both``).
    then: Composition | None = None

    @property
    def url(self) -> str:
        return self.items[0].url

    def parts(self) -> Iterator[Composition]:
        """This composition, then the one in the other language if there is one; each is
        rendered inside ``in_language(part.language)``."""
        part: Composition | None = self
        while part is not None:
            yield part
            part = part.then


def localised(payload: dict[str, Any], language: str) -> dict[str, Any]:
    """A message's payload in ``language``: its Welsh words (``payload["cy"]``) over the
    English, where it has them."""
    words = payload.get(language) if language != "en" else None
    if isinstance(words, dict):
        return {**payload, **words}
    return payload


def compose(
    messages: list[dict[str, Any]],
    base_url: str,
    *,
    allow_child_reference: bool,
    mention: str | None = None,
    language: str = "en",
) -> Composition:
    """Build a composition from outbox messages given as dicts, in ``language`` (en, cy, or
    both: Welsh, then English).

    Each dict has ``payload``, ``restricted``, ``record_type`` and ``record_id``. The child
    reference is included only when the destination is allowed to see it.
    """
    parts = LANGUAGE_PARTS.get(language, ("en",))
    then = None
    for code in reversed(parts):
        then = _compose_in(messages, base_url, allow_child_reference, mention, code, then)
    assert then is not None
    return then


def _compose_in(
    messages: list[dict[str, Any]],
    base_url: str,
    allow_child_reference: bool,
    mention: str | None,
    language: str,
    then: Composition | None,
) -> Composition:
    items = []
    for message in messages:
        payload = localised(message["payload"], language)
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
    with in_language(language):
        if len(items) == 1:
            header = items[0].title
        else:
            header = ngettext(
                "%(num)d alert: %(title)s", "%(num)d alerts: %(title)s", len(items),
                title=items[0].title,
            )  # fmt: skip
    payload = localised(messages[0]["payload"], language)
    extra = {k: v for k, v in payload.items() if k in ("html", "text")}
    return Composition(
        header=header, items=items, mention=mention, extra=extra, language=language, then=then
    )


def item_facts(item: Item) -> list[str]:
    """The item's facts, in the language being rendered (``in_language``)."""
    facts = list(item.lines)
    if item.child_reference:
        facts.append(_("Child reference: %(reference)s", reference=item.child_reference))
    return facts


#: Between the Welsh and the English of one message, in plain text.
LANGUAGE_BREAK = "\n\n---\n\n"


def plain_text(composition: Composition, *, own_text: bool = False) -> str:
    """The plain-text form: Slack's ``text`` fallback and the email's text part (each language
    of the composition in turn, Welsh first). ``own_text``: a message's own text (a digest's)
    where it has one."""
    texts = []
    for part in composition.parts():
        with in_language(part.language):
            own = part.extra.get("text") if own_text else None
            texts.append(str(own or _plain_text_of(part)))
    return LANGUAGE_BREAK.join(texts)


def _plain_text_of(composition: Composition) -> str:
    parts = [composition.header]
    for item in composition.items:
        if len(composition.items) > 1:
            parts.append("")
            parts.append(item.title)
        parts.extend(f"- {fact}" for fact in item_facts(item))
        parts.append(_("Open: %(url)s", url=item.url))
    return "\n".join(parts)
