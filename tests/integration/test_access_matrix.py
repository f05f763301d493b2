"""Who may reach what: every route in the app's URL map, for every role, with records of the
user's own scope and of another scope. A route missing from MATRIX fails the test, so a new route
cannot ship without saying who may use it.

To add a route: add ``"blueprint.endpoint": route(...)`` below. Give each method a dict of
role → status (``signed_in(200)``, ``only({"admin": 200}, others=403)``); for a route that takes a
record id, set ``record=`` and give each role a pair ``(own scope, other scope)``. An endpoint
served by several URL rules (``/admin/homes/new`` and ``/admin/homes/<id>``) is keyed by its rule.

Records (``record=``): "callout" (a home report; own = at a home in the user's area), "police"
(a call-out with a police record), "flag", "action", "review" (an in-scope call-out to review),
"token" (an API token: own = the user's, other = someone else's), "draft" (a saved call-out: own =
the provider's, other = another provider's). Records an administrator runs
for the whole service — "user", "home", "authority", "message", "delivery" — pair a real record
with an id that does not exist. POSTs carry only a CSRF token: a form comes back with errors (200)
or the action is done and redirects (302).

What is answered holds only what the user may see: every page, API body and downloaded file (CSV,
and XLSX opened up) given to a user of our area is searched for what only the other area's readers
may see — its child's reference, its free text, its action's text and owner (``THEIRS``) — with
the summaries asked for the month that has both areas' call-outs and actions. Administration
pages are not searched: an administrator reaches every user, home and authority there.
``test_summaries_and_exports_hold_only_the_readers_area`` adds the XLSX download, what each reader
does see, and the subject-access export of the other area's child.

Every refusal is audited the same way: each 403 and each 404 answered to a signed-in user leaves
exactly one audit event for that request, attributed to the user, naming the path and method
asked for — ``permission_refused`` (with the permission) or ``<record>_not_found`` (with the
record's id) — and a request that is not refused leaves neither.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import func, select, update

from protocol_monitor.config import Settings
from protocol_monitor.db import db
from protocol_monitor.identity import credentials
from protocol_monitor.models import (
    Action,
    ApiToken,
    AuditEvent,
    BrowserSession,
    Delivery,
    Flag,
    GroupMapping,
    IdentityProvider,
    OutboxMessage,
    Review,
)
from protocol_monitor.services import saved_forms, summaries
from tests.conftest import Pages
from tests.support.factories import PASSWORD

ROLES = ("anonymous", "provider", "police", "authority", "group", "admin")
SIGNED_IN = ROLES[1:]

Status = int | tuple[int, int]


@dataclass(frozen=True)
class Route:
    methods: dict[str, dict[str, Status]]
    args: dict[str, Any] = field(default_factory=dict)
    record: str | None = None  # see the module docstring: statuses are (own, other) pairs
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

_SUMMARY_ROLES = ("police", "authority", "group", "admin")

MATRIX: dict[str, Route] = {
    "static": route(GET=every(200), args={"filename": "app.css"}),
    "govuk_assets": route(GET=every(_GOVUK), args={"filename": "images/favicon.ico"}),
    "govuk_bundle": route(GET=every(_GOVUK), args={"filename": "govuk-frontend.min.css"}),
    "main.index": route(GET=signed_in(200)),
    "main.accessibility": route(GET=every(200)),
    "main.feedback": route(GET=every(200)),
    "main.language": route(GET=every(302), args={"code": "cy"}),
    # Signing in and recovering an account
    "auth.sign_in": route(GET=every(200), POST=every(200)),
    "auth.sign_out": route(POST=every(302)),
    "auth.two_factor": route(GET=every(302), POST=every(302)),  # nothing pending: back to sign in
    "auth.recovery_code": route(GET=every(302), POST=every(302)),  # the same
    "auth.forgot_password": route(GET=every(200), POST=every(200)),
    "auth.reset_password": route(GET=every(404), POST=every(404), args={"token": "not-issued"}),
    "auth.invitation": route(GET=every(404), POST=every(404), args={"token": "not-issued"}),
    # The timeout warning: how long is left (nothing to anyone not signed in), and staying
    "auth.session_status": route(GET=every(200)),
    "auth.keep_alive": route(POST=signed_in(204)),
    # Drafts: the author's own (the provider's here; another's is not found), kept by those
    # who file or review
    "saved_forms.delete_draft": route(
        record="draft",
        POST=scoped(
            only(
                {"provider": (302, 404), "police": (404, 404), "group": (404, 404)},
                others=(403, 403),
            )
        ),
    ),
    # Your account
    "account.index": route(GET=signed_in(200)),
    "account.emails": route(GET=signed_in(200), POST=signed_in(302)),
    "account.language": route(GET=signed_in(200), POST=signed_in(200)),
    "account.password": route(GET=signed_in(200), POST=signed_in(200)),
    "account.two_factor": route(GET=signed_in(200), POST=signed_in(200)),
    "account.two_factor_off": route(POST=signed_in(302)),
    # Nobody here has two-factor sign-in on: sent to set it up first.
    "account.recovery_codes": route(GET=signed_in(302), POST=signed_in(302)),
    "account.sign_out_everywhere": route(POST=signed_in(302)),
    "account.tokens": route(GET=signed_in(200), POST=signed_in(200)),
    "account.revoke_token": route(record="token", POST=scoped(signed_in((302, 404)))),
    # The read-only API: a bearer token, never a session
    "api.callouts": route(api=True, GET=signed_in(200, anonymous=401)),
    "api.summary": route(api=True, GET=signed_in(200, anonymous=401), args={"month": "2026-04"}),
    # Call-outs
    "callouts.index": route(GET=signed_in(200)),
    # Find a call-out: with nothing typed, the form asks for a reference
    "find.results": route(GET=signed_in(200)),
    "callouts.new": route(GET=only({"provider": 200}), POST=only({"provider": 200})),
    "callouts.show": route(record="callout", GET=scoped(signed_in((200, 404)))),
    # The confirmation after filing: for the homes' staff, of their own homes' call-outs
    "callouts.filed": route(record="callout", GET=scoped(only({"provider": (200, 404)}))),
    "callouts.edit": route(
        record="callout",
        GET=scoped(only({"provider": (200, 404)}, others=(404, 404))),
        POST=scoped(only({"provider": (200, 404)}, others=(404, 404))),
    ),
    # Health checks for the load balancer: nothing about records
    "health.healthz": route(GET=every(200)),
    "health.readyz": route(GET=every(200)),
    # Police records and imports
    "police.new": route(GET=only({"police": 200}), POST=only({"police": 200})),
    "police.edit": route(
        record="police",
        GET=scoped(only({"police": (200, 404)}, others=(404, 404))),
        POST=scoped(only({"police": (200, 404)}, others=(404, 404))),
    ),
    "police.import_file": route(
        GET=only({"police": 200, "provider": 200}), POST=only({"police": 200, "provider": 200})
    ),
    # An upload's run is its uploader's alone (test_imports shows their own run is seen; here
    # one that is not theirs, or does not exist, is not found)
    "police.import_run": route(GET=signed_in(404), args={"run_id": "not-a-run"}),
    "police.import_progress": route(GET=signed_in(404), args={"run_id": "not-a-run"}),
    # Flags: everyone sees their area's flags; police and group act on them
    "flags.index": route(GET=signed_in(200)),
    "flags.show": route(record="flag", GET=scoped(signed_in((200, 404)))),
    "flags.acknowledge": route(
        record="flag",
        POST=scoped(only({"police": (302, 404), "group": (302, 404)}, others=(403, 404))),
    ),
    "flags.resolve": route(
        record="flag",
        POST=scoped(only({"police": (200, 404), "group": (200, 404)}, others=(403, 404))),
    ),
    "flags.settings": route(GET=only({"admin": 200}), POST=only({"admin": 200})),
    # Reviews and actions
    "reviews.queue": route(GET=only({"police": 200, "group": 200})),
    "reviews.review": route(
        record="review",
        GET=scoped(only({"police": (200, 404), "group": (200, 404)}, others=(403, 403))),
        POST=scoped(only({"police": (200, 404), "group": (200, 404)}, others=(403, 403))),
    ),
    "reviews.actions": route(GET=signed_in(200)),
    "reviews.action": route(
        record="action",
        GET=scoped(signed_in((200, 404))),
        POST=scoped(only({"police": (200, 404), "group": (200, 404)}, others=(403, 404))),
    ),
    # Summaries: not for providers (not found, like a record outside their scope)
    "summaries.index": route(
        GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404), args={"month": "2026-04"}
    ),
    "summaries.download": route(
        GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404),
        args={"fmt": "csv", "month": "2026-04"},
    ),
    "board_report.index": route(GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404)),
    "board_report.download": route(
        GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404), args={"fmt": "json"}
    ),
    "summaries.yearly": route(GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404)),
    "summaries.digests": route(GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404)),
    # April 2026 is compiled in the world (the digest of a month never compiled is not found)
    "summaries.digest": route(
        GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404), args={"month": "2026-04"}
    ),
    "summaries.yearly_xlsx": route(GET=only(dict.fromkeys(_SUMMARY_ROLES, 200), others=404)),
    # Slack calls this with a signed request; not set up here, so it does not exist
    "slack.events": route(POST=every(404)),
    # Administration: the whole service (no record of an administrator's "own scope")
    "admin.index": route(GET=only({"admin": 200})),
    "admin.users": route(GET=only({"admin": 200})),
    "admin.new_user": route(GET=only({"admin": 200}), POST=only({"admin": 200})),
    "admin.user": route(record="user", GET=scoped(only({"admin": (200, 404)}))),
    "admin.edit_user": route(
        record="user",
        GET=scoped(only({"admin": (200, 404)})),
        POST=scoped(only({"admin": (200, 404)})),
    ),
    # A new invitation for someone who has not accepted theirs (here: nobody invited, so the
    # administrator is told so on the person's page)
    "admin.invite_again": route(record="user", POST=scoped(only({"admin": (302, 404)}))),
    "admin.user_action": route(
        record="user", POST=scoped(only({"admin": (302, 404)})), args={"action": "unlock"}
    ),
    "admin.homes": route(GET=only({"admin": 200})),
    "/admin/homes/new": route(GET=only({"admin": 200}), POST=only({"admin": 200})),
    "/admin/homes/<int:home_id>": route(
        record="home",
        GET=scoped(only({"admin": (200, 404)})),
        POST=scoped(only({"admin": (200, 404)})),
    ),
    "admin.import_homes": route(GET=only({"admin": 200}), POST=only({"admin": 200})),
    "admin.reference_list": route(GET=only({"admin": 200}), args={"kind": "forces"}),
    "/admin/<any(authorities,forces):kind>/new": route(
        GET=only({"admin": 200}), POST=only({"admin": 200}), args={"kind": "authorities"}
    ),
    "/admin/<any(authorities,forces):kind>/<int:item_id>": route(
        record="authority",
        GET=scoped(only({"admin": (200, 404)})),
        # A field left out keeps the authority's current value: saved unchanged
        POST=scoped(only({"admin": (302, 404)})),
        args={"kind": "authorities"},
    ),
    # Audit log and subject access
    "audit.audit_log_page": route(GET=only({"admin": 200})),
    "audit.audit_log_export": route(GET=only({"admin": 200})),
    "audit.subject_access_page": route(GET=only({"admin": 200}), POST=only({"admin": 200})),
    # Alert channels and the outbox
    "alerts.channel_list": route(GET=only({"admin": 200})),
    "alerts.channel_edit": route(
        # Every field is optional: an empty form clears the group's channels
        GET=only({"admin": 200}),
        POST=only({"admin": 302}),
        args={"scope_key": "group"},
    ),
    "alerts.outbox": route(GET=only({"admin": 200})),
    "alerts.retry": route(record="delivery", POST=scoped(only({"admin": (302, 404)}))),
    "alerts.reroute": route(record="message", POST=scoped(only({"admin": (302, 404)}))),
    # Organisation sign-in: the flow needs no session; its failures are pages, never 500
    "single_sign_on.start": route(GET=every(400), args={"provider_id": 1_000_000}),
    "single_sign_on.callback": route(GET=every(400)),  # no sign-in started: refused as replayed
    "single_sign_on_admin.index": route(GET=only({"admin": 200})),
    "/admin/single-sign-on/new": route(GET=only({"admin": 200}), POST=only({"admin": 200})),
    "/admin/single-sign-on/<int:provider_id>/edit": route(
        record="identity_provider",
        GET=scoped(only({"admin": (200, 404)})),
        POST=scoped(only({"admin": (200, 404)})),
    ),
    "single_sign_on_admin.provider": route(
        record="identity_provider", GET=scoped(only({"admin": (200, 404)}))
    ),
    "single_sign_on_admin.scim_token": route(
        record="identity_provider", POST=scoped(only({"admin": (200, 404)}))
    ),
    "single_sign_on_admin.new_group": route(
        record="identity_provider",
        GET=scoped(only({"admin": (200, 404)})),
        POST=scoped(only({"admin": (200, 404)})),
    ),
    "single_sign_on_admin.invite": route(
        record="identity_provider",
        GET=scoped(only({"admin": (200, 404)})),
        POST=scoped(only({"admin": (200, 404)})),
    ),
    "single_sign_on_admin.remove_group": route(
        record="mapping", POST=scoped(only({"admin": (302, 404)})), args={"provider_id": 1}
    ),
    # Without the on/off value the request is malformed (400)
    "single_sign_on_admin.password_sign_in": route(
        record="user", POST=scoped(only({"admin": (400, 404)}))
    ),
    # SCIM: the organisation's bearer token, never a session
    "/scim/v2/Users": route(GET=every(401), POST=every(401)),
    "/scim/v2/Users/<user_id>": route(
        GET=every(401), PUT=every(401), PATCH=every(401), DELETE=every(401), args={"user_id": "1"}
    ),
    "scim.service_provider_config": route(GET=every(401)),
    # Account recovery by an administrator (own scope: a real user; other: no such user)
    "recovery.reset_link": route(record="user", POST=scoped(only({"admin": (200, 404)}))),
    "recovery.reset_two_factor": route(record="user", POST=scoped(only({"admin": (302, 404)}))),
}


#: What only the other area's readers may see (see the module docstring).
THEIR_CHILD = "WM-404404"
THEIR_FREE_TEXT = "Theirs-incident-narrative"
THEIR_ACTION = "Theirs-action-text"
THEIR_OFFICER = "Mercia Action Owner"
THEIRS = (THEIR_CHILD, THEIR_FREE_TEXT, THEIR_ACTION, THEIR_OFFICER)
#: Endpoints for the whole service, where an administrator reaches every user, home and authority.
ADMINISTRATION = ("admin.", "single_sign_on_admin.", "recovery.", "alerts.", "audit.audit_log")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _readable(response) -> str:
    """A response's text: the page, the JSON or the CSV; an XLSX file's sheets and strings."""
    if response.mimetype == XLSX:
        with zipfile.ZipFile(io.BytesIO(response.data)) as book:
            return "".join(
                book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml")
            )
    return response.get_data().decode("utf-8", "replace")  # images and fonts too


def _leaked(response) -> list[str]:
    return [marker for marker in THEIRS if marker in _readable(response)]


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
    their_officer = make.user("police", police=their_force)
    their_officer.display_name = THEIR_OFFICER
    theirs_told = {"child_reference": THEIR_CHILD, "description": THEIR_FREE_TEXT}
    callouts = (
        make.home_report(own_home, datetime(2026, 4, 3, 20, 0)),
        make.home_report(other_home, datetime(2026, 4, 4, 20, 0), **theirs_told),
    )
    police = (
        _police_callout(make, own_home, "PR-0"),
        _police_callout(make, other_home, "PR-1", **theirs_told),
    )
    flags = tuple(
        Flag(
            rule="repeat_home",
            subject_key=f"repeat_home:{c.home_id}:2026-04",
            home_id=c.home_id,
            month="2026-04",
            callouts=[c],
        )
        for c in callouts
    )
    agreed = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)  # in the month the summaries are asked for
    actions = tuple(
        Action(
            review=Review(callout=c, protocol_applied="partly", police_necessary="slow_time"),
            text=text,
            owner=owner,
            created_at=agreed,
        )
        for c, text, owner in zip(
            police,
            ("Talk through the protocol with the home", THEIR_ACTION),
            (users["police"], their_officer),
            strict=True,
        )
    )
    message = OutboxMessage(
        kind="flag_raised", idempotency_key="matrix", payload={}, status="not_configured"
    )
    delivery = Delivery(
        message=message,
        channel="email",
        destination="group@example.org",
        idempotency_key="matrix:email",
        status="failed",
    )
    organisation = IdentityProvider(
        name="Matrix Police", issuer="https://login.example/t/v2.0", client_id="c", enabled=False
    )
    mapping = GroupMapping(provider=organisation, group_id="g", label="G", role="group")
    db.session.add_all([*flags, *actions, message, delivery, organisation, mapping])
    db.session.commit()
    assert organisation.id == 1  # the remove_group entry above names it
    summaries.compile_month("2026-04")
    missing = 1_000_000
    records = {
        "callout": tuple(c.id for c in callouts),
        "review": tuple(c.id for c in callouts),
        "police": tuple(c.id for c in police),
        "flag": tuple(f.id for f in flags),
        "action": tuple(a.id for a in actions),
        "user": (stranger.id, missing),
        "home": (other_home.id, missing),
        "authority": (theirs.id, missing),
        "message": (message.id, missing),
        "delivery": (delivery.id, missing),
        "identity_provider": (organisation.id, missing),
        "mapping": (mapping.id, missing),
    }
    drafts = tuple(
        saved_forms.save_draft(author, "/callouts/new", [("description", text)])
        for author, text in ((users["provider"], "Ours, half typed"), (stranger, THEIR_FREE_TEXT))
    )
    records["draft"] = tuple(d.id for d in drafts)

    def token(user, name):
        return credentials.create_api_token(user, name, password=PASSWORD)

    api_tokens = {role: token(user, "BI")[1] for role, user in users.items()}
    own_tokens = {role: token(user, "spare")[0].id for role, user in users.items()}
    other_token = token(stranger, "theirs")[0].id
    return users, records, api_tokens, own_tokens, other_token


def _police_callout(make, home, reference: str, **fields):
    """A call-out known from a police record (written directly, bypassing matching)."""
    callout = make.home_report(home, datetime(2026, 4, 10, 21, 0), category="theft", **fields)
    report = callout.reports[0]
    report.source = "police"
    report.police_reference = reference
    callout.police_reference = reference
    db.session.commit()
    return callout


#: Not found whoever asks: Slack is not set up here, and the reset link was never issued. Neither
#: is a refusal of the person asking, so neither is audited as one.
NOT_REFUSALS = {"slack.events", "auth.reset_password", "auth.invitation"}


def _refusal_events(since: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.id > since,
                (AuditEvent.action == "permission_refused")
                | AuditEvent.action.endswith("_not_found"),
            )
            .order_by(AuditEvent.id)
        )
    )


def _refusal_problem(events, status: int, user, method: str, path: str, endpoint: str):
    """What is wrong with how a request's refusal was audited (None when nothing)."""
    refused = status in (403, 404) and user is not None and endpoint not in NOT_REFUSALS
    if not refused:
        return f"{len(events)} refusal events for a {status}" if events else None
    if len(events) != 1:
        return f"{len(events)} refusal events for a {status}, expected 1"
    (event,) = events
    if event.user_id != user.id:
        return f"refusal attributed to user {event.user_id}, not {user.id}"
    if {"path": event.changes.get("path"), "method": event.changes.get("method")} != {
        "path": path,
        "method": method,
    }:
        return f"refusal names {event.changes}, not {method} {path}"
    if status == 403 and (event.action != "permission_refused" or not event.changes["permission"]):
        return f"a 403 audited as {event.action} {event.changes}"
    return None


def _entry(rule) -> Route | None:
    return MATRIX.get(rule.rule) or MATRIX.get(rule.endpoint)


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_entry_for_every_method_and_role(app):
    missing = []
    for rule, method in _rules(app):
        entry = _entry(rule)
        if entry is None or method not in entry.methods:
            missing.append(f"{rule.endpoint} {method} {rule.rule}")
        elif set(entry.methods[method]) != set(ROLES):
            missing.append(
                f"{rule.endpoint} {method}: roles {set(ROLES) - set(entry.methods[method])}"
            )
    assert not missing, "add these routes to MATRIX in tests/integration/test_access_matrix.py"
    known = {rule.endpoint for rule, _ in _rules(app)} | {rule.rule for rule, _ in _rules(app)}
    stale = set(MATRIX) - known
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"


@pytest.mark.slow  # started first, so a parallel run does not end waiting for it
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
        entry = _entry(rule)
        for role in ROLES:
            expected = entry.methods[method][role]
            if entry.record is None:
                cases = [("", dict(entry.args), expected)]
            else:
                if entry.record == "token":
                    ids = (own_tokens.get(role, other_token), other_token)
                else:
                    ids = records[entry.record]
                (name,) = set(rule.arguments) - set(entry.args)
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
                since = db.session.scalar(select(func.max(AuditEvent.id))) or 0
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
                if response.status_code == 200 and not rule.endpoint.startswith(ADMINISTRATION):
                    leaked = _leaked(response)
                    if leaked:
                        failures.append(
                            f"{role:9} {method:4} {url} ({scope or '-'}): shows {leaked}"
                        )
                problem = _refusal_problem(
                    _refusal_events(since),
                    response.status_code,
                    users.get(role),
                    method,
                    url.split("?")[0],
                    rule.endpoint,
                )
                if problem:
                    failures.append(f"{role:9} {method:4} {url} ({scope or '-'}): {problem}")
                # Undo what a request may have changed about sessions (sign out everywhere,
                # two-factor turned off), so the next request starts from the same place.
                db.session.execute(update(BrowserSession).values(ended_at=None, ended_why=None))
                db.session.execute(update(ApiToken).values(revoked_at=None))
                db.session.execute(update(Flag).values(status="open"))
                db.session.commit()
    assert not failures, "\n".join(failures)


def test_summaries_and_exports_hold_only_the_readers_area(app, world):
    """What each reader of our area gets from the month with both areas' call-outs and actions
    — the API's body, the page, the CSV and XLSX downloads — holds our area's action tracker
    and nothing of theirs; and an administrator of our area cannot export their child."""
    users, _records, api_tokens, _own, _other = world
    ours = "Test police"  # the owner of our area's action
    for role in _SUMMARY_ROLES:
        pages = Pages(app.test_client())
        pages.sign_in(users[role])
        bearer = {"Authorization": f"Bearer {api_tokens[role]}"}
        api = app.test_client().get("/api/v1/summaries/2026-04", headers=bearer)
        page = pages.client.get("/summaries/?month=2026-04")
        soup = pages._check(page)
        csv_file = pages.client.get("/summaries/download.csv?month=2026-04&table=actions")
        xlsx_file = pages.client.get("/summaries/download.xlsx?month=2026-04")
        for response in (api, page, csv_file, xlsx_file):
            assert response.status_code == 200, (role, response.request.path)
            assert _leaked(response) == [], (role, response.request.path)
        tracker = json.loads(api.get_data(as_text=True))["actions"]
        assert [r["owner"] for r in tracker["by_owner"]] == [ours], role
        assert tracker["totals"]["agreed"] == 1, role
        assert set(tracker) == {"totals", "by_owner"}, role
        actions_table = soup.select_one("#table-actions").get_text()
        assert ours in actions_table, role
        assert ours in _readable(csv_file) and ours in _readable(xlsx_file), role

    admin = Pages(app.test_client())
    admin.sign_in(users["admin"])
    admin.get("/admin/subject-access")
    our_code = users["admin"].authorities[0].code
    for fmt in ("json", "csv"):
        theirs = admin.raw_post(
            "/admin/subject-access",
            {"child_reference": THEIR_CHILD, "placing_authority": "E10000034", "format": fmt},
        )
        assert theirs.status_code == 200 and "Content-Disposition" not in theirs.headers
        assert "Select the authority that placed the child" in _readable(theirs)
        assert _leaked(theirs) == [THEIR_CHILD]  # only as typed, back in the form's field
        own = admin.raw_post(
            "/admin/subject-access",
            {"child_reference": "LCS-1001", "placing_authority": our_code, "format": fmt},
        )
        assert "attachment" in own.headers["Content-Disposition"]
        assert "LCS-1001" in _readable(own)
        assert _leaked(own) == []
