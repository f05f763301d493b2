"""Filing many new reports at once (an import): the same call-outs, matches, flags, alerts and
audit trail as filing each in turn (services.callouts.after_change), from a few set-based reads
and one bulk INSERT per table.

Filing one report runs about twenty statements: matching's candidate queries, each flag rule's
count, the open flag of each subject, the links, the outbox check, every audit row. Here the
state those statements read is loaded once, for every home and period the file touches:

- the other side's one-sided reports at the file's homes, near its times or sharing its police
  references (matching's candidates);
- the call-outs at those homes in the months and repeat windows the file reaches (the flag rules
  count these);
- every flag, open or resolved, of each subject the file can touch, with its call-outs.

Then each row is filed in turn, in the file's order, against that state in memory — the pure rules
(rules.matching, rules.callouts.merge, rules.flags) decide exactly as they do for one filing, and
each row sees the rows before it — and what it would have written is collected. Finally each
table gets one executemany, in the caller's transaction, and the ids are the ones filing in turn
would have used (taken from the table's sequence on PostgreSQL; max + 1 on SQLite, where a
call-out merged away frees its id for the next, as a DELETE would). The homes are locked first,
as flags.evaluate locks each.

Only new reports come here: a file that corrects reports imported before goes row by row
(services.imports). tests/integration/test_bulk_filing.py files the same files both ways and
compares every table.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, text, update

from .. import audit
from ..db import db, utcnow
from ..models import AuditEvent, Callout, Flag, Home, OutboxMessage, Report, User, flag_callouts
from ..rules import flags as rules
from ..rules.callouts import merge
from ..rules.matching import MATCH_WINDOW, Candidate, Side, best_match
from ..rules.time import Month, as_utc
from ..vocab import Category, FlagRule, FlagStatus, Outcome, Source
from . import flags as flag_service
from . import home_notices, monthly_facts
from .callouts import REPORT_FIELDS
from .outbox import bilingual, message_values

#: Rows of an IN (...) list per query.
CHUNK = 500
#: Rows filed between writes: what is waiting to be written stays this small, whatever the file.
WRITE_EVERY = 1000
_SLACK = MATCH_WINDOW + timedelta(seconds=1)
_EFFECTIVE = (
    "occurred_at",
    "month",
    "child_reference",
    "placing_authority_id",
    "category",
    "in_scope",
    "immediate_risk",
    "police_attended",
    "arrested",
    "outcome",
    "criminal_outcome",
    "police_reference",
)
_REPORT_COLUMNS = [c.name for c in Report.__table__.columns]


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class _Record:
    """A report or a call-out as filing sees it: attribute access over a dict of its columns."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


@dataclass
class _Callout:
    id: int
    home_id: int
    occurred_at: datetime
    month: str
    child_reference: str | None
    placing_authority_id: int | None
    in_scope: bool
    category: str = ""
    immediate_risk: str | None = None
    police_attended: bool | None = None
    arrested: bool | None = None
    outcome: str | None = None
    criminal_outcome: bool = False
    police_reference: str | None = None
    home_report: _Record | None = None
    police_record: _Record | None = None
    new: bool = False

    @property
    def category_label(self) -> str:
        return Category(self.category).label


@dataclass
class _Flag:
    id: int
    subject_key: str
    status: str
    callouts: set[int]


@dataclass
class Filed:
    """What filing the rows did: each row a new call-out (created) or joined to one (matched)."""

    created: int = 0
    matched: int = 0


@dataclass
class _Writes:
    callouts: list[_Callout] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    merged: dict[int, dict[str, Any]] = field(default_factory=dict)  # existing call-outs changed
    flags: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, int]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


class _Ids:
    """The ids filing in turn would get: the sequence's next values (PostgreSQL), or max + 1."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.postgres = db.session.get_bind().dialect.name == "postgresql"
        self.taken: list[int] = []
        self.next = None
        if not self.postgres:
            self.next = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1

    def take(self) -> int:
        if not self.postgres:
            value, self.next = self.next, self.next + 1
            return value
        if not self.taken:
            sequence = text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            )
            self.taken = list(
                db.session.scalars(sequence, {"table": self.table.name, "count": 64})
            )[::-1]
        return self.taken.pop()

    def give_back(self, value: int) -> None:
        """A row deleted in the same transaction: SQLite reuses the highest id, PostgreSQL never."""
        if not self.postgres and value == self.next - 1:
            self.next = value


def file_new_reports(
    source: str, rows: Sequence[dict[str, Any]], user: User | None, now: datetime
) -> Filed:
    """File ``rows`` (validated report values, none of them stored before) in order, as
    services.imports._store and callouts.after_change would one by one, in the caller's
    transaction. Nothing is committed."""
    return _Filing(source, rows, user, now).run()


class _Filing:
    def __init__(
        self, source: str, rows: Sequence[dict[str, Any]], user: User | None, now: datetime
    ) -> None:
        self.source = source
        self.other = Source.POLICE.value if source == Source.HOME.value else Source.HOME.value
        self.rows = rows
        self.user = user
        self.now = now
        self.writes = _Writes()
        self.result = Filed()
        self.home_ids = sorted({row["home_id"] for row in rows})

    # Loading

    def run(self) -> Filed:
        if not self.rows:
            return self.result
        self._lock_homes()
        self.limits = flag_service.thresholds()
        self.homes = {
            h.id: h
            for h in db.session.execute(
                select(Home.id, Home.name, Home.urn).where(Home.id.in_(self.home_ids))
            )
        }
        self.report_ids = _Ids(Report.__table__)
        self.callout_ids = _Ids(Callout.__table__)
        self.flag_ids = _Ids(Flag.__table__)
        self._load_candidates()
        self.callouts: dict[int, _Callout] = {}
        self.by_child: dict[tuple[int, str], list[tuple[datetime, int]]] = defaultdict(list)
        self.by_month: dict[tuple[int, str], list[tuple[datetime, int]]] = defaultdict(list)
        self.loaded: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        moments = [as_utc(row["occurred_at"]) for row in self.rows]
        self._load_callouts(self.home_ids, *self._reach(min(moments), max(moments)))
        self.flags: dict[str, list[_Flag]] = {}
        self._load_flags(self._predicted_subjects())
        for number, row in enumerate(self.rows, start=1):
            self._file(row)
            if number % WRITE_EVERY == 0:
                self._write()
        self._write()
        return self.result

    def _lock_homes(self) -> None:
        """Filings at one home take turns (flags.evaluate): every home of the file, once."""
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(
                select(Home.id)
                .where(Home.id.in_(self.home_ids))
                .order_by(Home.id)
                .with_for_update(key_share=True)
            )
        else:
            # SQLite: take the database's write lock before reading the ids to use.
            homes = Home.__table__
            db.session.execute(update(homes).where(homes.c.id == -1).values(name=homes.c.name))

    def _reach(self, first: datetime, last: datetime) -> tuple[datetime, datetime]:
        """From the start of the first's month and repeat window to the end of the last's."""
        days = timedelta(days=self.limits.repeat_child_days + 1)
        start = min(Month.of(first).utc_bounds()[0], first - days)
        end = max(Month.of(last).utc_bounds()[1], last + days)
        return start, end

    def _load_candidates(self) -> None:
        """The other side's reports at these homes, on call-outs without this side's, near the
        file's times or sharing its police references (matching.candidates_for, for every row)."""
        moments = [as_utc(row["occurred_at"]) for row in self.rows]
        references = sorted(
            {row["police_reference"] for row in self.rows if row.get("police_reference")}
        )
        same_side = select(Report.callout_id).where(Report.source == self.source)
        near = Report.occurred_at.between(min(moments) - _SLACK, max(moments) + _SLACK)
        self.pool: dict[int, _Record] = {}
        for homes in _chunks(self.home_ids):
            conditions = [near] + [
                Report.police_reference.in_(chunk) for chunk in _chunks(references)
            ]
            query = select(*Report.__table__.columns).where(
                Report.home_id.in_(homes),
                Report.source == self.other,
                Report.callout_id.not_in(same_side),
                or_(*conditions),
            )
            for row in db.session.execute(query):
                self.pool[row.id] = _Record(**row._asdict())
        self.pool_by_home: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
        self.pool_by_reference: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.pool_by_callout: dict[int, list[int]] = defaultdict(list)
        for report in self.pool.values():
            self.pool_by_callout[report.callout_id].append(report.id)
            bisect.insort(
                self.pool_by_home[report.home_id], (as_utc(report.occurred_at), report.id)
            )
            if report.police_reference:
                self.pool_by_reference[(report.home_id, report.police_reference)].append(report.id)

    def _load_callouts(self, home_ids: Sequence[int], start: datetime, end: datetime) -> None:
        """The call-outs at these homes from ``start`` to ``end`` (those not loaded yet)."""
        needed = [
            h for h in home_ids if not any(lo <= start and end <= hi for lo, hi in self.loaded[h])
        ]
        for homes in _chunks(needed):
            query = select(
                *[getattr(Callout, name) for name in ("id", "home_id", *_EFFECTIVE)]
            ).where(
                Callout.home_id.in_(homes), Callout.occurred_at >= start, Callout.occurred_at < end
            )
            for row in db.session.execute(query):
                if row.id not in self.callouts:
                    self._index(_Callout(**row._asdict()))
        for home_id in needed:
            self.loaded[home_id].append((start, end))

    def _index(self, callout: _Callout) -> None:
        self.callouts[callout.id] = callout
        entry = (as_utc(callout.occurred_at), callout.id)
        if callout.child_reference:
            bisect.insort(self.by_child[(callout.home_id, callout.child_reference)], entry)
        bisect.insort(self.by_month[(callout.home_id, callout.month)], entry)

    def _unindex(self, callout: _Callout) -> None:
        entry = (as_utc(callout.occurred_at), callout.id)
        if callout.child_reference:
            self.by_child[(callout.home_id, callout.child_reference)].remove(entry)
        self.by_month[(callout.home_id, callout.month)].remove(entry)

    def _predicted_subjects(self) -> set[str]:
        """The subjects the file's own call-outs can touch (others are loaded when reached)."""
        keys = set()
        first_id = self.callout_ids.next or 0
        for number, row in enumerate(self.rows):
            effective = merge(*self._sides(_Record(**{n: row.get(n) for n in REPORT_FIELDS})))
            if effective.child_reference:
                keys.add(
                    rules.repeat_child_key(
                        row["home_id"], effective.placing_authority_id, effective.child_reference
                    )
                )
            keys.add(rules.repeat_home_key(row["home_id"], effective.month))
            if first_id:  # SQLite: ids are reused, and an old flag may name one
                for rule in _ONE_CALLOUT_RULES:
                    keys.add(rules.callout_key(rule, first_id + number))
        return keys

    def _load_flags(self, keys: Iterable[str]) -> None:
        wanted = sorted(k for k in keys if k not in self.flags)
        for key in wanted:
            self.flags[key] = []
        by_id: dict[int, _Flag] = {}
        for chunk in _chunks(wanted):
            query = select(Flag.id, Flag.subject_key, Flag.status).where(
                Flag.subject_key.in_(chunk)
            )
            for flag_id, key, status in db.session.execute(query.order_by(Flag.id)):
                by_id[flag_id] = _Flag(flag_id, key, status, set())
                self.flags[key].append(by_id[flag_id])
        ids = sorted(by_id)
        for chunk in _chunks(ids):
            query = select(flag_callouts.c.flag_id, flag_callouts.c.callout_id).where(
                flag_callouts.c.flag_id.in_(chunk)
            )
            for flag_id, callout_id in db.session.execute(query):
                by_id[flag_id].callouts.add(callout_id)

    def _flags_of(self, key: str) -> list[_Flag]:
        if key not in self.flags:
            self._load_flags([key])
        return self.flags[key]

    # Filing one row (imports._store, callouts.after_change)

    def _sides(self, report: _Record) -> tuple[_Record | None, _Record | None]:
        """(home report, police record) of a call-out holding only this file's report."""
        return (report, None) if self.source == Source.HOME.value else (None, report)

    def _file(self, values: dict[str, Any]) -> None:
        report_values = {name: None for name in _REPORT_COLUMNS}
        report_values["deescalation"] = []  # the column's default, when the file has none
        report_values.update({k: v for k, v in values.items() if k in REPORT_FIELDS})
        report_values.update(
            id=self.report_ids.take(),
            source=self.source,
            filed_by_id=self.user.id if self.user else None,
            filed_at=self.now,
        )
        report = _Record(**report_values)
        home, police = self._sides(report)
        effective = merge(home, police)
        callout = _Callout(
            id=self.callout_ids.take(),
            home_id=report.home_id,
            home_report=home,
            police_record=police,
            new=True,
            **{name: getattr(effective, name) for name in _EFFECTIVE},
        )
        report.callout_id = callout.id
        report_values["callout_id"] = callout.id
        if self.callout_ids.postgres:
            # A sequence's new value has never named a call-out, so no flag has it as subject.
            for rule in _ONE_CALLOUT_RULES:
                self.flags.setdefault(rules.callout_key(rule, callout.id), [])
        self._audit(
            "callout_created",
            "callout",
            callout.id,
            {
                "report_id": report.id,
                "source": report.source,
                "fields": audit.created(audit.snapshot(report, REPORT_FIELDS)),
            },
        )
        survivor = self._match(callout, report)
        if survivor is callout:
            self._index(callout)
            self.writes.callouts.append(callout)
            self.result.created += 1
        else:
            self.callout_ids.give_back(callout.id)
            self.result.matched += 1
        report_values["callout_id"] = report.callout_id
        self.writes.reports.append(report_values)
        self._evaluate(survivor)

    def _match(self, callout: _Callout, report: _Record) -> _Callout:
        """matching.match: join the call-out holding the other side of the same incident."""
        moment = as_utc(report.occurred_at)
        found: dict[int, _Record] = {}
        near = self.pool_by_home.get(report.home_id, [])
        low = bisect.bisect_left(near, (moment - _SLACK, -1))
        for occurred, report_id in near[low:]:
            if occurred > moment + _SLACK:
                break
            found[report_id] = self.pool[report_id]
        if report.police_reference:
            for report_id in self.pool_by_reference.get(
                (report.home_id, report.police_reference), []
            ):
                found[report_id] = self.pool[report_id]
        candidates = [Candidate(callout_id=r.callout_id, report=_side(r)) for r in found.values()]
        chosen = best_match(_side(report), candidates)
        if chosen is None:
            return callout
        other = next(r for r in found.values() if r.callout_id == chosen.callout_id)
        self._take_from_pool(other)
        target = self._existing_callout(chosen.callout_id)
        report.callout_id = target.id
        if report.source == Source.HOME.value:
            target.home_report = report
        else:
            target.police_record = report
        if target.home_report is None:
            target.home_report = other if other.source == Source.HOME.value else None
        if target.police_record is None:
            target.police_record = other if other.source == Source.POLICE.value else None
        effective = merge(target.home_report, target.police_record)
        primary = target.home_report or target.police_record
        self._unindex(target)
        target.home_id = primary.home_id
        for name in _EFFECTIVE:
            setattr(target, name, getattr(effective, name))
        self._index(target)
        self.writes.merged[target.id] = {
            "id": target.id,
            "home_id": target.home_id,
            "updated_at": utcnow(),
            **{name: getattr(effective, name) for name in _EFFECTIVE},
        }
        self._audit(
            "callout_matched",
            "callout",
            target.id,
            {"merged_callout_id": callout.id, "report_id": report.id, "source": report.source},
        )
        return target

    def _take_from_pool(self, report: _Record) -> None:
        """Every report of the chosen call-out stops being a candidate: it now has both sides."""
        for other_id in self.pool_by_callout.pop(report.callout_id, []):
            other = self.pool.pop(other_id)
            self.pool_by_home[other.home_id].remove((as_utc(other.occurred_at), other.id))
            if other.police_reference:
                self.pool_by_reference[(other.home_id, other.police_reference)].remove(other.id)

    def _existing_callout(self, callout_id: int) -> _Callout:
        if callout_id not in self.callouts:
            row = db.session.execute(
                select(*[getattr(Callout, n) for n in ("id", "home_id", "occurred_at")]).where(
                    Callout.id == callout_id
                )
            ).one()
            self._load_callouts(
                [row.home_id], *self._reach(as_utc(row.occurred_at), as_utc(row.occurred_at))
            )
        callout = self.callouts[callout_id]
        if not callout.new and callout.home_report is None and callout.police_record is None:
            for report in db.session.scalars(select(Report).where(Report.callout_id == callout_id)):
                record = _Record(**{name: getattr(report, name) for name in _REPORT_COLUMNS})
                if report.source == Source.HOME.value:
                    callout.home_report = record
                else:
                    callout.police_record = record
        return callout

    # The flag rules (flags.evaluate), against the call-outs in memory

    def _evaluate(self, callout: _Callout) -> None:
        if not callout.in_scope:
            return
        if not callout.new:  # the file's own call-outs are inside what was loaded at the start
            self._load_callouts(
                [callout.home_id],
                *self._reach(as_utc(callout.occurred_at), as_utc(callout.occurred_at)),
            )
        self._repeat_child(callout)
        self._repeat_home(callout)
        if rules.no_immediate_risk_met(
            callout.in_scope, callout.police_attended, callout.immediate_risk
        ):
            self._settle(
                callout,
                self._one_callout(
                    callout, FlagRule.NO_IMMEDIATE_RISK, rules.explain_no_immediate_risk(callout.id)
                ),
            )
        if rules.criminal_outcome_met(callout.in_scope, callout.criminal_outcome):
            explanation = rules.explain_criminal_outcome(callout.id, Outcome(callout.outcome).label)
            self._settle(
                callout, self._one_callout(callout, FlagRule.CRIMINAL_OUTCOME, explanation)
            )
        if rules.unreported_due(
            callout.in_scope,
            callout.police_record is not None,
            callout.home_report is not None,
            callout.occurred_at,
            utcnow(),  # as flags.evaluate: the moment of evaluating, not of the import
            self.limits,
        ):
            explanation = rules.explain_unreported(callout.id, callout.occurred_at, self.limits)
            self._settle(
                callout,
                self._one_callout(
                    callout,
                    FlagRule.UNREPORTED,
                    explanation,
                    threshold=self.limits.unreported_hours,
                ),
            )

    def _repeat_child(self, callout: _Callout) -> None:
        if not callout.child_reference:
            return
        limits = self.limits
        start, end = rules.repeat_child_search_bounds(callout.occurred_at, limits.repeat_child_days)
        same = self.by_child.get((callout.home_id, callout.child_reference), [])
        low = bisect.bisect_left(same, (as_utc(start), -1))
        others = []
        for occurred, other_id in same[low:]:
            if occurred >= as_utc(end):
                break
            other = self.callouts[other_id]
            if (
                other_id != callout.id
                and other.in_scope
                and other.placing_authority_id == callout.placing_authority_id
            ):
                others.append((other_id, other.occurred_at))
        window = rules.repeat_child_window(callout.id, callout.occurred_at, others, limits)
        if window is not None:
            self._settle(callout, flag_service.repeat_child_proposal(callout, window, limits))

    def _repeat_home(self, callout: _Callout) -> None:
        limits = self.limits
        ids = [
            callout_id
            for _occurred, callout_id in self.by_month.get((callout.home_id, callout.month), [])
            if self.callouts[callout_id].in_scope
        ]
        if rules.repeat_home_met(len(ids), limits):
            self._settle(callout, flag_service.repeat_home_proposal(callout, ids, limits))

    def _one_callout(self, callout: _Callout, rule: FlagRule, explanation: str, **values: Any):
        return flag_service.one_callout_proposal(callout, rule, explanation, **values)

    def _settle(self, callout: _Callout, proposal: flag_service.Proposal) -> None:
        """flags._settle: attach to the subject's unresolved flag, or raise a new one."""
        of_subject = self._flags_of(proposal.subject_key)
        existing = next((f for f in of_subject if f.status != FlagStatus.RESOLVED.value), None)
        if existing is None and any(callout.id in f.callouts for f in of_subject):
            return
        if existing is not None:
            new = self._attach(existing, proposal.callout_ids)
            if new:
                self._audit("flag_callouts_attached", "flag", existing.id, {"callouts": new})
            return
        flag = _Flag(self.flag_ids.take(), proposal.subject_key, FlagStatus.OPEN.value, set())
        of_subject.append(flag)
        row = {name: None for name in _FLAG_VALUES}
        row.update(
            id=flag.id,
            rule=proposal.rule.value,
            status=FlagStatus.OPEN.value,
            subject_key=proposal.subject_key,
            home_id=callout.home_id,
            explanation=proposal.explanation,
            raised_at=utcnow(),
            **proposal.values,
        )
        self.writes.flags.append(row)
        self._attach(flag, proposal.callout_ids)
        self._audit(
            "flag_raised",
            "flag",
            flag.id,
            {"rule": proposal.rule.value, "callouts": list(proposal.callout_ids)},
        )
        home = self.homes[callout.home_id]
        record = _Record(
            id=flag.id,
            home_id=callout.home_id,
            rule=proposal.rule.value,
            child_reference=row["child_reference"],
        )
        where = _Record(name=home.name, urn=home.urn)
        self.writes.outbox.append(
            bilingual(lambda: flag_service.alert_notice(record, where, proposal))
        )
        self.writes.outbox.append(
            home_notices.flag_raised(record, where, proposal.rule.label, proposal.lines)
        )

    def _attach(self, flag: _Flag, callout_ids: Sequence[int]) -> list[int]:
        new = [i for i in callout_ids if i not in flag.callouts]
        flag.callouts.update(new)
        self.writes.links.extend({"flag_id": flag.id, "callout_id": i} for i in new)
        return new

    def _audit(self, action: str, record_type: str, record_id: int, changes: dict) -> None:
        self.writes.audit.append(
            audit.event_values(action, record_type, record_id, user=self.user, changes=changes)
        )

    # Writing

    def _write(self) -> None:
        """Write what the rows filed since the last write would have written, table by table."""
        writes, self.writes = self.writes, _Writes()
        stamp = utcnow()
        callouts = [
            {
                "id": c.id,
                "home_id": c.home_id,
                "created_at": stamp,
                "updated_at": stamp,
                **{name: getattr(c, name) for name in _EFFECTIVE},
            }
            for c in writes.callouts
        ]
        session = db.session
        if callouts:
            session.execute(insert(Callout.__table__), callouts)
            # Core statements: the session does not see them, so the fact tables are told.
            monthly_facts.mark((c["month"], c["home_id"]) for c in callouts)
        if writes.reports:
            session.execute(insert(Report.__table__), writes.reports)
        if writes.merged:
            monthly_facts.mark_callouts(writes.merged)
        for row in writes.merged.values():
            session.execute(
                update(Callout.__table__)
                .where(Callout.__table__.c.id == row["id"])
                .values({k: v for k, v in row.items() if k != "id"})
            )
        if writes.flags:
            session.execute(insert(Flag.__table__), writes.flags)
        if writes.links:
            session.execute(insert(flag_callouts), writes.links)
        if writes.outbox:
            keys = [n.key for n in writes.outbox]
            taken = set()
            for chunk in _chunks(keys):
                taken |= set(
                    session.scalars(
                        select(OutboxMessage.idempotency_key).where(
                            OutboxMessage.idempotency_key.in_(chunk)
                        )
                    )
                )
            rows = [message_values(n) for n in writes.outbox if n.key not in taken]
            if rows:
                session.execute(insert(OutboxMessage.__table__), rows)
        if writes.audit:
            session.execute(insert(AuditEvent.__table__), writes.audit)


_FLAG_VALUES = (
    "child_reference",
    "placing_authority_id",
    "month",
    "callout_id",
    "threshold",
    "window_days",
)


_ONE_CALLOUT_RULES = (FlagRule.NO_IMMEDIATE_RISK, FlagRule.CRIMINAL_OUTCOME, FlagRule.UNREPORTED)


def _side(report: _Record) -> Side:
    return Side(
        home_id=report.home_id,
        occurred_at=report.occurred_at,
        child_reference=report.child_reference,
        police_reference=report.police_reference,
    )
