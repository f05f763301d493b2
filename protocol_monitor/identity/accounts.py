"""Accounts: creating users, signing in with throttling, and the links that scope them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..db import db, unit_of_work, utcnow
from ..i18n import LANGUAGES, _, translate
from ..models import Authority, Home, PoliceForce, User
from ..services import ServiceError, audit_trail, get_or_not_found
from ..vocab import Role
from . import credentials, throttle
from .passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_decoy,
    verify_password,
)
from .throttle import LOCKED, SignInPolicy, SignInRefused


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(
            _(
                "Enter an email address in the correct format, like name@example.org: %(problem)s",
                problem=exc,
            ),
            field="email",
        ) from exc


def authenticate(
    email: str, password: str, policy: SignInPolicy, now: datetime | None = None
) -> User:
    """Check a sign-in. Attempts are counted per address typed, before they are checked
    (``throttle``), and lock the address for a while after ``policy.max_failures``. An address
    with no account is counted, checked (against a decoy hash) and answered exactly like one
    with an account, so neither the words nor the time taken say whether it exists."""
    now = now or utcnow()
    refused = SignInRefused(_("Enter a correct email address and password"))
    try:
        address = normalise_email(email)
    except ServiceError:
        _record_at_once("sign_in_failed", changes={"reason": "not an email address"})
        raise refused from None
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    key = throttle.address_key(address)
    with unit_of_work():  # committed before the check, so parallel attempts see it
        attempt = throttle.claim_password_attempt(key, policy, now)
        if attempt is None:
            audit.record(
                "sign_in_refused_locked",
                "user" if user else None,
                user.id if user else None,
                user=user,
            )
    if attempt is None:
        raise SignInRefused(translate(LOCKED))
    if user is None:
        right = verify_decoy(password)
    else:
        right = verify_password(user.password_hash, password) and user.active
    if not right:
        with unit_of_work():
            if user is None:
                audit.record("sign_in_failed", changes={"reason": "unknown account"})
            else:
                audit.record("sign_in_failed", "user", user.id, user=user)
            if attempt >= policy.max_failures:
                audit.record(
                    "sign_in_locked",
                    "user" if user else None,
                    user.id if user else None,
                    user=user,
                    changes={"attempts": attempt},
                )
            throttle.forget_stale(policy, now)
        raise refused
    allowed = credentials.password_sign_in_allowed(user)
    with unit_of_work():
        throttle.password_attempt_succeeded(key)
        if not allowed:
            audit.record("sign_in_refused_password_off", "user", user.id, user=user)
        else:
            user.last_signed_in_at = now
            changes = None
            if needs_rehash(user.password_hash):  # made with older parameters: upgrade it now
                user.password_hash = hash_password(password)
                changes = {"password_hash": "upgraded to the current parameters"}
            audit.record("sign_in", "user", user.id, user=user, changes=changes)
    if not allowed:
        raise SignInRefused(
            _(
                "Password sign-in is turned off for your account. Sign in with your "
                "organisation’s Microsoft account instead"
            )
        )
    return user


def create_user(
    email: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
    home_urns: Sequence[str] = (),
    authority_codes: Sequence[str] = (),
    force_code: str | None = None,
    check_password: bool = True,
    actor: User | None = None,
) -> User:
    """Create a user with the links their role needs. Raises ServiceError naming what is wrong."""
    address = normalise_email(email)
    try:
        role_value = Role(role)
    except ValueError:
        raise ServiceError(
            f"Select a role: one of {', '.join(Role.slugs())}, not {role!r}", field="role"
        ) from None
    if check_password and (problem := password_problem(password)):
        raise ServiceError(problem, field="password")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == address)):
        raise ServiceError(
            _("A user with the email address %(email)s already exists", email=address),
            field="email",
        )
    user = User(
        email=address,
        role=role_value.value,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
    )
    with unit_of_work():  # a bad link raises and leaves nothing half-made
        link_scope(user, home_urns, authority_codes, force_code)
        db.session.add(user)
        db.session.flush()
        audit.record(
            "user_created", "user", user.id, user=actor, changes={"role": role_value.value}
        )
    return user


def update_user_links(
    user: User,
    *,
    role: str,
    display_name: str,
    home_urns: Sequence[str],
    authority_codes: Sequence[str],
    force_code: str | None,
    active: bool,
    actor: User | None = None,
) -> User:
    before = _describe(user)
    if actor is not None and actor.id == user.id and (not active or role != user.role):
        raise ServiceError(_("You cannot deactivate your own account or change your own role"))
    try:
        user.role = Role(role).value
        # An administrator's choice of role stands: group mappings no longer change it.
        user.role_source = "administrator"
        user.display_name = display_name.strip()
        user.active = active
        link_scope(user, home_urns, authority_codes, force_code)
    except ValueError:
        db.session.rollback()
        raise ServiceError(f"Select a role: one of {', '.join(Role.slugs())}") from None
    except ServiceError:
        db.session.rollback()  # leave nothing half-changed in the session
        raise
    after = _describe(user)
    changes = audit.diff(before, after)
    with unit_of_work():
        audit.record("user_changed", "user", user.id, user=actor, changes=changes)
        if before["active"] and not active:
            credentials.cut_off(user, "deactivated")
    return user


def _record_at_once(action: str, *args: Any, **kwargs: Any) -> None:
    """A security event with no change of its own (a failed sign-in, a sign-out)."""
    with unit_of_work():
        audit.record(action, *args, **kwargs)


def signed_out(user: User) -> None:
    _record_at_once("sign_out", "user", user.id, user=user)


def unlock(user: User, actor: User | None = None) -> None:
    """Lift both locks: wrong passwords at the user's address, and wrong codes."""
    with unit_of_work():
        throttle.unlock(user)
        audit.record("user_unlocked", "user", user.id, user=actor)


def lock_check(now: datetime | None = None) -> Callable[[User], bool]:
    """Whether a user is locked out (by wrong passwords at their address, or wrong codes): a
    test for a whole list of users, reading the locked addresses once."""
    now = now or utcnow()
    locked = throttle.locked_addresses(now)

    def is_locked(user: User) -> bool:
        codes = user.locked_until is not None and user.locked_until > now
        return codes or throttle.user_key(user) in locked

    return is_locked


def users() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .options(selectinload(User.police_force), selectinload(User.authorities))
            .order_by(User.email)
        )
    )


def get_user(user_id: int) -> User:
    return get_or_not_found(User, user_id, "user")


def view_user(user_id: int, actor: User | None = None) -> User:
    """A user's account, for an administrator to read; the read is audited."""
    user = get_user(user_id)
    audit_trail.read("user_viewed", "user", user.id, user=actor)
    return user


def find_user(email: str) -> User:
    """A user by email address (any case), or ServiceError."""
    address = email.strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if user is None:
        raise ServiceError(
            _("No user has the email address %(email)s", email=email.strip()), field="email"
        )
    return user


def is_locked(user: User, now: datetime | None = None) -> bool:
    return lock_check(now)(user)


def set_active(user: User, active: bool, actor: User | None = None) -> User:
    """Deactivate (nobody can sign in as them; history is kept) or reactivate an account."""
    if actor is not None and actor.id == user.id and not active:
        raise ServiceError(_("You cannot deactivate your own account"))
    if user.active != active:
        with unit_of_work():
            user.active = active
            audit.record(
                "user_reactivated" if active else "user_deactivated", "user", user.id, user=actor
            )
            if not active:  # their sessions end and their API tokens are revoked, for good
                credentials.cut_off(user, "deactivated")
    return user


def set_language(user: User, language: str, actor: User | None = None) -> User:
    """The language of the person's pages and emails (English or Welsh), chosen by them (or set
    by an administrator: ``actor``)."""
    if language not in LANGUAGES:
        raise ServiceError(_("Choose English or Cymraeg"), field="language")
    if user.language != language:
        with unit_of_work():
            audit.record(
                "user_language_changed",
                "user",
                user.id,
                user=actor or user,
                changes={"language": [user.language, language]},
            )
            user.language = language
    return user


def set_password(user: User, password: str, actor: User | None = None) -> User:
    """An administrator gives an account a new password (following the password rules): it is
    unlocked, and its sessions end and API tokens are revoked, as whoever had the old password
    may have made them."""
    if problem := password_problem(password):
        raise ServiceError(problem)
    with unit_of_work():
        user.password_hash = hash_password(password)
        throttle.unlock(user)
        audit.record("user_password_set", "user", user.id, user=actor)
        credentials.cut_off(user, "password reset")
    return user


def _describe(user: User) -> dict[str, object]:
    return {
        "role": user.role,
        "display_name": user.display_name,
        "active": user.active,
        "homes": sorted(h.urn for h in user.homes),
        "authorities": sorted(a.code for a in user.authorities),
        "force": user.police_force.code if user.police_force else None,
        "role_source": user.role_source,
    }


def link_scope(
    user: User,
    home_urns: Sequence[str],
    authority_codes: Sequence[str],
    force_code: str | None,
) -> None:
    role = Role(user.role)
    # A link chosen twice (a repeated form field, a script) is one link, not a duplicate row.
    home_urns = list(dict.fromkeys(urn.strip().upper() for urn in home_urns))
    authority_codes = list(dict.fromkeys(code.strip().upper() for code in authority_codes))
    homes: list[Home] = []
    for urn in home_urns:
        home = db.session.scalar(select(Home).where(Home.urn == urn))
        if home is None:
            raise ServiceError(f"No home has the URN {urn!r}")
        homes.append(home)
    authorities: list[Authority] = []
    for code in authority_codes:
        authority = db.session.scalar(select(Authority).where(Authority.code == code))
        if authority is None:
            raise ServiceError(f"No authority has the code {code!r}")
        authorities.append(authority)
    force = None
    if force_code:
        force = db.session.scalar(
            select(PoliceForce).where(PoliceForce.code == force_code.strip().upper())
        )
        if force is None:
            raise ServiceError(f"No police force has the code {force_code!r}")
    if role is Role.PROVIDER and not homes:
        raise ServiceError("A provider must be linked to at least one home (--home URN)")
    if role is Role.POLICE and force is None:
        raise ServiceError("A police user must belong to a police force (--force CODE)")
    if role in (Role.AUTHORITY, Role.GROUP) and not authorities:
        raise ServiceError(
            f"A {role.value} user must be linked to at least one authority (--authority CODE)"
        )
    user.homes = homes if role is Role.PROVIDER else []
    user.authorities = authorities if role in (Role.AUTHORITY, Role.GROUP, Role.ADMIN) else []
    user.police_force = force if role is Role.POLICE else None
