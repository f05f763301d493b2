import pytest

from protocol_monitor.rules.free_text import findings, kinds, warning


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Jane Smith threw a chair at staff", "name", "Jane Smith"),
        ("Staff restrained Tom O'Neill in the lounge", "name", "Tom O'Neill"),
        ("Mr Jones the neighbour called police", "name", "Mr Jones"),
        ("PC Patel attended at 22:00", "name", "PC Patel"),
        ("a boy called Kyle was outside", "name", "Kyle"),
        ("DOB 12/03/2010", "date_of_birth", "DOB"),
        ("she was born in 2011", "date_of_birth", "born in"),
        ("date of birth is 3rd March 2010", "date_of_birth", "3rd March 2010"),
        ("on 2010-03-12 she", "date_of_birth", "2010-03-12"),
        ("call mum on 07700 900123", "phone", "07700 900123"),
        ("ring +44 7700 900 123 later", "phone", "+44 7700 900 123"),
        ("landline 01202 123456.", "phone", "01202 123456"),
        ("lives at BH1 1AA now", "address", "BH1 1AA"),
        ("went to 14 Acacia Avenue after", "address", "14 Acacia Avenue"),
        ("seen on Station Road by staff", "address", "Station Road"),
        ("email jane.smith@example.org please", "email", "jane.smith@example.org"),
    ],
)
def test_personal_details_are_found(text, kind, found):
    assert (kind, found) in [(f.kind, f.text) for f in findings(text)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "Throwing furniture at staff",
        "The young person kicked the door. Staff used verbal de-escalation.",
        "After a while Police arrived and spoke to YP in the lounge.",
        "Then Dorset Police attended; the Registered Manager was on call.",
        "Broken window, no injuries. Ofsted notified on Monday.",
        "Damage estimated at 250 pounds; 3 staff involved for 45 minutes",
        "Police reference DP-2026-0001 given by the call handler",
        "Child punched the wall twice and calmed down by 23:15",
        "CAMHS and the Social Worker were informed in the morning",
    ],
)
def test_ordinary_descriptions_raise_nothing(text):
    assert findings(text) == []


def test_kinds_are_listed_once_in_a_fixed_order():
    text = "Call Jane Smith on 07700 900123 or at Jane Smith's flat, BH1 1AA"
    assert kinds(text) == ["name", "phone", "address"]


def test_warning_explains_why_in_one_sentence():
    message = warning("What happened", "Jane Smith, DOB 01/02/2010")
    assert message.startswith("What happened may contain a name (‘Jane Smith’) and a date")
    assert "Use the child’s reference instead of a name" in message
    assert warning("What happened", "Staff used verbal de-escalation") is None
