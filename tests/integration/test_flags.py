"""Flags are raised when a call-out is filed, never duplicated, and acknowledged and resolved by
people; providers see their own homes' flags only."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Flag, OutboxMessage, Report, Setting
from protocol_monitor.rules.time import london_to_utc
from protocol_monitor.services import callouts as callout_service
from protocol_monitor.services import flag_workflow, matching
from protocol_monitor.services import flags as service
from protocol_monitor.services.matching import new_callout_for
from tests.conftest import error_messages

pytestmark = pytest.mark.usefixtures("app")


def file(provider, home, local: datetime, **overrides):
    """File a home report through the service, as the provider form does."""
    data = {
        "home_id": home.id,
        "occurred_at": london_to_utc(local),
        "category": "criminal_damage",
        "child_reference": "LCS-1001",
        "placing_authority_code": home.host_authority.code,
        "caller_role": "home_staff",
        "child_role": "alleged_perpetrator",
        "immediate_risk": "yes",
        "immediate_risk_reason": "Throwing furniture",
        "deescalation": ["verbal"],
        "police_attended": True,
        "restorative": "planned",
        "ofsted_notified": False,
    }
    data.update(overrides)
    return callout_service.file_home_report(provider, data)


def police_record(home, local: datetime, *, now: datetime | None = None, **fields):
    """A police record known only from the police side, evaluated as matching would."""
    values = {
        "category": "assault_staff",
        "child_reference": "LCS-2002",
        "placing_authority_id": home.host_authority_id,
        "police_attended": True,
        "police_reference": f"DP-{local:%Y%m%d%H%M}",
        "outcome": "pending",
    }
    values.update(fields)
    report = Report(source="police", home_id=home.id, occurred_at=london_to_utc(local), **values)
    callout = new_callout_for(report)
    service.evaluate(callout, now=now)
    db.session.commit()
    return callout


def flags(rule: str | None = None) -> list[Flag]:
    query = select(Flag).order_by(Flag.id)
    if rule:
        query = query.where(Flag.rule == rule)
    return list(db.session.scalars(query))


def alerts() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "flag_alert")
            .order_by(OutboxMessage.id)
        )
    )


def setup(make):
    home = make.home("SC200001")
    return home, make.user("provider", homes=[home])


def test_repeat_child_fires_at_the_third_callout_through_the_provider_form(pages, make):
    home, provider = setup(make)
    pages.sign_in(provider)
    base = {
        "home_id": str(home.id),
        "occurred_month": "3",
        "occurred_year": "2026",
        "occurred_time": "21:00",
        "category": "assault_staff",
        "child_reference": "LCS-555",
        "placing_authority": "E06000059",
        "caller_role": "home_staff",
        "child_role": "alleged_perpetrator",
        "immediate_risk": "yes",
        "immediate_risk_reason": "Punching staff",
        "deescalation": ["verbal"],
        "police_attended": "yes",
        "restorative": "planned",
        "ofsted_notified": "no",
    }
    for day in ("2", "14"):
        pages.post("/callouts/new", {**base, "occurred_day": day})
    assert flags() == []
    pages.post("/callouts/new", {**base, "occurred_day": "31"})
    (flag,) = flags()
    assert flag.rule == "repeat_child" and flag.subject_key.endswith(":LCS-555")
    assert (flag.threshold, flag.window_days, len(flag.callouts)) == (3, 30, 3)
    assert "between 2 March 2026 and 31 March 2026 (30 days" in flag.explanation
    page = pages.get(f"/flags/{flag.id}")
    assert "3 or more call-outs within any 30 consecutive days" in page.get_text()
    links = [a["href"] for a in page.select("table a")]
    assert links == [f"/callouts/{c.id}" for c in flag.callouts]


def test_excluded_callouts_never_count(make):
    home, provider = setup(make)
    file(provider, home, datetime(2026, 5, 1, 12))
    file(provider, home, datetime(2026, 5, 2, 12), category="missing")
    file(provider, home, datetime(2026, 5, 3, 12), category="absent")
    file(provider, home, datetime(2026, 5, 4, 12))
    assert flags() == []  # four call-outs about the child, but only two in scope
    file(provider, home, datetime(2026, 5, 5, 12))
    (flag,) = flags()
    assert len(flag.callouts) == 3 and all(c.in_scope for c in flag.callouts)


def test_second_qualifying_callout_attaches_then_after_resolve_a_new_flag(make):
    home, provider = setup(make)
    police = make.user("police", police=home.police_force)
    for moment in (datetime(2026, 5, 28, 20), datetime(2026, 6, 2, 20), datetime(2026, 6, 6, 20)):
        file(provider, home, moment)
    (first,) = flags()
    fourth = file(provider, home, datetime(2026, 6, 9, 20))
    assert flags() == [first]
    db.session.refresh(first)
    assert fourth in first.callouts and len(first.callouts) == 4
    assert len(alerts()) == 1

    flag_workflow.resolve(police, first.id, "Met the home; new behaviour plan")
    corrected = callout_service.correct_report(
        provider, fourth.id, "home", {"category": "assault_staff", "reason": "Wrong category"}
    ).callout
    assert flags() == [first]  # re-evaluating a call-out already flagged raises nothing new
    fifth = file(provider, home, datetime(2026, 6, 12, 20))
    second = flags()[-1]
    assert second.id != first.id and second.status == "open"
    assert {c.id for c in second.callouts} >= {corrected.id, fifth.id}
    assert len(alerts()) == 2


def test_alert_is_in_the_outbox_exactly_once_per_raised_flag(make):
    home, provider = setup(make)
    for day in (1, 2, 3, 4):
        file(provider, home, datetime(2026, 7, day, 20))
    (flag,) = flags()
    (alert,) = alerts()
    assert alert.idempotency_key == f"flag:{flag.id}:raised"
    assert alert.payload["link_path"] == f"/flags/{flag.id}"
    assert alert.restricted == {"child_reference": "LCS-1001"}
    assert "LCS-1001" not in str(alert.payload)
    assert "Throwing furniture" not in str(alert.payload)
    assert (alert.home_id, alert.record_type, alert.record_id) == (home.id, "flag", flag.id)


def test_repeat_home_fires_at_five_in_a_london_month(make):
    home, provider = setup(make)
    # 00:30 BST on 1 April is 23:30 UTC on 31 March: it belongs to April.
    file(provider, home, datetime(2026, 3, 31, 23, 0), child_reference="LCS-1")
    for i, day in enumerate((2, 9, 16, 23)):
        file(provider, home, datetime(2026, 4, day, 12), child_reference=f"LCS-{i + 10}")
    assert flags("repeat_home") == []
    fifth = file(provider, home, datetime(2026, 4, 1, 0, 30), child_reference="LCS-99")
    (flag,) = flags("repeat_home")
    assert flag.month == "2026-04" and flag.threshold == 5
    assert len(flag.callouts) == 5 and fifth in flag.callouts
    assert "5 in-scope call-outs at this home in April 2026" in flag.explanation
    sixth = file(provider, home, datetime(2026, 4, 28, 12), child_reference="LCS-98")
    assert flags("repeat_home") == [flag]
    db.session.refresh(flag)
    assert sixth in flag.callouts


def test_no_immediate_risk_and_criminal_outcome_fire_once_per_callout(make):
    home, provider = setup(make)
    calm = file(
        provider, home, datetime(2026, 8, 1, 12), immediate_risk="no", immediate_risk_reason=None
    )
    file(provider, home, datetime(2026, 8, 2, 12), immediate_risk="no", police_attended=False)
    (flag,) = flags("no_immediate_risk")
    assert flag.callout_id == calm.id and flag.subject_key == f"no_immediate_risk:{calm.id}"
    callout_service.correct_report(
        provider, calm.id, "home", {"restorative": "completed", "reason": "Meeting held"}
    )
    assert len(flags("no_immediate_risk")) == 1
    charged = police_record(home, datetime(2026, 8, 3, 12), outcome="charged")
    police_record(home, datetime(2026, 8, 4, 12), outcome="nfa")
    police_record(home, datetime(2026, 8, 5, 12), outcome="charged", category="missing")
    (criminal,) = flags("criminal_outcome")
    assert criminal.callout_id == charged.id
    assert "Charge or summons" in criminal.explanation


def test_threshold_change_does_not_rewrite_history(pages, make):
    home, provider = setup(make)
    admin = make.user("admin")
    for day in (1, 2, 3):
        file(provider, home, datetime(2026, 9, day, 12))
    (old,) = flags("repeat_child")
    pages.sign_in(admin)
    form = pages.get("/flags/settings")
    assert form.find("input", attrs={"name": "repeat_child_count"})["value"] == "3"
    soup = pages.post(
        "/flags/settings", {**service.thresholds().as_mapping(), "repeat_child_count": "1"}
    )
    assert "Enter a whole number from 2 to 100" in error_messages(soup)
    pages.post(
        "/flags/settings",
        {**service.thresholds().as_mapping(), "repeat_child_count": "2", "repeat_child_days": "7"},
    )
    assert service.thresholds().repeat_child_count == 2
    assert db.session.get(Setting, service.SETTING_KEY).updated_by_id == admin.id
    change = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "flag_thresholds_changed")
    )
    assert change.changes == {"repeat_child_count": [3, 2], "repeat_child_days": [30, 7]}
    db.session.refresh(old)
    assert (old.threshold, old.window_days) == (3, 30)
    flag_workflow.resolve(make.user("police", police=home.police_force), old.id, "Dealt with")
    file(provider, home, datetime(2026, 10, 1, 12), child_reference="LCS-77")
    file(provider, home, datetime(2026, 10, 7, 12), child_reference="LCS-77")
    new = flags("repeat_child")[-1]
    assert (new.threshold, new.window_days, len(new.callouts)) == (2, 7, 2)


def test_unreported_after_72_hours_not_71_then_the_home_files(make):
    home, provider = setup(make)
    police = make.user("police", police=home.police_force)
    occurred = datetime.now().replace(microsecond=0) - timedelta(hours=1)
    record = police_record(home, occurred)
    assert flags() == []
    start = london_to_utc(occurred)
    assert service.raise_unreported(start + timedelta(hours=71)) == 0
    assert service.raise_unreported(start + timedelta(hours=72)) == 1
    assert service.raise_unreported(start + timedelta(hours=96)) == 0  # idempotent
    (flag,) = flags("unreported")
    assert flag.callout_id == record.id and flag.threshold == 72
    assert len(alerts()) == 1

    # The home files; matching (the police engineer's) joins the reports into one call-out.
    home_report = Report(
        source="home",
        home_id=home.id,
        occurred_at=record.occurred_at,
        category="assault_staff",
        child_reference="LCS-2002",
        placing_authority_id=home.host_authority_id,
        immediate_risk="yes",
        filed_by_id=provider.id,
    )
    record.reports.append(home_report)
    matching.apply_effective(record)
    callout_service.after_change(record)
    db.session.commit()
    db.session.refresh(flag)
    assert flag.status == "open"
    assert service.raise_unreported(start + timedelta(hours=200)) == 0
    flag_workflow.resolve(police, flag.id, "Home has now reported")
    assert service.raise_unreported(start + timedelta(hours=300)) == 0


def test_flag_page_shows_an_unreported_flag_now_matched(pages, make):
    home, _provider = setup(make)
    police = make.user("police", police=home.police_force)
    record = police_record(home, datetime(2026, 2, 1, 12), now=datetime.now().astimezone())
    (flag,) = flags("unreported")
    pages.sign_in(police)
    assert pages.get(f"/flags/{flag.id}").find(id="not-matched")
    record.reports.append(
        Report(
            source="home",
            home_id=home.id,
            occurred_at=record.occurred_at,
            category="assault_staff",
            child_reference="LCS-2002",
            placing_authority_id=home.host_authority_id,
        )
    )
    db.session.commit()
    page = pages.get(f"/flags/{flag.id}")
    assert page.find(id="matched") and "Resolve flag" in page.get_text()


def test_acknowledge_and_resolve_with_notes(pages, make):
    home, provider = setup(make)
    police = make.user("police", police=home.police_force)
    calm = file(
        provider, home, datetime(2026, 8, 1, 12), immediate_risk="no", immediate_risk_reason=None
    )
    (flag,) = flags()
    pages.sign_in(police)
    listing = pages.get("/flags/")
    assert listing.find(id="rule-no_immediate_risk")
    assert f"/flags/{flag.id}" in [a["href"] for a in listing.select("table a")]
    pages.get(f"/flags/{flag.id}")
    pages.post(f"/flags/{flag.id}/acknowledge", {"note": "Looking into it"})
    db.session.refresh(flag)
    assert (flag.status, flag.acknowledged_by_id, flag.acknowledged_note) == (
        "acknowledged",
        police.id,
        "Looking into it",
    )
    soup = pages.post(f"/flags/{flag.id}/resolve", {"resolve_note": ""})
    assert error_messages(soup) == ["Enter how the flag was resolved"]
    pages.post(f"/flags/{flag.id}/resolve", {"resolve_note": "Spoke to the manager"})
    db.session.refresh(flag)
    assert (flag.status, flag.resolved_note) == ("resolved", "Spoke to the manager")
    listing = pages.get("/flags/")
    assert listing.find(id="resolved") and not listing.find(id="rule-no_immediate_risk")
    assert f"/flags/{flag.id}" in [a["href"] for a in listing.select("table a")]
    assert pages.get("/flags/?status=resolved").find(id="resolved")
    assert pages.get(f"/callouts/{calm.id}").find(id="callout-flags")
    actions = {
        e.action
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "flag"))
    }
    assert {"flag_raised", "flag_viewed", "flag_acknowledged", "flag_resolved"} <= actions


def test_acknowledge_keeps_the_slack_signature(make):
    home, provider = setup(make)
    group = make.user("group", authorities=[home.host_authority])
    file(provider, home, datetime(2026, 8, 1, 12), immediate_risk="no", immediate_risk_reason=None)
    (flag,) = flags()
    assert flag_workflow.acknowledge(group, flag.id).status == "acknowledged"


def test_provider_sees_own_homes_flags_read_only_and_not_another_homes(pages, make):
    mine, provider = setup(make)
    theirs = make.home("SC200002")
    other_provider = make.user("provider", homes=[theirs])
    file(provider, mine, datetime(2026, 8, 1, 12), immediate_risk="no", immediate_risk_reason=None)
    file(
        other_provider,
        theirs,
        datetime(2026, 8, 1, 13),
        immediate_risk="no",
        immediate_risk_reason=None,
    )
    own, other = flags()
    pages.sign_in(provider)
    listing = pages.get("/flags/")
    links = [a["href"] for a in listing.select("table a")]
    assert f"/flags/{own.id}" in links and f"/flags/{other.id}" not in links
    page = pages.get(f"/flags/{own.id}")
    assert not page.find(id="resolve-button")
    pages.get(f"/flags/{other.id}", status=404)
    assert pages.raw_post(f"/flags/{other.id}/resolve", {"resolve_note": "x"}).status_code == 404
    assert pages.raw_post(f"/flags/{own.id}/resolve", {"resolve_note": "x"}).status_code == 403
    db.session.refresh(own)
    assert own.status == "open"
    assert "Flags" in [
        a.get_text(strip=True) for a in listing.select(".govuk-service-navigation a")
    ]


def test_filters_by_rule_home_and_status(pages, make):
    home, provider = setup(make)
    police = make.user("police", police=home.police_force)
    file(provider, home, datetime(2026, 8, 1, 12), immediate_risk="no", immediate_risk_reason=None)
    police_record(home, datetime(2026, 8, 3, 12), outcome="charged")
    pages.sign_in(police)
    assert pages.get("/flags/?rule=criminal_outcome").find(id="rule-criminal_outcome")
    assert not pages.get("/flags/?rule=criminal_outcome").find(id="rule-no_immediate_risk")
    assert pages.get("/flags/?status=acknowledged").find(id="no-open-flags")
    assert pages.get(f"/flags/?home={home.id}").find(id="rule-no_immediate_risk")
    # The police record is long past 72 hours with no home report: unreported too.
    assert pages.get("/flags/?rule=unreported").find(id="rule-unreported")
    assert (
        db.session.scalar(select(func.count()).select_from(Flag).where(Flag.status == "open")) == 3
    )


def test_repeat_child_window_across_the_march_clock_change_through_the_service(make):
    home, provider = setup(make)
    march = file(provider, home, datetime(2026, 3, 27, 23, 30))  # GMT
    file(provider, home, datetime(2026, 4, 10, 12))
    # 00:30 BST on 26 April is under 30 x 24 hours after the first, but 31 London days.
    file(provider, home, datetime(2026, 4, 26, 0, 30))
    assert flags() == []
    # 00:30 BST on 25 April shares the 30 London days from 27 March with the first.
    file(provider, home, datetime(2026, 4, 25, 0, 30))
    (flag,) = flags()
    assert march in flag.callouts and len(flag.callouts) == 3
    assert "between 27 March 2026 and 25 April 2026 (30 days" in flag.explanation
