"""The monthly digest as a page (issue 14): each compiled month's digest, cut to the reader's
scope exactly as the summary is (access.summary_scope), with the earlier months to open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import access
from ..i18n import _, format_number
from ..models import User
from ..rules.summary import changes_text, group_totals, with_local_names
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
        raise NotFound(_("There is no digest for that month")) from error
    if wanted not in compiled:
        raise NotFound(
            _("There is no digest for %(month)s: it has not been compiled", month=wanted.label)
        )
    snapshot = summaries.latest_snapshot(wanted)
    document = access.scoped_summary(snapshot.as_document(), access.summary_scope(user))
    document = with_local_names(document, summaries.authority_names())
    totals = {
        name: format_number(value) for name, value in group_totals(document["authorities"]).items()
    }
    actions = (document.get("actions") or {}).get("totals", {})
    facts = [
        (_("Call-outs"), totals["callouts"]),
        (_("Same month last year"), totals["same_month_last_year"]),
        (_("Missing or absent (not counted as call-outs)"), totals["missing_excluded"]),
        (_("Arrests"), totals["arrests"]),
        (_("Criminal outcomes"), totals["criminal_outcomes"]),
        (
            _("Reviewed"),
            _(
                "%(reviewed)s of %(callouts)s",
                reviewed=totals["reviewed"],
                callouts=totals["callouts"],
            ),
        ),
        (_("Rolling 12 months"), totals["rolling_12_months"]),
        (_("Children called about repeatedly"), format_number(len(document["repeat_children"]))),
    ]
    if actions:
        facts.append(
            (
                _("Actions still open"),
                _(
                    "%(open)s, of which %(overdue)s overdue",
                    open=format_number(actions.get("open", 0)),
                    overdue=format_number(actions.get("overdue", 0)),
                ),
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
        changes=changes_text(document["changes"]),
        first_version=snapshot.version == 1,
        earlier=[m for m in compiled if m < wanted],
    )
