"""Keeping homes in the loop (issue 14): emails to the people a record concerns.

A flag raised on a home's call-out and a review of it completed go to every provider user linked
to the home; an action given to a home goes to its provider users, one given to a person to that
person; and so does the reminder when it falls due (once per action). Each person chooses on
their account page which of these they get (``User.email_flags``, ``email_reviews``,
``email_actions``).

The notices go in the outbox like every alert, so they are retried and each delivery is kept
(services.relay); the recipients are worked out when the message is routed
(services.alert_routing), from the people and choices of that moment. A notice names the home
and links to the record: never a child's reference or name, nor any free text (the action, the
learning points): the reader opens the record in the service to see them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from .. import audit
from ..db import db, unit_of_work
from ..models import Action, Home, OutboxMessage, User, user_homes
from ..vocab import Role
from . import ServiceError
from .outbox import Notice

#: The kinds of these notices, and the choice on the account page that turns each on.
PREFERENCES = {
    "home_flag": "email_flags",
    "home_review": "email_reviews",
    "action_given": "email_actions",
    "action_due": "email_actions",
}
KINDS = frozenset(PREFERENCES)


def _home(home: Any) -> str:
    return f"Home: {home.name} ({home.urn})"


def flag_raised(flag: Any, home: Any, rule_label: str, lines: list[str]) -> Notice:
    """A flag raised on a call-out at the home (the same facts as the area's alert)."""
    return Notice(
        kind="home_flag",
        key=f"flag:{flag.id}:home",
        title=f"{rule_label} at {home.name}",
        lines=[_home(home), *lines],
        link_path=f"/flags/{flag.id}",
        home_id=flag.home_id,
        record_type="flag",
        record_id=flag.id,
    )


def review_completed(review: Any, callout: Any, home: Any) -> Notice:
    learning = (
        "Its learning points are on the call-out's page"
        if review.learning_points
        else "No learning points were recorded"
    )
    return Notice(
        kind="home_review",
        key=f"review:{review.id}:home",
        title=f"Call-out {callout.id} at {home.name} has been reviewed",
        lines=[_home(home), f"Call-out {callout.id} on {callout.occurred_at:%-d %B %Y}", learning],
        link_path=f"/callouts/{callout.id}#review",
        home_id=home.id,
        record_type="review",
        record_id=review.id,
    )


def _action_lines(action: Action, home: Any, callout_id: int) -> list[str]:
    due = f"Due on {action.due_on:%-d %B %Y}" if action.due_on else "No due date"
    owner = "Your home" if action.owner_home_id else "You"
    return [_home(home), f"From the review of call-out {callout_id}", f"Owner: {owner}", due]


def action_given(action: Action, home: Any, callout_id: int) -> Notice:
    return Notice(
        kind="action_given",
        key=f"action:{action.id}:given",
        title=f"An action for {home.name}"
        if action.owner_home_id
        else f"An action for you at {home.name}",
        lines=_action_lines(action, home, callout_id),
        link_path=f"/actions/{action.id}",
        home_id=home.id,
        record_type="action",
        record_id=action.id,
        extra=_owner(action),
    )


def action_due(action: Action, home: Any, callout_id: int, today: date) -> Notice:
    overdue = action.due_on is not None and action.due_on < today
    return Notice(
        kind="action_due",
        key=f"action:{action.id}:due",
        title=f"An action at {home.name} is {'overdue' if overdue else 'due today'}",
        lines=_action_lines(action, home, callout_id),
        link_path=f"/actions/{action.id}",
        home_id=home.id,
        record_type="action",
        record_id=action.id,
        extra=_owner(action),
    )


def _owner(action: Action) -> dict[str, Any]:
    return {"owner_id": action.owner_id, "owner_home_id": action.owner_home_id}


def recipients(message: OutboxMessage) -> list[User]:
    """Who gets a home notice now: the home's provider users (a flag, a review, an action the
    home owns) or the person who owns the action; active, and with that email chosen."""
    choice = getattr(User, PREFERENCES[message.kind])
    query = select(User).where(User.active.is_(True), choice.is_(True))
    if message.kind.startswith("action_"):
        owner_id = message.payload.get("owner_id")
        home_id = message.payload.get("owner_home_id")
    else:
        owner_id, home_id = None, message.home_id
    if owner_id:
        query = query.where(User.id == owner_id)
    else:
        if home_id is None or db.session.get(Home, home_id) is None:
            return []
        query = query.where(
            User.role == Role.PROVIDER.value,
            User.id.in_(select(user_homes.c.user_id).where(user_homes.c.home_id == home_id)),
        )
    return list(db.session.scalars(query.order_by(User.id)))


# The person's choices ----------------------------------------------------------------------

#: The emails a person can choose, by role: (the User column, what it is).
CHOICES: dict[str, str] = {
    "email_flags": "When a flag is raised on a call-out at my homes",
    "email_reviews": "When a call-out at my homes has been reviewed",
    "email_actions": "When an action is given to me or my home, and when it falls due",
}


def choices_for(user: User) -> dict[str, str]:
    """The emails this person can get: providers all three, everyone else the actions they own
    (flags and reviews go to the home's staff)."""
    if Role(user.role) is Role.PROVIDER:
        return dict(CHOICES)
    return {"email_actions": "When an action is given to me, and when it falls due"}


def chosen(user: User) -> list[str]:
    return [name for name in choices_for(user) if getattr(user, name)]


def set_choices(user: User, wanted: list[str]) -> None:
    """Save which of these emails the person gets (audited)."""
    offered = choices_for(user)
    unknown = [name for name in wanted if name not in offered]
    if unknown:
        raise ServiceError("Select the emails you want from the list", field="emails")
    with unit_of_work():
        before = {name: getattr(user, name) for name in offered}
        for name in offered:
            setattr(user, name, name in wanted)
        after = {name: getattr(user, name) for name in offered}
        audit.record(
            "email_choices_changed", "user", user.id, user=user, changes=audit.diff(before, after)
        )
