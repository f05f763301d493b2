"""The read-only JSON API for BI tools (Power BI, Excel): bearer tokens, scoped like their owner.

No cookies and no CSRF: each request carries ``Authorization: Bearer <token>``. Every read is
audited. Free text never leaves through the API.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, jsonify, request

from .. import access, queries
from ..db import utcnow
from ..extensions import csrf
from ..identity import credentials
from ..models import Callout, User
from ..rules.time import Month, day_bounds, parse_day
from ..services import audit_trail, summaries

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PER_PAGE = 100
MAX_PER_PAGE = 1000


def _problem(status: int, message: str):
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="protocol-monitor"'
    return response


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = credentials.user_for_api_token(token.strip())
    if user is None:
        return _problem(401, "Send a valid API token: Authorization: Bearer <token>")
    g.api_user = user
    return None


def _day(name: str) -> date | None:
    try:
        return parse_day(request.args.get(name, ""))
    except ValueError:
        raise ValueError(f"{name} must be a real date as YYYY-MM-DD, from 1900 to 2999") from None


def _number(name: str, default: int, largest: int) -> int:
    value = request.args.get(name, str(default))
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= largest:
        raise ValueError(f"{name} must be a whole number from 1 to {largest}")
    return int(value)


def _item(callout: Callout) -> dict[str, object]:
    return {
        "id": callout.id,
        "home_urn": callout.home.urn,
        "host_authority": callout.home.host_authority.code,
        "occurred_at": callout.occurred_at.isoformat(),
        "month": callout.month,
        "category": callout.category,
        "in_scope": callout.in_scope,
        "child_reference": callout.child_reference,
        "placing_authority": callout.placing_authority.code if callout.placing_authority else None,
        "immediate_risk": callout.immediate_risk,
        "police_attended": callout.police_attended,
        "arrested": callout.arrested,
        "outcome": callout.outcome,
        "criminal_outcome": callout.criminal_outcome,
        "police_reference": callout.police_reference,
        "reviewed": callout.review is not None,
    }


@bp.route("/callouts")
def callouts():
    user: User = g.api_user
    try:
        start, end = _day("from"), _day("to")
        page = _number("page", 1, 1_000_000)
        per_page = _number("per_page", PER_PAGE, MAX_PER_PAGE)
    except ValueError as problem:
        return _problem(400, str(problem))
    query = access.scoped_callouts(user)
    start_at, end_at = day_bounds(start, end)
    if start_at is not None:
        query = query.where(Callout.occurred_at >= start_at)
    if end_at is not None:
        query = query.where(Callout.occurred_at < end_at)
    found = queries.paginate(
        query, page, per_page, order_by=(Callout.occurred_at, Callout.id), clamp=False
    )
    audit_trail.read(
        "api_read",
        "callout",
        None,
        user=user,
        changes={"path": request.path, "query": request.query_string.decode()[:200]},
    )
    return jsonify(
        {
            "page": found.number,
            "per_page": found.size,
            "total": found.total,
            "pages": found.pages,
            "items": [_item(c) for c in found.items],
        }
    )


#: The keys of a summary document (issue 4), in order.
SUMMARY_KEYS = (
    "month",
    "version",
    "compiled_at",
    "authorities",
    "placing_authorities",
    "homes",
    "repeat_children",
    "actions",
    "changes",
)


@bp.route("/summaries/<month>")
def summary(month: str):
    """The month's compiled summary (latest version), with only the rows in the owner's scope.

    A finished month never compiled is compiled on the first request; the current month is not
    compiled until it ends (404 saying so).
    """
    user: User = g.api_user
    try:
        wanted = Month.parse(month)
    except ValueError:
        return _problem(404, "Use a month as YYYY-MM, like 2026-04")
    snapshot = summaries.compiled_or_compile(wanted, utcnow())
    if snapshot is None:
        return _problem(
            404,
            f"The summary for {wanted.label} has not been compiled yet: months are "
            "compiled after they end",
        )
    document = access.scoped_summary(snapshot.as_document(), access.summary_scope(user))
    audit_trail.read(
        "api_read",
        "summary",
        snapshot.id,
        user=user,
        changes={"month": str(wanted), "version": snapshot.version},
    )
    return jsonify({key: document[key] for key in SUMMARY_KEYS})
