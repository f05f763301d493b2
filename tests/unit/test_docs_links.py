"""The README and docs/ hold together: every relative link reaches a file (and, with #, a
heading in it), every page and image in docs/ is linked from somewhere, and the README stays
short enough to read in five minutes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
README_MAX_LINES = 200

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
HTML_ID = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
TAG = re.compile(r"<[^>]+>")


def prose(text: str) -> str:
    """The text without code blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def links(text: str) -> list[str]:
    return LINK.findall(prose(text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", TAG.sub("", heading))  # a link's text only
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The headings' anchors, and any set by hand with <a id="...">."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set(HTML_ID.findall(text))
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(page: Path) -> list[str]:
    problems = []
    for target in links(page.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            problems.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            problems.append(f"{target}: no heading '#{anchor}' in {destination.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file_and_heading(page):
    assert broken_links(page) == []


def test_the_checker_finds_a_missing_file_and_a_missing_heading(tmp_path):
    (tmp_path / "other.md").write_text(
        '# Title\n\n## Getting PostgreSQL: `make run`\n\n### <a id="sex"></a>`sex`\n'
    )
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#getting-postgresql-make-run) [ok](#here) [web](https://example.org)\n"
        "[ok](other.md#sex)\n"
        "[gone](missing.md) [no heading](other.md#nowhere) [bad](#there)\n"
        "`[not a link](missing-too.md)`\n\n```\n[nor this](missing-three.md)\n```\n\n# Here\n"
    )
    assert broken_links(page) == [
        "missing.md: no such file",
        "other.md#nowhere: no heading '#nowhere' in other.md",
        "#there: no heading '#there' in page.md",
    ]


def test_every_page_and_image_in_docs_is_linked_from_another_page():
    linked = set()
    for page in PAGES:
        for target in links(page.read_text(encoding="utf-8")):
            if not EXTERNAL.match(target) and target.partition("#")[0]:
                linked.add((page.parent / target.partition("#")[0]).resolve())
    files = [*DOCS.rglob("*.md"), *DOCS.rglob("*.png")]
    orphans = [str(f.relative_to(ROOT)) for f in files if f.resolve() not in linked]
    assert orphans == []


def test_the_readme_stays_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines: keep it to what the service is, `make run`, `make test`, "
        "the layout and links, and put the rest in docs/"
    )
