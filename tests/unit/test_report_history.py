"""A report's history of corrections in words: labels, names and UK times, never codes."""

from protocol_monitor.rules import report_history
from protocol_monitor.services.callouts import REPORT_FIELDS


def test_every_report_field_has_a_label():
    assert set(REPORT_FIELDS) <= set(report_history.FIELD_LABELS)


def test_changes_read_as_labels_names_and_uk_times():
    rows = report_history.changes(
        {
            "outcome": ["pending", "youth_caution"],
            "category": ["criminal_damage", "threats_abuse"],
            "occurred_at": ["2026-07-01T20:30:00+00:00", "2026-07-01T21:15:00+00:00"],
            "placing_authority_id": [None, 4],
            "deescalation": [["verbal"], ["verbal", "space_time"]],
            "arrested": [False, True],
        },
        names={"placing_authority_id": {4: "Worcestershire County Council"}},
    )
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("When (UK time)", "1 Jul 2026 21:30", "1 Jul 2026 22:15"),
        ("Placing authority", "–", "Worcestershire County Council"),
        ("Category", "Criminal damage in the home", "Threats or verbal abuse"),
        ("De-escalation tried", "Verbal de-escalation", "Verbal de-escalation, Space and time"),
        ("Arrested", "No", "Yes"),
        ("Outcome", "Not yet known", "Youth caution (outcome 2)"),
    ]


def test_free_text_is_hidden_from_those_who_may_not_read_it():
    (row,) = report_history.changes({"description": ["a", "b"]}, free_text=False)
    assert (row.before, row.after) == ("(free text not shown)", "(free text not shown)")


def test_a_stored_time_reads_in_uk_time():
    from datetime import UTC, datetime

    moment = datetime(2026, 10, 2, 23, 55, tzinfo=UTC)
    assert report_history.value_text("occurred_at", moment) == "3 Oct 2026 00:55"
