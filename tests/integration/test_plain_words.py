"""Every page and every download, for every role, on the demo data, in plain words.

The guard of issue 15: a person reads labels, not the system's codes. Each role signs in and
walks every page it can reach by following links (tests/support/crawl.py), plus the states links
do not reach (other months, the other kind of year), and every download linked from them. The
text a person sees or hears — and every cell of a download — must hold no vocabulary slug
(``criminal_damage``), no internal event name (``callout_list_viewed``), no JSON, and (on pages)
no machine time. Where a code is the point — a GSS code, the raw detail of an audit entry one
click away — the page puts it in ``<code>``, which the guard does not read.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from protocol_monitor.identity import credentials
from protocol_monitor.services import demo
from tests.conftest import Pages
from tests.support import crawl, welsh

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)

#: Beyond the links: states a person reaches through a form on the page.
EXTRA = (
    "/summaries/?month=2026-08",
    "/summaries/?month=2026-07",
    "/summaries/yearly?basis=calendar",
    "/summaries/yearly?basis=financial&year=2026",
    "/summaries/yearly?basis=calendar&year=2026",
)


def _subject_access(pages: Pages) -> list[crawl.Visit]:
    """The records of the demo's repeat child, as a page and as a Word file (a form's POST)."""
    visits = []
    for fmt in ("page", "docx"):
        data = {"child_reference": demo.REPEAT_CHILD, "placing_authority": demo.DORSET}
        response = pages.raw_post("/admin/subject-access", {**data, "format": fmt})
        assert response.status_code == 200, fmt
        assert fmt == "page" or "wordprocessingml" in response.mimetype, fmt
        url = f"/admin/subject-access ({fmt})"
        visits.append(crawl.Visit(url, 200, response.content_type, response.data))
    return visits


def test_the_guard_catches_slugs_event_names_json_and_machine_times():
    page = [
        "Category changed from criminal_damage to threats_abuse",
        "callout_list_viewed",
        "ids [54, 53]",
        "[null, null]",
        "Compiled 3 November 2026, 07:00 UTC",
    ]
    assert len(crawl.problems(page, page=True)) == 5
    plain = [
        "Category changed from Criminal damage in the home to Threats or verbal abuse",
        "Sam Jones opened 12 call-outs of Heathview",
        "provider@demo.example",
        "Compiled 3 November 2026 at 7am",
        "protocol-monitor",
    ]
    assert crawl.problems(plain, page=True) == []
    html = "<p>Dorset <code>E06000059</code></p><details><pre>callout_viewed</pre></details>"
    assert crawl.visible_text(html) == ["Dorset"]


@pytest.fixture
def demo_accounts(app):
    result = demo.load_if_empty(now=NOW)
    return result.accounts


#: What a visitor who has not signed in reaches (and a page that does not exist).
SIGNED_OUT = ("/sign-in", "/forgot-password", "/accessibility", "/feedback", "/no-such-page")


def _walk_in_welsh(app, email: str | None) -> list[crawl.Visit]:
    """Every page (and download) reachable by ``email``'s account — or, for None, without
    signing in — after choosing Cymraeg with the switch."""
    with app.app_context():
        pages = Pages(app.test_client())
        if email is not None:
            pages.sign_in(credentials.user_by_email(email))
        assert pages.client.get("/language/cy").status_code == 302

        def get(url: str) -> crawl.Visit:
            response = pages.client.get(url)
            if response.content_type.startswith("text/html"):
                pages._check(response)
            return crawl.Visit(url, response.status_code, response.content_type, response.data)

        if email is None:
            return crawl.walk(get, starts=SIGNED_OUT)
        visits = crawl.walk(get, starts=("/", *EXTRA))
        if email.startswith("admin"):
            visits += _subject_access(pages)
        return visits


@pytest.mark.slow  # started first, so a parallel run does not end waiting for it
def test_every_page_and_download_for_every_role_is_in_plain_words_and_all_welsh(app, demo_accounts):
    """Each role, and a visitor not signed in, walks in Welsh (issue 18): the same walk finds
    codes and machine times (issue 15) and English left untranslated."""
    report: dict[str, list[str]] = {}
    walked = {}
    with app.app_context():
        values = welsh.data_values()
    people = [(account.role, account.email) for account in demo_accounts] + [("visitor", None)]
    for who, email in people:
        visits = _walk_in_welsh(app, email)
        walked[who] = len(visits)
        for visit in visits:
            assert visit.status < 500, (who, visit.url, visit.status)
            if 300 <= visit.status < 400:
                continue  # a redirect's body is Werkzeug's, and no browser shows it
            if visit.content_type.startswith("text/html"):
                texts = crawl.visible_text(visit.body)
                found = crawl.problems(texts, page=True)
            else:
                texts = crawl.download_text(visit)
                found = crawl.problems(texts, page=False)
            found += [
                f"English {text[:120]!r} in {text[:60]}"
                for text in welsh.english_left(texts, values)
            ]
            # Each slug once a page, with the first text it was seen in.
            first = {problem.split(" in ")[0]: problem for problem in reversed(found)}
            if first:
                report[f"{who} {visit.url}"] = list(reversed(first.values()))
    assert all(n > 10 for who, n in walked.items() if who != "visitor"), walked

    if dump := os.environ.get("WELSH_REPORT"):  # the whole report, for people translating
        Path(dump).write_text(
            "\n".join(
                f"{where}:\n  " + "\n  ".join(found) for where, found in sorted(report.items())
            )
        )
    assert not report, "\n".join(
        f"{where}:\n  "
        + "\n  ".join(found[:8])
        + (f"\n  … {len(found) - 8} more" if len(found) > 8 else "")
        for where, found in sorted(report.items())
    )
