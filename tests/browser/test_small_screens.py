"""Every page at 390 px, for every role, on the demo data: nothing makes the page scroll sideways
(issue 15). A wide table may scroll inside its own wrapper; the page itself may not.

Each role signs in through the form and walks every page it can reach by following links (the
same walk as the plain-words guard, tests/support/crawl.py, one page of each shape), plus the
states links do not reach. Each page is screenshotted to
test-artifacts/browser/small-screens/ROLE/NN-PATH.png, whether it passes or not, so the pages can
be looked at after a run.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from protocol_monitor.services import demo
from tests.browser.conftest import ARTIFACTS, signed_in_as
from tests.integration.test_plain_words import EXTRA
from tests.support import crawl

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
PHONE = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "small-screens"

#: Whether the page is wider than the window and, if so, what makes it so: the elements and text
#: whose right edge is the page's right edge (a wide table, a long unbroken URL, a visually hidden
#: span that escapes its table's scroll wrapper), each named by tag, id and class.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth
  const scrollWidth = document.documentElement.scrollWidth
  const culprits = []
  const name = (element) => {
    const classes = typeof element.className === 'string' && element.className.trim()
      ? '.' + element.className.trim().split(/\\s+/).join('.') : ''
    return `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}${classes}`
  }
  const defines = (box) => box.width > 0 && Math.abs(box.right + window.scrollX - scrollWidth) <= 1
  if (scrollWidth > width) {
    for (const element of document.body.querySelectorAll('*')) {
      if (defines(element.getBoundingClientRect())) culprits.push(name(element))
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange()
      range.selectNodeContents(node)
      if (defines(range.getBoundingClientRect())) {
        const words = node.textContent.trim().slice(0, 60)
        culprits.push(`text "${words}" in ${name(node.parentElement)}`)
      }
    }
  }
  return { width, scrollWidth, culprits: culprits.slice(-6) }
}"""


def _file_name(n: int, url: str) -> str:
    return f"{n:02d}-{re.sub(r'[^a-z0-9]+', '-', url.lower()).strip('-') or 'home'}.png"


def test_the_check_sees_a_page_that_scrolls_sideways(browser):
    """The check can fail: a wide table outside a scroll wrapper is caught and named, the same
    table inside one is not."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    wide = '<table id="wide" style="width: 900px"><tr><td>x</td></tr></table>'
    page.set_content(f"<!doctype html><body>{wide}</body>")
    found = page.evaluate(SIDEWAYS)
    assert found["scrollWidth"] > found["width"]
    assert "table#wide" in found["culprits"], found
    wrapped = f'<div style="overflow-x: auto">{wide}</div>'
    page.set_content(f"<!doctype html><body>{wrapped}</body>")
    assert page.evaluate(SIDEWAYS)["culprits"] == []
    # A long unbroken line of text is named by its words.
    page.set_content("<!doctype html><body><p>https://" + "x" * 120 + ".example</p></body>")
    assert any(c.startswith('text "https://xx') for c in page.evaluate(SIDEWAYS)["culprits"])
    context.close()


@pytest.fixture
def demo_accounts(app):
    return demo.load_if_empty(now=NOW).accounts


def test_every_page_for_every_role_fits_a_390_pixel_screen(browser, live_server, demo_accounts):
    report: dict[str, dict] = {}
    walked: dict[str, int] = {}
    for account in demo_accounts:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(live_server + "/sign-in")
        page.get_by_label("Email address").fill(account.email)
        page.get_by_label("Password").fill(account.password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text(signed_in_as(account.email)).wait_for()
        who = account.email.split("@")[0]  # provider, …, and cartref: a second provider

        def get(url: str, context=context) -> crawl.Visit:
            response = context.request.get(live_server + url)
            kind = response.headers.get("content-type", "")
            return crawl.Visit(url, response.status, kind, response.body())

        visits = crawl.walk(get, starts=("/", *EXTRA), per_shape_limit=1)
        pages = [v.url for v in visits if v.content_type.startswith("text/html")]
        walked[who] = len(pages)
        folder = SHOTS / who
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        for n, url in enumerate(pages, start=1):
            page.goto(live_server + url)
            page.screenshot(path=str(folder / _file_name(n, url)), full_page=True)
            found = page.evaluate(SIDEWAYS)
            if found["scrollWidth"] > found["width"]:
                report[f"{who} {url}"] = found
        context.close()
    assert all(n > 10 for n in walked.values()), walked

    lines = [
        f"{where}: {found['scrollWidth']} px wide\n    " + "\n    ".join(found["culprits"])
        for where, found in sorted(report.items())
    ]
    assert not report, f"pages that scroll sideways at 390 px (screenshots in {SHOTS}):\n" + (
        "\n".join(lines)
    )
