"""Homes: added and changed by an administrator, one at a time or by importing a CSV file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..db import db
from ..i18n import _, ngettext
from ..models import Authority, Home, PoliceForce, User
from ..rules.home_import import HomeValues, Problem, RowProblem, check_home, check_import
from ..vocab import Role
from . import ServiceError, get_or_not_found


class HomeInvalid(ServiceError):
    """A home's fields were refused: each problem names its field, value and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class ImportRejected(ServiceError):
    """An import file with at least one bad row: nothing from it was stored."""

    def __init__(self, problems: list[RowProblem]) -> None:
        count = len(problems)
        super().__init__(
            ngettext(
                "The file has %(num)d problem; no homes were imported",
                "The file has %(num)d problems; no homes were imported",
                count,
            )
        )
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    def describe(self) -> str:
        return _(
            "Created %(created)s, updated %(updated)s, unchanged %(unchanged)s",
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
        )


def homes() -> list[Home]:
    return list(
        db.session.scalars(
            select(Home)
            .options(
                selectinload(Home.host_authority),
                selectinload(Home.police_force),
                selectinload(Home.allocated_officer),
            )
            .order_by(Home.name, Home.urn)
        )
    )


def get_home(home_id: int) -> Home:
    return get_or_not_found(Home, home_id, "home")


def police_officers() -> list[User]:
    """Active police users, who may be allocated to homes in their force's area."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.POLICE.value, User.active.is_(True))
            .options(selectinload(User.police_force))
            .order_by(User.display_name, User.email)
        )
    )


def _codes() -> tuple[dict[str, Authority], dict[str, PoliceForce]]:
    authorities = {a.code: a for a in db.session.scalars(select(Authority))}
    forces = {f.code: f for f in db.session.scalars(select(PoliceForce))}
    return authorities, forces


def _apply(
    home: Home,
    values: HomeValues,
    authorities: Mapping[str, Authority],
    forces: Mapping[str, PoliceForce],
) -> dict[str, list[object]]:
    """Set a home's fields; return what changed as {field: [before, after]}."""
    new: dict[str, object] = {
        "urn": values.urn,
        "name": values.name,
        "provider": values.provider,
        "host_authority": authorities[values.host_authority_code],
        "police_force": forces[values.police_force_code],
        "registered_places": values.registered_places,
        "setting_type": values.setting_type,
        "opened_on": values.opened_on,
        "closed_on": values.closed_on,
    }
    changes: dict[str, list[object]] = {}
    for name, after in new.items():
        before = getattr(home, name)
        if before != after:
            changes[name] = [_plain(before), _plain(after)]
            setattr(home, name, after)
    officer = home.allocated_officer
    if officer is not None and officer.police_force_id != home.police_force.id:
        # The home moved to another force's area: its officer no longer covers it.
        changes["allocated_officer"] = [officer.email, None]
        home.allocated_officer = None
    return changes


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Authority | PoliceForce):
        return value.code
    return value


def problems(
    raw: Mapping[str, str | None], *, officer_id: int | None = None, home_id: int | None = None
) -> list[Problem]:
    """What is wrong with a home's form text, saving nothing: shown with a form's own errors, so
    a person sees every problem at once."""
    return _check(raw, home_id, officer_id)[1]


def _check(
    raw: Mapping[str, str | None], home_id: int | None, officer_id: int | None
) -> tuple[HomeValues | None, list[Problem], User | None]:
    """The typed values (or None), the problems, and the allocated officer of a home's text."""
    authorities, forces = _codes()
    values, problems = check_home(raw, authorities, forces)
    urn = (raw.get("urn") or "").strip().upper()
    if urn and not any(p.column == "urn" for p in problems):
        clash = select(Home.id).where(Home.urn == urn)
        if home_id is not None:
            clash = clash.where(Home.id != home_id)
        if db.session.scalar(clash) is not None:
            problems.insert(0, Problem("urn", urn, _("A home with this URN already exists")))
    officer = None
    if officer_id is not None:
        officer = db.session.get(User, officer_id)
        force = forces.get((raw.get("police_force_code") or "").strip().upper())
        if (
            officer is None
            or officer.role != Role.POLICE.value
            or not officer.active
            or force is None
            or officer.police_force_id != force.id
        ):
            problems.append(
                Problem(
                    "allocated_officer_id",
                    str(officer_id),
                    _("Select a police officer from the home's police force"),
                )
            )
    return values, problems, officer


def save_home(
    raw: Mapping[str, str | None],
    *,
    officer_id: int | None = None,
    home_id: int | None = None,
    actor: User | None = None,
) -> Home:
    """Add a home (home_id None) or change one, from form text. Raises HomeInvalid."""
    home = get_home(home_id) if home_id is not None else Home()
    values, problems, officer = _check(raw, home_id, officer_id)
    if problems or values is None:
        raise HomeInvalid(problems)
    authorities, forces = _codes()
    creating = home.id is None
    before_officer = home.allocated_officer.email if home.allocated_officer else None
    changes = _apply(home, values, authorities, forces)
    home.allocated_officer = officer
    if before_officer != (officer.email if officer else None):
        changes["allocated_officer"] = [before_officer, officer.email if officer else None]
    if creating:
        db.session.add(home)
        db.session.flush()
        audit.record("home_created", "home", home.id, user=actor, changes=changes)
    elif changes:
        audit.record("home_changed", "home", home.id, user=actor, changes=changes)
    db.session.commit()
    return home


def import_homes(text: str, *, actor: User | None = None) -> ImportResult:
    """Create or update homes by URN from CSV text, all or nothing. Raises ImportRejected."""
    authorities, forces = _codes()
    checked = check_import(text, authorities, forces)
    if not checked.ok:
        raise ImportRejected(checked.problems)
    existing = {
        h.urn: h
        for h in db.session.scalars(
            select(Home)
            .where(Home.urn.in_([v.urn for v in checked.homes]))
            .options(selectinload(Home.allocated_officer))
        )
    }
    created = updated = unchanged = 0
    try:
        new_homes: list[tuple[Home, dict[str, list[object]]]] = []
        for values in checked.homes:
            home = existing.get(values.urn)
            if home is None:
                home = Home()
                new_homes.append((home, _apply(home, values, authorities, forces)))
                db.session.add(home)
                continue
            changes = _apply(home, values, authorities, forces)
            if changes:
                audit.record("home_changed", "home", home.id, user=actor, changes=changes)
                updated += 1
            else:
                unchanged += 1
        db.session.flush()  # one flush gives every new home its id
        for home, changes in new_homes:
            audit.record("home_created", "home", home.id, user=actor, changes=changes)
        created = len(new_homes)
        audit.record(
            "homes_imported",
            user=actor,
            changes={"created": created, "updated": updated, "unchanged": unchanged},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
