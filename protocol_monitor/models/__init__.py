"""SQLAlchemy 2 typed entities, one module per area; import them from here."""

from .accounts import (
    ApiToken,
    BrowserSession,
    Invitation,
    PasswordResetToken,
    RecoveryCode,
    SignInThrottle,
)
from .alerts import ChannelSetting, Delivery, DeliveryAttempt
from .audit_events import AuditEvent
from .callouts import Callout
from .data_protection import AnonymisedCallout
from .flags import Flag, flag_callouts
from .homes import Home
from .identity import (
    ExternalIdentity,
    GroupMapping,
    IdentityProvider,
    group_mapping_authorities,
    group_mapping_homes,
)
from .import_runs import ImportRun
from .job_claims import JobClaim
from .matching import ix_reports_home_police_reference
from .monthly_facts import MonthlyCalloutFact, MonthlyChildFact
from .organisations import Authority, PoliceForce
from .outbox import OutboxMessage
from .reports import Report, ReportRevision
from .reviews import Action, ActionEvent, Review
from .saved_forms import SavedForm
from .settings import Setting
from .summaries import SummarySnapshot
from .users import User, user_authorities, user_homes

__all__ = [
    "Action",
    "ActionEvent",
    "AnonymisedCallout",
    "ApiToken",
    "AuditEvent",
    "Authority",
    "BrowserSession",
    "Callout",
    "ChannelSetting",
    "Delivery",
    "DeliveryAttempt",
    "ExternalIdentity",
    "Flag",
    "GroupMapping",
    "Home",
    "IdentityProvider",
    "ImportRun",
    "Invitation",
    "JobClaim",
    "MonthlyCalloutFact",
    "MonthlyChildFact",
    "OutboxMessage",
    "PasswordResetToken",
    "PoliceForce",
    "RecoveryCode",
    "Report",
    "ReportRevision",
    "Review",
    "SavedForm",
    "Setting",
    "SignInThrottle",
    "SummarySnapshot",
    "User",
    "flag_callouts",
    "group_mapping_authorities",
    "group_mapping_homes",
    "ix_reports_home_police_reference",
    "user_authorities",
    "user_homes",
]
