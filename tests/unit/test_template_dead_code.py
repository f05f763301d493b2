"""No dead code in the templates: every macro a template imports is used, and every value a view
passes to ``render_template`` is read by the template (or one it extends, includes or imports).
Either, unused, is something a reader has to check for nothing.

Imports are read with Jinja's own parser, so `{% from … import a, b as c %}` and
`{% import … as m %}` are understood as Jinja understands them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def unused_imports(source: str) -> list[str]:
    """The names a template imports (macros, or a module's alias) and never uses."""
    tree = Environment(extensions=["jinja2.ext.do", "jinja2.ext.i18n"]).parse(source)
    imported: list[str] = []
    for node in tree.find_all((nodes.FromImport, nodes.Import)):
        if isinstance(node, nodes.Import):
            imported.append(node.target)
        else:
            imported += [name[1] if isinstance(name, tuple) else name for name in node.names]
    used = {name.name for name in tree.find_all(nodes.Name) if name.ctx == "load"}
    return [name for name in imported if name not in used]


def test_every_imported_macro_is_used():
    unused = {
        str(path.relative_to(TEMPLATES)): names
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (names := unused_imports(path.read_text()))
    }
    assert unused == {}, f"imported and never used (remove the import): {unused}"


def test_the_check_finds_an_unused_import():
    source = (
        '{% from "a.html" import used, unused %}{% from "b.html" import x as y %}'
        '{% import "c.html" as fields %}{{ used() }}'
    )
    assert unused_imports(source) == ["unused", "y", "fields"]
    assert unused_imports('{% import "c.html" as fields %}{{ fields.text() }}') == []


def _with_parents(name: str, seen: set[str] | None = None) -> set[str]:
    """A template and every template it extends, includes or imports, by name."""
    seen = set() if seen is None else seen
    path = TEMPLATES / name
    if name in seen or not path.exists():  # a GOV.UK Frontend macro: not ours
        return seen
    seen.add(name)
    for used in re.findall(
        r"{%-?\s*(?:extends|include|import|from)\s+[\"']([^\"']+)", path.read_text()
    ):
        _with_parents(used, seen)
    return seen


def unread_values(source: str, read: str) -> list[tuple[int, str, str]]:
    """(line, template, name) for each keyword of a ``render_template("x.html", name=…)`` call
    in ``source`` that no template text in ``read(template)`` mentions."""
    unread = []
    for node in ast.walk(ast.parse(source)):
        function = getattr(node, "func", None)
        name = getattr(function, "id", None) or getattr(function, "attr", None)
        if name != "render_template" or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        template = node.args[0].value
        text = read(template)
        for keyword in node.keywords:
            if keyword.arg and not re.search(rf"\b{keyword.arg}\b", text):
                unread.append((node.lineno, template, keyword.arg))
    return unread


def _template_text(template: str) -> str:
    return "".join((TEMPLATES / name).read_text() for name in _with_parents(template))


def test_every_value_passed_to_a_template_is_read():
    unread = [
        f"{path.relative_to(ROOT)}:{line} passes {name} to {template}, which never reads it"
        for path in sorted((ROOT / "protocol_monitor").rglob("*.py"))
        for line, template, name in unread_values(path.read_text(), _template_text)
    ]
    assert unread == []


def test_the_check_finds_a_value_never_read():
    source = 'render_template("page.html", title="T", shown=1, hidden=2)'
    assert unread_values(source, lambda _: "{{ title }} {{ shown }}") == [
        (1, "page.html", "hidden")
    ]
