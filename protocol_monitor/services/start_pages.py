"""Start pages: what needs each person, on the first page after signing in (issue 14).

One reader per role — provider, police, an area (authority and group) and administrator — each
built only on access.py's scope: a person's homes (``homes_condition``), their call-outs
(``callouts_condition``) and the actions and flags on them. Nothing here changes anything; the
page view is audited as a read (``start_page_viewed``) with the call-outs it showed, which also
tells the next view what is new since the person last looked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, desc, exists, func, literal, or_, select
from sqlalchemy.orm import selectinload

from .. import access
from ..db import db
from ..i18n import N_, _
from ..identity import accounts
from ..models import (
    Action,
    AuditEvent,
    Callout,
    ChannelSetting,
    Delivery,
    Flag,
    Home,
    Review,
    User,
)
from ..rules.summary import Change
from ..rules.time import Month, days_since, london_date
from ..vocab import FlagRule, Role
from . import audit_trail, invitations, monthly_facts, saved_forms, summaries
from .flag_workflow import UNRESOLVED
from .reviews import OUTSTANDING, is_overdue

#: How many rows each section of a start page lists (its heading says how many there are).
SHOWN = 5
#: How far back a provider's start page looks for reviews of their homes' call-outs.
REVIEWS_DAYS = 60


@dataclass(frozen=True)
class Waiting:
    """A call-out waiting for something (a review, the home's report), and for how long."""

    callout: Callout
    days: int


@dataclass(frozen=True)
class ActionLine:
    action: Action
    overdue: bool


@dataclass(frozen=True)
class ReviewLine:
    review: Review
    new: bool


@dataclass(frozen=True)
class Headline:
    """One figure this month so far against last month."""

    label: str
    this_month: int
    last_month: int

    @property
    def change(self) -> str:
        if self.this_month == self.last_month:
            return _("no change")
        return Change(self.this_month, self.last_month).describe()


@dataclass
class StartPage:
    """What a start page shows. Sections a role does not have stay empty."""

    role: str
    scope: str
    callout_ids: list[int] = field(default_factory=list)
    # provider
    unreported: list[Waiting] = field(default_factory=list)
    reviews: list[ReviewLine] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    actions_total: int = 0
    drafts: list[Any] = field(default_factory=list)
    home_flags: list[Flag] = field(default_factory=list)
    home_flags_total: int = 0
    # police, authority and group
    queue_total: int = 0
    queue: list[Waiting] = field(default_factory=list)
    flags_by_rule: list[tuple[str, int]] = field(default_factory=list)
    imports: list[AuditEvent] = field(default_factory=list)
    this_month: Month | None = None
    last_month: Month | None = None
    headlines: list[Headline] = field(default_factory=list)
    repeat_children: list[Flag] = field(default_factory=list)
    latest_digest: str | None = None
    # admin
    failed_deliveries: list[Delivery] = field(default_factory=list)
    failed_total: int = 0
    locked: list[User] = field(default_factory=list)
    homes_without_officer: list[Home] = field(default_factory=list)
    homes_without_channel: list[Home] = field(default_factory=list)
    invitations: list[Any] = field(default_factory=list)
    now: datetime | None = None

    @property
    def overdue_total(self) -> int:
        return sum(1 for line in self.actions if line.overdue)


def start_page(user: User, now: datetime) -> StartPage:
    """The start page of ``user``'s role, read in their scope, and audited as a read."""
    role = Role(user.role)
    if role is Role.PROVIDER:
        page = _provider(user, now)
    elif role is Role.POLICE:
        page = _police(user, now)
    elif role is Role.ADMIN:
        page = _admin(user, now)
    else:
        page = _area(user, now)
    audit_trail.read(
        "start_page_viewed", changes={"callouts": sorted(set(page.callout_ids))}, user=user
    )
    return page


def last_looked(user: User) -> datetime | None:
    """When the person last opened their start page (its previous audited view)."""
    return db.session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.user_id == user.id, AuditEvent.action == "start_page_viewed"
        )
    )


# Shared sections ---------------------------------------------------------------------------


def _scoped_flags(user: User):
    return select(Flag).join(Home, Home.id == Flag.home_id).where(access.homes_condition(user))


def _unreported(user: User, now: datetime) -> list[Waiting]:
    """Police attendances at the user's homes still waiting for the home's report, oldest first."""
    flags = db.session.scalars(
        _scoped_flags(user)
        .where(Flag.rule == FlagRule.UNREPORTED.value, Flag.status.in_(UNRESOLVED))
        .where(Flag.callout_id.is_not(None))
        .order_by(Flag.raised_at, Flag.id)
    ).all()
    callouts = _callouts([f.callout_id for f in flags if f.callout_id is not None])
    waiting = [
        Waiting(callouts[f.callout_id], days_since(callouts[f.callout_id].occurred_at, now))
        for f in flags
        if f.callout_id in callouts and callouts[f.callout_id].home_report is None
    ]
    return waiting


def _callouts(ids: list[int]) -> dict[int, Callout]:
    if not ids:
        return {}
    return {
        c.id: c
        for c in db.session.scalars(
            select(Callout)
            .where(Callout.id.in_(ids))
            .options(selectinload(Callout.home), selectinload(Callout.reports))
        )
    }


def _scoped_actions(user: User):
    return (
        select(Action)
        .join(Review, Review.id == Action.review_id)
        .join(Callout, Callout.id == Review.callout_id)
        .where(access.callouts_condition(user), Action.status.in_(OUTSTANDING))
        .options(
            selectinload(Action.owner),
            selectinload(Action.review).selectinload(Review.callout).selectinload(Callout.home),
        )
    )


def _overdue_first(actions: list[Action], today: date) -> list[ActionLine]:
    lines = [ActionLine(a, is_overdue(a, today)) for a in actions]
    lines.sort(key=lambda line: (not line.overdue, line.action.due_on or date.max, line.action.id))
    return lines


def _flags_by_rule(user: User) -> list[tuple[str, int]]:
    counts = dict(
        db.session.execute(
            select(Flag.rule, func.count())
            .join(Home, Home.id == Flag.home_id)
            .where(access.homes_condition(user), Flag.status.in_(UNRESOLVED))
            .group_by(Flag.rule)
        ).all()
    )
    return [(rule.value, counts[rule.value]) for rule in FlagRule if counts.get(rule.value)]


def _queue(user: User, now: datetime) -> tuple[int, list[Waiting]]:
    """How many call-outs wait for a review in the user's scope, and the longest waiting."""
    waiting = access.scoped_callouts(user).where(
        Callout.in_scope.is_(True), ~exists().where(Review.callout_id == Callout.id)
    )
    total = db.session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    oldest = db.session.scalars(
        waiting.options(selectinload(Callout.home))
        .order_by(Callout.occurred_at, Callout.id)
        .limit(SHOWN)
    ).all()
    return total, [Waiting(c, days_since(c.occurred_at, now)) for c in oldest]


def _scope_words(user: User) -> str:
    role = Role(user.role)
    if role is Role.PROVIDER:
        names = [h.name for h in user.homes]
        return _listing(names) if names else _("No homes are linked to your account yet")
    if role is Role.POLICE:
        return user.police_force.name if user.police_force else _("No police force yet")
    names = [a.local_name for a in user.authorities]
    return _listing(names) if names else _("No authority is linked to your account yet")


def _listing(names: list[str]) -> str:
    if len(names) > 1:
        return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])
    return names[0] if names else ""


# Provider ----------------------------------------------------------------------------------


def _provider(user: User, now: datetime) -> StartPage:
    page = StartPage(role=Role.PROVIDER.value, scope=_scope_words(user))
    page.unreported = _unreported(user, now)
    page.drafts = saved_forms.drafts(user, now=now)
    since = last_looked(user)
    reviews = db.session.scalars(
        select(Review)
        .join(Callout, Callout.id == Review.callout_id)
        .where(
            access.callouts_condition(user),
            Review.reviewed_at >= now - timedelta(days=REVIEWS_DAYS),
        )
        .options(
            selectinload(Review.callout).selectinload(Callout.home),
            selectinload(Review.actions),
        )
        .order_by(Review.reviewed_at.desc(), Review.id.desc())
        .limit(SHOWN)
    ).all()
    page.reviews = [ReviewLine(r, since is None or r.reviewed_at > since) for r in reviews]
    open_flags = _scoped_flags(user).where(Flag.status.in_(UNRESOLVED))
    page.home_flags_total = (
        db.session.scalar(select(func.count()).select_from(open_flags.subquery())) or 0
    )
    page.home_flags = list(
        db.session.scalars(
            open_flags.options(selectinload(Flag.home))
            .order_by(Flag.raised_at.desc(), Flag.id.desc())
            .limit(SHOWN)
        )
    )
    actions = list(db.session.scalars(_scoped_actions(user)))
    page.actions_total = len(actions)
    page.actions = _overdue_first(actions, london_date(now))[:SHOWN]
    page.callout_ids = [w.callout.id for w in page.unreported] + [
        r.review.callout_id for r in page.reviews
    ]
    return page


# Police ------------------------------------------------------------------------------------


def _police(user: User, now: datetime) -> StartPage:
    page = StartPage(role=Role.POLICE.value, scope=_scope_words(user))
    page.queue_total, page.queue = _queue(user, now)
    page.flags_by_rule = _flags_by_rule(user)
    mine = list(db.session.scalars(_scoped_actions(user).where(Action.owner_id == user.id)))
    page.actions_total = len(mine)
    page.actions = _overdue_first(mine, london_date(now))[:SHOWN]
    page.unreported = _unreported(user, now)[:SHOWN]
    page.drafts = saved_forms.drafts(user, now=now)
    page.imports = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.user_id == user.id, AuditEvent.action == "callouts_imported")
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(SHOWN)
        )
    )
    page.callout_ids = [w.callout.id for w in (*page.queue, *page.unreported)]
    months = summaries.compiled_months()
    page.latest_digest = months[0] if months else None
    return page


# Authority and group -----------------------------------------------------------------------


def headlines(condition, this_month: Month, last_month: Month) -> list[Headline]:
    """This month so far and last month, at the homes ``condition`` selects (a WHERE on Home):
    in-scope call-outs, the children they were about, arrests, criminal outcomes, and the
    missing and absent call-outs kept apart (domain.md §8)."""
    months = (str(this_month), str(last_month))
    # The monthly fact tables, as every figure (a blank child reference is not a child).
    counts = {
        row.month: row
        for row in monthly_facts.callout_totals(
            months[1],
            months[0],
            by=("month",),
            measures=("callouts", "arrests", "criminal_outcomes", "missing_excluded"),
            home_condition=condition,
        )
    }
    children: dict[str, set[str]] = {month: set() for month in months}
    for month, _home, _placing, reference, _n in monthly_facts.child_rows(
        months[1], months[0], home_condition=condition
    ):
        children[month].add(reference)
    row_of = {
        month: (row.callouts, len(children[month]), row.arrests, row.criminal_outcomes,
                row.missing_excluded)
        for month, row in counts.items()
    }  # fmt: skip
    empty = (0, 0, 0, 0, 0)
    now_row, before_row = row_of.get(months[0], empty), row_of.get(months[1], empty)
    # Marked for the catalogue; the page reads each through i18n.translate.
    labels = (
        N_("Call-outs (missing and absent excluded)"),
        N_("Children called about"),
        N_("Arrests"),
        N_("Criminal outcomes"),
        N_("Missing and absent call-outs"),
    )
    return [
        Headline(label, now, before)
        for label, now, before in zip(labels, now_row, before_row, strict=True)
    ]


def _area(user: User, now: datetime) -> StartPage:
    page = StartPage(role=user.role, scope=_scope_words(user))
    page.this_month = Month.of(now)
    page.last_month = page.this_month.previous()
    page.headlines = headlines(access.homes_condition(user), page.this_month, page.last_month)
    page.flags_by_rule = _flags_by_rule(user)
    if access.can(user, access.Permission.REVIEW):
        page.queue_total, page.queue = _queue(user, now)
        page.drafts = saved_forms.drafts(user, now=now)
    today = london_date(now)
    overdue = list(
        db.session.scalars(
            _scoped_actions(user).where(Action.due_on < today).order_by(Action.due_on, Action.id)
        )
    )
    page.actions_total = len(overdue)
    page.actions = _overdue_first(overdue, today)[:SHOWN]
    page.repeat_children = list(
        db.session.scalars(
            _scoped_flags(user)
            .where(Flag.rule == FlagRule.REPEAT_CHILD.value, Flag.status.in_(UNRESOLVED))
            .options(selectinload(Flag.home), selectinload(Flag.callouts))
            .order_by(Flag.raised_at.desc(), Flag.id.desc())
            .limit(SHOWN)
        )
    )
    months = summaries.compiled_months()
    page.latest_digest = months[0] if months else None
    page.callout_ids = [w.callout.id for w in page.queue] + [
        c.id for f in page.repeat_children for c in f.callouts
    ]
    return page


# Administrator -----------------------------------------------------------------------------


def _channel_set(setting_key) -> Any:
    return exists().where(
        ChannelSetting.scope_key == setting_key,
        or_(
            func.coalesce(ChannelSetting.slack_channel_id, "") != "",
            func.coalesce(ChannelSetting.teams_webhook_url, "") != "",
            func.coalesce(ChannelSetting.email_recipients, "") != "",
        ),
    )


def homes_without_channel() -> list[Home]:
    """Open homes whose flags would reach nobody: neither their host authority nor their police
    force has a Slack channel, Teams webhook or email address (services.alert_routing)."""
    authority_key = literal("authority:", String) + cast(Home.host_authority_id, String)
    force_key = literal("force:", String) + cast(Home.police_force_id, String)
    return list(
        db.session.scalars(
            select(Home)
            .where(Home.closed_on.is_(None), ~_channel_set(authority_key), ~_channel_set(force_key))
            .order_by(Home.name)
        )
    )


def _admin(user: User, now: datetime) -> StartPage:
    access.require(user, access.Permission.ADMINISTER)
    page = StartPage(role=Role.ADMIN.value, scope=_("The whole service"), now=now)
    failed = select(Delivery).where(Delivery.status == "failed")
    page.failed_total = db.session.scalar(select(func.count()).select_from(failed.subquery())) or 0
    page.failed_deliveries = list(
        db.session.scalars(
            failed.options(selectinload(Delivery.message))
            .order_by(desc(Delivery.created_at), desc(Delivery.id))
            .limit(SHOWN)
        )
    )
    locked = accounts.lock_check(now)
    page.locked = [u for u in accounts.users() if locked(u)]
    page.homes_without_officer = list(
        db.session.scalars(
            select(Home)
            .where(Home.closed_on.is_(None), Home.allocated_officer_id.is_(None))
            .order_by(Home.name)
        )
    )
    page.homes_without_channel = homes_without_channel()
    page.invitations = invitations.waiting()
    return page
