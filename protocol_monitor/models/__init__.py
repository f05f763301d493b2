"""SQLAlchemy 2 typed entities, one module per area; import them from here."""

from .accounts import ApiToken, PasswordResetToken
from .core import (
    Action,
    ActionEvent,
    AuditEvent,
    Authority,
    Callout,
    Flag,
    Home,
    PoliceForce,
    Report,
    ReportRevision,
    Review,
    Setting,
    User,
    flag_callouts,
    user_authorities,
    user_homes,
)
from .outbox import OutboxMessage

__all__ = [
    "Action",
    "ActionEvent",
    "ApiToken",
    "AuditEvent",
    "Authority",
    "Callout",
    "Flag",
    "Home",
    "OutboxMessage",
    "PasswordResetToken",
    "PoliceForce",
    "Report",
    "ReportRevision",
    "Review",
    "Setting",
    "User",
    "flag_callouts",
    "user_authorities",
    "user_homes",
]
