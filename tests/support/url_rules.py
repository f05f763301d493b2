"""One URL builder per distinct rule for the whole test run, not one per app.

Every test builds its own app (``create_app``), and each app registers the same hundred or so URL
rules. For each rule werkzeug writes and compiles a small Python function that builds its URLs
(``Rule._compile_builder``: an AST, then ``compile``), three quarters of ``create_app``'s CPU. That
function depends only on the rule's text and parsed parts (it reads the converters through the
rule it is bound to at call time), so the one compiled for the first app serves every later app of
the same process. Rules with defaults are compiled as werkzeug does, every time.

Installed by ``tests/conftest.py``; the app itself (and production) is untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compile = Rule._compile_builder
_builders: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def _compile_builder_once(self: Rule, append_unknown: bool = True) -> Callable[..., Any]:
    if self.defaults:
        return _compile(self, append_unknown)
    key = (self.rule, tuple(self._trace), append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile(self, append_unknown)
    return builder


def install() -> None:
    Rule._compile_builder = _compile_builder_once  # type: ignore[method-assign]
