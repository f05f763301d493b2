"""The demo loads once into an empty database, through the real services, and every demo
account can sign in and see its pages."""

import stat
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from protocol_monitor import create_app, jobs
from protocol_monitor.commands.demo import seed_demo_command
from protocol_monitor.db import db
from protocol_monitor.models import (
    Action,
    AuditEvent,
    Authority,
    Callout,
    ChannelSetting,
    Flag,
    Home,
    OutboxMessage,
    Report,
    Review,
    SummarySnapshot,
    User,
)
from protocol_monitor.rules.time import Month
from protocol_monitor.services import board_report, demo, reviews, summaries
from protocol_monitor.services import callouts as callout_service
from protocol_monitor.vocab import SettingType
from tests.conftest import Pages, _settings, _upgrade

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
    callouts = [c for c in db.session.scalars(select(Callout)) if c.month >= "2026-08"]
    assert 45 <= len(callouts) <= 60
    assert {c.month for c in callouts} == {"2026-08", "2026-09", "2026-10", "2026-11"}
    assert all(c.occurred_at <= NOW for c in callouts)
    assert sum(1 for c in callouts if not c.in_scope) >= 4
    assert any(c.arrested for c in callouts) and any(c.outcome for c in callouts)
    # Home reports filed by providers; police records filed by the police user, all but one
    # matched to a home's report; every report audited like any other.
    reports = db.session.scalars(select(Report)).all()
    home_reports = [r for r in reports if r.source == "home"]
    police_records = [r for r in reports if r.source == "police"]
    assert all(r.filed_by.role == "provider" for r in home_reports)
    assert all(r.filed_by.role == "police" for r in police_records)
    assert len(home_reports) == _count(Callout) - 1
    assert len(police_records) == demo.POLICE_RECORDS + 1
    assert _count(AuditEvent.__table__) >= len(reports)
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
    # One action is the home's own (issue 14): the provider's start page shows it.
    (owned,) = db.session.scalars(select(Action).where(Action.owner_home_id.is_not(None))).all()
    assert owned.owner_home_id in {h.id for h in provider.homes}


def test_demo_shows_every_area_through_the_real_services(app):
    result = demo.load_if_empty(now=NOW)
    assert "police records" in result.describe()
    # Police records matched by police reference: one call-out holds both sides.
    both = [c for c in db.session.scalars(select(Callout)) if len(c.reports) == 2]
    assert len(both) == demo.POLICE_RECORDS
    assert all(c.home_report.police_reference == c.police_record.police_reference for c in both)
    # The attendance no home reported, older than 72 hours: an unreported flag.
    (unreported,) = db.session.scalars(select(Flag).where(Flag.rule == "unreported")).all()
    lonely = db.session.get(Callout, unreported.callout_id)
    assert lonely.home_report is None and lonely.home.urn == demo.UNREPORTED_HOME
    # The flags the call-outs raise, raised by the flag rules as they were filed.
    rules = {f.rule for f in db.session.scalars(select(Flag))}
    assert {"repeat_child", "unreported"} <= rules
    assert len(rules) >= 3
    alerts = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "flag_alert")
    ).all()
    assert len(alerts) == _count(Flag)
    # Reviews with actions, one overdue, and its reminder queued as the daily job would.
    recent = select(Review).join(Callout).where(Callout.month >= "2026-08")
    assert len(db.session.scalars(recent).all()) == len(demo.REVIEWS)
    today = date(2026, 11, 22)
    overdue = [a for a in db.session.scalars(select(Action)) if reviews.is_overdue(a, today)]
    assert len(overdue) == 1
    (reminder,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "action_reminder")
    ).all()
    assert reminder.record_id == overdue[0].id
    # The last complete month compiled, its digest queued.
    snapshot = summaries.latest_snapshot("2026-10")
    assert snapshot.version == 1 and snapshot.figures["authorities"]
    assert summaries.compiled_months() == ["2026-10"]
    digest = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "digest"))
    assert digest.idempotency_key == "digest:2026-10:v1"
    # The scheduler starting afterwards finds October done and queues nothing more.
    messages = _count(OutboxMessage)
    assert jobs.catch_up(NOW) is False  # the demo's compile counts as the monthly job's run
    jobs.unreported_job(NOW)
    assert _count(OutboxMessage) == messages and _count(SummarySnapshot) == 1


def test_demo_has_three_years_of_history_with_a_home_closed_and_one_opened(app):
    """The board report, the trends and the charts show something on first run (issue 16)."""
    result = demo.load_if_empty(now=NOW)
    assert result.first_month == "October 2023"
    history = db.session.scalars(select(Callout).where(Callout.month < "2026-08")).all()
    months = {c.month for c in history if c.in_scope}
    assert months == {str(Month(2023, 10).shift(i)) for i in range(34)}  # every month
    # Imported by the homes' staff through the import's filing, as the group began.
    assert {c.home_report.filed_by.role for c in history} == {"provider"}
    assert {c.home_report.filed_at for c in history} == {datetime(2026, 7, 31, 23, 0, tzinfo=UTC)}
    closed = db.session.scalar(select(Home).where(Home.urn == demo.CLOSED_IN_HISTORY))
    opened = db.session.scalar(select(Home).where(Home.urn == demo.OPENED_IN_HISTORY))
    assert date(2023, 10, 1) < closed.closed_on < date(2026, 8, 1)
    assert date(2023, 10, 1) < opened.opened_on < date(2026, 8, 1)
    assert all(c.occurred_at.date() <= closed.closed_on for c in history if c.home is closed)
    assert all(c.occurred_at.date() >= opened.opened_on for c in history if c.home is opened)
    # Fewer call-outs a year as the protocol takes hold; some reviewed; the flags resolved.
    per_year = [
        sum(1 for c in history if c.in_scope and f"{y}-10" <= c.month <= f"{y + 1}-09")
        for y in (2023, 2024)
    ]
    assert per_year[0] > per_year[1] > 20
    reviewed = {r.callout_id for r in db.session.scalars(select(Review))}
    assert len(reviewed & {c.id for c in history}) >= len(history) // 6
    old_flags = [
        f for f in db.session.scalars(select(Flag)) if all(c.month < "2026-08" for c in f.callouts)
    ]
    assert old_flags and {f.status for f in old_flags} == {"resolved"}
    # The board report for the three October-to-September years: no year empty, the homes named.
    report = board_report.board_report(None, Month(2026, 9), now=NOW)
    callouts = next(t for t in report["tables"] if t["id"] == "callouts")
    assert all(value > 20 for value in callouts["rows"][0][1:])
    assert f"{closed.name} (" in report["summary"][2] and f"{opened.name} (" in report["summary"][2]
    trend = next(c for c in report["charts"] if c["id"] == "trend")
    assert all(value > 0 for value in trend["series"][0]["values"])


def test_demo_is_the_same_each_time(tmp_path):
    """Loaded twice into two new databases, at the same moment, the demo is the same."""

    def load(name: str):
        url = f"sqlite:///{tmp_path / name}.db"
        _upgrade(url, tmp_path / name)
        application = create_app(_settings(url, tmp_path / name))
        with application.app_context():
            demo.load_if_empty(now=NOW)
            facts = (
                sorted(
                    (c.home.urn, c.occurred_at.isoformat(), c.category, c.child_reference or "")
                    for c in db.session.scalars(select(Callout))
                ),
                sorted((f.rule, f.home.urn) for f in db.session.scalars(select(Flag))),
                sorted(a.text for a in db.session.scalars(select(Action))),
                summaries.latest_snapshot("2026-10").fingerprint,
            )
            db.session.remove()
            db.engine.dispose()
        return facts

    assert load("first") == load("second")


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
            pages.sign_in_with_form(user, password=account.password)
            listing = pages.get("/callouts/")
            seen[account.role] = len(listing.select("tbody tr"))
            pages.get(listing.select_one("tbody tr a")["href"])
            if account.role == "admin":
                pages.get("/admin/")
    assert all(rows > 0 for rows in seen.values()), seen


def test_seed_demo_command_loads_once_and_then_says_data_exists(app):
    # An accounts file an earlier demo left, readable by anyone: replaced and made private.
    folder = app.config["SETTINGS"].instance_path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / demo.ACCOUNTS_FILE).write_text("old")
    (folder / demo.ACCOUNTS_FILE).chmod(0o644)
    runner = app.test_cli_runner()
    first = runner.invoke(seed_demo_command)
    assert first.exit_code == 0, first.output
    assert "provider@demo.example" in first.output
    # The passwords are written once to a file only its owner can read, and the path printed.
    path = folder / demo.ACCOUNTS_FILE
    assert f"They are also in {path}, which only you can read" in first.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = path.read_text()
    assert "old" not in written
    for line in first.output.splitlines():
        if "@demo.example  " in line:  # an account's line: role, email, password, scope
            assert line in written
    assert written.count("@demo.example  ") == 6  # one per role, and the Welsh provider
    second = runner.invoke(seed_demo_command)
    assert second.exit_code == 0
    assert "already has authorities, homes or users" in second.output
    assert "provider@demo.example" not in second.output


def test_demo_has_a_home_in_wales_a_welsh_speaking_user_and_a_welsh_channel(app):
    """Issue 18: Bridgend hosts a home (South Wales Police's area) whose staff read the service
    in Welsh; Bridgend has its Welsh name, and its alert channel is in Welsh."""
    result = demo.load_if_empty(now=NOW)
    bridgend = db.session.scalar(select(Authority).where(Authority.code == "W06000013"))
    assert bridgend.name == "Bridgend County Borough Council"
    assert bridgend.name_cy == "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr"
    (home,) = db.session.scalars(select(Home).where(Home.host_authority_id == bridgend.id))
    assert (home.police_force.code, home.police_force.name) == ("W15000003", "South Wales Police")
    assert home.allocated_officer.police_force is home.police_force
    there = db.session.scalars(select(Callout).where(Callout.home_id == home.id)).all()
    assert len(there) == len(demo.WELSH_CALLOUTS) and any(c.in_scope for c in there)
    # The Welsh-speaking provider is printed with the other accounts, and files there.
    (welsh,) = [a for a in result.accounts if a.email == "cartref@demo.example"]
    assert welsh.role == "provider" and welsh.email in result.describe()
    user = db.session.scalar(select(User).where(User.email == welsh.email))
    assert user.language == "cy" and [h.urn for h in user.homes] == [home.urn]
    assert {c.home_report.filed_by_id for c in there} == {user.id}
    # Bridgend's channel is in Welsh; the alerts of flags at the home are kept in Welsh too.
    channel = db.session.scalar(
        select(ChannelSetting).where(ChannelSetting.scope_key == f"authority:{bridgend.id}")
    )
    assert channel.language == "cy" and channel.recipients == [demo.WELSH_CHANNEL_EMAIL]
    alerts = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "flag_alert", OutboxMessage.home_id == home.id
        )
    ).all()
    assert alerts
    assert all(a.payload["cy"]["title"].endswith(f" yn {home.name}") for a in alerts)
    # Their start page is in Welsh.
    pages = Pages(app.test_client())
    pages.sign_in(user)
    start = pages.get("/")
    assert start.html["lang"] == "cy"
