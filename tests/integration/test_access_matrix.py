"""Who may reach what: every route in the app's URL map, for every role, with records of the
user's own scope and of another scope. A route missing from MATRIX fails the test, so a new route
cannot ship without saying who may use it.

To add a route: add ``"blueprint.endpoint": route(...)`` below. Give each method a dict of
role → status (``signed_in(200)``, ``only({"admin": 200}, others=403)``); for a route that takes a
record id, set ``record=`` and give each role a pair ``(own scope, other scope)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import update

from protocol_monitor.config import Settings
from protocol_monitor.db import db
from protocol_monitor.models import User
from protocol_monitor.services import credentials
from tests.conftest import Pages

ROLES = ("anonymous", "provider", "police", "authority", "group", "admin")
SIGNED_IN = ROLES[1:]

Status = int | tuple[int, int]


@dataclass(frozen=True)
class Route:
    methods: dict[str, dict[str, Status]]
    args: dict[str, Any] = field(default_factory=dict)
    record: str | None = None  # "callout" or "token": statuses are (own, other) pairs
    api: bool = False  # authenticated with a bearer token instead of a session


def route(record: str | None = None, api: bool = False, **methods) -> Route:
    args = methods.pop("args", {})
    return Route(methods=methods, args=args, record=record, api=api)


def every(status: Status) -> dict[str, Status]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: Status, anonymous: Status = 302) -> dict[str, Status]:
    """Any signed-in role gets ``status``; anonymous visitors are sent to sign in."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, status)}


def only(granted: dict[str, Status], others: Status = 403, anonymous: Status = 302):
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, others), **granted}


def scoped(statuses: dict[str, Status]) -> dict[str, Status]:
    """For id routes: every role's (own scope, other scope) pair; a bare anonymous 302 doubles."""
    return {role: s if isinstance(s, tuple) else (s, s) for role, s in statuses.items()}


# The GOV.UK Frontend build exists only after `npm ci`; without it its routes are 404.
_GOVUK = 200 if (Settings().govuk_frontend_dir / "govuk-frontend.min.css").exists() else 404

MATRIX: dict[str, Route] = {
    "static": route(GET=every(200), args={"filename": "app.css"}),
    "govuk_assets": route(GET=every(_GOVUK), args={"filename": "images/favicon.ico"}),
    "govuk_bundle": route(GET=every(_GOVUK), args={"filename": "govuk-frontend.min.css"}),
    "main.index": route(GET=every(302)),
    # Signing in and recovering an account
    "auth.sign_in": route(GET=every(200), POST=every(200)),
    "auth.sign_out": route(POST=every(302)),
    "auth.two_factor": route(GET=every(302), POST=every(302)),  # nothing pending: back to sign in
    "auth.forgot_password": route(GET=every(200), POST=every(200)),
    "auth.reset_password": route(GET=every(404), POST=every(404), args={"token": "not-issued"}),
    # Your account
    "account.index": route(GET=signed_in(200)),
    "account.password": route(GET=signed_in(200), POST=signed_in(200)),
    "account.two_factor": route(GET=signed_in(200), POST=signed_in(200)),
    "account.two_factor_off": route(POST=signed_in(302)),
    "account.sign_out_everywhere": route(POST=signed_in(302)),
    "account.tokens": route(GET=signed_in(200), POST=signed_in(200)),
    "account.revoke_token": route(record="token", POST=scoped(signed_in((302, 404)))),
    # The read-only API: a bearer token, never a session
    "api.callouts": route(api=True, GET=signed_in(200, anonymous=401)),
    "api.summary": route(api=True, GET=signed_in(200, anonymous=401), args={"month": "2026-04"}),
    # Call-outs
    "callouts.index": route(GET=signed_in(200)),
    "callouts.new": route(GET=only({"provider": 200}), POST=only({"provider": 200})),
    "callouts.show": route(record="callout", GET=scoped(signed_in((200, 404)))),
    "callouts.edit": route(
        record="callout",
        GET=scoped(only({"provider": (200, 404)}, others=(404, 404))),
        POST=scoped(only({"provider": (200, 404)}, others=(404, 404))),
    ),
    # Administration
    "admin.index": route(GET=only({"admin": 200})),
    # Account recovery by an administrator (own scope: a real user; other: no such user)
    "recovery.reset_link": route(record="user", POST=scoped(only({"admin": (200, 404)}))),
    "recovery.reset_two_factor": route(record="user", POST=scoped(only({"admin": (302, 404)}))),
}


@pytest.fixture
def world(make):
    """Two areas: ours (Dorset, Dorset Police) and theirs (Worcestershire, West Mercia)."""
    ours, theirs = make.authority(), make.authority("E10000034", "Worcestershire")
    our_force, their_force = make.force(), make.force("E23000016", "West Mercia Police")
    own_home = make.home("SC300001", host=ours, police=our_force)
    other_home = make.home("SC300002", host=theirs, police=their_force)
    users = {
        "provider": make.user("provider", homes=[own_home]),
        "police": make.user("police", police=our_force),
        "authority": make.user("authority", authorities=[ours]),
        "group": make.user("group", authorities=[ours]),
        "admin": make.user("admin", authorities=[ours]),
    }
    stranger = make.user("provider", homes=[other_home])
    records = {
        "callout": (
            make.home_report(own_home, datetime(2026, 4, 3, 20, 0)).id,
            make.home_report(other_home, datetime(2026, 4, 4, 20, 0)).id,
        ),
        "user": (stranger.id, stranger.id + 1000),
    }
    api_tokens = {role: credentials.create_api_token(user, "BI")[1] for role, user in users.items()}
    own_tokens = {
        role: credentials.create_api_token(user, "spare")[0].id for role, user in users.items()
    }
    other_token = credentials.create_api_token(stranger, "theirs")[0].id
    return users, records, api_tokens, own_tokens, other_token


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_entry_for_every_method_and_role(app):
    missing = []
    for rule, method in _rules(app):
        entry = MATRIX.get(rule.endpoint)
        if entry is None or method not in entry.methods:
            missing.append(f"{rule.endpoint} {method} {rule.rule}")
        elif set(entry.methods[method]) != set(ROLES):
            missing.append(
                f"{rule.endpoint} {method}: roles {set(ROLES) - set(entry.methods[method])}"
            )
    assert not missing, "add these routes to MATRIX in tests/integration/test_access_matrix.py"
    stale = set(MATRIX) - {rule.endpoint for rule, _ in _rules(app)}
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"


def test_access_matrix(app, world):
    users, records, api_tokens, own_tokens, other_token = world
    sessions = {}
    for role in ROLES:
        pages = Pages(app.test_client())
        if role == "anonymous":
            pages.get("/sign-in")
        else:
            pages.sign_in(users[role])
            pages.get("/account/")
        sessions[role] = (pages.client.get_cookie("session").value, pages.csrf_token)

    failures = []
    for rule, method in _rules(app):
        entry = MATRIX[rule.endpoint]
        for role in ROLES:
            expected = entry.methods[method][role]
            if entry.record is None:
                cases = [("", dict(entry.args), expected)]
            else:
                if entry.record == "token":
                    ids = (own_tokens.get(role, other_token), other_token)
                else:
                    ids = records[entry.record]
                name = next(iter(rule.arguments))
                cases = [
                    (scope, {**entry.args, name: record_id}, status)
                    for scope, record_id, status in zip(
                        ("own", "other"), ids, expected, strict=True
                    )
                ]
            for scope, args, status in cases:
                with app.test_request_context():
                    url = url_for(rule.endpoint, **args)
                client = app.test_client()
                cookie, token = sessions[role]
                client.set_cookie("session", cookie)
                headers = {}
                if entry.api and role != "anonymous":
                    headers["Authorization"] = f"Bearer {api_tokens[role]}"
                if method == "GET":
                    response = client.get(url, headers=headers)
                else:
                    response = client.open(
                        url, method=method, data={"csrf_token": token}, headers=headers
                    )
                if response.status_code != status:
                    failures.append(
                        f"{role:9} {method:4} {url} ({scope or '-'}): "
                        f"expected {status}, got {response.status_code}"
                    )
                # Undo what a request may have changed about sessions (sign out everywhere,
                # two-factor turned off), so the next request starts from the same place.
                db.session.execute(update(User).values(session_version=0))
                db.session.commit()
    assert not failures, "\n".join(failures)
