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

from datetime import UTC, datetime

import pytest

from protocol_monitor.identity import credentials
from protocol_monitor.services import demo
from tests.conftest import Pages
from tests.support import crawl

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
        assert b"Records held about" in response.data or "wordprocessingml" in response.mimetype
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


@pytest.mark.slow  # started first, so a parallel run does not end waiting for it
def test_every_page_and_download_for_every_role_is_in_plain_words(app, demo_accounts):
    report: dict[str, list[str]] = {}
    walked = {}
    for account in demo_accounts:
        with app.app_context():
            pages = Pages(app.test_client())
            pages.sign_in(credentials.user_by_email(account.email))

            def get(url: str, pages=pages) -> crawl.Visit:
                response = pages.client.get(url)
                if response.content_type.startswith("text/html"):
                    pages._check(response)
                return crawl.Visit(url, response.status_code, response.content_type, response.data)

            visits = crawl.walk(get, starts=("/", *EXTRA))
            if account.role == "admin":
                visits += _subject_access(pages)
        walked[account.role] = len(visits)
        for visit in visits:
            assert visit.status < 500, (account.role, visit.url, visit.status)
            if visit.content_type.startswith("text/html"):
                found = crawl.problems(crawl.visible_text(visit.body), page=True)
            else:
                found = crawl.problems(crawl.download_text(visit), page=False)
            # Each slug once a page, with the first text it was seen in.
            first = {problem.split(" in ")[0]: problem for problem in reversed(found)}
            if first:
                report[f"{account.role} {visit.url}"] = list(reversed(first.values()))
    assert all(n > 10 for n in walked.values()), walked

    assert not report, "\n".join(
        f"{where}:\n  "
        + "\n  ".join(found[:8])
        + (f"\n  … {len(found) - 8} more" if len(found) > 8 else "")
        for where, found in sorted(report.items())
    )
