from datetime import UTC, date, datetime
from types import SimpleNamespace

from protocol_monitor import audit


def test_snapshot_makes_values_json_ready():
    record = SimpleNamespace(
        at=datetime(2026, 4, 1, 9, 30, tzinfo=UTC), due=date(2026, 5, 1), tags={"b", "a"}, n=3
    )
    assert audit.snapshot(record, ["at", "due", "tags", "n"]) == {
        "at": "2026-04-01T09:30:00+00:00",
        "due": "2026-05-01",
        "tags": ["a", "b"],
        "n": 3,
    }


def test_diff_lists_changed_fields_and_withholds_free_text_and_child_details():
    before = {"status": "open", "due_on": "2026-05-01", "text": "Ring LCS-1's SW", "child_age": 14}
    after = {"status": "done", "due_on": "2026-05-01", "text": "Rang", "child_age": 15}
    assert audit.diff(before, after) == {
        "status": ["open", "done"],
        "text": [audit.WITHHELD, audit.WITHHELD],
        "child_age": [audit.WITHHELD, audit.WITHHELD],
    }
    assert audit.diff(before, before) == {}


def test_created_entries():
    assert audit.created({"status": "open", "owner_id": None, "note": "x"}) == {
        "status": [None, "open"],
        "note": [audit.WITHHELD, audit.WITHHELD],
    }
