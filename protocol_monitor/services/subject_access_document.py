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

from ..models import Action, Callout, Flag, Report, Review, User
from ..rules import report_history
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
    return to_london(moment).strftime("%-d %B %Y at %H:%M") if moment else NONE


def _day(day: date | None) -> str:
    return day.strftime("%-d %B %Y") if day else NONE


def _who(user: User | None, otherwise: str = "an import") -> str:
    return str(user) if user is not None else otherwise


def _label(vocabulary, slug: str | None) -> str:
    if not slug:
        return NONE
    try:
        return vocabulary(slug).label
    except ValueError:
        return slug


def _yes_no(value: bool | None) -> str:
    return NONE if value is None else ("Yes" if value else "No")


def _heading(text: str, level: int) -> Block:
    return Block("heading", text, level=level)


def _paragraph(text: str) -> Block:
    return Block("paragraph", text)


def build(held: subject_access.Held, exported_by: User | None) -> Document:
    """The records held about one child, as blocks."""
    title = f"Records held about {held.reference}"
    blocks = [
        _paragraph(
            f"The child placed by {held.authority.name} under the reference {held.reference}. "
            f"Exported by {_who(exported_by, 'the service')} on {_when(held.exported_at)} "
            "(UK time)."
        ),
        _paragraph(
            f"{_count(len(held.callouts), 'call-out')} to a children's home or other residential "
            f"setting, and {_count(len(held.flags), 'flag')}. A call-out is one police attendance "
            "or call; the home and the police may each have reported it."
        ),
    ]
    for callout in held.callouts:
        blocks += _callout(callout)
    if held.flags:
        blocks.append(_heading("Flags", 2))
        blocks.append(
            _paragraph(
                "A flag asks the police and the multi-agency group to look again, for example "
                "at repeated call-outs about one child."
            )
        )
        blocks += [block for flag in held.flags for block in _flag(flag)]
    return Document(title, blocks, held)


def _count(n: int, one: str) -> str:
    return f"{n} {one}{'' if n == 1 else 's'}"


def _callout(callout: Callout) -> list[Block]:
    blocks = [
        _heading(f"Call-out {callout.id}: {_when(callout.occurred_at)}, {callout.home.name}", 2),
        Block(
            "answers",
            rows=[
                ("When (UK time)", _when(callout.occurred_at)),
                ("Month", Month.parse(callout.month).label),
                ("Home", f"{callout.home.name} (Ofsted URN {callout.home.urn})"),
                ("What it was about", _label(Category, callout.category)),
                (
                    "Counted in the protocol's figures",
                    "Yes" if callout.in_scope else "No: missing and absent call-outs are not",
                ),
                ("Police attended", _yes_no(callout.police_attended)),
                ("Arrested", _yes_no(callout.arrested)),
                (
                    "Outcome",
                    report_history.value_text("outcome", callout.outcome)
                    if callout.outcome
                    else NONE,
                ),
                ("Police reference", callout.police_reference or NONE),
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
            {report.placing_authority_id: report.placing_authority.name}
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
    filed = f"Filed by {_who(report.filed_by)} on {_when(report.filed_at)}."
    blocks = [
        _heading(_label(Source, report.source), 3),
        _paragraph(filed),
        Block("answers", rows=answers),
    ]
    history = correction_history(report, free_text=True)
    if history:
        blocks.append(_heading("Corrections", 4))
    for entry in history:
        reason = f" Why: “{entry.reason}”." if entry.reason else ""
        blocks.append(
            _paragraph(
                f"Corrected by {_who(entry.changed_by)} on {_when(entry.changed_at)}.{reason}"
            )
        )
        blocks.append(
            Block(
                "table",
                headers=("What changed", "Before", "After"),
                rows=[(c.field, c.before, c.after) for c in entry.changes],
            )
        )
    return blocks


def _review(review: Review) -> list[Block]:
    blocks = [
        _heading("Review", 3),
        _paragraph(
            f"Reviewed by {_who(review.reviewer, 'a reviewer')} on {_when(review.reviewed_at)}."
        ),
        Block(
            "answers",
            rows=[
                ("Was the protocol applied?", _label(ProtocolApplied, review.protocol_applied)),
                ("Were the police needed?", _label(PoliceNecessary, review.police_necessary)),
                (
                    "Was the police response proportionate?",
                    _yes_no(review.police_response_proportionate),
                ),
                ("Was the outcome proportionate?", _yes_no(review.outcome_proportionate)),
                ("Learning points", review.learning_points or NONE),
            ],
        ),
    ]
    if review.actions:
        blocks.append(_heading("Actions agreed", 4))
        blocks.append(
            Block(
                "table",
                headers=("Action", "Who", "Due", "Where it is"),
                rows=[_action(action) for action in review.actions],
            )
        )
    return blocks


def _action(action: Action) -> tuple[str, ...]:
    steps = "; ".join(
        f"{_label(ActionStatus, e.status)} on {_day(to_london(e.at).date())}"
        + (f" ({e.note})" if e.note else "")
        for e in action.events
    )
    status = _label(ActionStatus, action.status)
    return (
        action.text,
        _who(action.owner, "not given"),
        _day(action.due_on),
        f"{status}{': ' + steps if steps else ''}",
    )


def _flag(flag: Flag) -> list[Block]:
    rows = [
        ("Why", flag.explanation or _label(FlagRule, flag.rule)),
        ("Raised", _when(flag.raised_at)),
        ("Where it is", _label(FlagStatus, flag.status)),
        ("Call-outs", ", ".join(str(c.id) for c in flag.callouts) or NONE),
    ]
    for what, at, by, note in (
        ("Acknowledged", flag.acknowledged_at, flag.acknowledged_by, flag.acknowledged_note),
        ("Resolved", flag.resolved_at, flag.resolved_by, flag.resolved_note),
    ):
        if at:
            said = f": “{note}”" if note else ""
            rows.append((what, f"{_when(at)} by {_who(by, 'a reviewer')}{said}"))
    return [
        _heading(f"Flag {flag.id}: {_label(FlagRule, flag.rule)}", 3),
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
