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
from ..i18n import N_, _, format_day, translate
from ..models import Action, Home, OutboxMessage, User, user_homes
from ..vocab import FlagRule, Role
from . import ServiceError
from .outbox import Notice, bilingual

#: The kinds of these notices, and the choice on the account page that turns each on.
PREFERENCES = {
    "home_flag": "email_flags",
    "home_review": "email_reviews",
    "action_given": "email_actions",
    "action_due": "email_actions",
}
KINDS = frozenset(PREFERENCES)


def _home(home: Any) -> str:
    return _("Home: %(name)s (%(urn)s)", name=home.name, urn=home.urn)


def _rule_label(flag: Any, rule_label: str) -> str:
    """The flag's rule in the language being built (the label given is in the page's)."""
    try:
        return FlagRule(flag.rule).label
    except (AttributeError, ValueError):
        return str(rule_label)


def flag_raised(flag: Any, home: Any, rule_label: str, lines: list[str]) -> Notice:
    """A flag raised on a call-out at the home (the same facts as the area's alert)."""
    return bilingual(
        lambda: Notice(
            kind="home_flag",
            key=f"flag:{flag.id}:home",
            title=_("%(rule)s at %(home)s", rule=_rule_label(flag, rule_label), home=home.name),
            lines=[_home(home), *lines],
            link_path=f"/flags/{flag.id}",
            home_id=flag.home_id,
            record_type="flag",
            record_id=flag.id,
        )
    )


def review_completed(review: Any, callout: Any, home: Any) -> Notice:
    def build() -> Notice:
        learning = (
            _("Its learning points are on the call-out's page")
            if review.learning_points
            else _("No learning points were recorded")
        )
        day = format_day(callout.occurred_at.date())
        return Notice(
            kind="home_review",
            key=f"review:{review.id}:home",
            title=_("Call-out %(id)s at %(home)s has been reviewed", id=callout.id, home=home.name),
            lines=[
                _home(home),
                _("Call-out %(id)s on %(day)s", id=callout.id, day=day),
                learning,
            ],
            link_path=f"/callouts/{callout.id}#review",
            home_id=home.id,
            record_type="review",
            record_id=review.id,
        )

    return bilingual(build)


def _action_lines(action: Action, home: Any, callout_id: int) -> list[str]:
    due = _("Due on %(day)s", day=format_day(action.due_on)) if action.due_on else None
    owner = _("Owner: Your home") if action.owner_home_id else _("Owner: You")
    from_review = _("From the review of call-out %(id)s", id=callout_id)
    return [_home(home), from_review, owner, due or _("No due date")]


def action_given(action: Action, home: Any, callout_id: int) -> Notice:
    return bilingual(
        lambda: Notice(
            kind="action_given",
            key=f"action:{action.id}:given",
            title=_("An action for %(home)s", home=home.name)
            if action.owner_home_id
            else _("An action for you at %(home)s", home=home.name),
            lines=_action_lines(action, home, callout_id),
            link_path=f"/actions/{action.id}",
            home_id=home.id,
            record_type="action",
            record_id=action.id,
            extra=_owner(action),
        )
    )


def action_due(action: Action, home: Any, callout_id: int, today: date) -> Notice:
    overdue = action.due_on is not None and action.due_on < today
    return bilingual(
        lambda: Notice(
            kind="action_due",
            key=f"action:{action.id}:due",
            title=_("An action at %(home)s is overdue", home=home.name)
            if overdue
            else _("An action at %(home)s is due today", home=home.name),
            lines=_action_lines(action, home, callout_id),
            link_path=f"/actions/{action.id}",
            home_id=home.id,
            record_type="action",
            record_id=action.id,
            extra=_owner(action),
        )
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
    "email_flags": N_("When a flag is raised on a call-out at my homes"),
    "email_reviews": N_("When a call-out at my homes has been reviewed"),
    "email_actions": N_("When an action is given to me or my home, and when it falls due"),
}


def choices_for(user: User) -> dict[str, str]:
    """The emails this person can get: providers all three, everyone else the actions they own
    (flags and reviews go to the home's staff); each in the page's language."""
    if Role(user.role) is Role.PROVIDER:
        return {name: translate(text) for name, text in CHOICES.items()}
    return {"email_actions": _("When an action is given to me, and when it falls due")}


def chosen(user: User) -> list[str]:
    return [name for name in choices_for(user) if getattr(user, name)]


def set_choices(user: User, wanted: list[str]) -> None:
    """Save which of these emails the person gets (audited)."""
    offered = choices_for(user)
    unknown = [name for name in wanted if name not in offered]
    if unknown:
        raise ServiceError(_("Select the emails you want from the list"), field="emails")
    with unit_of_work():
        before = {name: getattr(user, name) for name in offered}
        for name in offered:
            setattr(user, name, name in wanted)
        after = {name: getattr(user, name) for name in offered}
        audit.record(
            "email_choices_changed", "user", user.id, user=user, changes=audit.diff(before, after)
        )
