"""Password changes, sign out everywhere, one-time reset links and read-only API tokens.

Every secret handed out here is random, shown once, and stored only as its SHA-256 hash.
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..config import Settings
from ..db import db, unit_of_work, utcnow
from ..models import ApiToken, PasswordResetToken, User
from ..services import NotFound, ServiceError, audit_trail
from . import accounts, throttle
from .passwords import hash_password, password_problem, verify_password

TOKEN_PREFIX = "pm_"
RESET_LINK_PROBLEM = (
    "This link to reset your password has expired or has already been used. "
    "Ask an administrator for a new one."
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _end_other_sessions(user: User) -> None:
    user.session_version = (user.session_version or 0) + 1


# Passwords and sessions --------------------------------------------------------------------


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in user changes their password; their other sessions end."""
    if not verify_password(user.password_hash, current):
        raise ServiceError("Enter your current password correctly", field="current_password")
    if problem := password_problem(new):
        raise ServiceError(problem, field="new_password")
    user.password_hash = hash_password(new)
    _end_other_sessions(user)
    audit.record("password_changed", "user", user.id, user=user)
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    """End every session of this user, on every device, including this one."""
    _end_other_sessions(user)
    audit.record("signed_out_everywhere", "user", user.id, user=user)
    db.session.commit()


# One-time reset links ----------------------------------------------------------------------


def reset_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/reset-password/{token}"


def issue_reset_link(user: User, actor: User | None = None, now: datetime | None = None) -> str:
    """A new single-use reset URL for the user; earlier unused links stop working."""
    settings: Settings = current_app.config["SETTINGS"]
    now = now or utcnow()
    for old in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + timedelta(hours=settings.password_reset_hours),
            issued_by_id=actor.id if actor else None,
        )
    )
    audit.record("password_reset_issued", "user", user.id, user=actor)
    db.session.commit()
    return reset_url(settings, token)


class LinkNotValid(NotFound):
    """A reset link that does not exist, has expired or has been used (its page says so)."""

    def __init__(self) -> None:
        super().__init__(RESET_LINK_PROBLEM)


def user_for_reset(token: str, now: datetime | None = None) -> User:
    """The user a live reset token belongs to, or LinkNotValid."""
    row = _live_reset(token, now or utcnow())
    return row.user


def _live_reset(token: str, now: datetime) -> PasswordResetToken:
    if not token or len(token) > 100:
        raise LinkNotValid()
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        raise LinkNotValid()
    return row


def redeem_reset_link(token: str, new: str, now: datetime | None = None) -> User:
    """Set a new password through a reset link; the link is then spent and sessions end."""
    now = now or utcnow()
    row = _live_reset(token, now)
    if problem := password_problem(new):
        raise ServiceError(problem)
    user = row.user
    row.used_at = now
    user.password_hash = hash_password(new)
    throttle.unlock(user, accounts.address_key(user))
    _end_other_sessions(user)
    audit.record("password_reset", "user", user.id, user=user)
    db.session.commit()
    return user


def user_by_email(email: str) -> User | None:
    address = (email or "").strip().lower()
    if not address or len(address) > 254:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == address))


def email_reset_link(email: str) -> None:
    """Email a reset link to an active account, if there is one. Says nothing either way."""
    settings: Settings = current_app.config["SETTINGS"]
    if not settings.smtp_host:
        raise ServiceError("Password reset by email is not set up. Ask an administrator.")
    user = user_by_email(email)
    if user is None or not user.active:
        with unit_of_work():
            audit.record("password_reset_requested", changes={"known": False})
        return
    url = issue_reset_link(user)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = user.email
    message["Subject"] = "Reset your password for Protocol monitor"
    message.set_content(
        "Someone asked to reset the password for your Protocol monitor account.\n\n"
        f"To choose a new password, open this link within {settings.password_reset_hours} "
        f"hours:\n\n{url}\n\nThe link works once. If you did not ask for it, ignore this email "
        "and tell your administrator.\n"
    )
    send_email(settings, message)


def send_email(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_use_tls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


# Read-only API tokens ----------------------------------------------------------------------


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user's BI tool. Returns the row and the token, shown only now."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Enter a name for the token, like ‘Power BI monthly report’")
    if len(name) > 80:
        raise ServiceError("Name must be 80 characters or fewer")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(user_id=user.id, name=name, prefix=prefix, token_hash=_digest(token))
    db.session.add(row)
    db.session.flush()
    audit.record("api_token_created", "api_token", row.id, user=user, changes={"name": name})
    db.session.commit()
    return row, token


def api_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_api_token(user: User, token_id: int) -> None:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        audit_trail.not_found("api_token", token_id, user=user)
        raise NotFound("No such token")
    row.revoked_at = utcnow()
    audit.record("api_token_revoked", "api_token", row.id, user=user)
    db.session.commit()


def user_for_api_token(token: str) -> User | None:
    """The active owner of a live token, or None (unknown, revoked, or owner deactivated)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row.user
