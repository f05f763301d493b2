"""Credentials beyond the password: read-only API tokens, one-time password-reset links and
two-factor recovery codes.

Only a hash of each secret is stored; the secret itself is shown once and never again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from .users import User


class ApiToken(db.Model):
    """A read-only token for a BI tool, acting with exactly its owner's scope, until it expires
    (API_TOKEN_DAYS after it was made) or is revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: The first characters of the token, shown in lists so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class PasswordResetToken(db.Model):
    """A single-use link to choose a new password, issued by an administrator or by email."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Invitation(db.Model):
    """A single-use link for an invited person to choose their password (and set up two-factor
    sign-in where their role requires it). Stored only as the link's SHA-256 hash. An
    invitation ends when accepted, when a new one is sent, or when the administrator withdraws it
    (``ended_at``); it stops working at ``expires_at``."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Whether the link went by email (else it was shown once to the administrator).
    emailed: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app (a lost phone). Ten are issued
    when two-factor sign-in is turned on; making new ones replaces them all."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: HMAC-SHA256 of the code under a key derived from SECRET_KEY (sealing.digest).
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class SignInThrottle(db.Model):
    """Password attempts at one email address, whether or not an account has it, so that an
    unknown address is throttled, and answered, exactly like a known one (identity.throttle).

    The address is kept only as a keyed hash (sealing.digest). A row is forgotten once
    ``lockout`` has passed since its last attempt (and any lock has run out).
    """

    __tablename__ = "sign_in_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: Attempts since the last success, counted before each is checked.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime] = mapped_column(index=True)


class BrowserSession(db.Model):
    """One signed-in browser (identity.browser_sessions). The browser's signed cookie holds a
    random key; only its SHA-256 hash is here. Signing out, signing out everywhere, a password
    change or reset, a two-factor reset and deactivation end the record, and a cookie whose
    record has ended, or has not been used for SESSION_IDLE_MINUTES, signs no one in."""

    __tablename__ = "browser_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    #: Why it ended, in words: "signed out", "signed out everywhere", "password changed"…
    ended_why: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship()
