"""SQLAlchemy 2 typed entities. Vocabulary columns store the fixed slugs of vocab.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..rules.summary import open_during
from ..vocab import (
    ActionStatus,
    Category,
    FlagRule,
    FlagStatus,
    Outcome,
    Role,
    SettingType,
    Source,
)


def _slug_check(column: str, vocabulary: type, nullable: bool = True) -> CheckConstraint:
    values = ", ".join(f"'{slug}'" for slug in vocabulary.slugs())
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_vocab")


class Authority(db.Model):
    """A local authority, by ONS GSS code: host of homes and placer of children."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    homes: Mapped[list[Home]] = relationship(back_populates="host_authority")

    def __str__(self) -> str:
        return self.name


class PoliceForce(db.Model):
    __tablename__ = "police_forces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    homes: Mapped[list[Home]] = relationship(back_populates="police_force")

    def __str__(self) -> str:
        return self.name


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
        _slug_check("role", Role, nullable=False),
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
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Accounts and sessions (security): the TOTP secret, encrypted (see identity.two_factor);
    # when two-factor sign-in was confirmed; bumped by "sign out everywhere" to end sessions.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
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

    police_force: Mapped[PoliceForce | None] = relationship()
    # Named as a string: models.identity imports this module.
    identity_provider: Mapped[IdentityProvider | None] = relationship(  # noqa: F821
        "IdentityProvider"
    )
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


class Home(db.Model):
    """A children's home or other residential setting, by Ofsted URN."""

    __tablename__ = "homes"
    __table_args__ = (
        _slug_check("setting_type", SettingType, nullable=False),
        CheckConstraint("registered_places >= 0", name="registered_places_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    urn: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    provider: Mapped[str] = mapped_column(String(160))
    host_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    police_force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    registered_places: Mapped[int] = mapped_column(Integer)
    setting_type: Mapped[str] = mapped_column(String(40))
    opened_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    allocated_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    host_authority: Mapped[Authority] = relationship(back_populates="homes")
    police_force: Mapped[PoliceForce] = relationship(back_populates="homes")
    allocated_officer: Mapped[User | None] = relationship(foreign_keys=[allocated_officer_id])

    @property
    def setting_type_label(self) -> str:
        return SettingType(self.setting_type).label

    @hybrid_method
    def open_during(self, first_day: date, last_day: date) -> bool:
        """Open on any day of [first_day, last_day]: in scope for that period (domain.md §8)."""
        return open_during(self.opened_on, self.closed_on, first_day, last_day)

    @open_during.inplace.expression
    @classmethod
    def _open_during_sql(cls, first_day: date, last_day: date) -> ColumnElement[bool]:
        """The same rule in SQL (tests/integration/test_summary_figures.py checks they agree)."""
        return and_(
            or_(cls.opened_on.is_(None), cls.opened_on <= last_day),
            or_(cls.closed_on.is_(None), cls.closed_on >= first_day),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"


class Callout(db.Model):
    """One incident, counted once: the merge of a home report and/or a police record (§5).

    The effective fields here are derived from the reports by rules.matching.merge, and stored so
    that lists, flags and summaries can filter and aggregate in SQL. ``month`` is the London month.
    """

    __tablename__ = "callouts"
    __table_args__ = (
        _slug_check("category", Category, nullable=False),
        _slug_check("outcome", Outcome),
        Index("ix_callouts_home_month", "home_id", "month"),
        Index("ix_callouts_home_child_occurred", "home_id", "child_reference", "occurred_at"),
        Index("ix_callouts_month", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    occurred_at: Mapped[datetime]
    month: Mapped[str] = mapped_column(String(7))
    child_reference: Mapped[str | None] = mapped_column(String(40))
    placing_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id"), index=True
    )
    category: Mapped[str] = mapped_column(String(40))
    in_scope: Mapped[bool] = mapped_column(Boolean)
    immediate_risk: Mapped[str | None] = mapped_column(String(10))
    police_attended: Mapped[bool | None] = mapped_column(Boolean)
    arrested: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(40))
    criminal_outcome: Mapped[bool] = mapped_column(Boolean, default=False)
    police_reference: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    home: Mapped[Home] = relationship()
    placing_authority: Mapped[Authority | None] = relationship()
    reports: Mapped[list[Report]] = relationship(back_populates="callout", order_by="Report.source")
    review: Mapped[Review | None] = relationship(back_populates="callout")

    def report_from(self, source: Source | str) -> Report | None:
        return next((r for r in self.reports if r.source == source), None)

    @property
    def home_report(self) -> Report | None:
        return self.report_from(Source.HOME)

    @property
    def police_record(self) -> Report | None:
        return self.report_from(Source.POLICE)

    @property
    def category_label(self) -> str:
        return Category(self.category).label


class Report(db.Model):
    """One side's account of a call-out: a home report (source `home`) or a police record."""

    __tablename__ = "reports"
    __table_args__ = (
        _slug_check("source", Source, nullable=False),
        _slug_check("category", Category, nullable=False),
        _slug_check("outcome", Outcome),
        CheckConstraint("child_age IS NULL OR (child_age >= 0 AND child_age <= 25)", name="age"),
        # The idempotency key of a police extract: home + police reference (§5).
        Index(
            "uq_reports_police_home_reference",
            "home_id",
            "police_reference",
            unique=True,
            sqlite_where=text("source = 'police' AND police_reference IS NOT NULL"),
            postgresql_where=text("source = 'police' AND police_reference IS NOT NULL"),
        ),
        Index("ix_reports_home_occurred", "home_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    callout_id: Mapped[int] = mapped_column(ForeignKey("callouts.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    occurred_at: Mapped[datetime]
    child_reference: Mapped[str | None] = mapped_column(String(40))
    placing_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    child_sex: Mapped[str | None] = mapped_column(String(10))
    child_age: Mapped[int | None] = mapped_column(Integer)
    caller_role: Mapped[str | None] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(40))
    child_role: Mapped[str | None] = mapped_column(String(30))
    immediate_risk: Mapped[str | None] = mapped_column(String(10))
    immediate_risk_reason: Mapped[str | None] = mapped_column(Text)
    deescalation: Mapped[list[str]] = mapped_column(default=list)
    police_attended: Mapped[bool | None] = mapped_column(Boolean)
    police_reference: Mapped[str | None] = mapped_column(String(40))
    arrested: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(40))
    injuries_damage: Mapped[str | None] = mapped_column(Text)
    restorative: Mapped[str | None] = mapped_column(String(30))
    ofsted_notified: Mapped[bool | None] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(Text)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]

    callout: Mapped[Callout] = relationship(back_populates="reports")
    home: Mapped[Home] = relationship()
    placing_authority: Mapped[Authority | None] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report", order_by="ReportRevision.changed_at.desc()"
    )


class ReportRevision(db.Model):
    """One correction to a report: which fields changed, from what, to what, by whom."""

    __tablename__ = "report_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    report: Mapped[Report] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()


class Review(db.Model):
    """The multi-agency review of one call-out against the protocol."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    callout_id: Mapped[int] = mapped_column(ForeignKey("callouts.id"), unique=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    protocol_applied: Mapped[str] = mapped_column(String(30))
    police_necessary: Mapped[str] = mapped_column(String(30))
    police_response_proportionate: Mapped[bool | None] = mapped_column(Boolean)
    outcome_proportionate: Mapped[bool | None] = mapped_column(Boolean)
    learning_points: Mapped[str | None] = mapped_column(Text)

    callout: Mapped[Callout] = relationship(back_populates="review")
    reviewer: Mapped[User | None] = relationship()
    actions: Mapped[list[Action]] = relationship(back_populates="review", order_by="Action.id")


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (_slug_check("status", ActionStatus, nullable=False),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[Review] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    events: Mapped[list[ActionEvent]] = relationship(order_by="ActionEvent.at")


class ActionEvent(db.Model):
    """A status change of an action, kept with who and when."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship()


flag_callouts = Table(
    "flag_callouts",
    db.Model.metadata,
    Column("flag_id", ForeignKey("flags.id", ondelete="CASCADE"), primary_key=True),
    Column("callout_id", ForeignKey("callouts.id", ondelete="CASCADE"), primary_key=True),
    # The flags of one call-out (its page, matching's transfer).
    Index("ix_flag_callouts_callout_id", "callout_id"),
)


class Flag(db.Model):
    """A rule of §7 met for a subject. While open, later qualifying call-outs attach to it."""

    __tablename__ = "flags"
    __table_args__ = (
        _slug_check("rule", FlagRule, nullable=False),
        _slug_check("status", FlagStatus, nullable=False),
        # At most one unresolved flag per rule and subject.
        Index(
            "uq_flags_open_subject",
            "subject_key",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
        Index("ix_flags_status_rule", "status", "rule"),
        # Every flag of a subject, resolved ones too (has this call-out been flagged before?).
        Index("ix_flags_subject_key", "subject_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=FlagStatus.OPEN.value)
    subject_key: Mapped[str] = mapped_column(String(120))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    child_reference: Mapped[str | None] = mapped_column(String(40))
    placing_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    month: Mapped[str | None] = mapped_column(String(7))
    callout_id: Mapped[int | None] = mapped_column(ForeignKey("callouts.id"))
    threshold: Mapped[int | None] = mapped_column(Integer)
    window_days: Mapped[int | None] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_note: Mapped[str | None] = mapped_column(Text)

    home: Mapped[Home] = relationship()
    callouts: Mapped[list[Callout]] = relationship(
        secondary=flag_callouts, order_by="Callout.occurred_at"
    )
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def rule_label(self) -> str:
        return FlagRule(self.rule).label


class Setting(db.Model):
    """An admin-changeable setting (flag thresholds and the like), stored as JSON."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEvent(db.Model):
    """Append-only: who did what to which record, when and from where."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_record", "record_type", "record_id"),
        Index("ix_audit_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    user: Mapped[User | None] = relationship()
