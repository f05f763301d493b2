"""Password hashing (argon2id) and the password rules people are asked to follow (NCSC).

Hashing uses OWASP's parameters for a server (argon2id, 19 MiB, 2 passes, 1 lane: about 20 ms of
CPU per sign-in) unless the PASSWORD_HASH_PROFILE setting says ``fast`` (argon2's cheapest
parameters, for the test suite only; production refuses it). A hash made with other parameters
(such as the library's defaults, 64 MiB and 4 lanes, used before) still verifies and is re-made
with the current ones when its owner next signs in (``needs_rehash``).

NCSC guidance: a minimum length, a deny list of common passwords, no composition rules (no
"one capital, one digit, one symbol") and no forced rotation. Passwords are changed when someone
chooses to, or when an administrator issues a reset link.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from ..data import word_list
from ..i18n import _

#: The hashing parameters by PASSWORD_HASH_PROFILE. ``server``: OWASP's Password Storage Cheat
#: Sheet (argon2id, m=19 MiB, t=2, p=1). ``fast``: argon2's minimum (8 KiB, 1 pass), for tests.
HASH_PROFILES = {
    "server": replace(
        profiles.RFC_9106_LOW_MEMORY, memory_cost=19 * 1024, time_cost=2, parallelism=1
    ),
    "fast": profiles.CHEAPEST,
}
_hashers = {name: PasswordHasher.from_parameters(p) for name, p in HASH_PROFILES.items()}

MIN_LENGTH = 12
MAX_LENGTH = 256

#: Common passwords that are long enough to pass the length rule; the shipped list adds 30,000.
_EXTRA_COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "123456789012",
        "qwertyuiop12",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "changeme1234",
        "administrator",
        "passw0rd1234",
        "qwerty123456",
        "111111111111",
        "abc123456789",
        "trustno1trustno1",
        "protocolmonitor",
        "protocol-monitor",
    }
)

# A common password with digits or punctuation added before or after it ("Password2026!").
_DECORATION = re.compile(r"^[\d\W_]*(?P<core>.*?)[\d\W_]*$")


@cache
def common_passwords() -> frozenset[str]:
    """The deny list: protocol_monitor/data/common-passwords.txt plus a few local additions."""
    return word_list("common-passwords.txt") | _EXTRA_COMMON


def is_common(password: str) -> bool:
    """True for a listed password, a listed one with digits or symbols around it, or one made of
    only a couple of repeated characters."""
    lowered = password.lower()
    deny = common_passwords()
    if lowered in deny:
        return True
    match = _DECORATION.match(lowered)
    core = match.group("core") if match else lowered
    if len(core) >= 4 and core in deny:
        return True
    return len(set(lowered)) <= 3


def _hasher() -> PasswordHasher:
    """The app's profile (its PASSWORD_HASH_PROFILE setting); ``server`` outside an app."""
    if has_app_context():
        return _hashers[current_app.config["SETTINGS"].password_hash_profile]
    return _hashers["server"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash, whatever parameters the hash was made with."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def verify_decoy(password: str) -> bool:
    """Check a password against a hash nobody knows the password of: the same work as
    ``verify_password`` for an address with no account, so the answer takes as long."""
    return verify_password(_decoy(_hasher()), password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current profile's: re-make it
    from the password its owner has just entered."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in GOV.UK wording, or None."""
    if len(password) < MIN_LENGTH:
        return _("Password must be %(num)s characters or more", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Password must be %(num)s characters or fewer", num=MAX_LENGTH)
    if is_common(password):
        return _("Password is too common; choose a longer phrase that would be hard to guess")
    return None
