"""Every role signs in to the demo and lands on its start page, with something on it, then
follows the start page to its main task (issue 14)."""

from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import User
from protocol_monitor.services import demo

#: Each demo role: its start page's heading, and the link from it to the role's main task with
#: the heading that task's page opens on.
ROLES = {
    "provider": ("Your homes today", "File a call-out", "File a call-out"),
    "police": ("Your work today", "See every call-out to review", "Call-outs to review"),
    "authority": ("Your area today", "Read the monthly summary", "Summary for"),
    "group": ("Your area today", "See the call-outs to review", "Call-outs to review"),
    "admin": ("The service today", "Set up alert channels", "Alert channels"),
}


def test_each_role_starts_on_its_page_and_follows_it_to_its_work(journey, app):
    result = demo.load_if_empty()
    page = journey.page
    # One account per role: the demo's second provider (cartref@) reads Welsh, and its start
    # page is checked in Welsh (test_demo, the Welsh crawl).
    first_of_each_role = {}
    for account in result.accounts:
        first_of_each_role.setdefault(account.role, account)
    for account in first_of_each_role.values():
        heading, link, task = ROLES[account.role]
        user = db.session.scalar(select(User).where(User.email == account.email))
        journey.page.context.clear_cookies()
        journey.sign_in(user, password=account.password)
        page.get_by_role("heading", name=heading, level=1).wait_for()
        assert page.url.rstrip("/") == journey.base_url
        journey.check(f"{account.role}-start")
        # The service name leads back here from anywhere.
        journey.goto("/flags/")
        page.locator("header").get_by_role("link", name="Protocol monitor").click()
        page.get_by_role("heading", name=heading, level=1).wait_for()
        page.get_by_role("link", name=link).first.click()
        page.get_by_role("heading", name=task, level=1).wait_for()
        journey.check(f"{account.role}-task")
