"""Backoff, grouping window and composition of alerts."""

from datetime import UTC, datetime, timedelta

from protocol_monitor.alerts.slack import blocks
from protocol_monitor.alerts.teams import card
from protocol_monitor.rules.alerts import compose, next_delay, plain_text, within_window


def _message(**overrides):
    message = {
        "payload": {"title": "Flag raised", "lines": ["Home: Oak"], "link_path": "/flags/7"},
        "restricted": {"child_reference": "LCS-1"},
        "record_type": "flag",
        "record_id": 7,
    }
    message.update(overrides)
    return message


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour():
    assert [next_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert next_delay(20) == timedelta(hours=1)


def test_retry_after_is_honoured_as_given():
    assert next_delay(1, retry_after=120) == timedelta(seconds=120)
    assert next_delay(5, retry_after=2) == timedelta(seconds=2)


def test_grouping_window():
    first = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    assert within_window(first, first + timedelta(minutes=10), 10)
    assert not within_window(first, first + timedelta(minutes=10, seconds=1), 10)


def test_child_reference_only_when_allowed():
    hidden = compose([_message()], "https://pm.example.org", allow_child_reference=False)
    shown = compose([_message()], "https://pm.example.org", allow_child_reference=True)
    assert "LCS-1" not in plain_text(hidden)
    assert "LCS-1" not in str(blocks(hidden))
    assert "LCS-1" not in str(card(hidden))
    assert "- Child reference: LCS-1" in plain_text(shown)
    assert hidden.url == "https://pm.example.org/flags/7"


def test_only_flags_get_an_acknowledge_button():
    digest = compose(
        [_message(record_type=None, record_id=None)], "https://x", allow_child_reference=False
    )
    actions = next(b for b in blocks(digest) if b["type"] == "actions")["elements"]
    assert [a["action_id"] for a in actions] == ["open_record"]


def test_grouped_header_counts_the_alerts():
    grouped = compose([_message(), _message(record_id=8)], "https://x", allow_child_reference=False)
    assert grouped.header == "2 alerts: Flag raised"
    assert [i.flag_id for i in grouped.items] == [7, 8]
