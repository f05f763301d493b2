"""How many tries: an attempt is counted before it is checked, in one atomic statement.

Reading a counter, checking a password and writing the counter back lets parallel requests all
read the same count and all be checked. Here each attempt first claims its place with one
``UPDATE … SET n = n + 1 … RETURNING n`` (the same on SQLite and PostgreSQL), which also sets
the lock when the place claimed is the last one allowed; a locked row is not updated, so the
attempt is refused unchecked. At most ``max_failures`` attempts are checked before the lock, however
many arrive at once.

These are statements inside the caller's unit of work; the caller commits the claim before the
slow check, so that other requests see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, update

from ..db import db
from ..models import User
from ..services import ServiceError

LOCKED = (
    "There have been too many attempts to sign in to this account. Try again later, "
    "or ask an administrator to unlock it."
)


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


class SignInRefused(ServiceError):
    pass


def claim_code_attempt(user_id: int, policy: SignInPolicy, now: datetime) -> int | None:
    """Count a second-factor attempt before it is checked: the number of wrong codes it would
    make, or None when the account is locked. The claim that reaches the limit locks the
    account (the caller lifts the lock if that code turns out right). The count is not reset by
    the lock, so after one lock each further wrong code locks again."""
    reached = User.failed_codes + 1 >= policy.max_failures
    statement = (
        update(User)
        .where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(
            failed_codes=User.failed_codes + 1,
            locked_until=case((reached, now + policy.lockout), else_=User.locked_until),
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
