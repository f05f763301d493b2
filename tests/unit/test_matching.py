"""The §5 matching rule: same home and police reference, or same child within 2 hours."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from protocol_monitor.rules.matching import Candidate, Side, best_match, same_callout

AT = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks go forward


def side(home=1, at=AT, child="LCS-1", ref=None):
    return Side(home_id=home, occurred_at=at, child_reference=child, police_reference=ref)


def test_same_home_and_police_reference_match_whatever_the_time():
    assert same_callout(side(ref="DP-1"), side(ref="dp-1", at=AT + timedelta(days=3), child=None))


def test_different_police_references_never_match():
    assert not same_callout(side(ref="DP-1"), side(ref="DP-2"))


def test_exactly_two_hours_apart_matches():
    assert same_callout(side(), side(at=AT + timedelta(hours=2), ref="DP-9"))
    assert same_callout(side(at=AT + timedelta(hours=2)), side())


def test_two_hours_and_a_minute_apart_does_not_match():
    assert not same_callout(side(), side(at=AT + timedelta(hours=2, minutes=1)))
    assert not same_callout(side(at=AT - timedelta(hours=2, minutes=1)), side())


def test_naive_utc_from_sqlite_compares_with_aware():
    naive = (AT + timedelta(hours=1)).replace(tzinfo=None)
    assert same_callout(side(), side(at=naive))


def test_different_homes_do_not_match():
    assert not same_callout(side(home=1), side(home=2))
    assert not same_callout(side(home=1, ref="DP-1"), side(home=2, ref="DP-1"))


def test_both_blank_child_references_match():
    assert same_callout(side(child=None), side(child="  "))


def test_one_blank_child_reference_does_not_match_a_known_child():
    assert not same_callout(side(child=None), side(child="LCS-1"))
    assert not same_callout(side(child="LCS-1"), side(child="LCS-2"))


def test_child_references_compare_without_case():
    assert same_callout(side(child="lcs-1"), side(child="LCS-1"))


def test_an_already_matched_candidate_is_skipped():
    candidates = [Candidate(7, side(ref="DP-1"), matched=True)]
    assert best_match(side(ref="DP-1"), candidates) is None


def test_nearest_in_time_wins():
    near = Candidate(2, side(at=AT + timedelta(minutes=30)))
    far = Candidate(1, side(at=AT - timedelta(minutes=90)))
    assert best_match(side(), [far, near]) is near


def test_a_shared_police_reference_beats_a_nearer_time_match():
    by_time = Candidate(1, side(at=AT + timedelta(minutes=1)))
    by_reference = Candidate(2, side(at=AT + timedelta(minutes=100), ref="DP-5"))
    assert best_match(side(ref="DP-5"), [by_time, by_reference]) is by_reference


def test_no_candidates_no_match():
    assert best_match(side(), []) is None
    assert best_match(side(), [Candidate(1, side(home=9))]) is None


@given(
    minutes=st.integers(min_value=-600, max_value=600),
    child=st.sampled_from([None, "", "LCS-1", "LCS-2"]),
    other_child=st.sampled_from([None, "", "LCS-1", "LCS-2"]),
    ref=st.sampled_from([None, "DP-1", "DP-2"]),
    other_ref=st.sampled_from([None, "DP-1", "DP-2"]),
)
def test_matching_is_symmetric(minutes, child, other_child, ref, other_ref):
    a = side(child=child, ref=ref)
    b = side(at=AT + timedelta(minutes=minutes), child=other_child, ref=other_ref)
    assert same_callout(a, b) == same_callout(b, a)
