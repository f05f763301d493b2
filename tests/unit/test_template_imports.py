"""Every macro a template imports is used: an unused import is dead code a reader has to check.

Read with Jinja's own parser, so `{% from … import a, b as c %}` and `{% import … as m %}` are
understood as Jinja understands them.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, nodes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def unused_imports(source: str) -> list[str]:
    """The names a template imports (macros, or a module's alias) and never uses."""
    tree = Environment(extensions=["jinja2.ext.do"]).parse(source)
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
