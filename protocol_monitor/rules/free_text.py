"""Data minimisation at entry: does a free-text value look like it holds personal details?

A pure detector, no Flask and no database. It errs on the side of asking: a person confirms a
false alarm with one tick, while a name saved in a record about a child is hard to take back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..data import word_list
from ..i18n import N_, _, translate

NAME = "name"
DATE_OF_BIRTH = "date_of_birth"
PHONE = "phone"
ADDRESS = "address"
EMAIL = "email"

#: What each kind of finding is called in a message, in the order messages list them (marked
#: for the catalogue, read through ``translate``).
KIND_LABELS = {
    NAME: N_("a name"),
    DATE_OF_BIRTH: N_("a date or date of birth"),
    PHONE: N_("a phone number"),
    ADDRESS: N_("an address or postcode"),
    EMAIL: N_("an email address"),
}
#: The same, last in a list ("… and a phone number"): Welsh mutates the word after "a" (and).
LAST_KIND_LABELS = {
    NAME: N_("and a name"),
    DATE_OF_BIRTH: N_("and a date or date of birth"),
    PHONE: N_("and a phone number"),
    ADDRESS: N_("and an address or postcode"),
    EMAIL: N_("and an email address"),
}

#: The free-text fields checked, as the warning names them (forms.callouts).
IMMEDIATE_RISK = N_("The immediate risk")
INJURIES_DAMAGE = N_("Injuries or damage")
DESCRIPTION = N_("What happened")
CORRECTION_REASON = N_("Why you are correcting it")


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    @property
    def reason(self) -> str:
        return f"{translate(KIND_LABELS[self.kind])} (‘{self.text}’)"


TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lady", "lord", "master",
    "pc", "dc", "ps", "sgt", "insp", "di", "ds", "prof", "rev", "father", "sister", "nurse",
}  # fmt: skip

#: Capitalised words that are not names: sentence openers, days, months, roles, services, places
#: in a home (protocol_monitor/data/common-words.txt). Two capitalised words count as a name only
#: when neither is here.
COMMON_WORDS = word_list("common-words.txt")

_WORD = r"(?:[A-Z]['’][A-Z][a-z]+|[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
_TITLE_NAME = re.compile(
    r"\b(?P<title>"
    + "|".join(sorted(TITLES, key=len, reverse=True))
    + r")\.?\s+(?P<name>"
    + _WORD
    + r")\b",
    re.IGNORECASE,
)
_CALLED = re.compile(r"\b(?:called|named|name is|known as)\s+(?P<name>" + _WORD + r")\b")
_CAPITALISED_PAIR = re.compile(r"(?=\b(" + _WORD + r")\s+(" + _WORD + r")\b)")

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PATTERNS = [
    re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"\.?\s+\d{4}\b", re.I),
    re.compile(r"\b" + _MONTHS + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b", re.I),
]
_DOB_WORDS = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date of birth|birth ?date|born(?:\s+(?:on|in))?|birthday)\b", re.I
)
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s\-]?){8,9}\d(?!\w)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
_STREET_TYPES = (
    r"(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|gardens|gdns"
    r"|place|pl|court|ct|terrace|grove|hill|park|square|sq|mews|walk|row|parade|rise|view)"
)
_HOUSE_NUMBER_STREET = re.compile(
    r"\b(?:flat\s+\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+(?:[A-Za-z][a-z'’]+\s+){1,3}"
    + _STREET_TYPES
    + r"\b\.?",
    re.I,
)
_NAMED_STREET = re.compile(
    r"\b" + _WORD + r"\s+(?:Road|Street|Avenue|Lane|Close|Drive|Crescent|Gardens|Terrace|Mews)\b"
)
_EMAIL = re.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b")


def _name_like(word: str) -> bool:
    return word.lower() not in COMMON_WORDS and word.lower() not in TITLES


def _names(text: str) -> list[str]:
    found: list[str] = []
    for match in _TITLE_NAME.finditer(text):
        title, name = match["title"], match["name"]
        # "Mr smith" is still a name, but "dr" must look like a title: capitalised or "Dr."
        if title[0].isupper() and name[0].isupper() and _name_like(name):
            found.append(match.group(0))
    for match in _CALLED.finditer(text):
        if _name_like(match["name"]):
            found.append(match["name"])
    for match in _CAPITALISED_PAIR.finditer(text):
        first, second = match.group(1), match.group(2)
        if _name_like(first) and _name_like(second):
            pair = f"{first} {second}"
            if not any(pair in f for f in found):
                found.append(pair)
    return found


def findings(text: str | None) -> list[Finding]:
    """Everything in the text that looks like personal details, in a stable order."""
    if not text:
        return []
    result: list[Finding] = []
    emails = [m.group(0) for m in _EMAIL.finditer(text)]
    without_emails = _EMAIL.sub(" ", text)
    result += [Finding(NAME, name) for name in _names(without_emails)]
    for pattern in _DATE_PATTERNS:
        result += [Finding(DATE_OF_BIRTH, m.group(0)) for m in pattern.finditer(text)]
    result += [Finding(DATE_OF_BIRTH, m.group(0)) for m in _DOB_WORDS.finditer(text)]
    result += [Finding(PHONE, m.group(0).strip()) for m in _PHONE.finditer(without_emails)]
    result += [Finding(ADDRESS, m.group(0)) for m in _POSTCODE.finditer(without_emails)]
    result += [
        Finding(ADDRESS, m.group(0).rstrip(".")) for m in _HOUSE_NUMBER_STREET.finditer(text)
    ]
    result += [Finding(ADDRESS, m.group(0)) for m in _NAMED_STREET.finditer(text)]
    result += [Finding(EMAIL, e) for e in emails]
    unique: list[Finding] = []
    for finding in result:
        if finding not in unique:
            unique.append(finding)
    return unique


def kinds(text: str | None) -> list[str]:
    """The kinds of personal detail found, in KIND_LABELS order (e.g. ``["name", "phone"]``)."""
    found = {f.kind for f in findings(text)}
    return [kind for kind in KIND_LABELS if kind in found]


def warning(label: str, text: str | None) -> str | None:
    """The GOV.UK message for one field (``label``, marked with ``N_``), or None when nothing
    looks personal. In the current language."""
    found = findings(text)
    if not found:
        return None
    by_kind: dict[str, list[str]] = {}
    for finding in found:
        by_kind.setdefault(finding.kind, []).append(finding.text)
    found_kinds = [kind for kind in KIND_LABELS if kind in by_kind]
    parts = [f"{translate(KIND_LABELS[kind])} (‘{by_kind[kind][0]}’)" for kind in found_kinds]
    if len(parts) > 1:
        last = found_kinds[-1]
        parts[-1] = f"{translate(LAST_KIND_LABELS[last])} (‘{by_kind[last][0]}’)"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " " + parts[-1]
    return _(
        "%(label)s may contain %(listed)s. Use the child’s reference instead of a name, and "
        "leave out dates of birth, phone numbers and addresses, or confirm that it contains none",
        label=translate(label),
        listed=listed,
    )
