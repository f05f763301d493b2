"""The remembered components (protocol_monitor.govuk_components) give exactly govuk-frontend-jinja's
markup, component by component, for the arguments the templates pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from protocol_monitor import govuk_components, govuk_texts
from protocol_monitor.config import PROJECT_ROOT

ERROR = {"text": "Enter the time, like 21:30"}
HINT = {"text": "For example, 21:30"}
LEGEND = {"legend": {"text": "Did the police attend?", "classes": "govuk-fieldset__legend--m"}}
ITEMS = [
    {"value": "yes", "text": "Yes", "checked": True},
    {"value": "no", "text": "No", "checked": False},
    {"value": "", "text": "Not known", "checked": False},
]

#: (component folder, macro, arguments): every component the templates import, in the shapes
#: they pass (with and without hints and errors, html and text).
CASES = [
    ("back-link", "govukBackLink", {"href": "/callouts/"}),
    ("back-link", "govukBackLink", {"href": "/x", "text": "Back to call-out 4"}),
    ("button", "govukButton", {"text": "File call-out"}),
    ("button", "govukButton", {"text": "File a call-out", "href": "/callouts/new"}),
    (
        "button",
        "govukButton",
        {"text": "Apply filters", "classes": "govuk-button--secondary", "preventDoubleClick": True},
    ),
    (
        "character-count",
        "govukCharacterCount",
        {
            "label": {"text": "What happened"},
            "id": "d",
            "name": "d",
            "rows": 5,
            "value": "<b>",
            "maxlength": 2000,
            "errorMessage": ERROR,
        },
    ),
    (
        "checkboxes",
        "govukCheckboxes",
        {
            "idPrefix": "deescalation",
            "name": "deescalation",
            "fieldset": LEGEND,
            "hint": HINT,
            "items": [
                {"value": "verbal", "text": "Talking", "checked": True},
                {"divider": "or"},
                {"value": "none", "text": "None", "checked": False, "behaviour": "exclusive"},
            ],
            "errorMessage": None,
        },
    ),
    (
        "checkboxes",
        "govukCheckboxes",
        {
            "idPrefix": "c",
            "name": "c",
            "fieldset": LEGEND,
            "items": ITEMS[:2],
            "errorMessage": ERROR,
        },
    ),
    (
        "date-input",
        "govukDateInput",
        {
            "id": "occurred_on",
            "fieldset": LEGEND,
            "hint": HINT,
            "errorMessage": ERROR,
            "items": [
                {
                    "id": "d-day",
                    "name": "day",
                    "label": "Day",
                    "classes": "govuk-input--width-2 govuk-input--error",
                    "value": "31",
                },
                {
                    "id": "d-year",
                    "name": "year",
                    "label": "Year",
                    "classes": "govuk-input--width-4",
                    "value": "",
                },
            ],
        },
    ),
    ("details", "govukDetails", {"summaryText": "Help", "text": "Some help"}),
    ("details", "govukDetails", {"summaryText": "Help", "html": Markup("<p>Help</p>")}),
    (
        "error-summary",
        "govukErrorSummary",
        {
            "titleText": "There is a problem",
            "errorList": [{"text": "Enter a date", "href": "#occurred_on"}, {"text": "No link"}],
        },
    ),
    (
        "fieldset",
        "govukFieldset",
        {"legend": {"text": "Action 1", "classes": "govuk-fieldset__legend--s"}},
    ),
    (
        "file-upload",
        "govukFileUpload",
        {
            "id": "file",
            "name": "file",
            "label": {"text": "CSV file"},
            "hint": HINT,
            "errorMessage": ERROR,
            "attributes": {"accept": ".csv"},
        },
    ),
    ("generic-header", "govukGenericHeader", {"url": "/", "logoText": "Protocol monitor"}),
    (
        "input",
        "govukInput",
        {
            "label": {"text": "Time", "classes": ""},
            "hint": HINT,
            "id": "t",
            "name": "t",
            "type": "text",
            "value": "21:30",
            "classes": "govuk-input--width-5",
            "autocomplete": None,
            "spellcheck": False,
            "errorMessage": ERROR,
        },
    ),
    (
        "input",
        "govukInput",
        {
            "label": {"text": "Password", "classes": "govuk-label--m"},
            "hint": None,
            "id": "p",
            "name": "p",
            "type": "password",
            "value": "",
            "classes": "",
            "autocomplete": "current-password",
            "spellcheck": None,
            "errorMessage": None,
        },
    ),
    ("inset-text", "govukInsetText", {"text": "Matched to police record 12"}),
    ("inset-text", "govukInsetText", {"html": Markup("<p class='govuk-body'>x &amp; y</p>")}),
    ("notification-banner", "govukNotificationBanner", {"type": "success", "text": "Filed"}),
    ("notification-banner", "govukNotificationBanner", {"text": "You were signed out <now>"}),
    (
        "pagination",
        "govukPagination",
        {
            "previous": {"href": "?page=1"},
            "next": None,
            "items": [
                {"number": 1, "href": "?page=1", "current": False},
                {"ellipsis": True},
                {"number": 5, "href": "?page=5", "current": True},
            ],
        },
    ),
    ("panel", "govukPanel", {"titleText": "Import complete", "text": "12 rows stored"}),
    ("phase-banner", "govukPhaseBanner", {"tag": {"text": "Beta"}, "text": "Pseudonymous only"}),
    (
        "radios",
        "govukRadios",
        {
            "idPrefix": "r",
            "name": "r",
            "classes": "govuk-radios--inline",
            "fieldset": LEGEND,
            "hint": None,
            "items": ITEMS,
            "errorMessage": None,
        },
    ),
    (
        "radios",
        "govukRadios",
        {
            "idPrefix": "r",
            "name": "r",
            "classes": "",
            "fieldset": LEGEND,
            "hint": HINT,
            "items": [dict(ITEMS[0], conditional={"html": Markup('<input id="why">')}), ITEMS[1]],
            "errorMessage": ERROR,
        },
    ),
    (
        "select",
        "govukSelect",
        {
            "id": "home",
            "name": "home",
            "label": {"text": "Home", "classes": "govuk-label--s"},
            "hint": None,
            "classes": "govuk-!-width-full",
            "errorMessage": None,
            "items": [
                {"value": "", "text": "Select a home", "selected": False},
                {"value": 3, "text": "Stour Lodge", "selected": True},
            ],
        },
    ),
    (
        "service-navigation",
        "govukServiceNavigation",
        {
            "navigation": [
                {"text": "Call-outs", "href": "/callouts/", "active": True},
                {"text": "Flags", "href": "/flags/", "active": False},
            ]
        },
    ),
    (
        "summary-list",
        "govukSummaryList",
        {
            "rows": [
                {"key": {"text": "Home"}, "value": {"text": "Stour Lodge"}},
                {
                    "key": {"text": "Outcome"},
                    "value": {"html": Markup("<b>NFA</b>")},
                    "actions": {
                        "items": [{"href": "/e", "text": "Change", "visuallyHiddenText": "outcome"}]
                    },
                },
            ]
        },
    ),
    ("tag", "govukTag", {"text": "Excluded", "classes": "govuk-tag--grey"}),
    (
        "textarea",
        "govukTextarea",
        {
            "label": {"text": "Note", "classes": "govuk-label--s"},
            "hint": None,
            "id": "n",
            "name": "n",
            "rows": 3,
            "value": "a\nb",
            "errorMessage": ERROR,
        },
    ),
    ("warning-text", "govukWarningText", {"text": "Overdue"}),
    # The page template's own components.
    ("skip-link", "govukSkipLink", {"href": "#main-content", "text": "Skip to main content"}),
    ("footer", "govukFooter", {}),
]

CALL = '{{% from "govuk_frontend_jinja/components/{0}/macro.html" import {1} %}}{{{{ {1}(p) }}}}'


def _environment(loader) -> Environment:
    # As the app's: Flask escapes .html templates; trim and lstrip blocks.
    return Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


@pytest.fixture(scope="module")
def environments() -> tuple[Environment, Environment, govuk_components.ComponentCache]:
    plain = _environment(
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
    )
    remembered = _environment(govuk_components.ComponentLoader())
    cache = govuk_components.init_app(remembered)
    return plain, remembered, cache


@pytest.mark.parametrize(("folder", "macro", "params"), CASES, ids=[c[0] for c in CASES])
def test_each_component_renders_as_govuk_frontend_jinja_does(environments, folder, macro, params):
    plain, remembered, cache = environments
    source = CALL.format(folder, macro)
    # The cache adds the component's own words (govuk_texts) where a page did not give them.
    expected = plain.from_string(source).render(p=govuk_texts.with_texts(macro, params))
    assert expected.strip(), "the case renders nothing"
    first = remembered.from_string(source).render(p=params)
    second = remembered.from_string(source).render(p=params)  # from the cache
    assert first == expected
    assert second == expected
    assert any(key[:2] == (f"components/{folder}/macro.html", macro) for key in cache.entries)


def test_arguments_that_differ_in_one_value_or_type_are_told_apart(environments):
    _plain, remembered, _cache = environments
    source = CALL.format("radios", "govukRadios")
    base = {"idPrefix": "r", "name": "r", "fieldset": LEGEND, "items": ITEMS}
    checked_no = dict(base, items=[dict(i, checked=i["value"] == "no") for i in ITEMS])
    one = remembered.from_string(source).render(p=base)
    other = remembered.from_string(source).render(p=checked_no)
    assert one != other
    # Markup is written as it is; the same characters as text are escaped.
    inset = CALL.format("inset-text", "govukInsetText")
    as_text = remembered.from_string(inset).render(p={"text": "<b>x</b>"})
    as_html = remembered.from_string(inset).render(p={"html": Markup("<b>x</b>")})
    assert "&lt;b&gt;" in as_text and "<b>x</b>" in as_html
    # 1 and True are equal in Python but not to the macros.
    assert govuk_components._key({"a": 1}) != govuk_components._key({"a": True})


def test_a_call_block_is_rendered_without_the_cache(environments):
    plain, remembered, _cache = environments
    source = (
        '{% from "govuk_frontend_jinja/components/fieldset/macro.html" import govukFieldset %}'
        "{% call govukFieldset({'legend': {'text': 'Action'}}) %}<p>{{ n }}</p>{% endcall %}"
    )
    for n in (1, 2):
        assert remembered.from_string(source).render(n=n) == plain.from_string(source).render(n=n)
        assert f"<p>{n}</p>" in remembered.from_string(source).render(n=n)


def test_the_cache_is_bounded(environments, monkeypatch):
    _plain, remembered, cache = environments
    monkeypatch.setattr(govuk_components, "MAX_ENTRIES", 3)
    source = CALL.format("tag", "govukTag")
    for n in range(10):
        remembered.from_string(source).render(p={"text": f"Tag {n}"})
        assert len(cache.entries) <= 3


def test_every_component_the_templates_use_is_compared():
    used = set()
    for path in Path(PROJECT_ROOT / "templates").rglob("*.html"):
        used |= set(re.findall(r"components/([a-z-]+)/macro\.html", path.read_text()))
    assert used <= {folder for folder, _macro, _params in CASES}
