"""Optional TOTP two-factor sign-in: enrol, confirm, check a code, recovery codes, reset by an
administrator.

The shared secret is sealed (``protocol_monitor.sealing``, purpose "totp secret") and shown only
while someone enrols; recovery codes are stored only as keyed hashes (``sealing.digest``).
Changing SECRET_KEY therefore means everyone enrols again.

Wrong codes have their own counter (``User.failed_codes``), which signing in with the password
never resets: each attempt is counted before it is checked (``throttle.claim_code_attempt``), the
fifth wrong code locks the account, and so does every wrong code after it until a right one.
"""

from __future__ import annotations

import hmac
import secrets

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, select, update

from .. import access, audit, sealing
from ..db import db, unit_of_work, utcnow
from ..i18n import N_, _, translate
from ..models import RecoveryCode, User
from ..services import ServiceError
from . import browser_sessions, throttle
from .passwords import verify_password
from .throttle import LOCKED, SignInPolicy, SignInRefused

ISSUER = "Protocol monitor"
CODE_PROBLEM = N_("Enter the 6-digit code from your authenticator app")
RECOVERY_PROBLEM = N_("Enter one of your recovery codes, like abcde-12345")
_SEALED = "totp secret"
_HASHED = "recovery code"

#: How many recovery codes are issued at a time.
RECOVERY_CODES = 10
#: Crockford's base 32 in lower case: no i, l, o or u to misread; 10 characters, 50 bits.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_READ_AS = str.maketrans({"i": "1", "l": "1", "o": "0"})


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code, made locally (no image service)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, light="#fff", title=_("QR code for your authenticator app")
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


def _sealed(secret: str, step: int) -> str:
    """The secret with the last time step used, so that a code works only once."""
    return sealing.seal(_SEALED, f"{secret}|{step}")


def _store(user: User, secret: str, step: int) -> None:
    user.totp_secret = _sealed(secret, step)


def _stored(user: User) -> tuple[str | None, int]:
    plain = sealing.unseal(_SEALED, user.totp_secret)
    if plain is None:
        return None, -1
    secret, _, last = plain.partition("|")
    return secret, int(last) if last.isdigit() else -1


def secret_of(user: User) -> str | None:
    return _stored(user)[0]


# Recovery codes ----------------------------------------------------------------------------


def _new_code() -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def _normalised(code: str) -> str | None:
    """A typed recovery code as issued (any case, spaces or hyphens, O for 0), or None."""
    plain = "".join((code or "").split()).replace("-", "").lower().translate(_READ_AS)
    if len(plain) != 10 or any(ch not in _ALPHABET for ch in plain):
        return None
    return f"{plain[:5]}-{plain[5:]}"


def _issue_codes(user: User) -> list[str]:
    """New recovery codes in place of any the user had (inside the caller's unit of work)."""
    replaced = db.session.execute(
        delete(RecoveryCode).where(RecoveryCode.user_id == user.id)
    ).rowcount
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    now = utcnow()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=sealing.digest(_HASHED, code), created_at=now)
        for code in codes
    )
    audit.record(
        "recovery_codes_created",
        "user",
        user.id,
        user=user,
        changes={"codes": len(codes), "replaced": replaced},
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def new_recovery_codes(user: User, password: str) -> list[str]:
    """Replace the user's recovery codes, after they enter their password again."""
    if not is_enrolled(user):
        raise ServiceError(_("Set up two-factor sign-in first"), field="current_password")
    if not verify_password(user.password_hash, password):
        raise ServiceError(_("Enter your current password correctly"), field="current_password")
    with unit_of_work():
        return _issue_codes(user)


# Enrolment ---------------------------------------------------------------------------------


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Confirm enrolment: the code proves the app holds the secret. Returns the recovery codes,
    to be shown now and never again."""
    step = _matched_step(secret, code)
    if step is None:
        raise ServiceError(translate(CODE_PROBLEM))
    with unit_of_work():
        _store(user, secret, step)
        user.totp_enabled_at = utcnow()
        user.failed_codes = 0
        audit.record("two_factor_enabled", "user", user.id, user=user)
        return _issue_codes(user)


# The second step of signing in -------------------------------------------------------------


def check_sign_in(user: User, code: str, policy: SignInPolicy) -> None:
    """The second step of signing in with the app's code. Wrong or reused codes count towards
    the second-factor lock."""
    attempt = _claim(user, policy)
    sealed = user.totp_secret
    secret, last_step = _stored(user)
    step = _matched_step(secret, code) if secret else None
    # The step is stored only if nobody stored another meanwhile: a code works once, even when
    # it is sent twice at the same moment.
    if step is not None and step > last_step:
        with unit_of_work():
            stored = db.session.execute(
                update(User)
                .where(User.id == user.id, User.totp_secret == sealed)
                .values(totp_secret=_sealed(secret, step))
                .execution_options(synchronize_session=False)
            ).rowcount
            if stored:
                throttle.code_attempt_succeeded(user.id)
                audit.record("sign_in_two_factor", "user", user.id, user=user)
        db.session.expire(user)
        if stored:
            return
    reused = step is not None
    _failed(user, attempt, policy, "code reused" if reused else "code")
    if reused:
        raise SignInRefused(_("That code has been used. Wait for a new code, then enter it"))
    raise SignInRefused(translate(CODE_PROBLEM))


def check_recovery_code(user: User, code: str, policy: SignInPolicy) -> int:
    """The second step of signing in with a recovery code, which is then spent. Returns how
    many codes are left. A wrong or spent code counts like a wrong code from the app."""
    attempt = _claim(user, policy)
    typed = _normalised(code)
    if typed is not None:
        with unit_of_work():
            spent = db.session.execute(
                update(RecoveryCode)
                .where(
                    RecoveryCode.user_id == user.id,
                    RecoveryCode.code_hash == sealing.digest(_HASHED, typed),
                    RecoveryCode.used_at.is_(None),
                )
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            if spent:
                throttle.code_attempt_succeeded(user.id)
                left = recovery_codes_left(user)
                audit.record(
                    "sign_in_recovery_code", "user", user.id, user=user, changes={"remaining": left}
                )
        db.session.expire(user)
        if spent:
            return left
    _failed(user, attempt, policy, "recovery code")
    raise SignInRefused(translate(RECOVERY_PROBLEM), field="code")


def _claim(user: User, policy: SignInPolicy) -> int:
    """Count the attempt before checking it (committed, so parallel requests see it)."""
    now = utcnow()
    with unit_of_work():
        attempt = throttle.claim_code_attempt(user.id, policy, now)
        if attempt is None:
            audit.record("sign_in_refused_locked", "user", user.id, user=user)
    db.session.expire(user)
    if attempt is None:
        raise SignInRefused(translate(LOCKED))
    return attempt


def _failed(user: User, attempt: int, policy: SignInPolicy, reason: str) -> None:
    with unit_of_work():
        audit.record("sign_in_failed", "user", user.id, user=user, changes={"reason": reason})
        if attempt >= policy.max_failures:
            audit.record(
                "two_factor_locked", "user", user.id, user=user, changes={"wrong_codes": attempt}
            )


# Turning it off ----------------------------------------------------------------------------


def turn_off(user: User) -> None:
    """The user turns their own two-factor sign-in off (refused where their role requires it)."""
    if is_required(user):
        access.refuse(user, "turn_off_two_factor", "user", user.id)
    disable(user)


def disable(user: User, actor: User | None = None) -> None:
    """Turn two-factor sign-in off (the user, or an administrator recovering a lost phone): the
    key and recovery codes go, the second-factor count starts again, and every session of the
    user ends."""
    with unit_of_work():
        user.totp_secret = None
        user.totp_enabled_at = None
        user.failed_codes = 0
        browser_sessions.end_all(user, "two-factor reset")
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        audit.record("two_factor_reset", "user", user.id, user=actor or user)
