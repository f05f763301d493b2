"""Reading the outbox, for administrators: every alert, reminder and digest, where it went and
each attempt, filtered by what it is and how far it got, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from .. import access
from ..db import db
from ..i18n import N_
from ..models import Delivery, OutboxMessage, User
from ..queries import Page, paginate

#: What a message is, by its kind (read with i18n.translate).
KINDS: dict[str, str] = {
    "flag_alert": N_("Flag alerts"),
    "action_reminder": N_("Reminders of overdue actions"),
    "digest": N_("Monthly digests"),
    "home_flag": N_("Flags, to the home's staff"),
    "home_review": N_("Reviews completed, to the home's staff"),
    "action_given": N_("Actions given, to their owner"),
    "action_due": N_("Actions falling due, to their owner"),
}
#: How far a message got: (label, the message statuses it covers).
STATUSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "waiting": (N_("Waiting to be sent"), ("pending", "routing")),
    "sent": (N_("Passed to its channels"), ("routed",)),
    "no_channel": (N_("No channel set up"), ("not_configured",)),
}
#: Messages with a delivery that failed, whatever the message's own status.
FAILED = "failed"


@dataclass(frozen=True)
class OutboxFilters:
    kind: str | None = None
    status: str | None = None  # a key of STATUSES, or FAILED


@dataclass(frozen=True)
class OutboxPage:
    page: Page  # of OutboxMessage, newest first
    deliveries: dict[int, list[Delivery]]  # by message id, with their attempts


def search(user: User, filters: OutboxFilters, page: int = 1, size: int = 10) -> OutboxPage:
    """A page of the outbox, newest first, with each message's deliveries and attempts."""
    access.require(user, access.Permission.ADMINISTER, "outbox_message")
    query = select(OutboxMessage)
    if filters.kind in KINDS:
        query = query.where(OutboxMessage.kind == filters.kind)
    if filters.status in STATUSES:
        query = query.where(OutboxMessage.status.in_(STATUSES[filters.status][1]))
    elif filters.status == FAILED:
        query = query.where(
            exists().where(Delivery.message_id == OutboxMessage.id, Delivery.status == "failed")
        )
    result = paginate(query, page, size, order_by=(OutboxMessage.id.desc(),))
    deliveries = db.session.scalars(
        select(Delivery)
        .where(Delivery.message_id.in_([m.id for m in result.items]))
        .options(selectinload(Delivery.attempts), selectinload(Delivery.channel_setting))
        .order_by(Delivery.id)
    ).all()
    by_message: dict[int, list[Delivery]] = {}
    for item in deliveries:
        by_message.setdefault(item.message_id, []).append(item)
    return OutboxPage(result, by_message)
