"""Password rules follow NCSC guidance: length and a deny list, no composition rules. Hashes
use OWASP's argon2id parameters for a server; older ones are upgraded (needs_rehash)."""

import pytest
from argon2 import PasswordHasher, Type

from protocol_monitor.config import PASSWORD_HASH_PROFILES, ConfigError, Settings
from protocol_monitor.identity.passwords import (
    HASH_PROFILES,
    MIN_LENGTH,
    common_passwords,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)


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


def test_the_server_profile_is_owasps_argon2id_with_one_lane():
    server = HASH_PROFILES["server"]
    assert server.type is Type.ID
    assert (server.memory_cost, server.time_cost, server.parallelism) == (19 * 1024, 2, 1)
    assert set(HASH_PROFILES) == set(PASSWORD_HASH_PROFILES)


def test_outside_an_app_passwords_are_hashed_with_the_server_profile():
    made = hash_password("kettle orbit ribbon")
    assert made.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(made, "kettle orbit ribbon")
    assert not verify_password(made, "kettle orbit ribbons")
    assert not needs_rehash(made)


def test_hashes_made_with_other_parameters_still_verify_and_need_rehashing():
    # argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes) made every hash before the server profile.
    library_default = PasswordHasher().hash("kettle orbit ribbon")
    cheapest = PasswordHasher.from_parameters(HASH_PROFILES["fast"]).hash("kettle orbit ribbon")
    for made in (library_default, cheapest):
        assert verify_password(made, "kettle orbit ribbon")
        assert needs_rehash(made)
    assert needs_rehash("not a hash") and not verify_password("not a hash", "x")


def test_the_fast_profile_is_refused_in_production_and_unknown_profiles_everywhere():
    production = {"PROTOCOL_MONITOR_ENV": "production", "SECRET_KEY": "s" * 40}
    production["DATABASE_URL"] = "postgresql://u@db/pm"
    assert Settings.from_env(production).password_hash_profile == "server"
    with pytest.raises(ConfigError, match="PASSWORD_HASH_PROFILE=fast is for tests only"):
        Settings.from_env({**production, "PASSWORD_HASH_PROFILE": "fast"})
    with pytest.raises(ConfigError, match="PASSWORD_HASH_PROFILE must be one of server, fast"):
        Settings.from_env({"PASSWORD_HASH_PROFILE": "quick"})
    assert Settings.from_env({"PASSWORD_HASH_PROFILE": "fast"}).password_hash_profile == "fast"
