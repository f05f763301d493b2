"""Find a call-out by the reference in hand — child reference, police reference or call-out
number — from the box on every signed-in page, within the reader's scope (issue 14)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Report
from protocol_monitor.rules import find as rules

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def area(make):
    """Two homes of one provider, and a third home (another provider's) in the same force area,
    each with a call-out about the same child reference."""
    force = make.force()
    ours = make.home("SC500001", name="Oak House")
    also_ours = make.home("SC500002", name="Ash House")
    theirs = make.home("SC500003", name="Elm House", police=force)
    provider = make.user("provider", homes=[ours, also_ours])
    first = make.home_report(ours, datetime(2026, 3, 4, 21, 0), child_reference="LCS-7001")
    second = make.home_report(also_ours, datetime(2026, 3, 9, 22, 0), child_reference="LCS-7001")
    elsewhere = make.home_report(theirs, datetime(2026, 3, 10, 20, 0), child_reference="LCS-7001")
    only = make.home_report(ours, datetime(2026, 3, 12, 20, 0), child_reference="LCS-7002")
    return provider, first, second, elsewhere, only


def test_the_search_box_is_on_every_signed_in_page(pages, make, area):
    provider, first, *_ = area
    assert pages.get("/sign-in").select_one("form[role=search] #app-find-q") is None
    pages.sign_in(provider)
    for url in ("/", "/callouts/", f"/callouts/{first.id}", "/actions/", "/account/"):
        box = pages.get(url).select_one("form.app-find[role=search]")
        assert box is not None, url
        assert box["action"] == "/find" and box["method"] == "get"
        assert box.select_one("label[for=app-find-q]").get_text(strip=True) == "Find a call-out"


def test_a_child_reference_lists_the_readers_call_outs_only(pages, area):
    provider, first, second, elsewhere, _only = area
    pages.sign_in(provider)
    soup = pages.get("/find?q=lcs-7001")  # as typed, in small letters
    assert soup.find("h1").get_text(strip=True) == "Call-outs for LCS-7001"
    links = [a.get_text(strip=True) for a in soup.select("table a[href^='/callouts/']")]
    assert links == [str(second.id), str(first.id)]  # newest first
    assert str(elsewhere.id) not in links
    assert "Child reference" in soup.select_one("table tbody tr").get_text()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "callout_searched")
    ).one()
    assert event.changes == {"looked_for": "LCS-7001", "ids": [second.id, first.id]}
    assert event.user_id == provider.id


def test_one_match_opens_the_call_out(pages, client, area):
    provider, _first, _second, _elsewhere, only = area
    pages.sign_in(provider)
    response = client.get("/find?q=+LCS-7002+")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/callouts/{only.id}"
    for typed in (str(only.id), f"#{only.id}", f"call-out {only.id}"):
        assert client.get("/find", query_string={"q": typed}).headers["Location"] == (
            f"/callouts/{only.id}"
        )


def test_a_police_reference_finds_the_call_out_by_either_report(pages, client, make, area):
    provider, first, *_ = area
    report = db.session.scalar(select(Report).where(Report.callout_id == first.id))
    report.police_reference = "55/1234/26"
    db.session.commit()
    pages.sign_in(provider)
    response = client.get("/find?q=55/1234/26")
    assert response.headers["Location"] == f"/callouts/{first.id}"


def test_a_record_out_of_scope_looks_exactly_like_none(pages, area):
    provider, _first, _second, elsewhere, _only = area
    pages.sign_in(provider)
    out_of_scope = pages.get(f"/find?q={elsewhere.id}")
    nothing = pages.get("/find?q=999999")
    assert out_of_scope.find("h1").get_text(strip=True) == f"No call-outs for {elsewhere.id}"
    said = out_of_scope.select_one("#found-count").get_text(" ", strip=True)
    assert said == nothing.select_one("#found-count").get_text(" ", strip=True).replace(
        "999999", str(elsewhere.id)
    )
    assert "No call-outs found" in said
    assert not out_of_scope.select("table")


def test_police_see_their_force_area_and_the_group_sees_its_authorities(pages, make, area):
    _provider, first, second, elsewhere, _only = area
    officer = make.user("police", police=make.force())
    pages.sign_in(officer)
    links = [a.get_text(strip=True) for a in pages.get("/find?q=LCS-7001").select("table a")]
    assert links == [str(elsewhere.id), str(second.id), str(first.id)]
    member = make.user("group", authorities=[make.authority("E10000034", "Worcestershire")])
    pages.sign_in(member)
    assert "No call-outs found" in pages.get("/find?q=LCS-7001").select_one("#found-count").text


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "x" * 41,
        "A" * 10_000,
        "LCS 7001; DROP TABLE callouts",
        "\x00",
        "LCS-\x007001",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "#0",
        "#99999999999",
        "99999999999",
        "call-out 2147483648",
        "ÆØÅ-123",
        "%",
        "LCS_%",
        "\u202e1234",
    ],
)
def test_hostile_or_wrong_input_gets_a_plain_answer_never_an_error(pages, area, typed):
    provider, *_ = area
    pages.sign_in(provider)
    url = "/find?" + urlencode({"q": typed})
    if "\x00" in typed:  # refused before any view, for every page (security.py)
        assert pages.client.get(url).status_code == 400
        return
    soup = pages.get(url)
    heading = soup.find("h1").get_text(strip=True)
    assert heading in ("Find a call-out",) or heading.startswith("No call-outs for")
    if heading == "Find a call-out":
        assert soup.title.get_text().startswith("Error:")
        assert soup.select_one("#q-error")
    assert "<script>" not in str(soup.select_one("main"))


def test_reading_what_was_typed():
    assert rules.read(" lcs-104233 ") == rules.Wanted("LCS-104233", None)
    assert rules.read("1234") == rules.Wanted("1234", 1234)
    assert rules.read("Call-out 12") == rules.Wanted("12", 12)
    assert rules.read("#12") == rules.Wanted("12", 12)
    assert rules.read("55/12345/26") == rules.Wanted("55/12345/26", None)
    for bad in ("", "a b", "x" * 41, "#0", "\x00"):
        with pytest.raises(rules.NotAReference):
            rules.read(bad)
