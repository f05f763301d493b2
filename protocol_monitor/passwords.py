"""Password hashing (argon2id) and the password rules people are asked to follow (NCSC)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 12
COMMON_PASSWORDS = frozenset(
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
    }
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in GOV.UK wording, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if password.lower() in COMMON_PASSWORDS:
        return "Password is too common; choose a longer phrase that would be hard to guess"
    return None
