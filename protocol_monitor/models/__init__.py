"""SQLAlchemy 2 typed entities, one module per area; import them from here."""

from .accounts import ApiToken, PasswordResetToken, RecoveryCode
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
from .identity import (
    ExternalIdentity,
    GroupMapping,
    IdentityProvider,
    group_mapping_authorities,
    group_mapping_homes,
)
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
    "ExternalIdentity",
    "Flag",
    "GroupMapping",
    "Home",
    "IdentityProvider",
    "JobClaim",
    "OutboxMessage",
    "PasswordResetToken",
    "PoliceForce",
    "RecoveryCode",
    "Report",
    "ReportRevision",
    "Review",
    "Setting",
    "SummarySnapshot",
    "User",
    "flag_callouts",
    "group_mapping_authorities",
    "group_mapping_homes",
    "ix_reports_home_police_reference",
    "user_authorities",
    "user_homes",
]
