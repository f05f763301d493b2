"""The board report's rules (domain.md §9): years, bands, suppression, the funnel, like-for-like
homes and the sentences, as plain functions."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol_monitor.rules import board_report as rules
from protocol_monitor.rules.suppression import SECONDARY, SUPPRESSED, suppress_table
from protocol_monitor.rules.time import Month

# Years ------------------------------------------------------------------------------------------


def test_three_years_ending_in_a_chosen_month_oldest_first():
    years = rules.years_ending(Month(2026, 9), this_month=Month(2026, 12))
    assert [(str(y.first), str(y.last)) for y in years] == [
        ("2023-10", "2024-09"),
        ("2024-10", "2025-09"),
        ("2025-10", "2026-09"),
    ]
    assert [y.label for y in years] == [
        "October 2023 to September 2024",
        "October 2024 to September 2025",
        "October 2025 to September 2026",
    ]
    assert years[-1].short == "Oct 2025 to Sep 2026"
    assert not any(y.to_date for y in years)
    assert len(years[0].months) == 12 and years[0].months[-1] == Month(2024, 9)


def test_a_year_not_over_is_labelled_to_date():
    # The last month itself is not over on any day of it.
    years = rules.years_ending(Month(2027, 9), this_month=Month(2027, 9))
    assert years[-1].to_date and not years[-2].to_date
    assert years[-1].label == "October 2026 to September 2027 (to date)"
    assert years[-1].short == "Oct 2026 to Sep 2027 to date"


def test_calendar_years_are_named_by_their_year():
    years = rules.years_ending(Month(2025, 12), this_month=Month(2026, 12))
    assert [y.label for y in years] == ["2023", "2024", "2025"]


@pytest.mark.parametrize(
    ("today", "preset", "last"),
    [
        (date(2026, 12, 1), "october", "2026-09"),
        (date(2026, 9, 30), "october", "2025-09"),  # September 2026 is not over yet
        (date(2026, 10, 1), "october", "2026-09"),
        (date(2026, 4, 1), "financial", "2026-03"),
        (date(2026, 3, 31), "financial", "2025-03"),
        (date(2026, 1, 1), "calendar", "2025-12"),
        (date(2026, 12, 31), "calendar", "2025-12"),
    ],
)
def test_the_latest_year_over_by_a_day(today, preset, last):
    assert str(rules.latest_year_ending(today, preset)) == last


def test_preset_of_a_last_month():
    assert rules.preset_of(Month(2026, 9)) == "october"
    assert rules.preset_of(Month(2026, 3)) == "financial"
    assert rules.preset_of(Month(2026, 12)) == "calendar"
    assert rules.preset_of(Month(2026, 7)) is None


# Children ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, "not_recorded"),
        (0, "under_10"),
        (9, "under_10"),
        (10, "10_13"),
        (13, "10_13"),
        (14, "14_15"),
        (15, "14_15"),
        (16, "16_17"),
        (17, "16_17"),
        (18, "18_plus"),
        (25, "18_plus"),
    ],
)
def test_age_bands_at_their_edges(age, band):
    assert rules.age_band(age) == band


def test_unknown_and_blank_sex_are_not_known():
    assert [rules.sex_group(s) for s in ("female", "male", "other", "unknown", None, "")] == [
        "female",
        "male",
        "other",
        "not_known",
        "not_known",
        "not_known",
    ]


def test_ratios_have_one_decimal_halves_up():
    assert rules.ratio(10, 4) == 2.5
    assert rules.ratio(1, 8, 10) == 1.3  # 1.25 rounds up
    assert rules.ratio(5, 0) is None and rules.ratio(5, None) is None
    assert rules.ratio(3, 7.5, 10) == 4.0
    assert rules.percent(1, 3) == 33.3


# Homes ------------------------------------------------------------------------------------------

YEARS = rules.years_ending(Month(2026, 9), this_month=Month(2026, 12))
OLD = rules.HomeSpan("SC1", "Old Road", 4, date(2010, 1, 1), None)
OPENED = rules.HomeSpan("SC2", "New House", 6, date(2025, 4, 1), None)
CLOSED = rules.HomeSpan("SC3", "Last Lodge", 3, None, date(2024, 6, 30))
GONE = rules.HomeSpan("SC4", "Long Gone", 5, date(2001, 1, 1), date(2020, 1, 31))


def test_like_for_like_homes_were_open_on_some_day_of_every_year():
    assert rules.like_for_like([OLD, OPENED, CLOSED, GONE], YEARS) == [OLD]
    # Open on the last day of the first year and the first day of the last is enough.
    edge = rules.HomeSpan("SC5", "Edge", 2, date(2024, 9, 30), None)
    assert rules.like_for_like([edge], YEARS) == [edge]


def test_homes_in_a_year_and_their_average_places():
    first, second, third = YEARS
    assert rules.homes_in_year([OLD, OPENED, CLOSED, GONE], first) == [OLD, CLOSED]
    assert rules.homes_in_year([OLD, OPENED, CLOSED, GONE], third) == [OLD, OPENED]
    # Closed at the end of June 2024: open for 9 of the year's 12 months -> 4 + 3 * 9/12.
    assert rules.average_places([OLD, CLOSED], first.months) == 6.3
    # Opened in April 2025: 6 places for 6 of 12 months.
    assert rules.average_places([OLD, OPENED], second.months) == 7.0
    assert rules.average_places([OLD], []) == 0.0


def test_a_year_to_date_counts_the_months_begun():
    year = rules.years_ending(Month(2027, 9), this_month=Month(2026, 12))[-1]
    assert rules.counted_months(year, Month(2026, 12)) == [
        Month(2026, 10),
        Month(2026, 11),
        Month(2026, 12),
    ]


def test_the_sentence_names_the_homes_that_opened_and_closed():
    changes = rules.home_changes([OLD, OPENED, CLOSED, GONE], YEARS)
    assert [(c.name, c.event) for c in changes] == [
        ("Last Lodge", "closed"),
        ("New House", "opened"),
    ]
    text = rules.describe_home_changes(changes, like_homes=1, homes=3)
    assert text == (
        "In these three years New House (April 2025) opened; Last Lodge (June 2024) closed. "
        "1 of the 3 homes in scope was open in all three years: the like-for-like figures "
        "count only those."
    )
    assert rules.describe_home_changes([], like_homes=2, homes=2).startswith(
        "No home opened or closed in these three years. 2 of the 2 homes in scope were open"
    )
    both = [
        rules.HomeChange("A", "opened", date(2024, 1, 1)),
        rules.HomeChange("B", "opened", date(2024, 2, 1)),
        rules.HomeChange("C", "opened", date(2024, 3, 1)),
    ]
    assert "A (January 2024), B (February 2024) and C (March 2024) opened." in (
        rules.describe_home_changes(both, 0, 3)
    )


# The funnel -------------------------------------------------------------------------------------


def test_the_funnel_as_counts_and_rates():
    steps = rules.funnel({"callouts": 40, "attended": 30, "arrested": 6, "criminal": 3})
    assert [(s.label, s.count, s.of_callouts, s.of_previous) for s in steps] == [
        ("Call-outs", 40, 100.0, None),
        ("Police attended", 30, 75.0, 75.0),
        ("Arrested", 6, 15.0, 20.0),
        ("Criminal outcome", 3, 7.5, 50.0),
    ]
    empty = rules.funnel({})
    assert [s.count for s in empty] == [0, 0, 0, 0]
    assert all(s.of_callouts is None for s in empty)


# Sentences --------------------------------------------------------------------------------------


def test_change_in_words():
    """Each subject's sentence is whole (Welsh puts the verb first): the subject is named by its
    key."""
    assert rules.change_sentence("callouts", "2024", "2025", 120, 100) == (
        "Police call-outs to children's homes fell by 20 (16.7%), from 120 in 2024 to 100 in 2025."
    )
    assert rules.change_sentence("criminal_children", "2024", "2025", 0, 12) == (
        "Children with a criminal outcome rose by 12, from 0 in 2024 to 12 in 2025."
    )
    assert rules.change_sentence("criminal_children", "2024", "2025", 7, 7) == (
        "Children with a criminal outcome did not change: 7 in 2024 and in 2025."
    )
    assert rules.change_sentence("callouts", "2024", "2025", "<5", 9) == (
        "Police call-outs to children's homes went from fewer than 5 in 2024 to 9 in 2025."
    )
    assert rules.change_sentence("like_for_like", "2024", "2025", 1200, 1500, homes=1) == (
        "At the 1 home open in all three years, call-outs rose by 300 (25%), from 1,200 in 2024 "
        "to 1,500 in 2025."
    )


def test_the_headline_says_the_change_overall_and_like_for_like():
    text = rules.headline(YEARS, [50, 40, 30], [30, 30, 24], like_homes=4)
    assert text == (
        "Police call-outs to children's homes fell by 10 (25%), from 40 in October 2024 to "
        "September 2025 to 30 in October 2025 to September 2026. At the 4 homes open in all "
        "three years, call-outs fell by 6 (20%), from 30 in October 2024 to September 2025 to "
        "24 in October 2025 to September 2026."
    )
    to_date = rules.years_ending(Month(2027, 9), this_month=Month(2026, 12))
    text = rules.headline(to_date, [1, 2, 3], [0, 0, 0], like_homes=0)
    assert "At the" not in text
    assert text.endswith("October 2026 to September 2027 is not over yet: its figures are so far.")


# Suppression ------------------------------------------------------------------------------------


def _row(*values):
    """One row of cells a, b, c… and its total."""
    keys = [chr(ord("a") + i) for i in range(len(values))]
    cells = dict(zip(keys, values, strict=True))
    cells["total"] = sum(values)
    return cells, [(keys, "total")]


def test_counts_from_1_to_4_are_shown_as_under_5_and_0_and_5_stay():
    cells, totals = _row(0, 5, 12)
    assert suppress_table(cells, totals) == {"a": 0, "b": 5, "c": 12, "total": 17}
    cells, _ = _row(4, 5)
    assert suppress_table(cells, [])["a"] == SUPPRESSED


def test_a_total_giving_away_a_hidden_cell_hides_the_next_smallest():
    cells, totals = _row(3, 10, 12)
    assert suppress_table(cells, totals) == {"a": SUPPRESSED, "b": SECONDARY, "c": 12, "total": 25}


def test_the_next_smallest_may_be_a_zero_and_ties_go_to_the_first():
    cells, totals = _row(3, 0, 12)
    assert suppress_table(cells, totals)["b"] == SECONDARY
    cells, totals = _row(2, 9, 9)
    assert suppress_table(cells, totals) == {"a": SUPPRESSED, "b": SECONDARY, "c": 9, "total": 20}


def test_two_hidden_cells_that_could_be_many_things_are_safe():
    cells, totals = _row(3, 2, 10)
    assert suppress_table(cells, totals) == {"a": "<5", "b": "<5", "c": 10, "total": 15}


@pytest.mark.parametrize("values", [(1, 1, 10), (4, 4, 10)])
def test_hidden_cells_all_1_or_all_4_are_given_away_by_their_sum(values):
    cells, totals = _row(*values)
    assert suppress_table(cells, totals)["c"] == SECONDARY


def test_a_hidden_total_gives_nothing_away():
    cells = {"a": 3, "b": 0, "total": 3}
    assert suppress_table(cells, [(["a", "b"], "total")]) == {
        "a": SUPPRESSED,
        "b": 0,
        "total": SUPPRESSED,
    }


def test_rows_and_columns_both_checked_until_no_total_gives_a_cell_away():
    # Two rows (x, y), two columns (1, 2), row totals and column totals.
    cells = {
        ("x", 1): 3,
        ("x", 2): 20,
        ("x", "all"): 23,
        ("y", 1): 30,
        ("y", 2): 40,
        ("y", "all"): 70,
        ("all", 1): 33,
        ("all", 2): 60,
        ("all", "all"): 93,
    }
    totals = [([(r, 1), (r, 2)], (r, "all")) for r in ("x", "y", "all")] + [
        ([("x", c), ("y", c)], ("all", c)) for c in (1, 2, "all")
    ]
    shown = suppress_table(cells, totals)
    # x1 is <5; row x gives it away, so x2 is hidden; column 1 gives x1 away, so y1 is
    # hidden; now column 2 and row y each have one hidden cell: y2 goes too.
    assert shown[("x", 1)] == SUPPRESSED
    assert shown[("x", 2)] == shown[("y", 1)] == shown[("y", 2)] == SECONDARY
    assert shown[("all", "all")] == 93


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=6))
def test_no_published_row_gives_a_hidden_cell_away(values):
    cells, totals = _row(*values)
    shown = suppress_table(cells, totals)
    hidden = [k for k, v in shown.items() if isinstance(v, str)]
    assert all(shown[k] == cells[k] for k in cells if k not in hidden)
    assert all(shown[k] == SUPPRESSED for k in cells if 1 <= cells[k] <= 4)
    if hidden and shown["total"] not in (SUPPRESSED, SECONDARY):
        assert len(hidden) >= 2
