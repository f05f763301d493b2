"""Single sign-on with an organisation's identity provider (OpenID Connect, e.g. Microsoft Entra
ID): setting it up, and deciding who a signed-in person is here.

Who gets in is decided here, never by the token alone:

1. a person already bound to the token's subject (``oid``/``sub`` within its tenant);
2. else a person of this organisation not yet bound — invited by an administrator, or created
   by the organisation's SCIM client — matched by the ID of the SCIM record (Entra sends the
   object id as ``externalId``) or by an email address the provider says is verified; they are
   then bound to the subject, so a later change of email address cannot reach another account;
3. else, a member of a group an administrator mapped to a role and scope: an account is made.

Roles and scopes always come from this service: from the administrator, or — for people whose
role came from a group — recomputed from the mapped groups at every sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audit, sealing
from ..db import db, unit_of_work, utcnow
from ..i18n import _, translate
from ..identity import accounts, oidc
from ..identity.passwords import hash_password
from ..models import (
    Authority,
    ExternalIdentity,
    GroupMapping,
    Home,
    IdentityProvider,
    PoliceForce,
    User,
)
from ..rules import single_sign_on as rules
from ..rules.single_sign_on import Refusal
from ..vocab import Role
from . import NotFound, ServiceError, audit_trail, get_or_not_found

CLIENT_SECRET = "oidc client secret"
SCIM_TOKEN_PREFIX = "scim_"

# Setting up an organisation ------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderInput:
    name: str
    issuer: str
    client_id: str
    client_secret: str  # blank keeps the stored one
    tenant_ids: str  # as typed: one a line
    enabled: bool = True
    password_sign_in: bool = True
    require_mfa_claim: bool = False


_AUDITED = (
    "name",
    "issuer",
    "client_id",
    "allowed_tenant_ids",
    "enabled",
    "password_sign_in",
    "require_mfa_claim",
)


def providers() -> list[IdentityProvider]:
    return list(db.session.scalars(select(IdentityProvider).order_by(IdentityProvider.name)))


def enabled_providers() -> list[IdentityProvider]:
    return [p for p in providers() if p.enabled]


def get_provider(provider_id: int) -> IdentityProvider:
    return get_or_not_found(IdentityProvider, provider_id, "identity_provider")


def client_secret(provider: IdentityProvider) -> str | None:
    """The client secret in the clear, or None if it cannot be read (SECRET_KEY changed)."""
    return sealing.unseal(CLIENT_SECRET, provider.client_secret_sealed)


def save_provider(
    values: ProviderInput,
    provider_id: int | None = None,
    *,
    actor: User | None = None,
    discover: Callable[[str], dict[str, Any]] | None = None,
) -> IdentityProvider:
    """Add or change an organisation's identity provider. The issuer's discovery document is
    read before anything is saved, so a mistyped issuer is caught here, not at sign-in."""
    provider = get_provider(provider_id) if provider_id is not None else None
    name = values.name.strip()
    if not name:
        raise ServiceError(_("Enter the organisation’s name"), field="name")
    if len(name) > 120:
        raise ServiceError(_("Name must be 120 characters or fewer"), field="name")
    clash = db.session.scalar(
        select(IdentityProvider.id).where(func.lower(IdentityProvider.name) == name.lower())
    )
    if clash is not None and (provider is None or clash != provider.id):
        raise ServiceError(
            _("An organisation called %(name)s is already set up", name=name), field="name"
        )
    issuer = values.issuer.strip().rstrip("/")
    if problem := rules.issuer_url_problem(issuer):
        raise ServiceError(translate(problem), field="issuer")
    client_id = values.client_id.strip()
    if not client_id:
        raise ServiceError(_("Enter the application (client) ID"), field="client_id")
    if len(client_id) > 200:
        raise ServiceError(
            _("Application (client) ID must be 200 characters or fewer"), field="client_id"
        )
    secret = values.client_secret.strip()
    if len(secret) > 500:
        raise ServiceError(
            _("Client secret must be 500 characters or fewer"), field="client_secret"
        )
    if not secret and (provider is None or client_secret(provider) is None):
        raise ServiceError(_("Enter the client secret"), field="client_secret")
    try:
        tenant_ids = rules.parse_tenant_ids(values.tenant_ids)
    except ValueError as error:
        raise ServiceError(translate(str(error)), field="tenant_ids") from None
    try:
        metadata = (discover or oidc.discover)(issuer)
    except Refusal as problem:
        raise ServiceError(
            _("The issuer’s discovery document could not be used: %(problem)s", problem=problem),
            field="issuer",
        ) from None
    if rules.is_multi_tenant(metadata["issuer"]) and not tenant_ids:
        raise ServiceError(
            _("This issuer accepts people from any tenant: enter the tenant ids to allow"),
            field="tenant_ids",
        )
    before = audit.snapshot(provider, _AUDITED) if provider else {}
    with unit_of_work():
        if provider is None:
            provider = IdentityProvider()
            db.session.add(provider)
        provider.name = name
        provider.issuer = issuer
        provider.client_id = client_id
        provider.allowed_tenant_ids = tenant_ids
        provider.enabled = values.enabled
        provider.password_sign_in = values.password_sign_in
        provider.require_mfa_claim = values.require_mfa_claim
        if secret:
            provider.client_secret_sealed = sealing.seal(CLIENT_SECRET, secret)
        db.session.flush()
        changes = audit.diff(before, audit.snapshot(provider, _AUDITED))
        if secret:
            changes["client_secret"] = ["(withheld)", "(changed)"]
        audit.record(
            "identity_provider_created" if not before else "identity_provider_changed",
            "identity_provider",
            provider.id,
            user=actor,
            changes=changes,
        )
    return provider


def issue_scim_token(provider: IdentityProvider, *, actor: User | None = None) -> str:
    """A new SCIM bearer token for the organisation, shown once; the previous one stops."""
    prefix = secrets.token_hex(4)
    token = f"{SCIM_TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    rotated = provider.scim_token_hash is not None
    with unit_of_work():
        provider.scim_token_hash = digest(token)
        provider.scim_token_prefix = prefix
        provider.scim_token_issued_at = utcnow()
        audit.record(
            "scim_token_rotated" if rotated else "scim_token_issued",
            "identity_provider",
            provider.id,
            user=actor,
        )
    return token


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _scope_records(
    role: str, force_code: str | None, authority_codes: Sequence[str], home_urns: Sequence[str]
) -> tuple[PoliceForce | None, list[Authority], list[Home]]:
    """The records a role's links name, checked as a user's links are."""
    probe = User(email="", role=role, password_hash="")  # never added to the session
    accounts.link_scope(probe, home_urns, authority_codes, force_code)
    return probe.police_force, list(probe.authorities), list(probe.homes)


def add_group_mapping(
    provider: IdentityProvider,
    *,
    group_id: str,
    label: str,
    role: str,
    force_code: str | None,
    authority_codes: Sequence[str],
    home_urns: Sequence[str],
    actor: User | None = None,
) -> GroupMapping:
    group_id = group_id.strip()
    if not rules.GROUP_ID.match(group_id):
        raise ServiceError(
            _("Enter the group’s object ID, like 5b5e2b3c-9d1f-4a77-8a55-0c1e2f3a4b5c"),
            field="group_id",
        )
    if any(m.group_id.lower() == group_id.lower() for m in provider.group_mappings):
        raise ServiceError(
            _("That group already has a role here: remove it first"), field="group_id"
        )
    label = label.strip()
    if not label or len(label) > 120:
        raise ServiceError(_("Enter the group’s name, 120 characters or fewer"), field="label")
    if role not in Role.slugs():
        raise ServiceError(_("Select a role"), field="role")
    try:
        force, authorities, homes = _scope_records(role, force_code, authority_codes, home_urns)
    except ServiceError as error:
        db.session.rollback()
        raise ServiceError(str(error), field="role") from None
    with unit_of_work():
        mapping = GroupMapping(
            provider=provider,
            group_id=group_id,
            label=label,
            role=role,
            police_force=force,
            authorities=authorities,
            homes=homes,
        )
        db.session.add(mapping)
        db.session.flush()
        audit.record(
            "group_mapping_added",
            "identity_provider",
            provider.id,
            user=actor,
            changes=audit.created(
                {
                    "group_id": group_id,
                    "label": label,
                    "role": role,
                    "force": force.code if force else None,
                    "authorities": [a.code for a in authorities],
                    "homes": [h.urn for h in homes],
                }
            ),
        )
    return mapping


def remove_group_mapping(
    provider: IdentityProvider, mapping_id: int, *, actor: User | None = None
) -> None:
    mapping = next((m for m in provider.group_mappings if m.id == mapping_id), None)
    if mapping is None:
        audit_trail.not_found("group_mapping", mapping_id, user=actor)
        raise NotFound()
    with unit_of_work():
        audit.record(
            "group_mapping_removed",
            "identity_provider",
            provider.id,
            user=actor,
            changes={"group_id": mapping.group_id, "label": mapping.label, "role": mapping.role},
        )
        provider.group_mappings.remove(mapping)


def invite(
    provider: IdentityProvider,
    email: str,
    role: str,
    *,
    display_name: str = "",
    home_urns: Sequence[str] = (),
    authority_codes: Sequence[str] = (),
    force_code: str | None = None,
    actor: User | None = None,
) -> User:
    """Let a person sign in with the organisation's identity provider. Their account (made now,
    with no usable password) is matched by verified email on their first sign-in."""
    address = accounts.normalise_email(email)
    existing = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if existing is not None:
        if existing.identity_provider_id not in (None, provider.id):
            raise ServiceError(
                _(
                    "%(email)s already signs in through %(organisation)s",
                    email=address,
                    organisation=existing.identity_provider,
                ),
                field="email",
            )
        with unit_of_work():
            existing.identity_provider = provider
            audit.record(
                "user_invited",
                "user",
                existing.id,
                user=actor,
                changes={"identity_provider": [None, provider.id]},
            )
        return existing
    with unit_of_work():
        user = accounts.create_user(
            address,
            role,
            secrets.token_urlsafe(32),  # nobody knows it; password sign-in is off anyway
            display_name=display_name,
            home_urns=home_urns,
            authority_codes=authority_codes,
            force_code=force_code,
            check_password=False,
            actor=actor,
        )
        user.identity_provider = provider
        user.password_sign_in = False
        audit.record(
            "user_invited",
            "user",
            user.id,
            user=actor,
            changes={"identity_provider": [None, provider.id]},
        )
    return user


def set_password_sign_in(user: User, allowed: bool, *, actor: User | None = None) -> None:
    """Turn password sign-in on or off for one person."""
    if not allowed and actor is not None and actor.id == user.id:
        raise ServiceError(_("You cannot turn off password sign-in for your own account"))
    if user.password_sign_in == allowed:
        return
    with unit_of_work():
        user.password_sign_in = allowed
        audit.record(
            "password_sign_in_changed",
            "user",
            user.id,
            user=actor,
            changes={"password_sign_in": [not allowed, allowed]},
        )


def people(provider: IdentityProvider) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.identity_provider_id == provider.id).order_by(User.email)
        )
    )


# Signing in ----------------------------------------------------------------------------------


def _client(provider: IdentityProvider, redirect_uri: str) -> oidc.Client:
    secret = client_secret(provider)
    if not provider.enabled or secret is None:
        raise Refusal(
            "not_configured", _("Sign-in with this organisation is not available at the moment.")
        )
    return oidc.Client(provider.issuer, provider.client_id, secret, redirect_uri)


def start_sign_in(provider_id: int, redirect_uri: str) -> tuple[str, oidc.Pending]:
    """Where to send the browser, and what its session must keep until it returns."""
    try:
        provider = db.session.get(IdentityProvider, provider_id)
        if provider is None:
            raise Refusal("not_configured", _("There is no such organisation to sign in with."))
        client = _client(provider, redirect_uri)
        return oidc.authorization_request(client, oidc.discover(client.issuer))
    except Refusal as problem:
        problem.audit_id = refused(problem, provider_id)  # type: ignore[attr-defined]
        raise


@dataclass(frozen=True)
class SignedIn:
    user: User
    amr: list[str]
    audit_id: int


def complete(provider_id: int, pending: oidc.Pending, code: str, redirect_uri: str) -> SignedIn:
    """Finish a sign-in: exchange the code, check the ID token, decide who this is."""
    provider = db.session.get(IdentityProvider, provider_id)
    seen = {"tenant": ""}

    def check_tenant(tenant: str) -> None:
        seen["tenant"] = tenant
        rules.check_tenant(tenant, provider.allowed_tenant_ids, multi_tenant)

    try:
        if provider is None:
            raise Refusal("not_configured", _("There is no such organisation to sign in with."))
        client = _client(provider, redirect_uri)
        metadata = oidc.discover(client.issuer)
        multi_tenant = rules.is_multi_tenant(metadata["issuer"])
        id_token = oidc.exchange_code(client, metadata, pending, code)
        claims = oidc.validate_id_token(
            client, metadata, id_token, pending.nonce, tenant_check=check_tenant
        )
        tenant = rules.tenant_of(claims)
        try:
            return _admit(provider, claims, tenant)
        except IntegrityError:
            # The same person's first sign-in finished in another request a moment ago (both
            # tried to bind or create): this time the binding is there.
            db.session.rollback()
            return _admit(provider, claims, tenant)
    except Refusal as problem:
        db.session.rollback()
        problem.audit_id = refused(problem, provider_id, seen["tenant"])  # type: ignore[attr-defined]
        raise


def refused(problem: Refusal, provider_id: int | None, tenant: str = "") -> int:
    """Record a refused sign-in; the entry's number is shown to the person as a reference."""
    with unit_of_work():
        event = audit.record(
            "single_sign_on_refused",
            "identity_provider",
            provider_id,
            changes={"reason": problem.reason, "tenant": tenant or None},
        )
        db.session.flush()
    return event.id


def _admit(provider: IdentityProvider, claims: dict[str, Any], tenant: str) -> SignedIn:
    subject = rules.subject_of(claims)
    amr = rules.authentication_methods(claims)
    if provider.require_mfa_claim and not rules.shows_multi_factor(amr):
        raise Refusal(
            "no_multi_factor",
            _(
                "Your organisation did not confirm that you signed in with more than one factor. "
                "Sign in again using multi-factor authentication."
            ),
        )
    now = utcnow()
    binding = db.session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.provider_id == provider.id,
            ExternalIdentity.tenant_id == tenant,
            ExternalIdentity.subject == subject,
        )
    )
    with unit_of_work():
        if binding is not None:
            user = binding.user
            how = "bound"
        else:
            user, how = _first_sign_in(provider, claims, subject)
            binding = ExternalIdentity(
                provider_id=provider.id, user=user, tenant_id=tenant, subject=subject
            )
            db.session.add(binding)
        if not user.active:
            raise Refusal(
                "deactivated",
                _("Your account in this service has been deactivated."),
            )
        if user.role_source != "administrator":
            _apply_groups(provider, user, claims)
        binding.last_signed_in_at = now
        binding.last_amr = amr
        user.last_signed_in_at = now
        db.session.flush()
        event = audit.record(
            "sign_in",
            "user",
            user.id,
            user=user,
            changes={
                "method": "single_sign_on",
                "identity_provider": provider.id,
                "tenant": tenant or None,
                "amr": amr,
                "matched": how,
            },
        )
        db.session.flush()
    return SignedIn(user=user, amr=amr, audit_id=event.id)


def _first_sign_in(
    provider: IdentityProvider, claims: dict[str, Any], subject: str
) -> tuple[User, str]:
    """The account a person not yet bound signs in to, and how it was found."""
    unbound = User.id.not_in(
        select(ExternalIdentity.user_id).where(ExternalIdentity.provider_id == provider.id)
    )
    mine = (User.identity_provider_id == provider.id) & unbound
    user = db.session.scalar(select(User).where(mine, User.scim_external_id == subject))
    if user is not None:
        return user, "scim"
    email = rules.verified_email(claims)
    if email is not None:
        user = db.session.scalar(select(User).where(mine, func.lower(User.email) == email))
        if user is not None:
            return user, "email"
    access = rules.access_from_groups(rules.groups_of(claims), grants(provider))
    if access is None:
        raise Refusal(
            "unknown_person",
            _(
                "There is no account for you in this service. Ask your administrator to invite "
                "you, or to give one of your groups access."
            ),
        )
    address = email or _claimed_email(claims)
    if address is None:
        raise Refusal(
            "no_email",
            _(
                "Your organisation did not send a verified email address for you, so an account "
                "cannot be made."
            ),
        )
    if db.session.scalar(select(User.id).where(func.lower(User.email) == address)) is not None:
        raise Refusal(
            "email_in_use",
            _(
                "Another account in this service already uses your email address. Ask your "
                "administrator to connect it to your organisation’s sign-in."
            ),
        )
    user = User(
        email=address,
        display_name=str(claims.get("name") or "")[:120],
        role=access.role,
        role_source="group",
        password_hash=hash_password(secrets.token_urlsafe(32)),
        password_sign_in=False,
        identity_provider=provider,
    )
    accounts.link_scope(user, access.home_urns, access.authority_codes, access.force_code)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user_created",
        "user",
        user.id,
        user=user,
        changes={"role": access.role, "from_groups": list(access.groups)},
    )
    return user, "group"


def _claimed_email(claims: dict[str, Any]) -> str | None:
    """For an account made from a group, the email the token gives (verified or not): it is
    only an address to show, never used to match anyone."""
    value = claims.get("email")
    if not isinstance(value, str):
        return None
    try:
        return accounts.normalise_email(value)
    except ServiceError:
        return None


def grants(provider: IdentityProvider) -> list[rules.Grant]:
    return [
        rules.Grant(
            group_id=m.group_id,
            role=m.role,
            force_code=m.police_force.code if m.police_force else None,
            authority_codes=tuple(a.code for a in m.authorities),
            home_urns=tuple(h.urn for h in m.homes),
        )
        for m in provider.group_mappings
    ]


def _apply_groups(provider: IdentityProvider, user: User, claims: dict[str, Any]) -> None:
    """Recompute a group-given role from the person's groups now; none left means no access."""
    access = rules.access_from_groups(rules.groups_of(claims), grants(provider))
    if access is None:
        raise Refusal(
            "no_access",
            _("None of your groups has access to this service any more. Ask your administrator."),
        )
    before = _scope_of(user)
    user.role = access.role
    user.role_source = "group"
    accounts.link_scope(user, access.home_urns, access.authority_codes, access.force_code)
    after = _scope_of(user)
    if before != after:
        audit.record(
            "user_changed",
            "user",
            user.id,
            user=user,
            changes={**audit.diff(before, after), "from_groups": list(access.groups)},
        )


def _scope_of(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "homes": sorted(h.urn for h in user.homes),
        "authorities": sorted(a.code for a in user.authorities),
        "force": user.police_force.code if user.police_force else None,
    }


def last_sign_in(user: User) -> ExternalIdentity | None:
    return db.session.scalar(
        select(ExternalIdentity)
        .where(ExternalIdentity.user_id == user.id)
        .order_by(ExternalIdentity.last_signed_in_at.desc())
    )


def bound_at(user: User) -> datetime | None:
    binding = last_sign_in(user)
    return binding.bound_at if binding else None
