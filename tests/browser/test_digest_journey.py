"""A group member opens the month's digest from their start page, and an earlier month's
(issue 14, item 4): Chromium, axe, at desktop and phone widths."""

from protocol_monitor.services import summaries
from tests.support import summary_data


def test_group_member_reads_the_digest_and_an_earlier_one(journey, make):
    data = summary_data.build(make)
    summaries.compile_month("2026-03")
    summaries.compile_month("2026-04")
    member = make.user("group", authorities=[data.dorset, data.bcp])
    page = journey.page
    journey.sign_in(member)
    page.get_by_role("link", name="The digest for April 2026").click()
    page.get_by_role("heading", name="Digest for April 2026").wait_for()
    journey.check("digest")
    page.set_viewport_size({"width": 390, "height": 844})
    journey.check("digest-phone")
    page.locator("#earlier-digests").get_by_role("link", name="March 2026").click()
    page.get_by_role("heading", name="Digest for March 2026").wait_for()
    journey.check("earlier")
