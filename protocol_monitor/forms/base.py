"""What every form shares: the GOV.UK error summary, adding an error to a field, the filters and
the small parsers of what people type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from flask import g, has_request_context, request
from flask_wtf import FlaskForm
from wtforms import Field

from ..i18n import _, _l
from ..rules.time import Month
from ..services import ServiceError

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]

#: The largest id a database integer column holds (PostgreSQL INTEGER; SQLite refuses > 2**63).
MAX_RECORD_ID = 2_147_483_647


def strip(value: Any) -> Any:
    """Filter: text without surrounding white space."""
    return value.strip() if isinstance(value, str) else value


def upper(value: Any) -> Any:
    """Filter: text without surrounding white space, in capitals (references and codes)."""
    return value.strip().upper() if isinstance(value, str) else value


def add_error(field: Field, message: str) -> None:
    """Show ``message`` on ``field`` after those it already has (a fresh field's are a tuple)."""
    field.errors = [*field.errors, message]


class GovForm(FlaskForm):
    """A form whose errors render as a GOV.UK error summary linked to each field's first input.

    On the page of a form held after its author's session ended (views.saved_forms), the first
    form built fills itself from what was held (``restored``), not from the record."""

    #: Fields whose first input has an id other than the field's own (date inputs).
    anchors: dict[str, str] = {}

    def __init__(self, *args: Any, typed: Any = None, **kwargs: Any) -> None:
        """``typed``: what the person typed before (a draft's fields), to fill the form with."""
        if typed is None and has_request_context() and request.method == "GET" and not args:
            typed = g.pop("restored_formdata", None)
        if typed is not None and "formdata" not in kwargs:
            kwargs["formdata"] = typed
        super().__init__(*args, **kwargs)
        self.restored = typed is not None

    def is_fresh(self) -> bool:
        """Nothing typed yet (a GET, not a form given back or a draft): fill it from the
        record."""
        return not self.is_submitted() and not self.restored

    def error_list(self) -> list[dict[str, str]]:
        items = []
        for name, messages in self.errors.items():
            if not messages:
                continue
            message = messages[0] if isinstance(messages, list) else str(messages)
            anchor = self.anchors.get(name, name)
            items.append({"text": message, "href": f"#{anchor}"})
        return items

    def add_service_error(self, error: ServiceError, default: str) -> None:
        """Show a service's refusal on the field it names, else on ``default``."""
        name = error.field if error.field in self._fields else default
        add_error(self[name], str(error))


class _Home(Protocol):
    id: int
    name: str
    urn: str


class FilterForm(GovForm):
    """The filters above a list: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    def set_homes(self, homes: Iterable[_Home]) -> None:
        """The ``home`` filter's choices: every home in the list, or all of them."""
        self["home"].choices = [("", _("All homes"))] + [(str(h.id), h.name) for h in homes]

    def checked_month(self) -> str | None:
        """The ``month`` filter as YYYY-MM, or None when blank or not a month (then an error
        is shown on the field)."""
        value = (self["month"].data or "").strip()
        if not value:
            return None
        try:
            return str(Month.parse(value))
        except ValueError:
            add_error(self["month"], _("Enter the month as YYYY-MM, like 2026-04"))
            return None


def record_id(value: Any) -> int:
    """A record id or page number typed or sent by a person: ASCII digits that fit the database,
    or ValueError. Use as ``request.args.get("home", type=record_id)`` (ValueError → default)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_RECORD_ID:
        raise ValueError(f"not a record id: {text[:20]!r}")
    return int(text)


@dataclass(frozen=True)
class DateMessages:
    """A date's error messages, each a whole sentence naming the date (GOV.UK's "… must include
    a month", "… must be a real date"), made with ``_l`` where the form is defined: Welsh word
    order and mutations differ, so no message is built from pieces."""

    day: str
    month: str
    year: str
    day_and_month: str
    day_and_year: str
    month_and_year: str
    real: str

    def missing(self, parts: tuple[str, ...]) -> str:
        return str(getattr(self, "_and_".join(parts)))


def date_from_parts(
    day: str | None, month: str | None, year: str | None, messages: DateMessages
) -> date | None:
    """The date typed in a GOV.UK date input's three boxes, or None when all are blank.
    Raises ValueError with the date's message (``messages``) for what is wrong."""
    parts = [(p or "").strip() for p in (day, month, year)]
    if not any(parts):
        return None
    missing = tuple(
        name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
    )
    if missing:
        raise ValueError(messages.missing(missing))
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts) or len(parts[2]) != 4:
        raise ValueError(str(messages.real))
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise ValueError(str(messages.real)) from None


def yes_no_to_bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def bool_to_yes_no(value: bool | None) -> str | None:
    return {True: "yes", False: "no"}.get(value)  # type: ignore[arg-type]


class _Coded(Protocol):
    code: str
    name: str


def code_choices(items: Iterable[_Coded], blank: str | None = None) -> list[tuple[str, str]]:
    """Choices of authorities or police forces by code, labelled "Name (code)"; ``blank`` first
    when the field may be left empty."""
    choices = [("", blank)] if blank is not None else []
    return choices + [
        (item.code, f"{getattr(item, 'local_name', item.name)} ({item.code})") for item in items
    ]


def home_choices(homes: Iterable[_Home], blank: str) -> list[tuple[str, str]]:
    """Choices of homes by id, labelled "Name (URN)", after the ``blank`` choice."""
    return [("", blank)] + [(str(h.id), f"{h.name} ({h.urn})") for h in homes]
