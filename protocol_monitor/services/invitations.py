"""Invitations (issue 14, item 8): an administrator enters a person's email, role and scope; the
person gets a single-use link — by email, or shown once to the administrator to pass on when
email is not set up — to choose their password, then sets up two-factor sign-in where their role
requires it (identity.sessions enforces that at their first request). No administrator types or
sees a password.

The link is random, stored only as its SHA-256 hash, works once and for INVITATION_DAYS, and
a new one ends the old. Sending, accepting and each new link are audited. The account exists
from the invitation on (with a password nobody knows), so the organisation sign-in invite
(services.single_sign_on: matched by verified email) still finds it and takes it over.
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..config import Settings
from ..db import db, unit_of_work, utcnow
from ..i18n import N_, _, in_language, ngettext, translate
from ..identity import accounts, credentials, throttle
from ..identity.passwords import hash_password, password_problem
from ..models import Invitation, User
from ..vocab import Role
from . import NotFound, ServiceError

LINK_PROBLEM = N_(
    "This invitation link has expired, has already been used or has been replaced by a newer "
    "one. Ask your administrator to send you a new invitation."
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def invitation_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/invitation/{token}"


@dataclass(frozen=True)
class Sent:
    """An invitation just sent: by email, or (``url`` set) to be shown once to the
    administrator, with why it was not emailed."""

    invitation: Invitation
    url: str | None
    why_not_emailed: str | None = None


def invite(
    email: str,
    role: str,
    *,
    display_name: str = "",
    home_urns: Sequence[str] = (),
    authority_codes: Sequence[str] = (),
    force_code: str | None = None,
    language: str = "en",
    actor: User | None = None,
    now: datetime | None = None,
) -> Sent:
    """Make the person's account (role and links checked as for any account, a password nobody
    knows, their language) and send them an invitation, in their language."""
    user = accounts.create_user(
        email,
        role,
        secrets.token_urlsafe(32),
        display_name=display_name,
        home_urns=home_urns,
        authority_codes=authority_codes,
        force_code=force_code,
        check_password=False,
        actor=actor,
    )
    if language != user.language:
        accounts.set_language(user, language, actor=actor)
    return _send(user, actor, now or utcnow())


def send_again(user_id: int, actor: User, now: datetime | None = None) -> Sent:
    """A new invitation for someone who has not accepted theirs; the old link stops working."""
    user = accounts.get_user(user_id)
    if not is_waiting(user):
        raise ServiceError(
            _("%(email)s has already accepted an invitation or signed in", email=user.email)
        )
    return _send(user, actor, now or utcnow())


def _send(user: User, actor: User | None, now: datetime) -> Sent:
    settings = _settings()
    token = secrets.token_urlsafe(32)
    with unit_of_work():
        for old in _open(user):
            old.ended_at = now
        invitation = Invitation(
            user_id=user.id,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=settings.invitation_days),
            invited_by_id=actor.id if actor else None,
            emailed=False,
        )
        db.session.add(invitation)
        db.session.flush()
        audit.record(
            "invitation_sent",
            "user",
            user.id,
            user=actor,
            changes={"role": user.role, "expires_at": invitation.expires_at},
        )
    url = invitation_url(settings, token)
    if not settings.smtp_host:
        return Sent(invitation, url, _("Email is not set up for this service"))
    try:
        with in_language(user.language):  # the person's language, not the administrator's
            email = _email(settings, user, url, actor)
        credentials.send_email(settings, email)
    except (smtplib.SMTPException, OSError) as error:
        why = _("The email could not be sent (%(error)s)", error=error.__class__.__name__)
        return Sent(invitation, url, why)
    with unit_of_work():
        invitation.emailed = True
        audit.record("invitation_emailed", "user", user.id, user=actor)
    return Sent(invitation, None)


def _email(settings: Settings, user: User, url: str, actor: User | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = user.email
    message["Subject"] = _("You have been invited to Protocol monitor")
    role = Role(user.role).label.lower()
    if actor is not None:
        invited = _(
            "You have been invited by %(actor)s to use Protocol monitor as a %(role)s user.",
            actor=str(actor),
            role=role,
        )
    else:
        invited = _("You have been invited to use Protocol monitor as a %(role)s user.", role=role)
    choose = ngettext(
        "To choose your password, open this link within %(num)d day:",
        "To choose your password, open this link within %(num)d days:",
        settings.invitation_days,
    )
    two_factor = (
        "\n"
        + _("You will then set up two-factor sign-in with an authenticator app on your phone.")
        + "\n"
        if user.role in settings.require_two_factor_roles
        else ""
    )
    once = _(
        "The link works once. If you were not expecting this email, ignore it and tell the "
        "person who invited you."
    )
    message.set_content(f"{invited}\n\n{choose}\n\n{url}\n{two_factor}\n{once}\n")
    return message


def _open(user: User) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation).where(
                Invitation.user_id == user.id,
                Invitation.accepted_at.is_(None),
                Invitation.ended_at.is_(None),
            )
        )
    )


def is_waiting(user: User) -> bool:
    """Invited, not accepted, and never signed in (an organisation sign-in counts)."""
    return user.last_signed_in_at is None and bool(_open(user))


def latest(user: User) -> Invitation | None:
    return db.session.scalar(
        select(Invitation)
        .where(Invitation.user_id == user.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(1)
    )


def waiting() -> list[Invitation]:
    """Invitations not yet accepted (expired ones too, so a new one can be sent), oldest first;
    not those of people who have signed in some other way, nor of closed accounts."""
    return list(
        db.session.scalars(
            select(Invitation)
            .join(User, User.id == Invitation.user_id)
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.ended_at.is_(None),
                User.last_signed_in_at.is_(None),
                User.active.is_(True),
            )
            .options(selectinload(Invitation.user))
            .order_by(Invitation.created_at, Invitation.id)
        )
    )


class LinkNotValid(NotFound):
    def __init__(self) -> None:
        super().__init__(translate(LINK_PROBLEM))


def invitation_for(token: str, now: datetime | None = None) -> Invitation:
    """The live invitation a link is for, or LinkNotValid."""
    now = now or utcnow()
    if not token or len(token) > 100:
        raise LinkNotValid()
    row = db.session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token)))
    if (
        row is None
        or row.accepted_at is not None
        or row.ended_at is not None
        or row.expires_at <= now
        or not row.user.active
        or not credentials.password_sign_in_allowed(row.user)
    ):
        raise LinkNotValid()
    return row


def accept(token: str, password: str, now: datetime | None = None) -> User:
    """Choose a password through the invitation link: the link is spent."""
    now = now or utcnow()
    invitation = invitation_for(token, now)
    if problem := password_problem(password):
        raise ServiceError(problem, field="new_password")
    user = invitation.user
    with unit_of_work():
        invitation.accepted_at = now
        user.last_signed_in_at = now  # they are signed in now (the view starts the session)
        user.password_hash = hash_password(password)
        throttle.unlock(user)
        audit.record("invitation_accepted", "user", user.id, user=user)
    return user
