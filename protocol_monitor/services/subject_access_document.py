"""The subject access export as a document a person can read — a care leaver, their advocate —
and not a dump of fields: each call-out with its answers by their labels, UK dates, who filed,
corrected and reviewed it, the actions agreed, and the flags. One list of blocks, shown as a page
(templates/audit/subject_access_document.html, printable) and written as a Word file.

The raw exports (every field by its stored name, JSON or CSV) stay in subject_access for the
administrator.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from docx import Document as WordDocument
from flask_babel import pgettext

from ..i18n import _, format_day, format_moment, ngettext
from ..models import Action, Callout, Flag, Report, Review, User
from ..rules import report_history
from ..rules.flags import localise_explanation
from ..rules.time import Month, to_london
from ..vocab import (
    ActionStatus,
    Category,
    FlagRule,
    FlagStatus,
    PoliceNecessary,
    ProtocolApplied,
    Source,
)
from . import subject_access
from .callouts import correction_history
from .reviews import AGREED

NONE = "–"


@dataclass(frozen=True)
class Block:
    """A heading (level 1 to 4), a paragraph, a list of answers (key, value), or a table."""

    kind: str  # "heading" | "paragraph" | "answers" | "table"
    text: str = ""
    level: int = 0
    rows: list[tuple[str, ...]] = field(default_factory=list)
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    title: str
    blocks: list[Block]
    held: subject_access.Held


def _when(moment: datetime | None) -> str:
    """27 October 2026 at 14:05 (UK time), in the document's language."""
    return format_moment(to_london(moment), short=False) if moment else NONE


def _day(day: date | None) -> str:
    return format_day(day) if day else NONE


def _who(user: User | None, otherwise: str | None = None) -> str:
    """The person, else ``otherwise`` (by default "an import")."""
    if user is not None:
        return str(user)
    return otherwise if otherwise is not None else _("an import")


def _label(vocabulary, slug: str | None) -> str:
    if not slug:
        return NONE
    try:
        return vocabulary(slug).label
    except ValueError:
        return slug


def _yes_no(value: bool | None) -> str:
    return NONE if value is None else (_("Yes") if value else _("No"))


def _heading(text: str, level: int) -> Block:
    return Block("heading", text, level=level)


def _paragraph(text: str) -> Block:
    return Block("paragraph", text)


def build(held: subject_access.Held, exported_by: User | None) -> Document:
    """The records held about one child, as blocks, in the current language (the language of
    the person asking)."""
    title = _("Records held about %(reference)s", reference=held.reference)
    blocks = [
        _paragraph(
            _(
                "The child placed by %(authority)s under the reference %(reference)s. Exported by "
                "%(who)s on %(when)s (UK time).",
                authority=held.authority.local_name,
                reference=held.reference,
                who=_who(exported_by, _("the service")),
                when=_when(held.exported_at),
            )
        ),
        _paragraph(
            _(
                "%(callouts)s to a children's home or other residential setting, and %(flags)s. A "
                "call-out is one police attendance or call; the home and the police may each have "
                "reported it.",
                callouts=ngettext("%(num)d call-out", "%(num)d call-outs", len(held.callouts)),
                flags=ngettext("%(num)d flag", "%(num)d flags", len(held.flags)),
            )
        ),
    ]
    for callout in held.callouts:
        blocks += _callout(callout)
    if held.flags:
        blocks.append(_heading(_("Flags"), 2))
        blocks.append(
            _paragraph(
                _(
                    "A flag asks the police and the multi-agency group to look again, for "
                    "example at repeated call-outs about one child."
                )
            )
        )
        blocks += [block for flag in held.flags for block in _flag(flag)]
    return Document(title, blocks, held)


def _callout(callout: Callout) -> list[Block]:
    blocks = [
        _heading(
            _(
                "Call-out %(id)s: %(when)s, %(home)s",
                id=callout.id,
                when=_when(callout.occurred_at),
                home=callout.home.name,
            ),
            2,
        ),
        Block(
            "answers",
            rows=[
                (_("When (UK time)"), _when(callout.occurred_at)),
                (_("Month"), Month.parse(callout.month).label),
                (
                    pgettext("a children's home", "Home"),
                    _(
                        "%(home)s (Ofsted URN %(urn)s)",
                        home=callout.home.name,
                        urn=callout.home.urn,
                    ),
                ),
                (_("What it was about"), _label(Category, callout.category)),
                (
                    _("Counted in the protocol's figures"),
                    _("Yes") if callout.in_scope else _("No: missing and absent call-outs are not"),
                ),
                (_("Police attended"), _yes_no(callout.police_attended)),
                (_("Arrested"), _yes_no(callout.arrested)),
                (
                    _("Outcome"),
                    report_history.value_text("outcome", callout.outcome)
                    if callout.outcome
                    else NONE,
                ),
                (_("Police reference"), callout.police_reference or NONE),
            ],
        ),
    ]
    for report in callout.reports:
        blocks += _report(report)
    if callout.review is not None:
        blocks += _review(callout.review)
    return blocks


def _report(report: Report) -> list[Block]:
    names = {
        "home_id": {report.home_id: report.home.name},
        "placing_authority_id": (
            {report.placing_authority_id: report.placing_authority.local_name}
            if report.placing_authority
            else {}
        ),
    }
    answers = [
        (
            report_history.field_label(name),
            report_history.value_text(name, getattr(report, name), names),
        )
        for name in report_history.FIELD_LABELS
        if name != "home_id"
    ]
    filed = _(
        "Filed by %(who)s on %(when)s.", who=_who(report.filed_by), when=_when(report.filed_at)
    )
    blocks = [
        _heading(_label(Source, report.source), 3),
        _paragraph(filed),
        Block("answers", rows=answers),
    ]
    history = correction_history(report, free_text=True)
    if history:
        blocks.append(_heading(_("Corrections"), 4))
    for entry in history:
        who, when = _who(entry.changed_by), _when(entry.changed_at)
        blocks.append(
            _paragraph(
                _(
                    "Corrected by %(who)s on %(when)s. Why: “%(reason)s”.",
                    who=who,
                    when=when,
                    reason=entry.reason,
                )
                if entry.reason
                else _("Corrected by %(who)s on %(when)s.", who=who, when=when)
            )
        )
        blocks.append(
            Block(
                "table",
                headers=(_("What changed"), _("Before"), _("After")),
                rows=[(c.field, c.before, c.after) for c in entry.changes],
            )
        )
    return blocks


def _review(review: Review) -> list[Block]:
    blocks = [
        _heading(_("Review"), 3),
        _paragraph(
            _(
                "Reviewed by %(who)s on %(when)s.",
                who=_who(review.reviewer, _("a reviewer")),
                when=_when(review.reviewed_at),
            )
        ),
        Block(
            "answers",
            rows=[
                (_("Was the protocol applied?"), _label(ProtocolApplied, review.protocol_applied)),
                (_("Were the police needed?"), _label(PoliceNecessary, review.police_necessary)),
                (
                    _("Was the police response proportionate?"),
                    _yes_no(review.police_response_proportionate),
                ),
                (_("Was the outcome proportionate?"), _yes_no(review.outcome_proportionate)),
                (_("Learning points"), review.learning_points or NONE),
            ],
        ),
    ]
    if review.actions:
        blocks.append(_heading(_("Actions agreed"), 4))
        blocks.append(
            Block(
                "table",
                headers=(_("Action"), _("Who"), _("Due"), _("Where it is")),
                rows=[_action(action) for action in review.actions],
            )
        )
    return blocks


def _action(action: Action) -> tuple[str, ...]:
    steps = "; ".join(_step(e) for e in action.events)
    status = _label(ActionStatus, action.status)
    return (
        action.text,
        action.owner_label if action.owner_home is not None else _who(action.owner, _("not given")),
        _day(action.due_on),
        _("%(status)s: %(steps)s", status=status, steps=steps) if steps else status,
    )


def _step(event) -> str:
    """One status an action had: "Open on 3 March 2026 (Action agreed)"."""
    status, day = _label(ActionStatus, event.status), _day(to_london(event.at).date())
    if not event.note:
        return _("%(status)s on %(day)s", status=status, day=day)
    note = _(AGREED) if event.note == AGREED else event.note
    return _("%(status)s on %(day)s (%(note)s)", status=status, day=day, note=note)


def _flag(flag: Flag) -> list[Block]:
    rows = [
        (_("Why"), localise_explanation(flag.explanation) or _label(FlagRule, flag.rule)),
        (_("Raised"), _when(flag.raised_at)),
        (_("Where it is"), _label(FlagStatus, flag.status)),
        (_("Call-outs"), ", ".join(str(c.id) for c in flag.callouts) or NONE),
    ]
    for what, at, by, note in (
        (_("Acknowledged"), flag.acknowledged_at, flag.acknowledged_by, flag.acknowledged_note),
        (_("Resolved"), flag.resolved_at, flag.resolved_by, flag.resolved_note),
    ):
        if at:
            who = _who(by, _("a reviewer"))
            said = (
                _("%(when)s by %(who)s: “%(note)s”", when=_when(at), who=who, note=note)
                if note
                else _("%(when)s by %(who)s", when=_when(at), who=who)
            )
            rows.append((what, said))
    return [
        _heading(_("Flag %(id)s: %(rule)s", id=flag.id, rule=_label(FlagRule, flag.rule)), 3),
        Block("answers", rows=rows),
    ]


def document(
    actor: User | None, child_reference: str, authority_code: str, *, fmt: str = "page"
) -> Document:
    """The readable document; reading or downloading it is recorded in the audit log."""
    return build(subject_access.gather(actor, child_reference, authority_code, fmt=fmt), actor)


def to_docx(doc: Document) -> bytes:
    """The document as a Word file: headings, paragraphs, and answers and tables as tables."""
    word = WordDocument()
    word.core_properties.title = doc.title
    word.add_heading(doc.title, level=0)
    for block in doc.blocks:
        if block.kind == "heading":
            word.add_heading(block.text, level=block.level - 1 if block.level > 1 else 1)
        elif block.kind == "paragraph":
            word.add_paragraph(block.text)
        else:
            headers = block.headers
            rows = block.rows
            table = word.add_table(rows=0, cols=len(headers) if headers else 2)
            table.style = "Table Grid"
            if headers:
                cells = table.add_row().cells
                for cell, text in zip(cells, headers, strict=True):
                    cell.text = text
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
            for row in rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = str(text)
                if not headers:
                    for run in cells[0].paragraphs[0].runs:
                        run.bold = True
            word.add_paragraph()
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
