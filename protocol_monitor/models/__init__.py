"""SQLAlchemy 2 typed entities, one module per area; import them from here."""

from .accounts import ApiToken, PasswordResetToken
from .alerts import ChannelSetting, Delivery, DeliveryAttempt
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
from .data_protection import AnonymisedCallout
from .matching import ix_reports_home_police_reference
from .outbox import OutboxMessage
from .summaries import JobClaim, SummarySnapshot

__all__ = [
    "Action",
    "ActionEvent",
    "AnonymisedCallout",
    "ApiToken",
    "AuditEvent",
    "Authority",
    "Callout",
    "ChannelSetting",
    "Delivery",
    "DeliveryAttempt",
    "Flag",
    "Home",
    "JobClaim",
    "OutboxMessage",
    "PasswordResetToken",
    "PoliceForce",
    "Report",
    "ReportRevision",
    "Review",
    "Setting",
    "SummarySnapshot",
    "User",
    "flag_callouts",
    "ix_reports_home_police_reference",
    "user_authorities",
    "user_homes",
]
