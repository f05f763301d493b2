"""The settings table in docs/operations.md lists exactly the settings the code reads from its
environment: a setting added to the code without a row, or a row left after the code stopped
reading it, fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "operations.md"
SOURCES = [*sorted((ROOT / "protocol_monitor").rglob("*.py")), ROOT / "wsgi.py"]

NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
#: What an environment mapping is called where it is read: os.environ, env, environ, self.env.
ENVIRONMENT = re.compile(r"(^|\.)(environ|env)$")


def _is_environment(node: ast.expr) -> bool:
    return bool(ENVIRONMENT.search(ast.unparse(node)))


def environment_reads(source: str) -> tuple[set[str], list[str]]:
    """The names a module reads from its environment, and reads whose name is not a literal."""
    names: set[str] = set()
    hidden: list[str] = []

    def key(node: ast.expr, where: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if NAME.match(node.value):
                names.add(node.value)
        else:
            hidden.append(ast.unparse(where))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            receiver, method = node.func.value, node.func.attr
            reads_mapping = method == "get" and _is_environment(receiver)
            if reads_mapping or (method == "getenv" and ast.unparse(receiver) == "os"):
                key(node.args[0], node)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_environment(node.value)
        ):
            key(node.slice, node)
    return names, hidden


def settings_read_by_the_code() -> dict[str, set[str]]:
    """Each setting name, with the modules that read it."""
    found: dict[str, set[str]] = {}
    for path in SOURCES:
        names, hidden = environment_reads(path.read_text(encoding="utf-8"))
        assert not hidden, (
            f"{path.relative_to(ROOT)} reads the environment with a computed name "
            f"({hidden}); read each setting by its literal name so it can be documented"
        )
        for name in names:
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def documented_settings() -> dict[str, list[str]]:
    """The rows of the table under '## Settings' in docs/operations.md, by setting name."""
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = cells[0].strip("`")
        assert name not in rows, f"{name} has two rows in the settings table"
        rows[name] = cells
    return rows


def test_the_scan_finds_settings_in_every_module_that_reads_them():
    found = settings_read_by_the_code()
    # The settings object, the production checks and gunicorn's settings each read some: a scan
    # that found fewer, or missed these, would be broken (whatever the modules are called).
    assert {"SECRET_KEY", "DATABASE_URL", "BIND", "WEB_CONCURRENCY"} <= set(found)
    assert len({module for modules in found.values() for module in modules}) >= 3


def test_the_scan_sees_each_way_of_reading_the_environment():
    source = (
        "import os\n"
        "a = os.environ.get('ONE', '1')\n"
        "b = env.get('TWO')\n"
        "c = os.environ['THREE']\n"
        "d = os.getenv('FOUR')\n"
        "e = self.env.get('FIVE')\n"
        "env['NOT_A_READ'] = 'x'\n"
        "f = request.environ.get('protocol_monitor.nonce')\n"
        "g = os.environ.get(name)\n"
    )
    names, hidden = environment_reads(source)
    assert names == {"ONE", "TWO", "THREE", "FOUR", "FIVE"}
    assert hidden == ["os.environ.get(name)"]


def test_every_setting_the_code_reads_is_in_the_settings_table():
    missing = sorted(set(settings_read_by_the_code()) - set(documented_settings()))
    assert not missing, (
        f"docs/operations.md (## Settings) does not list {missing}: add a row with the "
        "setting's name, default and meaning"
    )


def test_every_setting_in_the_table_is_read_by_the_code():
    stale = sorted(set(documented_settings()) - set(settings_read_by_the_code()))
    assert not stale, f"docs/operations.md (## Settings) lists {stale}, which no code reads"


def test_every_row_gives_a_default_and_a_meaning():
    for name, cells in documented_settings().items():
        assert len(cells) == 3 and all(cells), f"the row for {name} needs name, default, meaning"
