"""The review queue shows how long each call-out has waited and its flags, and can be sorted
with links that need no JavaScript (issue 14, item 5)."""

from datetime import datetime, timedelta

import pytest

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import Flag
from protocol_monitor.rules.time import to_london

pytestmark = pytest.mark.usefixtures("app")


def _flag(callout, rule: str, status: str = "open") -> Flag:
    flag = Flag(
        rule=rule,
        status=status,
        subject_key=f"{rule}:{callout.id}",
        home_id=callout.home_id,
        callout_id=callout.id,
        callouts=[callout],
    )
    db.session.add(flag)
    db.session.commit()
    return flag


def _days_ago(days: int) -> datetime:
    """A London wall-clock time ``days`` London days ago, at noon."""
    day = to_london(utcnow()).date() - timedelta(days=days)
    return datetime(day.year, day.month, day.day, 12, 0)


@pytest.fixture
def queue(make):
    force = make.force()
    officer = make.user("police", police=force)
    alder = make.home("SC310001", name="Alder House", officer=officer)
    birch = make.home("SC310002", name="Birch House", officer=officer)
    old = make.home_report(birch, _days_ago(20))
    middle = make.home_report(alder, _days_ago(9), child_reference="LCS-9")
    new = make.home_report(birch, _days_ago(2), child_reference="LCS-8")
    _flag(middle, "no_immediate_risk")
    _flag(middle, "criminal_outcome", status="acknowledged")
    _flag(new, "repeat_child")
    _flag(old, "unreported", status="resolved")  # resolved: not shown
    return officer, old, middle, new


def _rows(soup) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in soup.select("#queue-table tbody tr")
    ]


def test_each_call_out_shows_its_days_waiting_and_open_flags_by_label(pages, queue):
    officer, old, middle, new = queue
    pages.sign_in(officer)
    soup = pages.get("/reviews/")
    headers = [th.get_text(strip=True) for th in soup.select("#queue-table thead th")]
    assert headers[:7] == [
        "Call-out",
        "When (UK time)",
        "Days waiting",
        "Home",
        "Child",
        "Category",
        "Flags",
    ]
    rows = _rows(soup)
    assert [r[0] for r in rows] == [str(old.id), str(middle.id), str(new.id)]  # oldest first
    assert [r[2] for r in rows] == ["20", "9", "2"]
    assert rows[0][6] == "None"
    assert rows[1][6] == "Criminal outcome Police attended without immediate risk"
    assert rows[2][6] == "Repeat call-outs about one child"
    assert soup.select_one("#queue-sort strong").get_text() == "Waiting longest"


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("oldest", ("old", "middle", "new")),
        ("newest", ("new", "middle", "old")),
        ("home", ("middle", "old", "new")),  # Alder, then Birch oldest first
        ("flags", ("middle", "new", "old")),
        ("nonsense", ("old", "middle", "new")),  # unknown: the default
        ("<script>", ("old", "middle", "new")),
    ],
)
def test_sort_links_order_the_queue_and_keep_the_filters(pages, queue, sort, order):
    officer, old, middle, new = queue
    ids = {"old": old.id, "middle": middle.id, "new": new.id}
    pages.sign_in(officer)
    soup = pages.get(f"/reviews/?sort={sort}&month=")
    assert [r[0] for r in _rows(soup)] == [str(ids[name]) for name in order]


def test_following_the_sort_links_without_javascript(pages, queue):
    officer, old, _middle, new = queue
    pages.sign_in(officer)
    soup = pages.get(f"/reviews/?home={new.home_id}")
    link = soup.select_one("#queue-sort").find("a", string="Newest")
    assert f"home={new.home_id}" in link["href"] and "sort=newest" in link["href"]
    soup = pages.get(link["href"])
    assert [r[0] for r in _rows(soup)] == [str(new.id), str(old.id)]
    # Applying filters keeps the order chosen.
    assert soup.select_one("form[role=search] input[name=sort]")["value"] == "newest"
    assert soup.select_one("#queue-table th[aria-sort]").get_text(strip=True) == "When (UK time)"
