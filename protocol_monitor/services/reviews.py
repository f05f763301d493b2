"""Reviewing call-outs against the protocol, and the actions agreed (the learning loop)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from .. import access, audit
from ..db import db, unit_of_work, utcnow
from ..i18n import N_, _, format_day
from ..models import (
    Action,
    ActionEvent,
    Callout,
    Flag,
    Home,
    Review,
    User,
    flag_callouts,
    user_authorities,
)
from ..queries import Page, paginate
from ..rules.time import days_since, london_date
from ..vocab import ActionStatus, FlagStatus, PoliceNecessary, ProtocolApplied, Role
from . import ServiceError, home_notices, read_scoped, saved_forms
from .outbox import Notice, enqueue

OUTSTANDING = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
#: The note of an action's first status, kept in English (a page shows it in its language).
AGREED = N_("Action agreed")


def is_overdue(action: Action, today: date) -> bool:
    """Overdue: due before today (London) and still open or in progress."""
    return action.due_on is not None and action.due_on < today and action.status in OUTSTANDING


# The queue


#: How the queue may be sorted, each with its ORDER BY (the first is the default).
QUEUE_SORTS = ("oldest", "newest", "home", "flags")


@dataclass(frozen=True)
class QueueFilters:
    authority_id: int | None = None  # host authority of the home
    home_id: int | None = None
    month: str | None = None
    rule: str | None = None  # call-outs in a flag of this rule
    sort: str = "oldest"  # one of QUEUE_SORTS


@dataclass(frozen=True)
class QueueRow:
    """A call-out waiting for its review: how many London days since it happened, and the
    rules of its flags that are not resolved."""

    callout: Callout
    days: int
    flag_rules: list[str]


def _open_flags():
    """(call-out id, flag rule) for every flag not yet resolved."""
    return (
        select(flag_callouts.c.callout_id, Flag.rule)
        .join(Flag, Flag.id == flag_callouts.c.flag_id)
        .where(Flag.status != FlagStatus.RESOLVED.value)
    )


def queue(
    user: User, filters: QueueFilters, page: int = 1, size: int = 25, *, now: datetime | None = None
) -> Page:
    """In-scope call-outs in the user's scope not yet reviewed (oldest first unless sorted
    otherwise), each with its days waiting and open flags (a page of QueueRow)."""
    access.require(user, access.Permission.REVIEW)
    query = access.scoped_callouts(user).where(
        Callout.in_scope.is_(True), ~exists().where(Review.callout_id == Callout.id)
    )
    if filters.home_id:
        query = query.where(Callout.home_id == filters.home_id)
    if filters.authority_id:
        query = query.where(
            Callout.home_id.in_(
                select(Home.id).where(Home.host_authority_id == filters.authority_id)
            )
        )
    if filters.month:
        query = query.where(Callout.month == filters.month)
    if filters.rule:
        query = query.where(
            exists()
            .where(flag_callouts.c.callout_id == Callout.id)
            .where(Flag.id == flag_callouts.c.flag_id, Flag.rule == filters.rule)
        )
    oldest = (Callout.occurred_at, Callout.id)
    open_flags = _open_flags().subquery()
    flag_count = (
        select(func.count())
        .select_from(open_flags)
        .where(open_flags.c.callout_id == Callout.id)
        .scalar_subquery()
    )
    orders = {
        "oldest": oldest,
        "newest": (Callout.occurred_at.desc(), Callout.id.desc()),
        "home": (
            select(Home.name).where(Home.id == Callout.home_id).scalar_subquery(),
            *oldest,
        ),
        "flags": (flag_count.desc(), *oldest),
    }
    found = paginate(
        query,
        page,
        size,
        order_by=orders.get(filters.sort, oldest),
        options=(selectinload(Callout.home), selectinload(Callout.reports)),
    )
    ids = [c.id for c in found.items]
    rules: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for callout_id, rule in db.session.execute(
            _open_flags().where(flag_callouts.c.callout_id.in_(ids)).order_by(Flag.rule)
        ):
            if rule not in rules[callout_id]:
                rules[callout_id].append(rule)
    moment = now or utcnow()
    rows = [QueueRow(c, days_since(c.occurred_at, moment), rules[c.id]) for c in found.items]
    return Page(items=rows, number=found.number, size=found.size, total=found.total)


# Recording a review


def callout_for_review(user: User, callout_id: int) -> Callout:
    """A call-out the user may review: in scope, in the user's scope, with REVIEW permission."""
    access.require(user, access.Permission.REVIEW, "callout", callout_id)
    query = access.scoped_callouts(user).where(Callout.id == callout_id, Callout.in_scope.is_(True))
    return read_scoped(query, "callout", callout_id, user, audit_read=False)


def possible_owners(home: Home) -> list[User]:
    """Who may own an action on a home's call-out: the force's police users, and the group and
    authority users of the home's host authority (the allocated officer is the default)."""
    linked = select(user_authorities.c.user_id).where(
        user_authorities.c.authority_id == home.host_authority_id
    )
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                or_(
                    and_(
                        User.role == Role.POLICE.value, User.police_force_id == home.police_force_id
                    ),
                    and_(
                        User.role.in_([Role.GROUP.value, Role.AUTHORITY.value]), User.id.in_(linked)
                    ),
                ),
            )
            .order_by(User.display_name, User.email)
        )
    )


def _check(value: Any, vocabulary: type, message: str) -> str:
    if value not in vocabulary.slugs():
        raise ServiceError(message)
    return value


def record_review(
    user: User,
    callout_id: int,
    values: Mapping[str, Any],
    actions: Sequence[Mapping[str, Any]] = (),
    *,
    draft_id: int | None = None,
) -> Review:
    """Record (or change) the review of a call-out, adding any new actions (the draft it came
    from goes).

    ``values``: protocol_applied, police_necessary, police_response_proportionate (bool),
    outcome_proportionate (bool, or None while not yet known), learning_points.
    Each action: text, owner_id (None for the home's allocated officer) or owner_home (true: the
    home owns it, every provider user linked to the home sees and updates it), due_on, status.
    The home's staff are told of a new review, and an action's owner of their action
    (services.home_notices).
    """
    callout = callout_for_review(user, callout_id)
    fields = {
        "protocol_applied": _check(
            values.get("protocol_applied"),
            ProtocolApplied,
            _("Select whether the protocol was applied"),
        ),
        "police_necessary": _check(
            values.get("police_necessary"),
            PoliceNecessary,
            _("Select whether police involvement was necessary"),
        ),
        "police_response_proportionate": values.get("police_response_proportionate"),
        "outcome_proportionate": values.get("outcome_proportionate"),
        "learning_points": (values.get("learning_points") or "").strip() or None,
    }
    owners = {u.id for u in possible_owners(callout.home)}
    with unit_of_work():
        saved_forms.filed_from_draft(user, draft_id, "review")
        review = callout.review
        is_new = review is None
        if review is None:
            review = Review(callout=callout, reviewer_id=user.id, reviewed_at=utcnow(), **fields)
            db.session.add(review)
            db.session.flush()
            audit.record(
                "review_recorded",
                "review",
                review.id,
                user=user,
                changes={"callout_id": callout.id},
            )
        else:
            changed = {
                k: [getattr(review, k), v] for k, v in fields.items() if getattr(review, k) != v
            }
            for name, (_old, new) in changed.items():
                setattr(review, name, new)
            if changed:
                audit.record(
                    "review_changed",
                    "review",
                    review.id,
                    user=user,
                    changes={"fields": sorted(changed)},
                )
        if is_new:
            enqueue(home_notices.review_completed(review, callout, callout.home))
        for item in actions:
            text = (item.get("text") or "").strip()
            if not text:
                raise ServiceError(_("Enter what the action is"))
            owner_home_id = callout.home_id if item.get("owner_home") else None
            owner_id = (
                None
                if owner_home_id
                else (item.get("owner_id") or callout.home.allocated_officer_id)
            )
            if owner_id is not None and owner_id not in owners:
                raise ServiceError(_("Select an owner for the action from the list"))
            status = _check(
                item.get("status") or ActionStatus.OPEN.value,
                ActionStatus,
                _("Select the status of the action"),
            )
            action = Action(
                review=review,
                text=text,
                owner_id=owner_id,
                owner_home_id=owner_home_id,
                due_on=item.get("due_on"),
                status=status,
                created_by_id=user.id,
                created_at=utcnow(),
            )
            db.session.add(action)
            db.session.flush()
            db.session.add(
                ActionEvent(
                    action_id=action.id,
                    status=status,
                    note=AGREED,
                    by_id=user.id,
                    at=utcnow(),
                )
            )
            audit.record(
                "action_created",
                "action",
                action.id,
                user=user,
                changes={
                    "review_id": review.id,
                    "owner_id": owner_id,
                    "owner_home_id": owner_home_id,
                },
            )
            if (owner_id or owner_home_id) and status in OUTSTANDING:
                enqueue(home_notices.action_given(action, callout.home, callout.id))
    return review


# Actions


def _scoped_actions(user: User):
    return (
        select(Action)
        .join(Review, Review.id == Action.review_id)
        .join(Callout, Callout.id == Review.callout_id)
        .where(access.callouts_condition(user))
    )


@dataclass(frozen=True)
class OwnerActions:
    owner: User | None
    actions: list[Action]
    overdue: set[int]
    owner_home: Home | None = None

    @property
    def label(self) -> str:
        return self.actions[0].owner_label

    @property
    def key(self) -> str:
        if self.owner_home is not None:
            return f"home-{self.owner_home.id}"
        return str(self.owner.id) if self.owner is not None else "none"


def list_actions(
    user: User, *, today: date, mine: bool = False, include_closed: bool = False
) -> list[OwnerActions]:
    """Actions in the user's scope, per owner; each owner's overdue ones first, then by due date."""
    query = _scoped_actions(user).options(
        selectinload(Action.owner),
        selectinload(Action.owner_home),
        selectinload(Action.review).selectinload(Review.callout).selectinload(Callout.home),
    )
    if mine:
        query = query.where(mine_condition(user))
    if not include_closed:
        query = query.where(Action.status.in_(OUTSTANDING))
    actions = list(db.session.scalars(query))
    by_owner: dict[tuple[int | None, int | None], list[Action]] = {}
    for action in actions:
        by_owner.setdefault((action.owner_home_id, action.owner_id), []).append(action)
    result = []
    for items in by_owner.values():
        items.sort(key=lambda a: (not is_overdue(a, today), a.due_on or date.max, a.id))
        result.append(
            OwnerActions(
                owner=items[0].owner,
                actions=items,
                overdue={a.id for a in items if is_overdue(a, today)},
                owner_home=items[0].owner_home,
            )
        )
    result.sort(
        key=lambda group: (
            group.owner is None and group.owner_home is None,
            group.owner_home is None,
            group.label,
        )
    )
    return result


def mine_condition(user: User):
    """A WHERE clause on Action: the actions the person owns, or their homes own."""
    return access.owned_actions_condition(user)


def get_action(user: User, action_id: int, *, audit_read: bool = True) -> Action:
    query = (
        _scoped_actions(user)
        .where(Action.id == action_id)
        .options(selectinload(Action.events).selectinload(ActionEvent.by))
    )
    return read_scoped(query, "action", action_id, user, audit_read=audit_read)


def require_update(user: User, action: Action) -> None:
    """Refuse (Forbidden, audited) unless the user may change the action's status."""
    if not access.can_update_action(user, action):
        access.require(user, access.Permission.REVIEW, "action", action.id)


def change_status(user: User, action_id: int, status: str, note: str = "") -> Action:
    """Change an action's status; the change is kept with who and when."""
    action = get_action(user, action_id, audit_read=False)
    require_update(user, action)
    status = _check(status, ActionStatus, _("Select the status of the action"))
    if status == action.status and not note.strip():
        raise ServiceError(_("Select a different status, or enter a note"))
    with unit_of_work():
        old = action.status
        action.status = status
        db.session.add(
            ActionEvent(
                action_id=action.id,
                status=status,
                note=note.strip() or None,
                by_id=user.id,
                at=utcnow(),
            )
        )
        audit.record(
            "action_status_changed",
            "action",
            action.id,
            user=user,
            changes={"status": [old, status]},
        )
    db.session.expire(action, ["events"])
    return action


def queue_overdue_reminders(now: datetime) -> int:
    """The daily job: one action_reminder per overdue action per London day. Returns how many
    were added (0 on a second run the same day)."""
    with unit_of_work():
        today = london_date(now)
        overdue = db.session.scalars(
            select(Action)
            .where(Action.due_on < today, Action.status.in_(OUTSTANDING))
            .options(
                selectinload(Action.review).selectinload(Review.callout).selectinload(Callout.home)
            )
            .order_by(Action.due_on, Action.id)
        ).all()
        added = 0
        for action in overdue:
            callout = action.review.callout
            message = enqueue(  # made in each language (services.outbox)
                lambda action=action, callout=callout: Notice(
                    kind="action_reminder",
                    key=f"action:{action.id}:overdue:{today.isoformat()}",
                    title=_("Action %(id)s is overdue", id=action.id),
                    lines=[
                        _("Home: %(name)s (%(urn)s)", name=callout.home.name, urn=callout.home.urn),
                        _("From the review of call-out %(id)s", id=callout.id),
                        _("Due on %(day)s", day=format_day(action.due_on)),
                        _("Status: %(status)s", status=ActionStatus(action.status).label),
                    ],
                    link_path=f"/actions/{action.id}",
                    home_id=callout.home_id,
                    record_type="action",
                    record_id=action.id,
                    extra={"owner_id": action.owner_id},
                )
            )
            if message in db.session.new:
                added += 1
    return added


def queue_due_notices(now: datetime) -> int:
    """The daily job: tell an action's owner (the person, or the home's staff) when it falls
    due or is overdue, once per action, ever. Returns how many were added."""
    with unit_of_work():
        today = london_date(now)
        due = db.session.scalars(
            select(Action)
            .where(
                Action.due_on <= today,
                Action.status.in_(OUTSTANDING),
                or_(Action.owner_id.is_not(None), Action.owner_home_id.is_not(None)),
            )
            .options(
                selectinload(Action.review).selectinload(Review.callout).selectinload(Callout.home)
            )
            .order_by(Action.due_on, Action.id)
        ).all()
        added = 0
        for action in due:
            callout = action.review.callout
            message = enqueue(home_notices.action_due(action, callout.home, callout.id, today))
            if message in db.session.new:
                added += 1
    return added
