"""How many tries: an attempt is counted before it is checked, in one atomic statement.

Reading a counter, checking a password and writing the counter back lets parallel requests all
read the same count and all be checked. Here each attempt first claims its place with one
``UPDATE … SET n = n + 1 … RETURNING n`` (an ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` for
an address seen for the first time; the same on SQLite and PostgreSQL), which also sets the lock
when the place claimed is the last one allowed. A locked row is not updated, so the attempt is
refused unchecked: at most ``max_failures`` attempts are checked before the lock, however many
arrive at once.

Two counters:

- **passwords**, per email address typed (``SignInThrottle``), whether or not an account has it,
  so an unknown address is counted, locked and answered exactly like a known one. The count is
  forgotten ``lockout`` after the last attempt.
- **second-factor codes**, per account (``User.failed_codes``), which the password step never
  resets: after the first lock every wrong code locks again, until a right one.

These are statements inside the caller's unit of work; the caller commits the claim before the
slow check, so that other requests see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import sealing
from ..db import UTCDateTime, db
from ..i18n import N_
from ..models import SignInThrottle, User
from ..services import ServiceError

#: Read with i18n.translate where it is shown.
LOCKED = N_(
    "There have been too many attempts to sign in to this account. Try again later, "
    "or ask an administrator to unlock it."
)


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


class SignInRefused(ServiceError):
    pass


def _moment(value: datetime):
    return literal(value, UTCDateTime())


# Passwords, per address --------------------------------------------------------------------


def address_key(address: str) -> str:
    """The throttle's key for a normalised email address (a keyed hash: no address stored)."""
    return sealing.digest("sign-in address", address)


def claim_password_attempt(key: str, policy: SignInPolicy, now: datetime) -> int | None:
    """Count a password attempt at this address before it is checked: the attempts since the
    last success (this one included), or None when the address is locked."""
    row = SignInThrottle.__table__
    fresh = row.c.last_attempt_at > _moment(now - policy.lockout)
    attempts = case((fresh, row.c.attempts + 1), else_=1)
    until = _moment(now + policy.lockout)
    first_lock = until if policy.max_failures <= 1 else None
    insert = (
        postgresql.insert(row)
        if db.session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(row)
    )
    statement = (
        insert.values(address_key=key, attempts=1, locked_until=first_lock, last_attempt_at=now)
        .on_conflict_do_update(
            index_elements=[row.c.address_key],
            set_={
                "attempts": attempts,
                "locked_until": case((attempts >= policy.max_failures, until), else_=None),
                "last_attempt_at": _moment(now),
            },
            where=or_(row.c.locked_until.is_(None), row.c.locked_until <= _moment(now)),
        )
        .returning(row.c.attempts)
    )
    return db.session.execute(statement).scalar_one_or_none()


def password_attempt_succeeded(key: str) -> None:
    """A right password: the address's count and any lock go."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.address_key == key))


def forget_stale(policy: SignInPolicy, now: datetime) -> None:
    """Drop the counts of addresses with no attempt for ``lockout`` and no lock in force, so
    the table holds at most the addresses tried in the last ``lockout``."""
    db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.last_attempt_at <= now - policy.lockout,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        )
    )


def locked_addresses(now: datetime) -> set[str]:
    """The keys of the addresses locked now."""
    return set(
        db.session.scalars(
            select(SignInThrottle.address_key).where(SignInThrottle.locked_until > now)
        )
    )


# Second-factor codes, per account ----------------------------------------------------------


def claim_code_attempt(user_id: int, policy: SignInPolicy, now: datetime) -> int | None:
    """Count a second-factor attempt before it is checked: the number of wrong codes it would
    make, or None when the account's second factor is locked. The claim that reaches the limit
    sets the lock (the caller lifts it if that code turns out right). The count is not reset by
    the lock, so after one lock each further wrong code locks again."""
    reached = User.failed_codes + 1 >= policy.max_failures
    statement = (
        update(User)
        .where(
            User.id == user_id,
            or_(User.locked_until.is_(None), User.locked_until <= _moment(now)),
        )
        .values(
            failed_codes=User.failed_codes + 1,
            locked_until=case((reached, _moment(now + policy.lockout)), else_=User.locked_until),
        )
        .returning(User.failed_codes)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).scalar_one_or_none()


def code_attempt_succeeded(user_id: int) -> None:
    """A right code: the count starts again and a lock its own claim set is lifted."""
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_codes=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )


def user_key(user: User) -> str:
    """The key of the address the user signs in with. Accounts keep their address as
    accounts.normalise_email made it, which is what a sign-in matching it is counted under."""
    return address_key(user.email.lower())


def unlock(user: User) -> None:
    """An administrator's unlock (or a new password): the count and lock of the user's address
    and of their second factor go."""
    password_attempt_succeeded(user_key(user))
    user.failed_codes = 0
    user.locked_until = None
