"""Importing call-outs from a CSV or XLSX file: a police extract or a home's bulk import.

The file is read as a stream, row by row. Every row is validated; a file with any bad row stores
nothing and the report names every bad row, column and value. Good files are stored in one
transaction, each report going through matching and the flag rules (services.callouts
.after_change). The key of a police row is home + police reference, so a second import of the
same file changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from .. import access, audit
from ..db import db, utcnow
from ..models import Authority, Home, Report, User
from ..rules.callout_import import (
    RowError,
    check_header,
    duplicate_error,
    row_key,
    validate_row,
)
from ..vocab import Source
from . import ServiceError
from .callouts import (
    REPORT_FIELDS,
    after_change,
    audit_created,
    audit_revised,
    revise_report,
)
from .matching import new_callout_for

FORMATS = ("csv", "xlsx")


@dataclass
class ImportReport:
    """What an import did (or, in a dry run or a rejected file, would have done)."""

    source: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    errors: list[RowError] = field(default_factory=list)
    stored: bool = False

    def describe(self) -> str:
        verb = "would be" if self.dry_run or not self.stored else "were"
        return (
            f"{self.rows} rows: {self.created} {verb} created, {self.updated} {verb} updated, "
            f"{self.unchanged} unchanged; {self.matched} matched with the other side's report"
        )


def file_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ServiceError("The selected file must be a CSV or XLSX file")
    return suffix


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, kind: str) -> Iterator[list[str]]:
    """The file's rows as lists of text, one at a time (never the whole file in memory)."""
    if kind == "xlsx":
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a file that is not XLSX
            raise ServiceError("The selected file could not be read as an XLSX workbook") from exc
        try:
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        finally:
            workbook.close()
        return
    with open(path, newline="", encoding="utf-8-sig") as stream:
        try:
            yield from csv.reader(stream)
        except UnicodeDecodeError as exc:
            raise ServiceError("The selected file must be a CSV file saved as UTF-8") from exc


def _import_permission(user: User | None, source: str) -> None:
    if user is None:
        return
    needed = (
        access.Permission.FILE_POLICE_RECORD
        if source == Source.POLICE
        else access.Permission.FILE_HOME_REPORT
    )
    access.require(user, needed)


def import_callouts(
    path: Path,
    source: str,
    *,
    user: User | None = None,
    filename: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    every: int = 500,
    now: datetime | None = None,
) -> ImportReport:
    """Validate and store a file of call-outs. Without a user (the CLI), every home may be named;
    with one, only the homes they may file for (a police user's force area, a provider's homes)."""
    if source not in Source.slugs():
        raise ServiceError("Source must be police or home")
    _import_permission(user, source)
    kind = file_format(filename or str(path))
    now = now or utcnow()
    scope = access.fileable_homes_condition(user) if user is not None else access.everything()
    homes = {urn: id_ for urn, id_ in db.session.execute(select(Home.urn, Home.id).where(scope))}
    authorities = {
        code: id_ for code, id_ in db.session.execute(select(Authority.code, Authority.id))
    }
    result = ImportReport(source=source, dry_run=dry_run)
    seen: dict[tuple[Any, ...], int] = {}
    try:
        rows = read_table(path, kind)
        header = next(rows, None)
        if header is None:
            raise ServiceError("The selected file is empty")
        while header and header[-1] == "":
            header.pop()
        result.errors += check_header(header, source)
        if result.errors:
            return result
        names = [h.strip().lower() for h in header]
        for number, cells in enumerate(rows, start=2):
            if not any(c.strip() for c in cells):
                continue
            raw = dict(zip(names, cells, strict=False))
            checked = validate_row(
                raw, row=number, source=source, homes=homes, authorities=authorities, now=now
            )
            result.rows += 1
            if checked.errors:
                result.errors += checked.errors
            else:
                key = row_key(source, checked.values)
                if key in seen:
                    result.errors.append(duplicate_error(number, checked.values, seen[key]))
                else:
                    seen[key] = number
                    if not result.errors:
                        _store(result, source, checked.values, user, now)
            if progress is not None and result.rows % every == 0:
                progress(result.rows)
        if progress is not None and result.rows % every:
            progress(result.rows)
    except BaseException:
        db.session.rollback()
        raise
    if result.errors or dry_run:
        db.session.rollback()
        if result.errors:
            result.created = result.updated = result.unchanged = result.matched = 0
        return result
    audit.record(
        "callouts_imported",
        user=user,
        changes={
            "source": source,
            "file": Path(filename or path).name,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "matched": result.matched,
        },
    )
    db.session.commit()
    result.stored = True
    return result


def _existing(source: str, values: dict[str, Any]) -> Report | None:
    query = select(Report).where(Report.source == source, Report.home_id == values["home_id"])
    if values.get("police_reference"):
        query = query.where(Report.police_reference == values["police_reference"])
    else:
        child = values.get("child_reference")
        query = query.where(
            Report.police_reference.is_(None),
            Report.occurred_at == values["occurred_at"],
            Report.child_reference == child if child else Report.child_reference.is_(None),
        )
    return db.session.scalars(query.order_by(Report.id).limit(1)).first()


def _store(
    result: ImportReport,
    source: str,
    values: dict[str, Any],
    user: User | None,
    now: datetime,
) -> None:
    fields = {k: v for k, v in values.items() if k in REPORT_FIELDS}
    report = _existing(source, fields)
    if report is None:
        report = Report(
            source=source, filed_by_id=user.id if user else None, filed_at=now, **fields
        )
        callout = new_callout_for(report)
        db.session.flush()
        audit_created(user, callout, report)
        result.created += 1
    else:
        revision = revise_report(report, fields, user)
        if revision is None:
            result.unchanged += 1
            return
        callout = report.callout
        audit_revised(user, revision)
        result.updated += 1
    survivor = after_change(callout, report)
    if survivor is not callout and survivor.home_report and survivor.police_record:
        result.matched += 1
