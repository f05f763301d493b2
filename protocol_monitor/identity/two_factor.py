"""Optional TOTP two-factor sign-in: enrol, confirm, check a code, reset by an administrator.

The shared secret is stored encrypted (Fernet, with a key derived from SECRET_KEY) and shown only
while someone enrols. Changing SECRET_KEY therefore means everyone enrols again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from .. import access, audit
from ..db import db, utcnow
from ..models import User
from ..services import ServiceError
from .accounts import SignInPolicy, SignInRefused

ISSUER = "Protocol monitor"
CODE_PROBLEM = "Enter the 6-digit code from your authenticator app"


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = hashlib.sha256(b"protocol-monitor totp secret|" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(stored: str) -> str | None:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code, made locally (no image service)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, light="#fff", title="QR code for your authenticator app"
    )


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def is_required(user: User) -> bool:
    return user.role in current_app.config["SETTINGS"].require_two_factor_roles


def _matched_step(secret: str, code: str) -> int | None:
    """The 30-second time step whose code this is (now, or one step either side), or None."""
    code = (code or "").replace(" ", "").strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(utcnow())
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _store(user: User, secret: str, step: int) -> None:
    """Keep the secret with the last time step used, so that a code works only once."""
    user.totp_secret = encrypt(f"{secret}|{step}")


def _stored(user: User) -> tuple[str | None, int]:
    plain = decrypt(user.totp_secret or "")
    if plain is None:
        return None, -1
    secret, _, last = plain.partition("|")
    return secret, int(last) if last.isdigit() else -1


def secret_of(user: User) -> str | None:
    return _stored(user)[0]


def enrol(user: User, secret: str, code: str) -> None:
    """Confirm enrolment: the code proves the app holds the secret."""
    step = _matched_step(secret, code)
    if step is None:
        raise ServiceError(CODE_PROBLEM)
    _store(user, secret, step)
    user.totp_enabled_at = utcnow()
    audit.record("two_factor_enabled", "user", user.id, user=user)
    db.session.commit()


def check_sign_in(user: User, code: str, policy: SignInPolicy) -> None:
    """The second step of signing in. Wrong or reused codes count towards the lockout."""
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise SignInRefused(
            "There have been too many attempts to sign in to this account. Try again later, "
            "or ask an administrator to unlock it."
        )
    secret, last_step = _stored(user)
    step = _matched_step(secret, code) if secret else None
    if step is None or step <= last_step:
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= policy.max_failures:
            user.locked_until = now + policy.lockout
            user.failed_sign_ins = 0
        reason = "code reused" if step is not None else "code"
        audit.record("sign_in_failed", "user", user.id, user=user, changes={"reason": reason})
        db.session.commit()
        if step is not None:
            raise SignInRefused("That code has been used. Wait for a new code, then enter it")
        raise SignInRefused(CODE_PROBLEM)
    _store(user, secret, step)
    user.failed_sign_ins = 0
    audit.record("sign_in_two_factor", "user", user.id, user=user)
    db.session.commit()


def turn_off(user: User) -> None:
    """The user turns their own two-factor sign-in off (refused where their role requires it)."""
    if is_required(user):
        access.refuse(user, "turn_off_two_factor", "user", user.id)
    disable(user)


def disable(user: User, actor: User | None = None) -> None:
    """Turn two-factor sign-in off (the user, or an administrator recovering a lost phone)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.session_version = (user.session_version or 0) + 1
    audit.record("two_factor_reset", "user", user.id, user=actor or user)
    db.session.commit()
