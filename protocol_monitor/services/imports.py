"""Importing call-outs from a CSV or XLSX file: a police extract or a home's bulk import.

The file is read as a stream, row by row. Every row is validated; a file with any bad row stores
nothing and the report names every bad row, column and value. Good files are stored in one
transaction, each report going through matching and the flag rules (services.callouts
.after_change). The key of a police row is home + police reference, so a second import of the
same file changes nothing.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from .. import access, audit
from ..db import db, utcnow
from ..i18n import _, format_number
from ..models import Authority, Home, Report, User
from ..rules.callout_import import (
    RowError,
    check_header,
    duplicate_error,
    row_key,
    validate_row,
)
from ..rules.time import as_utc
from ..vocab import Source
from . import ServiceError, bulk_filing
from .callouts import (
    REPORT_FIELDS,
    after_change,
    audit_created,
    audit_revised,
    revise_report,
)
from .matching import new_callout_for

FORMATS = ("csv", "xlsx")

# Memory stays bounded whatever the file (bench/uploads.py measures it):
MAX_ROWS = 20_000  # rows read from one file; split a larger one
MAX_PROBLEMS = 100  # problems listed; the others are counted
VALUE_SHOWN = 60  # characters of a bad value shown beside its problem
# An XLSX is a zip: its parts are checked before openpyxl opens them (a few MB can expand to GBs).
XLSX_PART_LIMIT = 64 * 1024 * 1024  # uncompressed bytes of any one part
XLSX_SHARED_STRINGS_LIMIT = 32 * 1024 * 1024  # the shared strings are held in memory whole
XLSX_TOTAL_LIMIT = 160 * 1024 * 1024
XLSX_RATIO_LIMIT = 100  # uncompressed : compressed, for parts over 1 MB
XLSX_MAX_PARTS = 500


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run or a rejected file, would have done)."""

    source: str
    dry_run: bool
    # Each row read is one of: a new call-out (created), a report joining a call-out the other
    # side had already reported (matched), a correction of a report imported before (updated),
    # or a row as it was (unchanged). They add up to the rows read.
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0  # problems found past the first MAX_PROBLEMS, counted, not kept
    stored: bool = False

    @property
    def problems(self) -> int:
        return len(self.errors) + self.more_errors

    def add_errors(self, errors: list[RowError]) -> None:
        """Keep the first MAX_PROBLEMS problems (their values cut short); count the rest."""
        room = max(MAX_PROBLEMS - len(self.errors), 0)
        self.errors += [_cut(error) for error in errors[:room]]
        self.more_errors += max(len(errors) - room, 0)

    def describe(self) -> str:
        counts = (
            f"{_count(self.created, 'new call-out', 'new call-outs')}, "
            f"{self.matched} joined to a call-out the other side had reported, "
            f"{self.updated} corrected, {self.unchanged} unchanged"
        )
        if self.dry_run or not self.stored:
            return f"{_count(self.rows, 'row', 'rows')} would give {counts}"
        return f"{_count(self.rows, 'row', 'rows')}: {counts}"


def _cut(error: RowError) -> RowError:
    if len(error.value) <= VALUE_SHOWN:
        return error
    shown = _(
        "%(value)s… (%(count)s characters)",
        value=error.value[:VALUE_SHOWN],
        count=format_number(len(error.value)),
    )
    return replace(error, value=shown)


def file_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ServiceError(_("The selected file must be a CSV or XLSX file"))
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
        check_xlsx_sizes(path)
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a file that is not XLSX
            raise ServiceError(
                _("The selected file could not be read as an XLSX workbook")
            ) from exc
        try:
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        finally:
            workbook.close()
        return
    with open(path, newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        header: list[str] = []
        row, starts_on = 0, 1  # the record being read: its row and the file line it starts on
        try:
            for row, cells in enumerate(reader, start=1):
                if row == 1:
                    header = cells
                yield cells
                starts_on = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise ServiceError(_("The selected file must be a CSV file saved as UTF-8")) from exc
        except csv.Error as exc:
            raise ServiceError(_csv_problem(path, row + 1, starts_on, header, exc)) from None


def check_xlsx_sizes(path: Path) -> None:
    """Refuse a workbook whose parts would expand past the limits, before openpyxl reads it.
    The sizes come from the zip's directory; zipfile never inflates a part past its stated size."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl says it is not a workbook
    if len(parts) > XLSX_MAX_PARTS:
        raise ServiceError(
            _(
                "The selected file is too large when opened (%(parts)s parts). Save it as CSV, "
                "or split it into smaller files, and upload it again",
                parts=format_number(len(parts)),
            )
        )
    total = 0
    for part in parts:
        total += part.file_size
        limit = (
            XLSX_SHARED_STRINGS_LIMIT
            if part.filename.lower().endswith("sharedstrings.xml")
            else XLSX_PART_LIMIT
        )
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > limit or total > XLSX_TOTAL_LIMIT:
            raise ServiceError(
                _(
                    "The selected file is too large when opened (%(size)s of data). Save it as "
                    "CSV, or split it into smaller files, and upload it again",
                    size=_mb(max(part.file_size, total)),
                )
            )
        if part.file_size > 1024 * 1024 and ratio > XLSX_RATIO_LIMIT:
            raise ServiceError(
                _(
                    "The selected file is too large when opened (one part expands %(ratio)s "
                    "times, to %(size)s). Save it as CSV, or split it into smaller files, and "
                    "upload it again",
                    ratio=format_number(round(ratio)),
                    size=_mb(part.file_size),
                )
            )


def _mb(size: int) -> str:
    return f"{format_number(round(size / 1024 / 1024))} MB"


def _csv_problem(path: Path, row: int, starts_on: int, header: list[str], exc: csv.Error) -> str:
    """Name the row (and the column, for a value over the csv module's field limit)."""
    if "field larger than field limit" not in str(exc):
        return _(
            "Row %(row)s: the file is not valid CSV (%(error)s). Check the quotes on that row",
            row=row,
            error=exc,
        )
    limit = csv.field_size_limit()
    column = _long_field(path, first_line=starts_on, limit=limit)
    name = header[column] if column is not None and column < len(header) else ""
    if column is None:
        return _(
            "Row %(row)s: a value is longer than %(limit)s characters, which no column accepts. "
            "Shorten it and upload the file again",
            row=row,
            limit=format_number(limit),
        )
    if name:
        return _(
            "Row %(row)s, column ‘%(column)s’: a value is longer than %(limit)s characters, "
            "which no column accepts. Shorten it and upload the file again",
            row=row,
            column=name[:50],
            limit=format_number(limit),
        )
    return _(
        "Row %(row)s, column %(number)s: a value is longer than %(limit)s characters, which no "
        "column accepts. Shorten it and upload the file again",
        row=row,
        number=column + 1,
        limit=format_number(limit),
    )


def _long_field(path: Path, *, first_line: int, limit: int) -> int | None:
    """The 0-based column of the first value longer than ``limit`` in the record starting at
    ``first_line``, scanned without building the value (quotes followed as csv does)."""
    separators = re.compile(r'[",\n]')
    column, length, quoted = 0, 0, False
    with open(path, newline="", encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, start=1):
            if number < first_line:
                continue
            start = 0
            for found in separators.finditer(line):
                length += found.start() - start
                start = found.end()
                char = found.group()
                if char == '"':
                    quoted = not quoted
                elif quoted:
                    length += 1
                elif char == ",":
                    column, length = column + 1, 0
                else:
                    return None
                if length > limit:
                    return column
            length += len(line) - start
            if length > limit:
                return column
    return None


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
        raise ServiceError(_("Source must be police or home"))
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
    accepted: list[dict[str, Any]] = []  # every good row's values, stored once all are read
    try:
        rows = read_table(path, kind)
        header = next(rows, None)
        if header is None:
            raise ServiceError(_("The selected file is empty"))
        while header and header[-1] == "":
            header.pop()
        result.add_errors(check_header(header, source))
        if result.errors:
            return result
        names = [h.strip().lower() for h in header]
        for number, cells in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                raise ServiceError(
                    _(
                        "The file has more than %(limit)s rows. Nothing was imported: split it "
                        "into files of %(limit)s rows or fewer and upload each one",
                        limit=format_number(MAX_ROWS),
                    )
                )
            if not any(c.strip() for c in cells):
                continue
            raw = dict(zip(names, cells, strict=False))
            checked = validate_row(
                raw, row=number, source=source, homes=homes, authorities=authorities, now=now
            )
            result.rows += 1
            if checked.errors:
                result.add_errors(checked.errors)
            else:
                key = row_key(source, checked.values)
                if key in seen:
                    result.add_errors([duplicate_error(number, checked.values, seen[key])])
                else:
                    seen[key] = number
                    if not result.errors:
                        accepted.append(checked.values)
            if progress is not None and result.rows % every == 0:
                progress(result.rows)
        if progress is not None and result.rows % every:
            progress(result.rows)
        if not result.errors:
            _store_all(result, source, accepted, user, now)
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


def _store_all(
    result: ImportReport,
    source: str,
    rows: list[dict[str, Any]],
    user: User | None,
    now: datetime,
) -> None:
    """New reports all at once (services.bulk_filing); a file that corrects reports imported
    before, row by row, in the file's order."""
    if not _any_stored(source, rows):
        filed = bulk_filing.file_new_reports(
            source, [{k: v for k, v in r.items() if k in REPORT_FIELDS} for r in rows], user, now
        )
        result.created += filed.created
        result.matched += filed.matched
        return
    for values in rows:
        _store(result, source, values, user, now)


def _any_stored(source: str, rows: list[dict[str, Any]]) -> bool:
    """Whether any row is a report stored before (``_existing``), in a few queries."""
    homes = sorted({r["home_id"] for r in rows})
    referenced = {(r["home_id"], r["police_reference"]) for r in rows if r.get("police_reference")}
    references = sorted({reference for _home, reference in referenced})
    unreferenced = {
        (r["home_id"], as_utc(r["occurred_at"]), r.get("child_reference") or None)
        for r in rows
        if not r.get("police_reference")
    }
    base = select(
        Report.home_id, Report.police_reference, Report.occurred_at, Report.child_reference
    )
    base = base.where(Report.source == source, Report.home_id.in_(homes))
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        for home_id, reference, _at, _child in db.session.execute(
            base.where(Report.police_reference.in_(chunk))
        ):
            if (home_id, reference) in referenced:
                return True
    moments = sorted({moment for _home, moment, _child in unreferenced})
    for start in range(0, len(moments), 500):
        query = base.where(
            Report.police_reference.is_(None), Report.occurred_at.in_(moments[start : start + 500])
        )
        for home_id, _reference, occurred_at, child in db.session.execute(query):
            if (home_id, as_utc(occurred_at), child or None) in unreferenced:
                return True
    return False


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
        # Matching merges a new one-sided call-out into the one the other side reported.
        if after_change(callout, report) is callout:
            result.created += 1
        else:
            result.matched += 1
        return
    revision = revise_report(report, fields, user)
    if revision is None:
        result.unchanged += 1
        return
    audit_revised(user, revision)
    result.updated += 1
    after_change(report.callout, report)
