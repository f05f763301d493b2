"""Who may see and do what (domain.md §2). Every view, query and API goes through here.

Permissions are checked by one guard: ``require`` in a service or view, ``requires`` on a whole
route. A refusal is audited (``permission_refused``, with the path asked for) and raised as
``Forbidden``, which the app answers with 403 (or 404 when ``hidden``). Records outside a user's
scope are reported as *not found*, never as forbidden, so a guessed URL tells nothing about what
exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import current_app
from flask_login import current_user
from sqlalchemy import ColumnElement, false, func, not_, or_, select, true

from .db import db
from .models import (
    Action,
    Authority,
    Callout,
    ChannelSetting,
    Home,
    User,
    user_authorities,
    user_homes,
)
from .rules.summary import action_tracker, changes_in_scope
from .services import Forbidden, audit_trail
from .vocab import Role, Source

F = TypeVar("F", bound=Callable[..., Any])


class Permission(StrEnum):
    FILE_HOME_REPORT = "file_home_report"
    FILE_POLICE_RECORD = "file_police_record"
    REVIEW = "review"
    MANAGE_FLAGS = "manage_flags"
    VIEW_SUMMARIES = "view_summaries"
    READ_FREE_TEXT = "read_free_text"
    ADMINISTER = "administer"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PROVIDER: frozenset({Permission.FILE_HOME_REPORT, Permission.READ_FREE_TEXT}),
    Role.POLICE: frozenset(
        {
            Permission.FILE_POLICE_RECORD,
            Permission.REVIEW,
            Permission.MANAGE_FLAGS,
            Permission.VIEW_SUMMARIES,
            Permission.READ_FREE_TEXT,
        }
    ),
    Role.AUTHORITY: frozenset({Permission.VIEW_SUMMARIES, Permission.READ_FREE_TEXT}),
    # The group works with pseudonymous data only: structured fields, never free text.
    Role.GROUP: frozenset({Permission.REVIEW, Permission.MANAGE_FLAGS, Permission.VIEW_SUMMARIES}),
    # An admin runs the service; no right to children's records beyond the group's.
    Role.ADMIN: frozenset({Permission.ADMINISTER, Permission.VIEW_SUMMARIES}),
}


def can(user: User | None, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return permission in _GRANTS[Role(user.role)]


#: Who keeps drafts (services.saved_forms): those who file reports or review them.
DRAFT_PERMISSIONS = (Permission.FILE_HOME_REPORT, Permission.FILE_POLICE_RECORD, Permission.REVIEW)


def require_drafts(user: User | None, record_id: int | None = None) -> None:
    """The guard of a person's drafts: only those who file or review keep any."""
    if not any(can(user, permission) for permission in DRAFT_PERMISSIONS):
        refuse(user, "keep_drafts", "saved_form", record_id)


def require(
    user: User | None,
    permission: Permission,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    hidden: bool = False,
) -> None:
    """The guard: return if the user holds the permission; else audit the refusal and raise
    Forbidden (answered 403, or 404 when ``hidden``)."""
    if not can(user, permission):
        refuse(user, permission.value, record_type, record_id, hidden=hidden)


def refuse(
    user: User | None,
    what: str,
    record_type: str | None = None,
    record_id: int | None = None,
    *,
    hidden: bool = False,
) -> NoReturn:
    """Refuse what a rule other than a role's permissions forbids (turning off two-factor
    sign-in where the role requires it, say): audited and raised like any refusal."""
    audit_trail.refused(what, record_type, record_id, user=user)
    raise Forbidden(what, hidden=hidden)


def requires(permission: Permission, *alternatives: Permission, hidden: bool = False):
    """A view decorator: signed in (else sent to sign in), and holding the permission or one of
    the alternatives (else the guard refuses)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            held = next((p for p in alternatives if can(current_user, p)), permission)
            require(current_user, held, hidden=hidden)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _linked_home_ids(user: User):
    return select(user_homes.c.home_id).where(user_homes.c.user_id == user.id)


def _linked_authority_ids(user: User):
    return select(user_authorities.c.authority_id).where(user_authorities.c.user_id == user.id)


def homes_condition(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Home: the homes whose records this user may see."""
    role = Role(user.role)
    if role is Role.PROVIDER:
        return Home.id.in_(_linked_home_ids(user))
    if role is Role.POLICE:
        if user.police_force_id is None:
            return false()
        return Home.police_force_id == user.police_force_id
    if role in (Role.AUTHORITY, Role.GROUP, Role.ADMIN):
        return Home.host_authority_id.in_(_linked_authority_ids(user))
    return false()


def callouts_condition(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Callout (joined to Home): the call-outs this user may see.

    An authority also sees the call-outs about children it places in homes elsewhere.
    """
    condition = Callout.home_id.in_(select(Home.id).where(homes_condition(user)))
    if Role(user.role) is Role.AUTHORITY:
        condition = or_(condition, Callout.placing_authority_id.in_(_linked_authority_ids(user)))
    return condition


def scoped_callouts(user: User):
    """A select of the call-outs this user may see."""
    return select(Callout).where(callouts_condition(user))


def scoped_homes(user: User):
    return select(Home).where(homes_condition(user)).order_by(Home.name)


def fileable_homes_condition(user: User) -> ColumnElement[bool]:
    """Homes this user may file reports against: a provider's own, a police user's force area."""
    if can(user, Permission.FILE_HOME_REPORT) or can(user, Permission.FILE_POLICE_RECORD):
        return homes_condition(user)
    return false()


def owns_action(user: User, action: Action) -> bool:
    """The person owns the action, or it is owned by a home they are linked to (a provider)."""
    if action.owner_id is not None and action.owner_id == user.id:
        return True
    return (
        action.owner_home_id is not None
        and Role(user.role) is Role.PROVIDER
        and any(home.id == action.owner_home_id for home in user.homes)
    )


def owned_actions_condition(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Action: the actions ``owns_action`` holds true for."""
    condition = Action.owner_id == user.id
    if Role(user.role) is Role.PROVIDER:
        condition = or_(condition, Action.owner_home_id.in_(_linked_home_ids(user)))
    return condition


def can_update_action(user: User, action: Action) -> bool:
    """The owner of an action (a person, or a provider of the home that owns it), or anyone who
    reviews call-outs, may change its status."""
    return can(user, Permission.REVIEW) or (user.active and owns_action(user, action))


#: The side that filed a report corrects it: providers their homes', police their force's.
REPORT_PERMISSION = {
    Source.HOME.value: Permission.FILE_HOME_REPORT,
    Source.POLICE.value: Permission.FILE_POLICE_RECORD,
}


# Summaries: which rows of a compiled month a reader may see ------------------------------------


@dataclass(frozen=True)
class SummaryScope:
    """Which rows of a compiled month a reader may see: homes by URN, host authorities and
    placing authorities by code. ``tracker``: whether the action tracker is shown (then cut to
    the actions on call-outs at ``urns``). ``whole_group``: the reader sees every home, so also
    the counts about the whole group (repeat children, the tracker's changes)."""

    urns: frozenset[str]
    hosts: frozenset[str]
    placing: frozenset[str]
    tracker: bool = True
    whole_group: bool = False


def _homes_and_hosts(condition: ColumnElement[bool]) -> list[tuple[str, str]]:
    return list(
        db.session.execute(
            select(Home.urn, Authority.code)
            .join(Authority, Authority.id == Home.host_authority_id)
            .where(condition)
        ).all()
    )


def _every_home(condition: ColumnElement[bool]) -> bool:
    """Whether the condition leaves out no home."""
    return db.session.scalar(select(func.count()).select_from(Home).where(not_(condition))) == 0


def summary_scope(user: User) -> SummaryScope:
    """A person's summary scope: the homes they may see and those homes' host authorities;
    placing authorities they are linked to (police: their area's authorities). Without the
    summaries permission (providers) only their own homes' rows, no tracker."""
    rows = _homes_and_hosts(homes_condition(user))
    urns = frozenset(urn for urn, _ in rows)
    if not can(user, Permission.VIEW_SUMMARIES):
        return SummaryScope(urns, frozenset(), frozenset(), tracker=False)
    hosts = frozenset(code for _, code in rows)
    linked = frozenset(
        db.session.scalars(
            select(Authority.code).where(Authority.id.in_(_linked_authority_ids(user)))
        )
    )
    placing = hosts if Role(user.role) is Role.POLICE else linked
    return SummaryScope(urns, hosts, placing, whole_group=_every_home(homes_condition(user)))


def channel_homes_condition(setting: ChannelSetting) -> ColumnElement[bool]:
    """A WHERE clause on Home: the homes of the area a Slack channel is set for (its authority's,
    its police force's, or every home for the group's channel)."""
    if setting.authority_id is not None:
        return Home.host_authority_id == setting.authority_id
    if setting.police_force_id is not None:
        return Home.police_force_id == setting.police_force_id
    return true()


def channel_summary_scope(setting: ChannelSetting) -> SummaryScope:
    """A Slack channel's summary scope: its authority's, its force's or (the group) every home."""
    rows = _homes_and_hosts(channel_homes_condition(setting))
    hosts = frozenset(code for _, code in rows)
    if setting.authority_id is not None:
        placing = frozenset(
            db.session.scalars(select(Authority.code).where(Authority.id == setting.authority_id))
        )
    elif setting.police_force_id is not None:
        placing = hosts
    else:
        placing = frozenset(db.session.scalars(select(Authority.code)))
    urns = frozenset(urn for urn, _ in rows)
    whole_group = _every_home(channel_homes_condition(setting))
    return SummaryScope(urns, hosts, placing, whole_group=whole_group)


def scoped_summary(document: dict[str, Any], scope: SummaryScope) -> dict[str, Any]:
    """A compiled (or provisional) month with only the rows the scope may see."""
    return {
        **document,
        "authorities": [r for r in document["authorities"] if r["code"] in scope.hosts],
        "placing_authorities": [
            r for r in document["placing_authorities"] if r["code"] in scope.placing
        ],
        "homes": [r for r in document["homes"] if r["urn"] in scope.urns],
        "repeat_children": [r for r in document["repeat_children"] if r["urn"] in scope.urns],
        "actions": scoped_actions(document.get("actions") or {}, scope),
        "changes": changes_in_scope(
            document.get("changes") or [],
            scope.hosts,
            scope.placing,
            scope.urns,
            group_wide=scope.whole_group,
        )
        if scope.tracker
        else [],
    }


def scoped_actions(actions: dict[str, Any], scope: SummaryScope) -> dict[str, Any]:
    """The action tracker a reader may see: the actions on call-outs at the homes of their
    scope, by owner and in total. A version compiled before the tracker was kept by home
    (no ``by_home``) cannot be cut: only a reader of the whole group sees its tracker; others
    get none, marked ``withheld``."""
    if not scope.tracker:
        return {"totals": {}, "by_owner": []}
    if "by_home" not in actions:
        if scope.whole_group:
            return {"totals": actions.get("totals", {}), "by_owner": actions.get("by_owner", [])}
        return {"totals": {}, "by_owner": [], "withheld": True}
    return action_tracker(row for row in actions["by_home"] if row["urn"] in scope.urns)


# Subject access: whose children an administrator may export -----------------------------------


def subject_access_condition(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause on Authority: the placing authorities whose children's records this person
    may export for a subject access request — an administrator's linked authorities (each
    answers for the children it places). ``None`` is the command line, acting for the service:
    every authority."""
    if user is None:
        return true()
    if not can(user, Permission.ADMINISTER):
        return false()
    return Authority.id.in_(_linked_authority_ids(user))


def everything() -> ColumnElement[bool]:
    """For jobs that act on behalf of the service, not a person (scheduler, CLI)."""
    return true()
