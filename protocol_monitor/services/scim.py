"""SCIM 2.0 provisioning of people by their organisation's identity provider (e.g. Entra ID's
provisioning service): create, update, deactivate. Each organisation's bearer token reaches
only the people of that organisation.

A person the provisioning client creates has no access until a role is given: by an
administrator, or at sign-in from a group mapped to a role. Deactivating someone (``active``
false, or DELETE) ends their sessions at their next request — the session loader refuses an
inactive account and the session generation moves on — and stops their API tokens, which are
checked against the account on every call. Every change is audited, attributed to the
organisation's provisioning client.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..db import db, unit_of_work
from ..identity import credentials
from ..identity.accounts import normalise_email
from ..identity.passwords import hash_password
from ..models import IdentityProvider, User
from ..rules import scim as rules
from ..rules.scim import Person, ScimError
from . import ServiceError
from .single_sign_on import SCIM_TOKEN_PREFIX, digest


def provider_for_token(token: str) -> IdentityProvider | None:
    if not token.startswith(SCIM_TOKEN_PREFIX) or len(token) > 100:
        return None
    return db.session.scalar(
        select(IdentityProvider).where(IdentityProvider.scim_token_hash == digest(token))
    )


def _mine(provider: IdentityProvider):
    return select(User).where(User.identity_provider_id == provider.id)


def list_users(
    provider: IdentityProvider, filter_text: str | None, start_index: int, count: int
) -> tuple[int, list[User]]:
    query = _mine(provider)
    wanted = rules.parse_filter(filter_text)
    if wanted is not None:
        attribute, value = wanted
        if attribute == "userName":
            query = query.where(func.lower(User.email) == value.strip().lower())
        else:
            query = query.where(User.scim_external_id == value)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = db.session.scalars(query.order_by(User.id).offset(start_index - 1).limit(count))
    return total, list(users)


def get_user(provider: IdentityProvider, user_id: int) -> User:
    user = db.session.scalar(_mine(provider).where(User.id == user_id))
    if user is None:
        raise ScimError(404, f"No user {user_id} in this organisation")
    return user


def _email(person: Person) -> str:
    try:
        return normalise_email(person.email)
    except ServiceError:
        raise ScimError(
            400, "userName or a work email must be an email address", "invalidValue"
        ) from None


def _check_unique(provider: IdentityProvider, email: str, person: Person, user: User | None):
    clash = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if clash is not None and clash is not user:
        raise ScimError(409, f"A user with the email address {email} already exists", "uniqueness")
    if person.external_id:
        same = db.session.scalar(_mine(provider).where(User.scim_external_id == person.external_id))
        if same is not None and same is not user:
            raise ScimError(409, "A user with this externalId already exists", "uniqueness")


def _via(provider: IdentityProvider) -> dict[str, Any]:
    return {"via": "scim", "identity_provider": provider.id}


def _racing() -> ScimError:
    """Another request saved the same person a moment ago (the unique constraint caught it)."""
    return ScimError(
        409, "A user with this email address or externalId already exists", "uniqueness"
    )


def create_user(provider: IdentityProvider, resource: Any) -> User:
    person = rules.person_from_resource(resource)
    email = _email(person)
    _check_unique(provider, email, person, None)
    try:
        return _create(provider, person, email)
    except IntegrityError:
        raise _racing() from None


def _create(provider: IdentityProvider, person: Person, email: str) -> User:
    with unit_of_work():
        user = User(
            email=email,
            display_name=person.display_name,
            # No access until an administrator gives a role or a mapped group does at sign-in:
            # a group role linked to no authority sees nothing.
            role="group",
            role_source="awaiting",
            password_hash=hash_password(secrets.token_urlsafe(32)),
            password_sign_in=False,
            identity_provider=provider,
            scim_external_id=person.external_id,
            active=person.active,
        )
        db.session.add(user)
        db.session.flush()
        audit.record(
            "user_created",
            "user",
            user.id,
            changes={**_via(provider), "active": person.active},
        )
    return user


def _snapshot(user: User) -> Person:
    return Person(
        user_name=user.email,
        email=user.email,
        display_name=user.display_name,
        external_id=user.scim_external_id,
        active=user.active,
    )


def _store(provider: IdentityProvider, user: User, person: Person) -> User:
    email = _email(person)
    _check_unique(provider, email, person, user)
    try:
        return _save(provider, user, person, email)
    except IntegrityError:
        raise _racing() from None


def _save(provider: IdentityProvider, user: User, person: Person, email: str) -> User:
    before = audit.snapshot(user, ("email", "display_name", "scim_external_id", "active"))
    with unit_of_work():
        user.email = email
        user.display_name = person.display_name
        user.scim_external_id = person.external_id
        if user.active and not person.active:
            user.active = False
            credentials.cut_off(user, "deactivated")  # every session, every API token
            audit.record("user_deactivated", "user", user.id, changes=_via(provider))
        elif not user.active and person.active:
            user.active = True
            audit.record("user_reactivated", "user", user.id, changes=_via(provider))
        after = audit.snapshot(user, ("email", "display_name", "scim_external_id", "active"))
        changes = audit.diff(before, after)
        changes.pop("active", None)
        if changes:
            audit.record("user_changed", "user", user.id, changes={**changes, **_via(provider)})
    return user


def replace_user(provider: IdentityProvider, user: User, resource: Any) -> User:
    return _store(provider, user, rules.person_from_resource(resource))


def patch_user(provider: IdentityProvider, user: User, body: Any) -> User:
    return _store(provider, user, rules.apply_patch(_snapshot(user), body))


def delete_user(provider: IdentityProvider, user: User) -> None:
    """A deletion deactivates: the account and its history stay, for the audit trail."""
    _store(provider, user, Person(**{**_snapshot(user).__dict__, "active": False}))


def resource(user: User, base_url: str) -> dict[str, Any]:
    location = f"{base_url}/scim/v2/Users/{user.id}"
    body: dict[str, Any] = {
        "schemas": [rules.USER_SCHEMA],
        "id": str(user.id),
        "userName": user.email,
        "displayName": user.display_name or None,
        "active": user.active,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "meta": {
            "resourceType": "User",
            "created": user.created_at.isoformat(),
            "location": location,
        },
    }
    if user.scim_external_id:
        body["externalId"] = user.scim_external_id
    return {k: v for k, v in body.items() if v is not None}
