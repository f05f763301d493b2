"""Read-only API tokens: created and revoked by their owner, hashed at rest, scoped like them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from protocol_monitor.db import db, utcnow
from protocol_monitor.models import ApiToken, AuditEvent, SummarySnapshot
from protocol_monitor.rules.time import Month
from protocol_monitor.services import summaries
from tests.conftest import error_messages
from tests.support.factories import PASSWORD


def _create_token(pages, name="Power BI") -> str:
    pages.get("/account/tokens")
    page = pages.post("/account/tokens", {"name": name, "current_password": PASSWORD})
    return page.select_one("#new-token").get_text(strip=True)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _get(client, url, token):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_user_creates_a_token_and_reads_only_their_scope(pages, make, client):
    mine, theirs = make.home("SC200001"), make.home("SC200002")
    own = make.home_report(mine, datetime(2026, 4, 1, 0, 30), description="Kicked the door")
    make.home_report(theirs, datetime(2026, 4, 2, 12, 0))
    make.home_report(mine, datetime(2026, 4, 3, 12, 0), category="missing")
    pages.sign_in(make.user("provider", homes=[mine]))
    token = _create_token(pages)
    assert token.startswith("pm_")
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash != token and token not in row.token_hash  # only a hash is kept
    listing = pages.get("/account/tokens")
    assert token not in str(listing)  # shown once only
    assert "Power BI" in listing.get_text()

    body = _get(client, "/api/v1/callouts?from=2026-04-01&to=2026-04-30", token).get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 100
    assert {item["home_urn"] for item in body["items"]} == {"SC200001"}
    first = body["items"][0]
    assert first["id"] == own.id and first["month"] == "2026-04"
    assert "description" not in first and "Kicked the door" not in str(body)

    one_day = _get(client, "/api/v1/callouts?from=2026-04-01&to=2026-04-01", token).get_json()
    assert one_day["total"] == 1  # 00:30 BST on 1 April is in April, London time
    second_page = _get(client, "/api/v1/callouts?per_page=1&page=2", token).get_json()
    assert second_page["total"] == 2 and len(second_page["items"]) == 1
    assert second_page["items"][0]["category"] == "missing"

    # The compiled summary: a provider sees its own home's row only, no authority figures.
    summary = _get(client, "/api/v1/summaries/2026-04", token).get_json()
    assert (summary["month"], summary["version"]) == ("2026-04", 1)
    assert summary["authorities"] == [] and summary["placing_authorities"] == []
    (row,) = summary["homes"]
    assert (row["urn"], row["callouts"], row["missing_excluded"]) == ("SC200001", 1, 1)
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_read")).all()
    assert len(reads) == 4


def test_group_reads_the_compiled_summary_of_its_authorities_only(pages, make, client):
    dorset = make.authority("E06000059", "Dorset Council")
    bcp = make.authority("E06000058", "Bournemouth, Christchurch and Poole")
    worcs = make.authority("E10000034", "Worcestershire")
    homes = {}
    for host in (dorset, bcp, worcs):
        homes[host.code] = make.home(host=host)
        make.home_report(homes[host.code], datetime(2026, 5, 5, 10, 0), placing=host)
    # A Worcestershire child placed in Dorset: Dorset's row counts it; the placing row is not ours.
    make.home_report(homes[dorset.code], datetime(2026, 5, 9, 10, 0), placing=worcs)
    pages.sign_in(make.user("group", authorities=[dorset, bcp]))
    token = _create_token(pages)
    response = _get(client, "/api/v1/summaries/2026-05", token)
    assert response.status_code == 200
    summary = response.get_json()
    assert set(summary) == {
        "month",
        "version",
        "compiled_at",
        "authorities",
        "placing_authorities",
        "homes",
        "repeat_children",
        "actions",
        "changes",
    }
    assert (summary["month"], summary["version"]) == ("2026-05", 1)
    assert [(a["code"], a["callouts"]) for a in summary["authorities"]] == [
        ("E06000058", 1),
        ("E06000059", 2),
    ]
    assert {"children", "rate_per_10_places", "like_for_like"} <= set(summary["authorities"][0])
    assert [a["code"] for a in summary["placing_authorities"]] == ["E06000058", "E06000059"]
    assert {h["urn"] for h in summary["homes"]} == {homes["E06000059"].urn, homes["E06000058"].urn}
    # Compiled on the first read, once: a second read shows the same version.
    assert _count(SummarySnapshot) == 1
    assert _get(client, "/api/v1/summaries/2026-05", token).get_json()["version"] == 1
    assert _count(SummarySnapshot) == 1
    # The month still running is not compiled; a made-up month is not found.
    this_month = Month.of(utcnow())
    running = _get(client, f"/api/v1/summaries/{this_month}", token)
    assert running.status_code == 404
    assert "has not been compiled yet" in running.get_json()["error"]
    assert _count(SummarySnapshot) == 1
    assert _get(client, "/api/v1/summaries/2026-13", token).status_code == 404
    # A month before the first call-out is not compiled on demand, nor stored.
    early = _get(client, "/api/v1/summaries/1900-01", token)
    assert early.status_code == 404
    assert early.get_json()["error"].startswith("There is no summary for January 1900: call-outs")
    assert _count(SummarySnapshot) == 1


def test_summary_shows_the_latest_version_after_a_late_report(pages, make, client):
    dorset = make.authority("E06000059", "Dorset Council")
    home = make.home("SC200050", host=dorset)
    make.home_report(home, datetime(2026, 3, 5, 10, 0))
    pages.sign_in(make.user("authority", authorities=[dorset]))
    token = _create_token(pages)
    assert _get(client, "/api/v1/summaries/2026-03", token).get_json()["version"] == 1
    make.home_report(home, datetime(2026, 3, 6, 10, 0))  # filed late
    summaries.compile_month("2026-03")
    summary = _get(client, "/api/v1/summaries/2026-03", token).get_json()
    assert summary["version"] == 2
    assert summary["authorities"][0]["callouts"] == 2
    assert summary["changes"] == [
        "Authority E06000059: callouts 1 → 2",
        "Placing authority E06000059: callouts 1 → 2",
        "Home SC200050: callouts 1 → 2",
    ]


def test_revoked_unknown_and_missing_tokens_are_refused(pages, make, client):
    home = make.home()
    pages.sign_in(make.user("provider", homes=[home]))
    token = _create_token(pages)
    assert _get(client, "/api/v1/callouts", token).status_code == 200
    page = pages.get("/account/tokens")
    action = page.select_one("form[action*='/revoke']")["action"]
    pages.post(action, {})
    for header in (f"Bearer {token}", "Bearer pm_00000000_nope", "Basic abc", ""):
        response = client.get("/api/v1/callouts", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["status"] == 401
    assert client.get("/api/v1/summaries/2026-04").status_code == 401


def test_someone_else_cannot_revoke_my_token(app, pages, make):
    home = make.home()
    pages.sign_in(make.user("provider", homes=[home]))
    _create_token(pages)
    row = db.session.scalar(select(ApiToken))
    from tests.conftest import Pages

    other = Pages(app.test_client())
    other.sign_in(make.user("provider", homes=[home]))
    other.get("/account/tokens")
    assert other.raw_post(f"/account/tokens/{row.id}/revoke", {}).status_code == 404
    db.session.expire_all()
    assert row.revoked_at is None


def test_token_needs_a_name(pages, make):
    pages.sign_in(make.user("provider", homes=[make.home()]))
    pages.get("/account/tokens")
    page = pages.post("/account/tokens", {"name": "  ", "current_password": PASSWORD})
    assert error_messages(page) == ["Enter a name for the token, like ‘Power BI monthly report’"]


def test_bad_query_parameters_are_a_400_not_a_500(pages, make, client):
    pages.sign_in(make.user("provider", homes=[make.home()]))
    token = _create_token(pages)
    for query in ("from=2026-02-30", "to=yesterday", "page=0", "page=-1", "per_page=5000"):
        response = _get(client, f"/api/v1/callouts?{query}", token)
        assert response.status_code == 400, query
        assert "error" in response.get_json()


def test_a_deactivated_owners_tokens_stop_working(pages, make, client):
    user = make.user("authority", authorities=[make.authority()])
    pages.sign_in(user)
    token = _create_token(pages)
    assert _get(client, "/api/v1/callouts", token).status_code == 200
    user.active = False
    db.session.commit()
    assert _get(client, "/api/v1/callouts", token).status_code == 401
