"""What a person typed and has not filed yet: drafts, and forms held after a session ended.

**Held submissions.** A form that arrives after its author's session ended for want of use, or
without a valid CSRF token, is not refused and lost: ``hold`` keeps what was posted for that
person against a one-time key, and they, once signed in again, land back on the form with
everything filled in (``take_held``). The key goes to that browser only (its session), and a held
form goes back only to its author, once, in that browser. Nothing is held for nobody.

**Drafts.** The author of a call-out, a police record or a review saves the form as it is
(``save_draft``: the Save as draft button, or the page saving it as they type), finds it on their
start page, resumes it (``get_draft``) and files it, which deletes it in the same transaction.

Both are kept ``DRAFT_DAYS`` after their last change, then removed by ``purge``, which the daily
retention job runs. They are no record: no figure, list or export but the author's own reads
them. Their fields may hold a child's reference and free text, so the audit log records that a
form was kept, resumed or deleted, never what it holds.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from .. import access, audit
from ..db import db, unit_of_work, utcnow
from ..i18n import _, ngettext
from ..models import Callout, Home, SavedForm, User
from . import NotFound, ServiceError, audit_trail

HELD, DRAFT = "held", "draft"

#: The most a held or saved form may hold, in characters of names and values together (the
#: call-out form at its longest is under 4,000): a bigger post is not kept.
MAX_CHARACTERS = 20_000
MAX_FIELDS = 200
#: At most this many held forms per person (the oldest go first).
MAX_HELD_PER_PERSON = 10
#: At most this many drafts per person.
MAX_DRAFTS = 50

#: The forms that may be saved as drafts, and what their author needs to save one.
DRAFT_FORMS = {
    "callout": access.Permission.FILE_HOME_REPORT,
    "police_record": access.Permission.FILE_POLICE_RECORD,
    "review": access.Permission.REVIEW,
}


def keep_days() -> int:
    return current_app.config["SETTINGS"].draft_days


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def clean_fields(pairs: Sequence[tuple[str, str]]) -> list[list[str]] | None:
    """The posted fields worth keeping (no CSRF token), or None when too many or too big."""
    kept = [[name, value] for name, value in pairs if name != "csrf_token"]
    size = sum(len(name) + len(value) for name, value in kept)
    if len(kept) > MAX_FIELDS or size > MAX_CHARACTERS:
        return None
    return kept


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(SavedForm).where(*where)) or 0


# Held submissions ------------------------------------------------------------------------


def hold(
    user_id: int,
    path: str,
    pairs: Sequence[tuple[str, str]],
    *,
    now: datetime | None = None,
) -> str | None:
    """Keep a form that arrived after its author's session ended; return its one-time key, or
    None when it cannot be kept (too big)."""
    fields = clean_fields(pairs)
    if fields is None or len(path) > 300:
        return None
    now = now or utcnow()
    key = secrets.token_urlsafe(24)
    with unit_of_work():
        _drop_beyond(user_id, HELD, MAX_HELD_PER_PERSON - 1)
        held = SavedForm(
            purpose=HELD,
            user_id=user_id,
            key_hash=_hash(key),
            path=path,
            fields=fields,
            created_at=now,
            updated_at=now,
        )
        db.session.add(held)
        db.session.flush()
        audit.record(
            "form_held",
            "saved_form",
            held.id,
            changes={"path": path, "fields": len(fields)},
            user=db.session.get(User, user_id),
        )
    return key


def _drop_beyond(user_id: int, purpose: str, keep: int) -> None:
    """Delete a person's oldest saved forms of one purpose beyond the newest ``keep``."""
    newest = (
        select(SavedForm.id)
        .where(SavedForm.user_id == user_id, SavedForm.purpose == purpose)
        .order_by(SavedForm.updated_at.desc(), SavedForm.id.desc())
        .limit(keep)
    )
    db.session.execute(
        delete(SavedForm).where(
            SavedForm.user_id == user_id,
            SavedForm.purpose == purpose,
            SavedForm.id.not_in(newest),
        )
    )


def take_held(
    user: User, key: str, *, from_this_browser: bool, now: datetime | None = None
) -> SavedForm | None:
    """A held form, once, for the person it belongs to: its author, signed in from the browser
    it was held for (the key in that browser's session). None when it is not theirs, was taken
    already or has expired — the same to the caller. The row is deleted; what it held is
    returned detached."""
    if not key or len(key) > 100 or not from_this_browser:
        return None
    now = now or utcnow()
    with unit_of_work():
        held = db.session.scalar(
            select(SavedForm).where(
                SavedForm.purpose == HELD,
                SavedForm.key_hash == _hash(key),
                SavedForm.updated_at >= now - timedelta(days=keep_days()),
            )
        )
        if held is None or held.user_id != user.id:
            return None
        taken = SavedForm(path=held.path, fields=list(held.fields), purpose=HELD)
        audit.record("form_restored", "saved_form", held.id, user=user)
        db.session.delete(held)
    return taken


# Drafts -----------------------------------------------------------------------------------


def _home_id(user: User, pairs: Sequence[tuple[str, str]]) -> int | None:
    """The home chosen on the form, when it is one of the author's (else none)."""
    value = next((v for k, v in pairs if k == "home_id"), "")
    if not value.isdigit() or len(value) > 10:
        return None
    return db.session.scalar(
        select(Home.id).where(Home.id == int(value), access.fileable_homes_condition(user))
    )


def _reviewable(user: User, callout_id: int | None) -> int:
    """The call-out a review draft is of: one the user may review, else not found."""
    found = callout_id and db.session.scalar(
        select(Callout.id).where(
            access.callouts_condition(user), Callout.id == callout_id, Callout.in_scope.is_(True)
        )
    )
    if not found:
        audit_trail.not_found("callout", callout_id or 0, user=user)
        raise NotFound()
    return found


def save_draft(
    user: User,
    path: str,
    pairs: Sequence[tuple[str, str]],
    draft_id: int | None = None,
    *,
    form: str = "callout",
    callout_id: int | None = None,
    now: datetime | None = None,
) -> SavedForm:
    """Save the form as it is, unchecked, as the author's draft (a new one, or ``draft_id``):
    a call-out, a police record, or a review of ``callout_id``."""
    if form not in DRAFT_FORMS:
        raise ServiceError(_("This form cannot be saved as a draft"))
    access.require(user, DRAFT_FORMS[form])
    callout_id = _reviewable(user, callout_id) if form == "review" else None
    fields = clean_fields(pairs)
    if fields is None:
        raise ServiceError(_("The form is too long to save as a draft"))
    fields = [pair for pair in fields if pair[0] not in ("draft", "save")]
    now = now or utcnow()
    with unit_of_work():
        draft = get_draft(user, draft_id, audit_read=False) if draft_id else None
        if draft is not None and (draft.form, draft.callout_id) != (form, callout_id):
            draft = None  # another form's draft: this is a new one
        if draft is None:
            if _count(SavedForm.user_id == user.id, SavedForm.purpose == DRAFT) >= MAX_DRAFTS:
                raise ServiceError(
                    ngettext(
                        "You have %(num)d draft. File or delete it before saving another",
                        "You have %(num)d drafts. File or delete some before saving another",
                        MAX_DRAFTS,
                    )
                )
            draft = SavedForm(
                purpose=DRAFT,
                form=form,
                callout_id=callout_id,
                user_id=user.id,
                path=path,
                created_at=now,
            )
            db.session.add(draft)
        draft.fields = fields
        draft.home_id = _home_id(user, pairs) if form != "review" else None
        draft.updated_at = now
        db.session.flush()
        audit.record("draft_saved", "saved_form", draft.id, user=user)
    return draft


def drafts(user: User, *, now: datetime | None = None) -> list[SavedForm]:
    """The author's own drafts still kept, newest first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(SavedForm)
            .where(
                SavedForm.user_id == user.id,
                SavedForm.purpose == DRAFT,
                SavedForm.updated_at >= now - timedelta(days=keep_days()),
            )
            .order_by(SavedForm.updated_at.desc(), SavedForm.id.desc())
        )
    )


def get_draft(user: User, draft_id: int, *, audit_read: bool = True) -> SavedForm:
    """One of the author's own drafts; anyone else's, or none, is not found."""
    draft = db.session.scalar(
        select(SavedForm).where(
            SavedForm.id == draft_id,
            SavedForm.user_id == user.id,
            SavedForm.purpose == DRAFT,
        )
    )
    if draft is None:
        audit_trail.not_found("saved_form", draft_id, user=user)
        raise NotFound()
    if audit_read:
        audit_trail.read("draft_opened", "saved_form", draft.id, user=user)
    return draft


def discard_draft(user: User, draft_id: int) -> None:
    """The author deletes their draft."""
    access.require_drafts(user, draft_id)
    draft = get_draft(user, draft_id, audit_read=False)
    with unit_of_work():
        audit.record("draft_deleted", "saved_form", draft.id, user=user)
        db.session.delete(draft)


def filed_from_draft(user: User, draft_id: int | None, form: str = "callout") -> None:
    """Inside the filing's transaction: the draft it came from goes (when it is the author's
    draft of this form)."""
    if not draft_id:
        return
    draft = db.session.scalar(
        select(SavedForm).where(
            SavedForm.id == draft_id,
            SavedForm.user_id == user.id,
            SavedForm.purpose == DRAFT,
            SavedForm.form == form,
        )
    )
    if draft is not None:
        audit.record("draft_filed", "saved_form", draft.id, user=user)
        db.session.delete(draft)


# Retention --------------------------------------------------------------------------------


def purge(now: datetime | None = None, *, days: int | None = None) -> int:
    """Delete every draft and held form not changed for ``DRAFT_DAYS``; returns how many.
    (services.retention runs it with the rest of the retention purge, and audits it.)"""
    now = now or utcnow()
    days = keep_days() if days is None else days
    with unit_of_work():
        removed = db.session.execute(
            delete(SavedForm).where(SavedForm.updated_at < now - timedelta(days=days))
        ).rowcount
    return removed or 0
