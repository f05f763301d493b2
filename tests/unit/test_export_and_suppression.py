import csv
import io

import pytest

from protocol_monitor.rules.export import csv_text, safe_cell
from protocol_monitor.rules.suppression import suppress, suppress_summary


@pytest.mark.parametrize(
    "value",
    ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", '=HYPERLINK("x")'],
)
def test_formula_like_text_is_prefixed_with_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["LCS-104233", "Broken window", "", "a=b", " =1", "2026-04"])
def test_ordinary_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [None, 0, -3, 2.5, True])
def test_numbers_and_none_pass_through(value):
    assert safe_cell(value) is value


def test_csv_text_neutralises_header_and_every_cell():
    text = csv_text(["id", "=note"], [[1, "=1+2"], [2, "fine"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["id", "'=note"], ["1", "'=1+2"], ["2", "fine"]]


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (120, 120)])
def test_suppress_small_numbers(n, shown):
    assert suppress(n) == shown


def test_suppress_refuses_what_is_not_a_count():
    with pytest.raises(TypeError):
        suppress("3")
    with pytest.raises(TypeError):
        suppress(True)


def test_suppress_summary_reaches_every_nested_count():
    summary = {
        "month": "2026-04",
        "authorities": [
            {
                "code": "E06000059",
                "callouts": 3,
                "rate_per_10_places": 1.5,
                "registered_places": 2,
                "protocol_applied": {"appropriate": 2, "partly": 0, "not_appropriate": 7},
            },
        ],
        "totals": {"callouts": 12, "arrests": (1, 9)},
        "published": True,
    }
    assert suppress_summary(summary, keep=frozenset({"registered_places"})) == {
        "month": "2026-04",
        "authorities": [
            {
                "code": "E06000059",
                "callouts": "<5",
                "rate_per_10_places": 1.5,
                "registered_places": 2,
                "protocol_applied": {"appropriate": "<5", "partly": 0, "not_appropriate": 7},
            },
        ],
        "totals": {"callouts": 12, "arrests": ("<5", 9)},
        "published": True,
    }
    assert summary["totals"]["callouts"] == 12  # the input is not changed
