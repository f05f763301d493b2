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
from ..i18n import N_, _, in_language, ngettext, translate
from ..models import ApiToken, PasswordResetToken, User
from ..services import NotFound, ServiceError, audit_trail
from . import browser_sessions, throttle
from .passwords import hash_password, password_problem, verify_password

TOKEN_PREFIX = "pm_"
RESET_LINK_PROBLEM = N_(
    "This link to reset your password has expired or has already been used. "
    "Ask an administrator for a new one."
)
#: Someone who cannot enter a password (they sign in through their organisation) re-authenticates
#: by having signed in this recently.
FRESH_SIGN_IN = timedelta(minutes=10)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def cut_off(user: User, why: str) -> None:
    """End every session of the user and revoke their API tokens (signing out everywhere, a
    password reset, deactivation), inside the caller's unit of work."""
    browser_sessions.end_all(user, why)
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        audit.record("api_token_revoked", "api_token", token.id, changes={"why": why})


# Passwords and sessions --------------------------------------------------------------------


def password_sign_in_allowed(user: User) -> bool:
    """Whether the person may sign in with a password: not if password sign-in is turned off
    for them, or for the organisation whose identity provider manages their account."""
    organisation = user.identity_provider
    return user.password_sign_in and (organisation is None or organisation.password_sign_in)


def change_password(user: User, current: str, new: str, *, keep: str | None = None) -> None:
    """The signed-in user changes their password; their sessions end but for this browser's
    (``keep``, its key). Their API tokens stay: each has its own expiry."""
    if not verify_password(user.password_hash, current):
        raise ServiceError(_("Enter your current password correctly"), field="current_password")
    if problem := password_problem(new):
        raise ServiceError(problem, field="new_password")
    with unit_of_work():
        user.password_hash = hash_password(new)
        browser_sessions.end_all(user, "password changed", keep=keep)
        audit.record("password_changed", "user", user.id, user=user)


def sign_out_everywhere(user: User) -> None:
    """End every session of this user, on every device, including this one, and revoke their
    API tokens."""
    with unit_of_work():
        cut_off(user, "signed out everywhere")
        audit.record("signed_out_everywhere", "user", user.id, user=user)


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
        super().__init__(translate(RESET_LINK_PROBLEM))


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
    with unit_of_work():
        row.used_at = now
        user.password_hash = hash_password(new)
        throttle.unlock(user)
        cut_off(user, "password reset")
        audit.record("password_reset", "user", user.id, user=user)
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
        raise ServiceError(_("Password reset by email is not set up. Ask an administrator."))
    user = user_by_email(email)
    if user is None or not user.active:
        with unit_of_work():
            audit.record("password_reset_requested", changes={"known": False})
        return
    url = issue_reset_link(user)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = user.email
    with in_language(user.language):  # the email is in the person's language
        message["Subject"] = _("Reset your password for Protocol monitor")
        message.set_content(
            _("Someone asked to reset the password for your Protocol monitor account.")
            + "\n\n"
            + ngettext(
                "To choose a new password, open this link within %(num)d hour:",
                "To choose a new password, open this link within %(num)d hours:",
                settings.password_reset_hours,
            )
            + f"\n\n{url}\n\n"
            + _(
                "The link works once. If you did not ask for it, ignore this email "
                "and tell your administrator."
            )
            + "\n"
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


def create_api_token(
    user: User,
    name: str,
    *,
    password: str | None = None,
    signed_in_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the user's BI tool, once they have shown it is them: their password, or
    (when they cannot sign in with one) a sign-in within FRESH_SIGN_IN (``signed_in_at``). It
    works for API_TOKEN_DAYS. Returns the row and the token, shown only now."""
    now = now or utcnow()
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            _("Enter a name for the token, like ‘Power BI monthly report’"), field="name"
        )
    if len(name) > 80:
        raise ServiceError(_("Name must be 80 characters or fewer"), field="name")
    if password_sign_in_allowed(user):
        if not verify_password(user.password_hash, password or ""):
            raise ServiceError(_("Enter your current password correctly"), field="current_password")
    elif signed_in_at is None or now - signed_in_at > FRESH_SIGN_IN:
        raise ServiceError(
            ngettext(
                "Sign out and sign in again with your organisation’s account, then make the "
                "token within %(num)d minute",
                "Sign out and sign in again with your organisation’s account, then make the "
                "token within %(num)d minutes",
                FRESH_SIGN_IN.seconds // 60,
            ),
            field="name",
        )
    days = current_app.config["SETTINGS"].api_token_days
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with unit_of_work():
        row = ApiToken(
            user_id=user.id,
            name=name,
            prefix=prefix,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            "api_token_created",
            "api_token",
            row.id,
            user=user,
            changes={"name": name, "expires_at": row.expires_at},
        )
    return row, token


def api_tokens(user: User, now: datetime | None = None) -> list[ApiToken]:
    """The user's tokens that still work, the soonest to expire first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > (now or utcnow()),
            )
            .order_by(ApiToken.expires_at, ApiToken.id)
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
    """The active owner of a live token, or None (unknown, revoked, expired, or owner
    deactivated)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        return None
    row.last_used_at = now
    db.session.commit()
    return row.user
