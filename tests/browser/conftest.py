"""Browser journeys: the app served on 127.0.0.1, driven by Playwright in the system's Chromium,
with axe-core run on every page visited. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.factories import PASSWORD
from tests.support.live import serving

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

#: axe rules we allow, by rule id and CSS selector, each with its reason. Empty means none.
AXE_ALLOWANCES: dict[tuple[str, str], str] = {
    ("aria-allowed-attr", "#immediate_risk"): (
        "GOV.UK Frontend's conditional reveal puts aria-expanded on the radio that shows the "
        "'Describe the immediate risk' field, so screen readers announce the reveal; this is the "
        "Design System's own, deliberate markup for conditional radios."
    ),
}


def signed_in_as(email: str) -> re.Pattern[str]:
    """The header's "Signed in as EMAIL", in English or in Welsh (a demo account reads the
    service in Welsh)."""
    return re.compile(rf"(Signed in as|Wedi mewngofnodi fel) {re.escape(email)}")


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required on CI but was not found at {CHROMIUM}")
        pytest.skip(
            f"browser journeys skipped: no Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("browser journeys skipped: playwright is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    with serving(app) as url:
        yield url


class Journey:
    """A browser page plus the checks every step gets: an axe run and a screenshot."""

    def __init__(self, page, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.step = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def sign_in(self, user, password: str = PASSWORD) -> None:
        """Sign in through the form, checking the sign-in page on the way."""
        self.goto("/sign-in")
        self.check("sign-in")
        self.page.get_by_label("Email address").fill(user.email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_text(signed_in_as(user.email)).wait_for()

    def artifact(self, label: str) -> Path:
        """The path for this journey's next screenshot."""
        self.step += 1
        return ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"

    def check(self, label: str) -> None:
        """Screenshot the page and assert axe finds no WCAG 2.2 AA violations."""
        from axe_playwright_python.sync_playwright import Axe

        self.page.screenshot(path=str(self.artifact(label)), full_page=True)
        # Every page has one main heading, and no GOV.UK branding: this is not a GOV.UK service.
        assert self.page.locator("main h1").count() == 1, f"{label}: expected one h1 in <main>"
        assert "GOV.UK" not in self.page.locator("header").first.inner_text()
        assert self.page.locator(".govuk-logo, .govuk-footer__crown").count() == 0
        results = Axe().run(
            self.page,
            options={
                "runOnly": {
                    "type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
                },
                "resultTypes": ["violations"],
            },
        )
        problems = []
        for violation in results.response["violations"]:
            for node in violation["nodes"]:
                target = " ".join(
                    node["target"][0] if isinstance(node["target"][0], list) else node["target"]
                )
                if (violation["id"], target) not in AXE_ALLOWANCES:
                    problems.append(
                        f"{violation['id']} at {target}: {violation['help']}\n"
                        f"    {node.get('failureSummary', '')}\n    {node.get('html', '')[:200]}"
                    )
        assert not problems, f"axe violations on {self.page.url} ({label}):\n" + "\n".join(problems)


@pytest.fixture
def journey(browser, live_server, app, request):
    # Without GOV.UK Frontend's stylesheet every page is unstyled and axe's colour checks mean
    # nothing: fail, pointing at the fix.
    bundle = Path(app.config["SETTINGS"].govuk_frontend_dir) / "govuk-frontend.min.css"
    assert bundle.exists(), f"{bundle} is missing: run `npm ci` (make install) first"
    context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield Journey(page, live_server, request.node.name)
    context.close()
