"""Police records of attendances: filed through the form, corrected later (outcome, arrest)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..db import db, in_unit_of_work, unit_of_work, utcnow
from ..i18n import _
from ..models import Callout, Report, User
from ..vocab import Source
from . import ServiceError, saved_forms
from .callouts import (
    _home_in_scope,
    _report_values,
    after_change,
    audit_created,
)
from .matching import new_callout_for


def reference_taken(home_id: int, police_reference: str) -> bool:
    """True when the home already has a police record with this reference (the §5 key)."""
    return (
        db.session.scalar(
            select(Report.id).where(
                Report.source == Source.POLICE.value,
                Report.home_id == home_id,
                Report.police_reference == police_reference,
            )
        )
        is not None
    )


def _duplicate(reference: str) -> ServiceError:
    return ServiceError(
        _(
            "A police record with reference %(reference)s already exists for this home: "
            "find it in the call-outs and update its outcome instead",
            reference=reference,
        )
    )


def file_police_record(
    user: User,
    data: Mapping[str, Any],
    *,
    now: datetime | None = None,
    draft_id: int | None = None,
) -> Callout:
    """A police user files a record of an attendance; it is matched with the home's report.
    The draft it came from goes."""
    access.require(user, access.Permission.FILE_POLICE_RECORD)
    values = _report_values(data)
    reference = values.get("police_reference")
    if not reference:
        raise ServiceError(_("Enter the police reference"))
    home = _home_in_scope(user, values["home_id"])
    if reference_taken(home.id, reference):
        raise _duplicate(reference)
    try:
        with unit_of_work():
            saved_forms.filed_from_draft(user, draft_id, "police_record")
            report = Report(
                source=Source.POLICE.value, filed_by_id=user.id, filed_at=now or utcnow(), **values
            )
            callout = new_callout_for(report)
            db.session.flush()
            audit_created(user, callout, report)
            callout = after_change(callout)
    except IntegrityError:  # filed at the same moment by someone else (the unit rolled back)
        if in_unit_of_work():
            raise
        raise _duplicate(reference) from None
    return callout
