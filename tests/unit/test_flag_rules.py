"""The flag rules of §7: each fires exactly at its threshold, windows are London calendar days."""

from datetime import UTC, date, datetime, timedelta

import pytest

from protocol_monitor.rules import flags as rules
from protocol_monitor.rules.time import london_to_utc

DEFAULT = rules.Thresholds()


def at(*parts: int) -> datetime:
    """A London wall-clock time, as aware UTC."""
    return london_to_utc(datetime(*parts))


def window(new: datetime, others: list[datetime], thresholds=DEFAULT):
    return rules.repeat_child_window(
        1, new, [(i + 2, moment) for i, moment in enumerate(others)], thresholds
    )


def test_defaults_are_the_protocols():
    assert DEFAULT.as_mapping() == {
        "repeat_child_count": 3,
        "repeat_child_days": 30,
        "repeat_home_count": 5,
        "unreported_hours": 72,
    }


def test_thresholds_from_a_stored_setting_ignore_unknown_keys_and_refuse_nonsense():
    assert rules.Thresholds.from_mapping({"repeat_home_count": 7, "x": 1}).repeat_home_count == 7
    assert rules.Thresholds.from_mapping(None) == DEFAULT
    with pytest.raises(ValueError, match="repeat_child_count"):
        rules.Thresholds(repeat_child_count=1)
    with pytest.raises(ValueError, match="unreported_hours"):
        rules.Thresholds(unreported_hours=0)


def test_subject_keys():
    assert rules.repeat_child_key(4, 9, "LCS-1") == "repeat_child:4:9:LCS-1"
    assert rules.repeat_child_key(4, None, "LCS-1") == "repeat_child:4:none:LCS-1"
    assert rules.repeat_home_key(4, "2026-04") == "repeat_home:4:2026-04"
    assert rules.callout_key("unreported", 17) == "unreported:17"
    assert rules.callout_key("no_immediate_risk", 17) == "no_immediate_risk:17"


def test_repeat_child_fires_at_three_and_not_at_two():
    assert window(at(2026, 5, 20, 12), [at(2026, 5, 1, 12)]) is None
    found = window(at(2026, 5, 20, 12), [at(2026, 5, 1, 12), at(2026, 5, 10, 9)])
    assert found is not None
    assert found.callout_ids == (2, 3, 1)
    assert (found.first_day, found.last_day, found.span_days) == (
        date(2026, 5, 1),
        date(2026, 5, 20),
        20,
    )


def test_repeat_child_window_is_thirty_london_days_counting_both_ends():
    first = at(2026, 6, 1, 0, 5)
    assert window(at(2026, 6, 30, 23, 55), [first, at(2026, 6, 15, 12)]) is not None
    assert window(at(2026, 7, 1, 0, 5), [first, at(2026, 6, 15, 12)]) is None


def test_repeat_child_window_across_a_month_end():
    assert window(at(2026, 2, 18, 21), [at(2026, 1, 20, 8), at(2026, 2, 5, 12)]) is not None
    assert window(at(2026, 2, 19, 8), [at(2026, 1, 20, 21), at(2026, 2, 5, 12)]) is None


def test_repeat_child_window_across_the_march_clock_change():
    # 23:30 GMT on 27 March, and 00:30 BST on 26 April (23:30 UTC on 25 April): 29 UTC days but
    # London days 27 March and 26 April, 31 days counting both: not in one 30-day window.
    early = at(2026, 3, 27, 23, 30)
    late = at(2026, 4, 26, 0, 30)
    assert late - early < timedelta(days=30)
    assert window(late, [early, at(2026, 4, 10, 12)]) is None
    # 00:30 BST on 25 April is in the window that starts on 27 March.
    assert window(at(2026, 4, 25, 0, 30), [early, at(2026, 4, 10, 12)]) is not None


def test_repeat_child_window_across_the_october_clock_change():
    # 00:30 BST on 1 October is 23:30 UTC on 30 September; 23:30 GMT on 30 October is exactly 30
    # UTC days later, but London days 1 to 30 October are one 30-day window.
    early = at(2026, 10, 1, 0, 30)
    late = at(2026, 10, 30, 23, 30)
    assert late - early == timedelta(days=30)
    assert window(late, [early, at(2026, 10, 25, 1, 30)]) is not None
    assert window(at(2026, 10, 31, 0, 30), [early, at(2026, 10, 25, 1, 30)]) is None


def test_repeat_child_counts_the_new_callout_in_the_best_window():
    # Days 1, 25, 40 and 55: the new one (day 40) shares a window with day 25 or with day 55,
    # never both (30 days apart). Adding day 46 makes two windows of three; the earliest wins.
    base = at(2026, 1, 1, 12)
    others = [base, base + timedelta(days=24), base + timedelta(days=54)]
    assert window(base + timedelta(days=39), others) is None
    found = window(base + timedelta(days=39), [*others, base + timedelta(days=45)])
    assert found is not None and found.callout_ids == (3, 1, 5)


def test_repeat_child_with_changed_thresholds():
    changed = rules.Thresholds(repeat_child_count=2, repeat_child_days=7)
    assert window(at(2026, 5, 8, 12), [at(2026, 5, 2, 12)], changed) is not None
    assert window(at(2026, 5, 9, 12), [at(2026, 5, 2, 12)], changed) is None


def test_repeat_child_search_bounds_are_whole_london_days():
    start, end = rules.repeat_child_search_bounds(at(2026, 4, 26, 0, 30), 30)
    assert start == at(2026, 3, 28, 0, 0) == datetime(2026, 3, 28, 0, 0, tzinfo=UTC)
    assert end == at(2026, 5, 26, 0, 0) == datetime(2026, 5, 25, 23, 0, tzinfo=UTC)


def test_repeat_home_fires_at_five_and_not_at_four():
    assert not rules.repeat_home_met(4, DEFAULT)
    assert rules.repeat_home_met(5, DEFAULT)
    assert rules.repeat_home_met(3, rules.Thresholds(repeat_home_count=3))


def test_no_immediate_risk_needs_attendance_and_a_recorded_no():
    assert rules.no_immediate_risk_met(True, True, "no")
    assert not rules.no_immediate_risk_met(True, False, "no")
    assert not rules.no_immediate_risk_met(True, None, "no")
    assert not rules.no_immediate_risk_met(True, True, "unknown")
    assert not rules.no_immediate_risk_met(True, True, "yes")
    assert not rules.no_immediate_risk_met(False, True, "no")  # missing/absent never count


def test_criminal_outcome_only_in_scope():
    assert rules.criminal_outcome_met(True, True)
    assert not rules.criminal_outcome_met(True, False)
    assert not rules.criminal_outcome_met(False, True)


def test_unreported_is_due_at_72_elapsed_hours_across_the_clock_change():
    occurred = at(2026, 3, 28, 12, 0)  # GMT; the clocks go forward early on 29 March
    due = occurred + timedelta(hours=72)
    assert rules.unreported_due(True, True, False, occurred, due, DEFAULT)
    assert not rules.unreported_due(
        True, True, False, occurred, due - timedelta(minutes=1), DEFAULT
    )
    # 12:00 London on 31 March is only 71 real hours later.
    assert not rules.unreported_due(True, True, False, occurred, at(2026, 3, 31, 12), DEFAULT)
    assert rules.unreported_due(True, True, False, occurred, at(2026, 3, 31, 13), DEFAULT)


def test_unreported_never_when_reported_not_police_or_excluded():
    occurred = at(2026, 5, 1, 12)
    later = occurred + timedelta(days=5)
    assert not rules.unreported_due(True, True, True, occurred, later, DEFAULT)
    assert not rules.unreported_due(True, False, False, occurred, later, DEFAULT)
    assert not rules.unreported_due(False, True, False, occurred, later, DEFAULT)


def test_explanations_name_callouts_window_and_threshold():
    found = window(at(2026, 5, 20, 12), [at(2026, 5, 1, 12), at(2026, 5, 10, 9)])
    text = rules.explain_repeat_child(found, DEFAULT, "LCS-9")
    assert "3 in-scope call-outs about child LCS-9" in text
    assert "between 1 May 2026 and 20 May 2026 (20 days" in text
    assert "call-outs 2, 3, 1" in text and "3 or more within any 30 consecutive days" in text
    home = rules.explain_repeat_home("April 2026", [4, 5, 6, 7, 8], DEFAULT)
    assert "5 in-scope call-outs at this home in April 2026" in home and "5 or more" in home
    assert "14:00" in rules.explain_unreported(3, at(2026, 5, 1, 14), DEFAULT)
