"""GOV.UK Frontend's components: govuk-frontend-jinja's macros, remembered by their arguments.

Every page is built from govuk-frontend-jinja's component macros (``govukInput``,
``govukRadios``...). They are pure — the same arguments always give the same markup — but slow:
each call imports its sub-components inside the macro body and builds every attribute through
``govukAttributes``, so the macros were four fifths of a form page's CPU time (issue 13).

``ComponentLoader`` serves the templates of ``govuk_frontend_jinja`` as before, except that each
``components/<name>/macro.html`` becomes a thin macro with the same name and signature that calls
``render``. ``render`` looks the arguments up in a process-wide cache and, on a miss, calls the
package's own macro (served under ``govuk_frontend_jinja_macros/``) and keeps its output. So the
markup is always govuk-frontend-jinja's own; tests/unit/test_govuk_components.py renders every
component the templates use both ways and compares them.

The key is the arguments as they are: every dict, list, string, number and flag, with its type
(``Markup`` and ``str`` render differently) and dict order (attributes are written in order). An
argument of any other type, or a ``{% call %}`` block, is rendered without the cache. Forms carry
what a person typed into the arguments, so the cache is bounded in size and in time: it is
emptied when it holds ``MAX_ENTRIES`` or is ``MAX_AGE_SECONDS`` old, and lives in the process's
memory only.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from flask_babel.speaklater import LazyString
from jinja2 import BaseLoader, Environment, PackageLoader, TemplateNotFound, Undefined
from jinja2.runtime import Macro
from markupsafe import Markup

from .govuk_texts import with_texts

#: How templates name the package's files (unchanged), and where its own macros are served.
PREFIX = "govuk_frontend_jinja/"
ORIGINAL = "govuk_frontend_jinja_macros/"
_COMPONENT = re.compile(r"components/[a-z-]+/macro\.html")
_TOP_MACRO = re.compile(r"^\{% macro (\w+)\s*\(params\) %\}", re.MULTILINE)

MAX_ENTRIES = 4096
MAX_AGE_SECONDS = 3600

_SCALARS = (str, Markup, int, float, bool, type(None))


class ComponentLoader(BaseLoader):
    """``govuk_frontend_jinja/…`` with each component's macro answered through ``render``."""

    def __init__(self) -> None:
        self.package = PackageLoader("govuk_frontend_jinja")

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template.startswith(ORIGINAL):
            return self.package.get_source(environment, template.removeprefix(ORIGINAL))
        if not template.startswith(PREFIX):
            raise TemplateNotFound(template)
        name = template.removeprefix(PREFIX)
        source, filename, uptodate = self.package.get_source(environment, name)
        if _COMPONENT.fullmatch(name):
            source = "".join(
                f"{{% macro {macro}(params) %}}"
                f"{{{{ govuk_component({name!r}, {macro!r}, params, caller) }}}}"
                f"{{% endmacro %}}"
                for macro in _TOP_MACRO.findall(source)
            )
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return [PREFIX + name for name in self.package.list_templates()]


class _Uncacheable(Exception):
    pass


def _key(value: Any) -> Any:
    """A hashable image of ``value`` that tells apart everything the macros could."""
    kind = type(value)
    if kind in _SCALARS:
        return (kind, value)
    if kind is dict:
        return (dict, tuple((k, _key(v)) for k, v in value.items()))
    if kind is list or kind is tuple:
        return (kind, tuple(_key(v) for v in value))
    if isinstance(value, Undefined):
        return (Undefined,)
    if kind is LazyString:  # a label read in the page's language: rendered as that text
        return (str, str(value))
    raise _Uncacheable


class ComponentCache:
    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.macros: dict[tuple[str, str], Macro] = {}
        self.entries: dict[Any, Markup] = {}
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def macro(self, name: str, macro: str) -> Macro:
        found = self.macros.get((name, macro))
        if found is None:
            module = self.environment.get_template(ORIGINAL + name).module
            found = self.macros[(name, macro)] = getattr(module, macro)
        return found

    def render(self, name: str, macro: str, params: Any, caller: Any = None) -> Markup:
        original = self.macro(name, macro)
        params = with_texts(macro, params)
        if isinstance(caller, Macro):
            return original(params, caller=caller)
        try:
            key = (name, macro, _key(params))
        except _Uncacheable:
            return original(params)
        found = self.entries.get(key)
        if found is not None:
            return found
        markup = original(params)
        with self.lock:
            if (
                len(self.entries) >= MAX_ENTRIES
                or time.monotonic() - self.started > MAX_AGE_SECONDS
            ):
                self.entries = {}
                self.started = time.monotonic()
            self.entries[key] = markup
        return markup


def init_app(environment: Environment) -> ComponentCache:
    """Serve ``govuk_frontend_jinja/…`` through the cache (the caller adds ``loader()``)."""
    cache = ComponentCache(environment)
    environment.globals["govuk_component"] = cache.render
    return cache
