"""The demo loads once into an empty database, through the real services, and every demo
account can sign in and see its pages."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from protocol_monitor.commands.demo import seed_demo_command
from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Authority, Callout, Home, Report, User
from protocol_monitor.services import callouts as callout_service
from protocol_monitor.services import demo
from protocol_monitor.vocab import SettingType
from tests.conftest import Pages

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_homes_accounts_and_callouts_over_four_london_months(app):
    result = demo.load_if_empty(now=NOW)
    assert result is not None
    codes = set(db.session.scalars(select(Authority.code)))
    assert {"E06000059", "E06000058", "E10000034", "W06000013"} <= codes
    homes = db.session.scalars(select(Home)).all()
    assert len(homes) >= 6
    assert {h.setting_type for h in homes} == set(SettingType.slugs())
    assert all(h.allocated_officer is not None for h in homes)
    recent = [h for h in homes if h.opened_on and h.opened_on > datetime(2026, 8, 1).date()]
    assert len(recent) == 1
    callouts = db.session.scalars(select(Callout)).all()
    assert 45 <= len(callouts) <= 60
    assert {c.month for c in callouts} == {"2026-08", "2026-09", "2026-10", "2026-11"}
    assert all(c.occurred_at <= NOW for c in callouts)
    assert sum(1 for c in callouts if not c.in_scope) >= 4
    assert any(c.arrested for c in callouts) and any(c.outcome for c in callouts)
    # Every call-out came in as a home report filed by a provider, audited like any other.
    reports = db.session.scalars(select(Report)).all()
    assert len(reports) == len(callouts)
    assert {r.source for r in reports} == {"home"}
    assert all(r.filed_by.role == "provider" for r in reports)
    assert _count(AuditEvent.__table__) >= len(callouts)
    # Out-of-area children, and one child with repeated call-outs at one home.
    placing = {c.placing_authority.code for c in callouts if c.placing_authority}
    assert {"E10000034", "W06000013"} <= placing
    repeat = [c for c in callouts if c.child_reference == demo.REPEAT_CHILD and c.in_scope]
    assert len({c.home_id for c in repeat}) >= 1 and len(repeat) >= 4
    # Pseudonymous references only.
    assert all(c.child_reference is None or c.child_reference[-1].isdigit() for c in callouts)
    # One account per role, printed once with the address; never stored in plain text.
    roles = {a.role for a in result.accounts}
    assert roles == {"provider", "police", "authority", "group", "admin"}
    text = result.describe()
    assert "http://localhost/" in text
    stored = " ".join(
        str(v)
        for row in db.session.execute(select(User)).scalars()
        for v in (row.password_hash, row.email, row.display_name)
    )
    audit_text = " ".join(str(e.changes) for e in db.session.scalars(select(AuditEvent)))
    for account in result.accounts:
        assert account.email in text and account.password in text
        assert len(account.password) >= 20
        assert account.password not in stored and account.password not in audit_text
    provider = db.session.scalar(select(User).where(User.email == "provider@demo.example"))
    assert 2 <= len(provider.homes) <= 3


def test_demo_loads_only_into_an_empty_database(app, make):
    make.authority()
    assert demo.load_if_empty(now=NOW) is None
    assert _count(Home) == 0 and _count(User) == 0


def test_demo_is_all_or_nothing(app, monkeypatch):
    real = callout_service.file_home_report
    calls = []

    def failing(user, data, **kwargs):
        calls.append(1)
        if len(calls) == 20:
            raise RuntimeError("disk full")
        return real(user, data, **kwargs)

    monkeypatch.setattr(callout_service, "file_home_report", failing)
    with pytest.raises(RuntimeError):
        demo.load_if_empty(now=NOW)
    db.session.remove()
    for model in (Authority, Home, User, Callout, Report):
        assert _count(model) == 0
    # The session commits normally again afterwards.
    assert demo.load_if_empty(now=NOW) is not None


def test_each_demo_account_signs_in_and_sees_its_pages(app):
    result = demo.load_if_empty(now=NOW)
    seen = {}
    for account in result.accounts:
        # A fresh app context per person: Flask-Login and the CSRF token live on `g`.
        with app.app_context():
            pages = Pages(app.test_client())
            user = db.session.scalar(select(User).where(User.email == account.email))
            pages.sign_in(user, password=account.password)
            listing = pages.get("/callouts/")
            seen[account.role] = len(listing.select("tbody tr"))
            pages.get(listing.select_one("tbody tr a")["href"])
            if account.role == "admin":
                pages.get("/admin/")
    assert all(rows > 0 for rows in seen.values()), seen


def test_seed_demo_command_loads_once_and_then_says_data_exists(app):
    runner = app.test_cli_runner()
    first = runner.invoke(seed_demo_command)
    assert first.exit_code == 0, first.output
    assert "provider@demo.example" in first.output
    second = runner.invoke(seed_demo_command)
    assert second.exit_code == 0
    assert "already has authorities, homes or users" in second.output
    assert "provider@demo.example" not in second.output
