"""The service in English and Welsh (Cymraeg): which language a page or a message is in, and the
words, dates and numbers in that language.

Every string a person reads is a gettext message: ``_("…")`` in Python and templates, ``N_("…")``
where a string is only marked (vocabulary labels, read later through ``translate``), ``ngettext``
where a number decides the words (Welsh has six plural forms). The Welsh catalogue is
``protocol_monitor/translations/cy/LC_MESSAGES/messages.po``; docs/development.md says how to add
or correct a translation, docs/welsh-glossary.md which words we use.

A page's language is, in order: the signed-in person's choice (``users.language``), the
``language`` cookie set by the switch before signing in (an essential cookie), else English.
A message sent to a person is in their language; a message to a channel in the channel's
(``in_language``). Outside a request (the scheduler, commands) the language is English unless
``in_language`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, refresh
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _lazy_gettext
from flask_babel import ngettext as _ngettext
from flask_login import current_user

#: The languages of the service, each named in itself (the switch shows "Cymraeg" to a reader of
#: English: it is the name a Welsh speaker looks for).
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
DEFAULT = "en"
#: The essential cookie that remembers the choice before sign-in (docs/security.md lists it).
COOKIE = "language"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"

_ = _gettext
gettext = _gettext
ngettext = _ngettext
#: For strings made at import time (form labels, module constants): read when shown.
_l = _lazy_gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (read with ``translate``)."""
    return message


def translate(message: str) -> str:
    """``message`` (marked with ``N_``) in the current language."""
    return _gettext(message) if message else message


def current_language() -> str:
    """``en`` or ``cy``: the language of the page or message being made."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def language_or_default(code: str | None) -> str:
    return code if code in LANGUAGES else DEFAULT


def select_language() -> str:
    """The request's language: the person's choice, else the cookie, else English."""
    if not has_request_context():
        return DEFAULT
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "language", None)
        if chosen in LANGUAGES:
            return chosen
    return language_or_default(request.cookies.get(COOKIE))


def local_name(name: str, name_cy: str | None) -> str:
    """An organisation's name in the current language: its Welsh name on Welsh pages, if it has
    one."""
    return name_cy if name_cy and current_language() == "cy" else name


@contextmanager
def in_language(code: str | None) -> Iterator[str]:
    """Make a message in ``code`` (a person's or a channel's language), whatever the page's."""
    code = language_or_default(code)
    with force_locale(code):
        yield code


# Dates, months and numbers in the current language (Europe/London times come in already local).


def format_day(day: date | None, *, short: bool = False) -> str:
    """27 October 2026 / 27 Hydref 2026 (``short``: 27 Oct 2026 / 27 Hyd 2026)."""
    if day is None:
        return ""
    return babel_dates.format_date(
        day, "d MMM y" if short else "d MMMM y", locale=current_language()
    )


def format_time(moment: datetime, *, seconds: bool = False) -> str:
    """14:05 (``seconds``: 14:05:09): the 24-hour clock, as the service has always written."""
    return babel_dates.format_time(
        moment, "HH:mm:ss" if seconds else "HH:mm", locale=current_language()
    )


def format_moment(moment: datetime | None, *, short: bool = True, seconds: bool = False) -> str:
    """A local moment: 27 Oct 2026 14:05 (``short``) or 27 October 2026 at 14:05."""
    if moment is None:
        return ""
    day = format_day(moment.date(), short=short)
    time = format_time(moment, seconds=seconds)
    if short:
        return f"{day} {time}"
    return _("%(day)s at %(time)s", day=day, time=time)


def format_month(first_day: date, *, short: bool = False) -> str:
    """October 2026 / Hydref 2026 (``short``: Oct 2026 / Hyd 2026)."""
    return babel_dates.format_date(
        first_day, "LLL y" if short else "LLLL y", locale=current_language()
    )


def month_name(month: int) -> str:
    """January / Ionawr."""
    return babel_dates.format_date(date(2000, month, 1), "LLLL", locale=current_language())


def format_number(value: int | float) -> str:
    """1,234 / 1,234 (Welsh groups digits as English does); 12.5 with one decimal at most."""
    return babel_numbers.format_decimal(value, format="#,##0.#", locale=current_language())


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_language, default_locale=DEFAULT)
    # Flask-Babel keeps the language it chose on ``g``; a request inside an app context that
    # outlives it (the tests', a command's) must choose again, and so must what runs after it.
    app.before_request(refresh)
    app.teardown_request(lambda _error: refresh())
    app.jinja_env.globals.update(current_language=current_language, languages=LANGUAGES, N_=N_)
    app.jinja_env.filters.update(translate=translate, number=format_number)
