"""The audit log in words: every action the service records has a label and a sentence."""

import re
from pathlib import Path

from protocol_monitor.rules import audit_events
from protocol_monitor.rules.audit_events import Facts

PACKAGE = Path(__file__).resolve().parents[2] / "protocol_monitor"
#: A call that records an audit event, and the literal action names it is given.
CALL = re.compile(
    r"(?:audit\.record|audit_trail\.read|event_values|_record_at_once)\(\s*"
    r"\"([a-z_]+)\"(?:\s+if\s[^,]+\selse\s+\"([a-z_]+)\")?"
)
#: Families built from a record type: read_scoped's ``<record>_viewed``, not_found's
#: ``<record>_not_found``, and reference.py's ``<record>_created`` / ``<record>_changed``.
FAMILIES = {
    "viewed": ("callout", "flag", "action"),
    "not_found": ("callout", "flag", "action", "import_run", "api_token", "group_mapping"),
    "created": ("authority", "force"),
    "changed": ("authority", "force"),
}


def recorded_actions() -> set[str]:
    found = {"permission_refused"}
    for path in PACKAGE.rglob("*.py"):
        for match in CALL.finditer(path.read_text()):
            found.update(name for name in match.groups() if name)
    for verb, types in FAMILIES.items():
        found.update(f"{t}_{verb}" for t in types)
    return found


def test_every_recorded_action_has_a_label_and_a_sentence():
    actions = recorded_actions()
    assert len(actions) > 60
    for action in sorted(actions):
        facts = Facts(action, "callout", 7, {}, "Sam Jones")
        description = audit_events.describe(facts)
        assert description.known, action
        assert "_" not in description.sentence, (action, description.sentence)
        assert "_" not in audit_events.label(action), action


def test_a_list_of_callouts_reads_as_how_many_and_whose():
    facts = Facts(
        "callout_list_viewed",
        "callout",
        None,
        {"ids": [54, 53, 52], "filters": {"page": 2, "month": "2026-10"}},
        "Sam Jones",
        names={"callout_homes": {54: "Heathview", 53: "Heathview", 52: "Stour Lodge"}},
    )
    description = audit_events.describe(facts)
    assert description.sentence == "Sam Jones listed 3 call-outs of Heathview and Stour Lodge"
    assert description.details == ["Page 2 of the list", "Month: October 2026"]


def test_a_correction_reads_in_labels():
    facts = Facts(
        "callout_changed",
        "callout",
        49,
        {
            "source": "home",
            "fields": {"category": ["criminal_damage", "threats_abuse"]},
            "reason": "(withheld)",
        },
        "Demo provider",
        names={"callout_homes": {49: "Harbour View"}},
    )
    description = audit_events.describe(facts)
    assert description.sentence == (
        "Demo provider corrected the home report of call-out 49 (Harbour View)"
    )
    assert description.details[0] == (
        "Category: Criminal damage in the home → Threats or verbal abuse"
    )


def test_an_unknown_action_falls_back_to_words_and_says_so():
    description = audit_events.describe(Facts("thing_frobbed", None, None, {}, "Sam"))
    assert not description.known and "thing frobbed" in description.sentence


def test_a_search_reads_as_what_was_looked_for_and_what_was_found():
    facts = Facts(
        "callout_searched",
        "callout",
        None,
        {"looked_for": "LCS-7001", "ids": [54, 52]},
        "Sam Jones",
        names={"callout_homes": {54: "Heathview", 52: "Stour Lodge"}},
    )
    assert audit_events.describe(facts).sentence == (
        "Sam Jones looked for LCS-7001 and found 2 call-outs of Heathview and Stour Lodge"
    )
    nothing = Facts("callout_searched", "callout", None, {"looked_for": "9", "ids": []}, "Sam")
    assert audit_events.describe(nothing).sentence == "Sam looked for 9 and found no call-outs"
