"""Small builders for test data. They write through the same session the app uses."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.identity.passwords import hash_password
from protocol_monitor.models import Authority, Callout, Home, PoliceForce, Report, User
from protocol_monitor.rules.time import london_to_utc
from protocol_monitor.services.matching import new_callout_for

PASSWORD = "correct horse battery staple"
_counter = itertools.count(100000)

# One password hash for every test user, per hashing profile (the suite's is "fast").
_HASHES: dict[str, str] = {}


def _hash() -> str:
    profile = current_app.config["SETTINGS"].password_hash_profile
    if profile not in _HASHES:
        _HASHES[profile] = hash_password(PASSWORD)
    return _HASHES[profile]


def authority(code: str = "E06000059", name: str = "Dorset Council") -> Authority:
    found = db.session.scalar(select(Authority).where(Authority.code == code))
    if found:
        return found
    item = Authority(code=code, name=name)
    db.session.add(item)
    db.session.commit()
    return item


def force(code: str = "E23000039", name: str = "Dorset Police") -> PoliceForce:
    found = db.session.scalar(select(PoliceForce).where(PoliceForce.code == code))
    if found:
        return found
    item = PoliceForce(code=code, name=name)
    db.session.add(item)
    db.session.commit()
    return item


def home(
    urn: str | None = None,
    *,
    host: Authority | None = None,
    police: PoliceForce | None = None,
    places: int = 4,
    opened_on: date | None = date(2015, 1, 1),
    closed_on: date | None = None,
    setting_type: str = "children_home",
    name: str | None = None,
    officer: User | None = None,
) -> Home:
    urn = urn or f"SC{next(_counter)}"
    item = Home(
        urn=urn,
        name=name or f"Home {urn}",
        provider="Test Care Ltd",
        host_authority=host or authority(),
        police_force=police or force(),
        registered_places=places,
        setting_type=setting_type,
        opened_on=opened_on,
        closed_on=closed_on,
        allocated_officer=officer,
    )
    db.session.add(item)
    db.session.commit()
    return item


def user(
    role: str,
    *,
    email: str | None = None,
    homes: list[Home] | None = None,
    authorities: list[Authority] | None = None,
    police: PoliceForce | None = None,
) -> User:
    item = User(
        email=email or f"{role}{next(_counter)}@example.org",
        role=role,
        display_name=f"Test {role}",
        password_hash=_hash(),
        homes=homes or [],
        authorities=authorities or [],
        police_force=police,
    )
    db.session.add(item)
    db.session.commit()
    return item


def home_report(
    at_home: Home,
    occurred_local: datetime,
    *,
    category: str = "criminal_damage",
    child_reference: str | None = "LCS-1001",
    placing: Authority | None = None,
    filed_by: User | None = None,
    **fields: Any,
) -> Callout:
    """A home report and its call-out, written directly (bypassing the form and flags)."""
    values: dict[str, Any] = dict(
        caller_role="home_staff",
        child_role="alleged_perpetrator",
        immediate_risk="yes",
        immediate_risk_reason="Threatening staff with a chair",
        deescalation=["verbal"],
        police_attended=True,
        restorative="planned",
        ofsted_notified=False,
    )
    values.update(fields)
    report = Report(
        source="home",
        home_id=at_home.id,
        occurred_at=london_to_utc(occurred_local),
        category=category,
        child_reference=child_reference,
        placing_authority_id=(placing or at_home.host_authority).id if child_reference else None,
        filed_by_id=filed_by.id if filed_by else None,
        **values,
    )
    callout = new_callout_for(report)
    db.session.commit()
    return callout
