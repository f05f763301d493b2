"""The monthly digest as a page (issue 14): each compiled month's digest, cut to the reader's
scope exactly as the summary is (access.summary_scope), with the earlier months to open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import access
from ..models import User
from ..rules.summary import group_totals
from ..rules.time import Month
from . import NotFound, audit_trail, summaries


@dataclass(frozen=True)
class Digest:
    """One month's digest as a reader may see it."""

    month: Month
    version: int
    compiled_at: datetime
    facts: list[tuple[str, str]]
    authorities: list[dict]
    changes: list[str]
    first_version: bool
    earlier: list[Month] = field(default_factory=list)


def months(user: User) -> list[Month]:
    """The compiled months, newest first, for a reader of summaries."""
    access.require(user, access.Permission.VIEW_SUMMARIES, hidden=True)
    return [Month.parse(m) for m in summaries.compiled_months()]


def digest(user: User, month: str) -> Digest:
    """A compiled month's digest in the reader's scope; NotFound for a month never compiled
    (or not a month). The read is audited."""
    compiled = months(user)
    try:
        wanted = Month.parse(month)
    except ValueError as error:
        raise NotFound("There is no digest for that month") from error
    if wanted not in compiled:
        raise NotFound(f"There is no digest for {wanted.label}: it has not been compiled")
    snapshot = summaries.latest_snapshot(wanted)
    document = access.scoped_summary(snapshot.as_document(), access.summary_scope(user))
    totals = group_totals(document["authorities"])
    actions = (document.get("actions") or {}).get("totals", {})
    facts = [
        ("Call-outs", str(totals["callouts"])),
        ("Same month last year", str(totals["same_month_last_year"])),
        ("Missing or absent (not counted as call-outs)", str(totals["missing_excluded"])),
        ("Arrests", str(totals["arrests"])),
        ("Criminal outcomes", str(totals["criminal_outcomes"])),
        ("Reviewed", f"{totals['reviewed']} of {totals['callouts']}"),
        ("Rolling 12 months", str(totals["rolling_12_months"])),
        ("Children called about repeatedly", str(len(document["repeat_children"]))),
    ]
    if actions:
        facts.append(
            (
                "Actions still open",
                f"{actions.get('open', 0)}, of which {actions.get('overdue', 0)} overdue",
            )
        )
    audit_trail.read(
        "digest_viewed",
        "summary_snapshot",
        snapshot.id,
        changes={"month": str(wanted), "version": snapshot.version},
        user=user,
    )
    return Digest(
        month=wanted,
        version=snapshot.version,
        compiled_at=snapshot.compiled_at,
        facts=facts,
        authorities=document["authorities"],
        changes=list(document["changes"]),
        first_version=snapshot.version == 1,
        earlier=[m for m in compiled if m < wanted],
    )
