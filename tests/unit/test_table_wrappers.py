"""Every table in a template sits in a scroll wrapper (``app-table-wrap``, a focusable region), so
on a small screen a wide table scrolls inside itself and the page never scrolls sideways (issue
15; tests/browser/test_small_screens.py checks the pages themselves at 390 px)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TABLE = re.compile(r"<table\b")
WRAPPER = re.compile(r'<div class="app-table-wrap[^"]*" role="region" aria-label[^>]*tabindex="0">')


def test_every_table_is_in_a_scroll_wrapper():
    unwrapped = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for match in TABLE.finditer(text):
            before = text[: match.start()].rstrip()
            if not WRAPPER.search(before.rsplit("\n", 1)[-1]):
                line = text.count("\n", 0, match.start()) + 1
                unwrapped.append(f"{path.relative_to(TEMPLATES)}:{line}")
    assert not unwrapped, "tables outside an app-table-wrap region: " + ", ".join(unwrapped)
