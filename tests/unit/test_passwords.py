"""Password rules follow NCSC guidance: length and a deny list, no composition rules."""

import pytest

from protocol_monitor.identity.passwords import MIN_LENGTH, common_passwords, password_problem


def test_the_shipped_deny_list_is_large_and_lower_case():
    words = common_passwords()
    assert len(words) >= 10_000
    assert "password" in words and "123qweasdzxc" in words
    assert all(word == word.lower() for word in words)


@pytest.mark.parametrize(
    "password",
    ["1qaz2wsx3edc", "Password2026!", "football123456", "123QWEASDZXC", "aaaaaaaaaaaaaa"],
)
def test_common_and_decorated_common_passwords_are_refused(password):
    assert password_problem(password) == (
        "Password is too common; choose a longer phrase that would be hard to guess"
    )


def test_short_and_overlong_passwords_are_refused():
    assert password_problem("a" * (MIN_LENGTH - 1)) == "Password must be 12 characters or more"
    assert password_problem("x" * 257) == "Password must be 256 characters or fewer"


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "kettle orbit ribbon", "alllowercasewords"]
)
def test_long_passwords_need_no_capitals_digits_or_symbols(password):
    assert password_problem(password) is None
