"""Walk every page a signed-in person can reach by following links, and read what they see.

Used by the plain-words guard (tests/integration/test_plain_words.py) and the small-screen
browser test: the same list of pages for both.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup

#: Paths never followed: signing out ends the walk, the language switch changes the walk's
#: language, the API and SCIM take a bearer token, the probes and the stylesheets are not pages.
SKIP = re.compile(r"^/(sign-out|language/|api/|scim/|healthz|readyz|static/|assets/|govuk/|slack/)")
#: How many URLs of one shape (digits as N, the same query keys) to visit: enough to meet each
#: kind of record, few enough to stay quick.
PER_SHAPE = 3

DOWNLOAD_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument")


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def links(soup: BeautifulSoup, base: str) -> Iterator[str]:
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"]
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            continue
        path = parts.path
        if SKIP.match(path):
            continue
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        yield path + ("?" + query if query else "")


@dataclass
class Visit:
    url: str
    status: int
    content_type: str
    body: bytes


def walk(
    get: Callable[[str], Visit],
    starts: tuple[str, ...] = ("/",),
    limit: int = 600,
    per_shape_limit: int = PER_SHAPE,
) -> list[Visit]:
    """Breadth first from ``starts``, following every same-site link, ``per_shape_limit`` of each
    shape (the starts are visited whatever their shape)."""
    seen: set[str] = set(starts)
    per_shape: dict[str, int] = defaultdict(int)
    queue = deque(starts)
    visits: list[Visit] = []
    while queue and len(visits) < limit:
        url = queue.popleft()
        visit = get(url)
        visits.append(visit)
        if not visit.content_type.startswith("text/html"):
            continue
        soup = BeautifulSoup(visit.body, "html.parser")
        for found in links(soup, "http://localhost" + urlsplit(url).path):
            if found in seen:
                continue
            seen.add(found)
            if per_shape[shape(found)] >= per_shape_limit:
                continue
            per_shape[shape(found)] += 1
            queue.append(found)
    return visits


# What a person reads --------------------------------------------------------------------------

#: Where a code is the point, a page puts it in <code> (a GSS code, an ODS code, the raw detail
#: of an audit entry): the guard does not read inside.
EXEMPT = ("code", "pre", "script", "style", "template", "noscript")


def visible_text(html: bytes | str) -> list[str]:
    """The strings of a page a person sees or hears: text, the title, labels, alt texts, the
    values of text inputs and options."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(EXEMPT):
        tag.decompose()
    for tag in soup.find_all("input", attrs={"type": "hidden"}):
        tag.decompose()
    strings = [s.strip() for s in soup.stripped_strings]
    for tag in soup.find_all(True):
        for attribute in ("aria-label", "alt", "placeholder", "title", "aria-description"):
            if tag.get(attribute):
                strings.append(tag[attribute])
        if (
            tag.name == "input"
            and tag.get("type", "text") in ("text", "search")
            and tag.get("value")
        ):
            strings.append(tag["value"])
    return [s for s in strings if s]


#: A download's column whose header says it holds codes, for tools rather than people (in
#: Welsh: "(cod)", "(JSON crai)").
RAW_COLUMN = re.compile(r"\((code|raw|cod)\b|\bcrai\)", re.IGNORECASE)


def _cells(rows: list[list[str]]) -> list[str]:
    """The cells a person reads: a column headed "… (code)" or "… (raw …)" is for tools."""
    if not rows:
        return []
    raw = {i for i, header in enumerate(rows[0]) if RAW_COLUMN.search(header or "")}
    return [cell for row in rows for i, cell in enumerate(row) if cell and i not in raw]


def download_text(visit: Visit) -> list[str]:
    """Every cell of a CSV or spreadsheet download, every paragraph and cell of a Word file."""
    kind = visit.content_type
    if kind.startswith("text/csv"):
        return _cells(list(csv.reader(io.StringIO(visit.body.decode("utf-8-sig")))))
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(visit.body), read_only=True)
        cells = []
        for sheet in book.worksheets:
            cells.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells.extend(str(v) for v in row if v is not None)
        return cells
    if "wordprocessingml" in kind:
        from docx import Document

        document = Document(io.BytesIO(visit.body))
        texts = [p.text for p in document.paragraphs if p.text]
        for table in document.tables:
            texts.extend(cell.text for row in table.rows for cell in row.cells if cell.text)
        return texts
    return []


#: A vocabulary slug or internal name: lower-case words joined by underscores.
SLUG = re.compile(r"(?<![\w@./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@-])")
#: JSON or a Python value in place of words.
JSON = re.compile(r"\[null|\{\"|\":\s|\bNone\b(?=\s*[,\]])|\[\s*\d+\s*,\s*\d+")
#: A machine time (ISO 8601 with a T) or the word UTC: pages give times in UK time.
MACHINE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:|\bUTC\b")


def problems(texts: list[str], *, page: bool) -> list[str]:
    found = []
    for text in texts:
        for pattern, what in ((SLUG, "slug"), (JSON, "JSON")) + (
            ((MACHINE_TIME, "machine time"),) if page else ()
        ):
            match = pattern.search(text)
            if match:
                found.append(f"{what} {match.group(0)!r} in {text[:80]!r}")
    return found
