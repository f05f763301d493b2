"""Summary arithmetic (§8), working days and the digest, as plain functions."""

from datetime import date

import pytest

from protocol_monitor.rules import summary as rules
from protocol_monitor.rules.calendar import bank_holidays, easter_sunday, first_working_day
from protocol_monitor.rules.digest import render_digest
from protocol_monitor.rules.export import safe_cell
from protocol_monitor.rules.time import Month


@pytest.mark.parametrize(
    ("callouts", "places", "rate"),
    [(6, 7, 8.6), (2, 3, 6.7), (1, 8, 1.3), (1, 40, 0.3), (1, 80, 0.1), (0, 6, 0.0), (3, 0, None)],
)
def test_rate_per_10_places_has_one_decimal_halves_up(callouts, places, rate):
    # 1 * 10 / 8 = 1.25 rounds up to 1.3; 10 / 80 = 0.125 rounds to 0.1.
    assert rules.rate_per_10_places(callouts, places) == rate


@pytest.mark.parametrize(
    ("count", "shown"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (120, 120), (None, None)]
)
def test_small_counts_are_suppressed(count, shown):
    assert rules.suppress(count) == shown


def test_like_for_like_keeps_homes_open_in_both_periods():
    homes = [
        ("always", date(2015, 1, 1), None),
        ("opened_mid_year", date(2025, 9, 1), None),
        ("closed", date(2015, 1, 1), date(2026, 2, 28)),
        ("opened_last_day", date(2025, 4, 30), None),
        ("closed_first_day", None, date(2026, 4, 1)),
    ]
    periods = [
        (Month(2025, 4).first_day, Month(2025, 4).last_day),
        (Month(2026, 4).first_day, Month(2026, 4).last_day),
    ]
    open_in_both = {
        key
        for key, opened, closed in homes
        if all(rules.open_during(opened, closed, first, last) for first, last in periods)
    }
    assert open_in_both == {
        "always",
        "opened_last_day",
        "closed_first_day",
    }


def test_change_describes_difference_and_percent():
    assert rules.Change(6, 4).describe() == "+2 (+50%)"
    assert rules.Change(3, 4).describe() == "−1 (−25%)"
    assert rules.Change(3, 0).describe() == "+3"
    assert rules.Change(2, 2).describe() == "no change"


def test_fingerprint_ignores_key_order():
    assert rules.fingerprint({"a": 1, "b": [1, 2]}) == rules.fingerprint({"b": [1, 2], "a": 1})
    assert rules.fingerprint({"a": 1}) != rules.fingerprint({"a": 2})


def test_diff_names_each_changed_figure():
    before = {"authorities": [{"code": "E1", "callouts": 2}], "homes": [], "repeat_children": []}
    now = {
        "authorities": [{"code": "E1", "callouts": 3}, {"code": "E2", "callouts": 1}],
        "homes": [],
        "repeat_children": [{"child_reference": "X"}],
    }
    assert rules.diff_figures(before, now) == [
        "Authority E1: callouts 2 → 3",
        "Authority E2: callouts 0 → 1",
        "Repeat children: 0 → 1",
    ]


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx"])
def test_formula_like_cells_are_neutralised(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Dorset") == "Dorset"
    assert safe_cell(-2) == -2


def test_years_calendar_and_financial():
    assert rules.year_months(2025, "financial") == (Month(2025, 4), Month(2026, 3))
    assert rules.year_months(2025, "calendar") == (Month(2025, 1), Month(2025, 12))
    assert rules.year_label(2025, "financial") == "April 2025 to March 2026"
    assert rules.current_year(date(2026, 11, 22), "calendar") == 2026
    assert rules.current_year(date(2026, 11, 22), "financial") == 2026
    assert rules.current_year(date(2026, 3, 31), "financial") == 2025
    # A year not over yet is marked "to date"; three years read as one span.
    today = date(2026, 11, 22)
    assert rules.year_label(2026, "financial", today) == "April 2026 to March 2027 (to date)"
    assert rules.year_label(2025, "financial", today) == "April 2025 to March 2026"
    assert rules.year_label(2026, "calendar", today) == "2026 (to date)"
    assert rules.years_label([2023, 2024, 2025], "financial", today) == "April 2023 to March 2026"
    assert rules.years_label([2024, 2025, 2026], "calendar", today) == "2024 to 2026 (to date)"
    assert rules.year_label(2026, "calendar", date(2026, 12, 31)) == "2026 (to date)"
    assert rules.year_label(2026, "calendar", date(2027, 1, 1)) == "2026"


def test_bank_holidays_of_england_and_wales():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert bank_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day is a Saturday
    }
    assert date(2022, 6, 2) in bank_holidays(2022) and date(2022, 5, 30) not in bank_holidays(2022)
    assert date(2023, 5, 8) in bank_holidays(2023)
    assert {date(2022, 1, 3), date(2022, 12, 26), date(2022, 12, 27)} <= bank_holidays(2022)


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [
        (2026, 5, date(2026, 5, 1)),  # Friday
        (2026, 8, date(2026, 8, 3)),  # 1st is a Saturday
        (2027, 1, date(2027, 1, 4)),  # Friday 1st is New Year's Day
        (2022, 1, date(2022, 1, 4)),  # Sat 1st, substitute holiday Monday 3rd
        (2026, 6, date(2026, 6, 1)),
    ],
)
def test_first_working_day(year, month, day):
    assert first_working_day(year, month) == day


def test_digest_says_version_and_changes_without_child_data():
    document = {
        "month": "2026-04",
        "version": 2,
        "authorities": [
            {"code": "E06000059", "name": "Dorset Council", "callouts": 6, "missing_excluded": 1,
             "same_month_last_year": 2, "rolling_12_months": 8, "arrests": 2,
             "criminal_outcomes": 2, "reviewed": 2, "homes_in_scope": 2,
             "registered_places": 7, "homes_with_callouts": 2}
        ],
        "repeat_children": [{"child_reference": "LCS-1", "urn": "SC1"}],
        "actions": {"totals": {"open": 1, "overdue": 1}},
        "changes": ["Authority E06000059: callouts 5 → 6"],
    }  # fmt: skip
    digest = render_digest(document, "https://pm.example.org/")
    assert digest["title"] == "Call-outs summary for April 2026 (version 2)"
    assert "What changed since version 1:" in digest["text"]
    assert "- Authority E06000059: callouts 5 → 6" in digest["text"]
    assert "https://pm.example.org/summaries/digests/2026-04" in digest["html"]
    assert digest["teams_card"]["actions"][0]["url"].endswith("/summaries/digests/2026-04")
    assert digest["teams_card"]["fallbackText"] == digest["text"]
    assert "LCS-1" not in str(digest)


def test_changes_in_scope_keeps_only_the_readers_rows_and_group_counts():
    from protocol_monitor.rules.summary import changes_in_scope

    lines = [
        "Authority E06000059: callouts 1 → 2",
        "Authority E10000034: callouts 4 → 5",
        "Placing authority E10000034: callouts 1 → 2",
        "Home SC200050: callouts 1 → 2",
        "Home SC999999: arrests 0 → 1",
        "Repeat children: 1 → 2",
        "Actions overdue: 0 → 1",
    ]
    scope = ({"E06000059"}, {"E06000059"}, {"SC200050"})
    assert changes_in_scope(lines, *scope, group_wide=True) == [
        "Authority E06000059: callouts 1 → 2",
        "Home SC200050: callouts 1 → 2",
        "Repeat children: 1 → 2",
        "Actions overdue: 0 → 1",
    ]
    # A reader of part of the group does not see the counts about all of it.
    assert changes_in_scope(lines, *scope, group_wide=False) == [
        "Authority E06000059: callouts 1 → 2",
        "Home SC200050: callouts 1 → 2",
    ]


def test_the_action_tracker_adds_its_rows_up_by_owner():
    from protocol_monitor.rules.summary import action_tracker

    counts = {"agreed": 2, "agreed_this_month": 1, "done": 1, "open": 1, "overdue": 0}
    rows = [
        {"urn": "SC1", "owner_id": 7, "owner": "PC Hart", **counts},
        {"urn": "SC2", "owner_id": 7, "owner": "PC Hart", **counts},
        {"urn": "SC2", "owner_id": 9, "owner": "A Hart", **counts, "overdue": 1},
        {"urn": "SC2", "owner_id": None, "owner": "No owner", **counts},
    ]
    tracker = action_tracker(rows)
    assert tracker["totals"] == {
        "agreed": 8, "agreed_this_month": 4, "done": 4, "open": 4, "overdue": 1,
    }  # fmt: skip
    assert tracker["by_owner"] == [
        {"owner": "A Hart", **counts, "overdue": 1},
        {"owner": "No owner", **counts},
        {"owner": "PC Hart", "agreed": 4, "agreed_this_month": 2, "done": 2, "open": 2,
         "overdue": 0},
    ]  # fmt: skip
    assert action_tracker([]) == {"totals": dict.fromkeys(counts, 0), "by_owner": []}
