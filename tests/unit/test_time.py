from datetime import UTC, datetime

import pytest

from protocol_monitor.rules.time import (
    Month,
    NonexistentLocalTime,
    london_to_utc,
    month_key,
    parse_occurred_at,
)


def test_half_past_midnight_on_first_of_april_belongs_to_april_in_bst():
    moment = london_to_utc(datetime(2026, 4, 1, 0, 30))
    assert moment == datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert month_key(moment) == "2026-04"


def test_winter_time_is_utc():
    assert london_to_utc(datetime(2026, 1, 15, 21, 0)) == datetime(2026, 1, 15, 21, 0, tzinfo=UTC)


def test_spring_forward_gap_is_refused_when_strict():
    with pytest.raises(NonexistentLocalTime):
        london_to_utc(datetime(2026, 3, 29, 1, 30), strict=True)
    # Either side of the gap is fine.
    assert london_to_utc(datetime(2026, 3, 29, 0, 59), strict=True).hour == 0
    assert london_to_utc(datetime(2026, 3, 29, 2, 0), strict=True) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )


def test_repeated_autumn_hour_reads_as_the_first_occurrence():
    assert london_to_utc(datetime(2026, 10, 25, 1, 30), strict=True) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert london_to_utc(datetime(2026, 10, 25, 2, 30)) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_iso_without_offset_is_london_and_with_offset_is_respected():
    assert parse_occurred_at("2026-07-01T10:00") == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert parse_occurred_at("2026-07-01T10:00+00:00") == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_month_bounds_follow_london_time():
    start, end = Month(2026, 4).utc_bounds()
    assert start == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 4, 30, 23, 0, tzinfo=UTC)
    start, end = Month(2026, 10).utc_bounds()
    assert end == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def test_month_arithmetic_and_parsing():
    assert Month.parse("2026-01").previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month(2026, 3).shift(-11) == Month(2025, 4)
    assert str(Month(2026, 3)) == "2026-03"
    for bad in (
        "2026-13",
        "26-1x",
        "",
        "2026",
        "9999-12",
        "3000-01",
        "1899-12",
        "9" * 5000 + "-01",
    ):
        with pytest.raises(ValueError):
            Month.parse(bad)
