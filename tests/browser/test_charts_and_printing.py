"""What only a browser can show (issue 15): the monthly charts' legend names, measured in
Chromium, do not run into each other; the yearly report prints from its "Print this page" button
under the service's own Content-Security-Policy, and its printed form leaves out the page's
controls."""

from __future__ import annotations

from itertools import combinations

from protocol_monitor.charts import line_chart
from tests.browser.conftest import ARTIFACTS
from tests.support import summary_data
from tests.support.factories import PASSWORD

AUTHORITIES = (
    "Bournemouth, Christchurch and Poole Council",
    "Dorset Council",
    "Worcestershire County Council",
    "Royal Borough of Windsor and Maidenhead",
    "Isle of Wight Council",
)


def test_the_chart_legend_names_do_not_overprint(browser):
    chart = line_chart(
        "chart",
        "Call-outs per month by host authority",
        "One line per authority.",
        [f"Month {n}" for n in range(24)],
        {name: [n % 5 for n in range(24)] for name in AUTHORITIES},
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_content(
        "<!doctype html><style>.app-chart text { font-family: arial, sans-serif }</style>"
        f'<div style="width: 720px">{chart}</div>'
    )
    svg = page.locator("svg").bounding_box()
    boxes = {}
    for name in AUTHORITIES:
        box = page.locator("svg text", has_text=name).bounding_box()
        assert box["x"] + box["width"] <= svg["x"] + svg["width"], f"{name} runs off the chart"
        assert box["y"] + box["height"] <= svg["y"] + svg["height"], f"{name} below the chart"
        boxes[name] = box
    for (a, one), (b, other) in combinations(boxes.items(), 2):
        apart = (
            one["x"] + one["width"] <= other["x"]
            or other["x"] + other["width"] <= one["x"]
            or one["y"] + one["height"] <= other["y"]
            or other["y"] + other["height"] <= one["y"]
        )
        assert apart, f"{a!r} and {b!r} are drawn over each other: {one} {other}"
    context.close()


#: Run before the page's own scripts: window.print records its calls (a real print dialogue would
#: stop a headless browser), and every Content-Security-Policy refusal is kept.
WATCH = """
window.printed = 0
window.print = () => { window.printed += 1 }
window.refused = []
document.addEventListener('securitypolicyviolation', (event) => {
  window.refused.push(event.violatedDirective + ' ' + event.blockedURI)
})
"""


def test_the_yearly_report_prints_from_its_button_under_the_csp(browser, live_server, make):
    data = summary_data.build(make)
    member = make.user("group", authorities=[data.dorset, data.bcp])
    # The service's own Content-Security-Policy applies: no bypass_csp, unlike the journeys.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email address").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {member.email}").wait_for()

    page.get_by_role("link", name="Summaries", exact=True).click()
    with page.expect_response(lambda r: "/summaries/yearly" in r.url) as answer:
        page.get_by_role("link", name="The yearly report").click()
    policy = answer.value.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy.split(";")[1]
    page.get_by_role("heading", level=1).wait_for()
    page.wait_for_load_state()  # the page's script has run: the button has its handler

    page.get_by_role("button", name="Print this page").click()
    assert page.evaluate("window.printed") == 1
    assert page.evaluate("window.refused") == []

    # Printed: the report and its table, without the header, the year form or the buttons.
    page.emulate_media(media="print")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator("#table-yearly").is_visible()
    for hidden in ("form", "#print", ".govuk-generic-header", ".app-find", ".govuk-footer"):
        assert page.locator(hidden).count(), f"{hidden} is not on the page to hide"
        assert not page.locator(hidden).first.is_visible(), hidden
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "yearly-report-printed.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    context.close()
