"""GOV.UK Frontend components' own words, in the page's language.

GOV.UK Frontend writes some words itself — "Back", the hidden "Error:" before an error message,
"Warning", "Menu", the character count's messages, the file upload's button — and leaves their
translation to the service. ``with_texts`` adds them, in the current language, to a component's
arguments where the template did not give them; govuk_components calls it for every component
(nested ones too), so no template repeats them. Plural messages carry every plural form the
language has (Welsh: zero, one, two, few, many, other), for GOV.UK Frontend's JavaScript to choose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import Locale
from jinja2 import Undefined

from .i18n import _, current_language, ngettext

#: A number in each plural category, for asking ngettext for that category's form.
_CATEGORY_EXAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 6, "other": 4}


def _plural(message: Callable[[int], str]) -> dict[str, str]:
    """``{"one": …, "other": …}``: ``message(n)`` for every plural category of the language,
    with ``%{count}`` left for GOV.UK Frontend's JavaScript to fill."""
    tags = Locale.parse(current_language()).plural_form.tags | {"other"}
    return {tag: message(_CATEGORY_EXAMPLES[tag]) for tag in sorted(tags)}


def _character_count(params: dict[str, Any]) -> dict[str, Any]:
    words = bool(params.get("maxwords"))
    return {
        "textareaDescriptionText": _("You can enter up to %(count)s words", count="%{count}")
        if words
        else _("You can enter up to %(count)s characters", count="%{count}"),
        "charactersUnderLimitText": _plural(
            lambda n: ngettext(
                "You have %(count)s character remaining",
                "You have %(count)s characters remaining",
                n,
                count="%{count}",
            )
        ),
        "charactersAtLimitText": _("You have 0 characters remaining"),
        "charactersOverLimitText": _plural(
            lambda n: ngettext(
                "You have %(count)s character too many",
                "You have %(count)s characters too many",
                n,
                count="%{count}",
            )
        ),
        "wordsUnderLimitText": _plural(
            lambda n: ngettext(
                "You have %(count)s word remaining",
                "You have %(count)s words remaining",
                n,
                count="%{count}",
            )
        ),
        "wordsAtLimitText": _("You have 0 words remaining"),
        "wordsOverLimitText": _plural(
            lambda n: ngettext(
                "You have %(count)s word too many",
                "You have %(count)s words too many",
                n,
                count="%{count}",
            )
        ),
    }


def _file_upload(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "chooseFilesButtonText": _("Choose file"),
        "noFileChosenText": _("No file chosen"),
        "dropInstructionText": _("or drop file"),
        "multipleFilesChosenText": _plural(
            lambda n: ngettext(
                "%(count)s file chosen", "%(count)s files chosen", n, count="%{count}"
            )
        ),
        "enteredDropZoneText": _("Entered drop zone"),
        "leftDropZoneText": _("Left drop zone"),
    }


_TEXTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "govukBackLink": lambda p: {"text": _("Back")},
    "govukWarningText": lambda p: {"iconFallbackText": _("Warning")},
    "govukErrorMessage": lambda p: {"visuallyHiddenText": _("Error")},
    "govukNotificationBanner": lambda p: {
        "titleText": _("Success") if p.get("type") == "success" else _("Important")
    },
    "govukPagination": lambda p: {"landmarkLabel": _("Pages")},
    "govukServiceNavigation": lambda p: {
        "menuButtonText": _("Menu"),
        "ariaLabel": _("Service information"),
    },
    "govukCharacterCount": _character_count,
    "govukFileUpload": _file_upload,
}


def _missing(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    return value is None or isinstance(value, Undefined)


def with_texts(macro: str, params: Any) -> Any:
    """``params`` with the component's own words added where missing (English pages too: one
    way for both languages)."""
    if not isinstance(params, dict):
        return params
    texts = _TEXTS.get(macro)
    if texts is None:
        return params
    # A nested component gets its parent's argument even when the page gave none (the input's
    # ``errorMessage.visuallyHiddenText``, Undefined): that is not given either.
    added = {
        k: v
        for k, v in texts(params).items()
        if _missing(params, k) and not (k == "text" and params.get("html"))
    }
    return {**params, **added} if added else params
