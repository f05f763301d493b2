"""English left on a page (or in a message, an export, a document) that should be all Welsh.

A Welsh page may hold English only where it is data: names of homes, authorities and forces,
people's names and addresses, references, and what people typed. ``english_left`` reads the texts
a person sees (tests/support/crawl.py's ``visible_text``) after taking out every such value held in
the database (``data_values``), and reports each text still holding a word that is English and
never Welsh ("the", "and", "your", "report"…): a message left unwrapped in the code, or one
missing from the Welsh catalogue, shows up as such words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import String, Text, select

from protocol_monitor.db import db

#: Words that are English and not Welsh: common words of the service's English messages. (Words
#: the two languages share — "a", "i", "o", "am", "at", "is", "can", "beta", "data", "protocol" —
#: are left out, and so are "all" (Welsh: can, "a all fod"), "problem" and "person" (Welsh too:
#: "Mae problem wedi codi", "Person ar goll").)
ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "for",
        "with",
        "this",
        "that",
        "these",
        "those",
        "your",
        "you",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "not",
        "from",
        "by",
        "be",
        "will",
        "been",
        "which",
        "there",
        "their",
        "they",
        "them",
        "when",
        "who",
        "what",
        "how",
        "must",
        "should",
        "would",
        "could",
        "any",
        "each",
        "every",
        "more",
        "than",
        "only",
        "into",
        "about",
        "after",
        "before",
        "please",
        "enter",
        "choose",
        "select",
        "save",
        "continue",
        "cancel",
        "change",
        "delete",
        "remove",
        "add",
        "sign",
        "search",
        "report",
        "reports",
        "month",
        "months",
        "call",
        "calls",
        "flag",
        "flags",
        "review",
        "reviews",
        "action",
        "actions",
        "summary",
        "summaries",
        "record",
        "records",
        "child",
        "children",
        "open",
        "closed",
        "yes",
        "none",
        "other",
        "date",
        "time",
        "page",
        "pages",
        "download",
        "back",
        "next",
        "previous",
        "filed",
        "show",
        "hide",
        "new",
        "edit",
        "view",
        "email",
        "password",
        "account",
        "help",
        "feedback",
        "accessibility",
        "statement",
        "error",
        "warning",
        "success",
        "important",
        "menu",
        "skip",
        "content",
        "main",
        "service",
        "details",
        "submit",
        "confirm",
        "reference",
        "authority",
        "authorities",
        "group",
        "manager",
        "outcome",
        "category",
        "status",
        "rule",
        "raised",
        "acknowledged",
        "resolved",
        "pending",
        "overdue",
        "today",
        "week",
        "year",
        "years",
        "total",
        "number",
        "minutes",
        "hours",
        "days",
        "ago",
        "home",
        "homes",
        "police",
        "none",
        "nothing",
        "yet",
        "already",
        "still",
        "here",
        "also",
        "both",
        "first",
        "last",
        "latest",
        "since",
        "until",
        "between",
        "without",
        "within",
        "across",
        "per",
        "other",
        "another",
        "people",
        "who",
        "whose",
        "where",
        "while",
    ]
)

_WORD = re.compile(r"[A-Za-z]+")
#: An address or a file's path (``https://…/callback``, ``docs/single-sign-on.md``): not words.
_ADDRESS = re.compile(r"\S*/\S*")
_SLUG = re.compile(r"^[a-z0-9_:.\-]*$")


#: Columns whose text the service wrote, in English, to be shown in the reader's language: not
#: data, so a Welsh page showing them as stored is English left.
MADE_BY_THE_SERVICE = frozenset({"flags.explanation"})


def data_values() -> list[str]:
    """Every text value stored in the database that a page may show as it is (names, emails,
    references, free text), longest first. Slugs and single lower-case words are left out: they
    are codes, and taking them out would hide English labels."""
    values: set[str] = set()
    for table in db.Model.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text) or (
                f"{table.name}.{column.name}" in MADE_BY_THE_SERVICE
            ):
                continue
            query = select(column).where(column.is_not(None)).distinct().limit(5000)
            for (value,) in db.session.execute(query):
                text = str(value).strip()
                if len(text) >= 3 and not _SLUG.fullmatch(text):
                    values.add(text)
    return sorted(values, key=len, reverse=True)


def _is_data(text: str, values: Iterable[str]) -> bool:
    stem = text.rstrip("…").rstrip()
    return any(stem and stem in value for value in values) if text.endswith("…") else False


#: English on purpose: the switch's link to the English page, in English (lang="en").
IN_ENGLISH = frozenset({"Change the language to English", "English"})


def english_left(texts: Iterable[str], values: list[str]) -> list[str]:
    """The texts that still hold an English word once the data ``values`` are taken out."""
    texts = [text for text in texts if text not in IN_ENGLISH]
    whole = "\n".join(texts)
    present = [value for value in values if value in whole]
    found = []
    for text in texts:
        rest = text
        for value in present:
            if value in rest:
                rest = rest.replace(value, " ")
        if _is_data(rest.strip(), present or values):
            continue
        words = {w.lower() for w in _WORD.findall(_ADDRESS.sub(" ", rest))}
        if words & ENGLISH:
            found.append(text)
    return found
