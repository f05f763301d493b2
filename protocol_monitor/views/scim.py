"""SCIM 2.0 for an organisation's provisioning client: ``/scim/v2/Users``.

No cookies and no CSRF: each request carries ``Authorization: Bearer <the organisation's SCIM
token>``. Answers and errors are SCIM JSON (``application/scim+json``), never a page.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from ..extensions import csrf
from ..forms.base import record_id
from ..rules import scim as rules
from ..rules.scim import ScimError
from ..services import scim

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
csrf.exempt(bp)

#: The largest request body read: one User resource or PATCH is a few hundred bytes.
MAX_BODY = 64 * 1024
CONTENT_TYPE = "application/scim+json"


def _json(body: dict[str, Any], status: int = 200, **headers: str) -> Response:
    response = Response(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response.headers[name] = value
    return response


@bp.errorhandler(ScimError)
def _scim_error(error: ScimError):
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if error.status == 401 else {}
    return _json(error.body(), error.status, **headers)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = error.code or 500
    return _json(ScimError(status, error.name).body(), status)


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    provider = None
    if scheme.lower() == "bearer" and token.strip():
        provider = scim.provider_for_token(token.strip())
    if provider is None:
        raise ScimError(401, "Send the organisation's SCIM token: Authorization: Bearer <token>")
    if (request.content_length or 0) > MAX_BODY:
        raise ScimError(413, f"The request body must be {MAX_BODY // 1024} KB or smaller")
    g.scim_provider = provider


def _body() -> Any:
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        raise ScimError(413, f"The request body must be {MAX_BODY // 1024} KB or smaller")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, "The request body is not JSON", "invalidSyntax") from None


def _base_url() -> str:
    return current_app.config["SETTINGS"].base_url


def _user(user_id: str):
    try:
        number = record_id(user_id)
    except ValueError:
        raise ScimError(404, "No such user") from None
    return scim.get_user(g.scim_provider, number)


@bp.route("/Users", methods=["GET"])
def list_users():
    start, count = rules.page_numbers(request.args.get("startIndex"), request.args.get("count"))
    total, users = scim.list_users(g.scim_provider, request.args.get("filter"), start, count)
    resources = [scim.resource(user, _base_url()) for user in users]
    return _json(rules.list_response(resources, total, start))


@bp.route("/Users", methods=["POST"])
def create_user():
    user = scim.create_user(g.scim_provider, _body())
    body = scim.resource(user, _base_url())
    return _json(body, 201, Location=body["meta"]["location"])


@bp.route("/Users/<user_id>", methods=["GET"])
def get_user(user_id: str):
    return _json(scim.resource(_user(user_id), _base_url()))


@bp.route("/Users/<user_id>", methods=["PUT"])
def replace_user(user_id: str):
    user = scim.replace_user(g.scim_provider, _user(user_id), _body())
    return _json(scim.resource(user, _base_url()))


@bp.route("/Users/<user_id>", methods=["PATCH"])
def patch_user(user_id: str):
    user = scim.patch_user(g.scim_provider, _user(user_id), _body())
    return _json(scim.resource(user, _base_url()))


@bp.route("/Users/<user_id>", methods=["DELETE"])
def delete_user(user_id: str):
    scim.delete_user(g.scim_provider, _user(user_id))
    return Response(status=204)


@bp.route("/ServiceProviderConfig", methods=["GET"])
def service_provider_config():
    unsupported = {"supported": False}
    return _json(
        {
            "schemas": [rules.CONFIG_SCHEMA],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": rules.MAX_COUNT},
            "changePassword": unsupported,
            "sort": unsupported,
            "etag": unsupported,
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "The organisation's SCIM token, issued by an administrator",
                }
            ],
        }
    )
