"""People who sign in: their role, and the homes and authorities that make their scope."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..vocab import Role
from .checks import vocab_check
from .homes import Home
from .organisations import Authority, PoliceForce

if TYPE_CHECKING:
    from .identity import IdentityProvider


user_homes = Table(
    "user_homes",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("home_id", ForeignKey("homes.id", ondelete="CASCADE"), primary_key=True),
)

user_authorities = Table(
    "user_authorities",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("authority_id", ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        vocab_check("role", Role, nullable=False),
        CheckConstraint(
            "role_source IN ('administrator', 'group', 'awaiting')", name="role_source_values"
        ),
        UniqueConstraint("identity_provider_id", "scim_external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    police_force_id: Mapped[int | None] = mapped_column(ForeignKey("police_forces.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Until when wrong second-factor codes lock the account (identity.throttle). Wrong passwords
    #: lock the address typed instead (SignInThrottle), account or not.
    locked_until: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    #: The language of the person's pages and emails: en or cy (i18n).
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Two-factor sign-in: the TOTP secret, sealed (see identity.two_factor), and when it was
    # confirmed. (Signed-in browsers are BrowserSession records.)
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    #: Wrong second-factor codes since the last right one (identity.two_factor). Signing in with
    #: the password never resets it; a right code or an administrator's unlock does.
    failed_codes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Single sign-on (services.single_sign_on): the organisation whose identity provider
    # manages this account, whether the account may still sign in with a password, where its
    # role comes from (an administrator, or an identity-provider group mapped to a role), and
    # the id the organisation's SCIM client gave it.
    identity_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_providers.id"), index=True
    )
    password_sign_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    role_source: Mapped[str] = mapped_column(
        String(20), default="administrator", server_default="administrator"
    )
    scim_external_id: Mapped[str | None] = mapped_column(String(255))
    # Which emails about their homes' records the person gets (issue 14), chosen on their
    # account page: a flag raised on a call-out, a review completed, an action given to them
    # (or their home) or falling due.
    email_flags: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    email_reviews: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    email_actions: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    police_force: Mapped[PoliceForce | None] = relationship()
    identity_provider: Mapped[IdentityProvider | None] = relationship()
    homes: Mapped[list[Home]] = relationship(secondary=user_homes, order_by="Home.name")
    authorities: Mapped[list[Authority]] = relationship(
        secondary=user_authorities, order_by="Authority.name"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def __str__(self) -> str:
        return self.display_name or self.email
