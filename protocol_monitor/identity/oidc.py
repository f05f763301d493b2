"""The OpenID Connect relying party: discovery, the authorization request (code flow with PKCE,
``state`` and ``nonce``), the code exchange and the ID token's checks.

Authlib does the protocol (``OAuth2Session`` for the requests, ``OpenIDProviderMetadata`` for the
discovery document, ``CodeIDToken`` for the claims) and joserfc the signature. This module adds
what a server needs around them: bounded, timed-out fetches; a per-process cache of discovery
documents and key sets, the key set fetched again when a token names a key it does not hold;
and one exception, ``ProviderProblem``, for everything that can go wrong, with a reason to audit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from ..i18n import N_, _, translate
from ..rules.single_sign_on import Refusal, discovery_url, expected_issuer, is_multi_tenant

#: Seconds to wait for the identity provider on any one request.
HTTP_TIMEOUT = 10
#: The largest discovery document or key set read (Entra's are a few kilobytes).
MAX_DOCUMENT_BYTES = 256 * 1024
#: How long a discovery document is trusted before it is read again.
METADATA_SECONDS = 3600
#: Clock difference allowed between this server and the provider when checking exp and iat.
LEEWAY_SECONDS = 120
SCOPE = "openid profile email"
#: Only asymmetric signatures: a client secret must never be able to sign an ID token.
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]


class ProviderProblem(Refusal):
    """The identity provider could not be used, or what it sent failed a check."""


@dataclass(frozen=True)
class Client:
    """This service as one organisation's registered client."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class Pending:
    """What the browser's session keeps between the redirect to the provider and the callback."""

    state: str
    nonce: str
    code_verifier: str


class _Cache:
    """Discovery documents and key sets, per process, shared by threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.metadata: dict[str, tuple[float, dict[str, Any]]] = {}
        self.keys: dict[str, dict[str, Any]] = {}

    def clear(self) -> None:
        with self.lock:
            self.metadata.clear()
            self.keys.clear()


cache = _Cache()


#: Each problem with a document the identity provider publishes, as a whole sentence per
#: document (its discovery document, its key set), read in the page's language when raised.
_DOCUMENT_PROBLEMS = {
    "discovery document": {
        "status": N_("The identity provider’s discovery document answered %(status)s."),
        "unreachable": N_("The identity provider’s discovery document could not be reached."),
        "too_big": N_("The identity provider’s discovery document is too big."),
        "not_json": N_("The identity provider’s discovery document is not JSON."),
    },
    "key set": {
        "status": N_("The identity provider’s key set answered %(status)s."),
        "unreachable": N_("The identity provider’s key set could not be reached."),
        "too_big": N_("The identity provider’s key set is too big."),
        "not_json": N_("The identity provider’s key set is not JSON."),
    },
}


def _document_problem(what: str, problem: str, **values: Any) -> ProviderProblem:
    message = translate(_DOCUMENT_PROBLEMS[what][problem])
    return ProviderProblem("provider_unavailable", message % values if values else message)


def _get_json(url: str, what: str) -> dict[str, Any]:
    """GET a JSON document, refusing slow, huge or malformed answers."""
    try:
        with requests.get(
            url, timeout=HTTP_TIMEOUT, stream=True, allow_redirects=False, headers=_ACCEPT
        ) as response:
            if response.status_code != 200:
                raise _document_problem(what, "status", status=response.status_code)
            body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise _document_problem(what, "unreachable") from error
    if len(body) > MAX_DOCUMENT_BYTES:
        raise _document_problem(what, "too_big")
    try:
        document = requests.models.complexjson.loads(body)
    except ValueError as error:
        raise _document_problem(what, "not_json") from error
    if not isinstance(document, dict):
        raise _document_problem(what, "not_json")
    return document


_ACCEPT = {"Accept": "application/json"}


def discover(issuer: str, *, fresh: bool = False) -> dict[str, Any]:
    """The provider's discovery document, checked: OpenID Connect's required fields, HTTPS
    endpoints, and the issuer it names is the one configured (or Entra's multi-tenant template)."""
    now = time.monotonic()
    with cache.lock:
        cached = cache.metadata.get(issuer)
    if cached and not fresh and now - cached[0] < METADATA_SECONDS:
        return cached[1]
    document = _get_json(discovery_url(issuer), "discovery document")
    try:
        OpenIDProviderMetadata(document).validate()
    except (ValueError, KeyError, TypeError) as error:
        raise ProviderProblem(
            "provider_unavailable",
            _(
                "The identity provider’s discovery document is not valid: %(problem)s",
                problem=error,
            ),
        ) from error
    named = document["issuer"]
    if named.rstrip("/") != issuer.rstrip("/") and not is_multi_tenant(named):
        raise ProviderProblem(
            "issuer_mismatch",
            _(
                "The discovery document names the issuer %(named)s, not %(issuer)s.",
                named=named,
                issuer=issuer,
            ),
        )
    with cache.lock:
        cache.metadata[issuer] = (now, document)
    return document


def _key_set(metadata: dict[str, Any], *, refresh: bool) -> KeySet:
    uri = metadata["jwks_uri"]
    with cache.lock:
        keys = None if refresh else cache.keys.get(uri)
    if keys is None:
        keys = _get_json(uri, "key set")
        with cache.lock:
            cache.keys[uri] = keys
    try:
        return KeySet.import_key_set(keys)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise ProviderProblem(
            "provider_unavailable", _("The identity provider’s key set could not be read.")
        ) from error


def _session(client: Client) -> OAuth2Session:
    return OAuth2Session(
        client.client_id,
        client.client_secret,
        scope=SCOPE,
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
    )


def authorization_request(client: Client, metadata: dict[str, Any]) -> tuple[str, Pending]:
    """The URL to send the browser to, and what to keep until it comes back."""
    pending = Pending(
        state=generate_token(32), nonce=generate_token(32), code_verifier=generate_token(64)
    )
    with _session(client) as session:
        url, _state = session.create_authorization_url(
            metadata["authorization_endpoint"],
            state=pending.state,
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
            response_mode="query",
        )
    return url, pending


def exchange_code(client: Client, metadata: dict[str, Any], pending: Pending, code: str) -> str:
    """Trade the authorization code (with the PKCE verifier) for the ID token."""
    try:
        with _session(client) as session:
            token = session.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
                timeout=HTTP_TIMEOUT,
                allow_redirects=False,
            )
    except requests.RequestException as error:
        raise ProviderProblem(
            "provider_unavailable", _("The identity provider could not be reached.")
        ) from error
    except Exception as error:  # Authlib's OAuthError and malformed answers alike
        raise ProviderProblem(
            "code_refused",
            _(
                "The identity provider refused to complete the sign-in. The link may have been "
                "used already."
            ),
        ) from error
    id_token = token.get("id_token") if isinstance(token, dict) else None
    if not isinstance(id_token, str) or len(id_token) > 64 * 1024:
        raise ProviderProblem("no_id_token", _("The identity provider sent no ID token."))
    return id_token


def validate_id_token(
    client: Client,
    metadata: dict[str, Any],
    id_token: str,
    nonce: str,
    tenant_check: Any = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The token's claims, after checking its signature (fetching the key set again when it
    names a key not held), issuer, audience, expiry, issue time and nonce.

    ``tenant_check(tenant_id)`` runs before the issuer is compared, so that a multi-tenant
    registration checks the tenant against its allow-list first.
    """
    algorithms = [
        a
        for a in metadata.get("id_token_signing_alg_values_supported", [])
        if a in SIGNING_ALGORITHMS
    ] or ["RS256"]
    registry = JWSRegistry(algorithms=algorithms)
    try:
        try:
            decoded = jwt.decode(id_token, _key_set(metadata, refresh=False), registry=registry)
        except InvalidKeyIdError:
            decoded = jwt.decode(id_token, _key_set(metadata, refresh=True), registry=registry)
    except InvalidKeyIdError as error:
        raise ProviderProblem(
            "unknown_key",
            _("The ID token was signed with a key the identity provider does not publish."),
        ) from error
    except (JoseError, ValueError, TypeError) as error:
        raise ProviderProblem(
            "bad_signature", _("The ID token’s signature is not valid: it may have been changed.")
        ) from error
    claims = decoded.claims
    tenant = claims.get("tid", "") if isinstance(claims.get("tid", ""), str) else ""
    if tenant_check is not None:
        tenant_check(tenant.lower())
    issuer = expected_issuer(metadata["issuer"], tenant.lower() if tenant else tenant)
    if is_multi_tenant(metadata["issuer"]) and not tenant:
        raise ProviderProblem("wrong_issuer", _("The ID token does not name its tenant."))
    options = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    params = {"nonce": nonce, "client_id": client.client_id}
    try:
        CodeIDToken(claims, decoded.header, options, params).validate(
            now=int(now if now is not None else time.time()), leeway=LEEWAY_SECONDS
        )
    except ExpiredTokenError as error:
        raise ProviderProblem("expired", _("The ID token has expired.")) from error
    except (InvalidClaimError, MissingClaimError) as error:
        claim = getattr(error, "claim", "") or ""
        reason = {"iss": "wrong_issuer", "aud": "wrong_audience", "nonce": "wrong_nonce"}.get(
            claim, "bad_claims"
        )
        message = {
            "wrong_issuer": _(
                "The ID token was issued by someone other than the identity provider."
            ),
            "wrong_audience": _("The ID token was issued for another application."),
            "wrong_nonce": _("The ID token does not belong to this sign-in."),
        }.get(reason) or (
            _("The ID token’s %(claim)s claim failed a check.", claim=claim)
            if claim
            else _("The ID token’s claims failed a check.")
        )
        raise ProviderProblem(reason, message) from error
    except JoseError as error:
        raise ProviderProblem("bad_claims", _("The ID token failed a check.")) from error
    return dict(claims)
