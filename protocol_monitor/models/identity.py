"""Single sign-on: an organisation's identity provider (OpenID Connect, e.g. Microsoft Entra ID),
the people it has signed in (bound to their stable subject), and its groups mapped to roles.

Secrets are never stored in the clear: the client secret is sealed (encrypted with a key derived
from SECRET_KEY, see ``protocol_monitor.sealing``) and the SCIM bearer token is kept only as its
SHA-256 hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..vocab import Role
from .checks import vocab_check
from .homes import Home
from .organisations import Authority, PoliceForce
from .users import User


class IdentityProvider(db.Model):
    """An organisation's OpenID Connect sign-in, set up by an administrator."""

    __tablename__ = "identity_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation, as people know it: "Dorset Police".
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: The issuer; its discovery document is at ``{issuer}/.well-known/openid-configuration``.
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_sealed: Mapped[str | None] = mapped_column(Text)
    #: Tenant ids whose people may sign in (required for a multi-tenant registration).
    allowed_tenant_ids: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: False: everyone in this organisation signs in with the identity provider only.
    password_sign_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: True: refuse a sign-in whose ID token does not say multi-factor authentication (amr).
    require_mfa_claim: Mapped[bool] = mapped_column(Boolean, default=False)
    scim_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scim_token_prefix: Mapped[str | None] = mapped_column(String(16))
    scim_token_issued_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    group_mappings: Mapped[list[GroupMapping]] = relationship(
        back_populates="provider", order_by="GroupMapping.label", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class ExternalIdentity(db.Model):
    """A person's account at an identity provider, bound to one account here on first sign-in.

    The binding is by the token's stable subject (Entra's ``oid``, else ``sub``) within its
    tenant, never by email: a changed email address cannot reach another person's account.
    """

    __tablename__ = "external_identities"
    __table_args__ = (
        UniqueConstraint("provider_id", "tenant_id", "subject"),
        UniqueConstraint("provider_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_providers.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(255))
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]
    #: What the last ID token said about how the person authenticated (e.g. ["pwd", "mfa"]).
    last_amr: Mapped[list[str]] = mapped_column(default=list)

    provider: Mapped[IdentityProvider] = relationship()
    user: Mapped[User] = relationship()


group_mapping_authorities = Table(
    "group_mapping_authorities",
    db.Model.metadata,
    Column("mapping_id", ForeignKey("group_mappings.id", ondelete="CASCADE"), primary_key=True),
    Column("authority_id", ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True),
)

group_mapping_homes = Table(
    "group_mapping_homes",
    db.Model.metadata,
    Column("mapping_id", ForeignKey("group_mappings.id", ondelete="CASCADE"), primary_key=True),
    Column("home_id", ForeignKey("homes.id", ondelete="CASCADE"), primary_key=True),
)


class GroupMapping(db.Model):
    """Members of this identity-provider group get this role and scope here."""

    __tablename__ = "group_mappings"
    __table_args__ = (
        UniqueConstraint("provider_id", "group_id"),
        vocab_check("role", Role, nullable=False),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_providers.id"), index=True)
    #: The group's object id, as the ID token's ``groups`` claim carries it.
    group_id: Mapped[str] = mapped_column(String(64))
    #: The group's name, for people (the token carries only the id).
    label: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    police_force_id: Mapped[int | None] = mapped_column(ForeignKey("police_forces.id"))

    provider: Mapped[IdentityProvider] = relationship(back_populates="group_mappings")
    police_force: Mapped[PoliceForce | None] = relationship()
    authorities: Mapped[list[Authority]] = relationship(
        secondary=group_mapping_authorities, order_by="Authority.name"
    )
    homes: Mapped[list[Home]] = relationship(secondary=group_mapping_homes, order_by="Home.name")

    @property
    def role_label(self) -> str:
        return Role(self.role).label
