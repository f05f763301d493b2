"""What a person typed into "Find a call-out", read as a reference (issue 14).

One box takes a child reference, a police reference or a call-out number. References are stored
in capitals without surrounding spaces (forms.base.upper, the imports), so the text is read the
same way; a call-out number may be written "1234", "#1234" or "call-out 1234". Pure: the service
(services/find.py) looks the reference up within the reader's scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import _

#: The longest reference stored (a child or police reference is at most 40 characters).
MAX_LENGTH = 40
#: The largest call-out number a database integer holds.
MAX_NUMBER = 2_147_483_647

_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9\-/_.]*$")
_NUMBER = re.compile(r"^(?:#|CALL-?OUT\s*(?:NUMBER\s*)?#?\s*)?(\d{1,12})$")


class NotAReference(ValueError):
    """What was typed cannot be a reference: the message says what to type instead."""


@dataclass(frozen=True)
class Wanted:
    """A reference to look for: ``text`` as child or police reference, ``number`` as a call-out
    number (when the text is one)."""

    text: str
    number: int | None


def read(typed: str | None) -> Wanted:
    """The reference in what was typed, or NotAReference saying what is wrong."""
    text = " ".join((typed or "").split()).upper()
    if not text:
        raise NotAReference(_("Enter a child reference, police reference or call-out number"))
    if len(text) > MAX_LENGTH:
        raise NotAReference(_("Reference must be %(limit)s characters or fewer", limit=MAX_LENGTH))
    number_match = _NUMBER.match(text)
    number = int(number_match[1]) if number_match else None
    if number is not None and not 0 < number <= MAX_NUMBER:
        number = None
    if number_match and not text.isdigit():
        # "#12" or "call-out 12": a call-out number only.
        if number is None:
            raise NotAReference(_("There is no call-out with that number"))
        return Wanted(text=str(number), number=number)
    if not _REFERENCE.match(text):
        raise NotAReference(
            _(
                "Enter a reference using only letters, numbers, hyphens, slashes, dots or "
                "underscores, like LCS-104233"
            )
        )
    return Wanted(text=text, number=number)
