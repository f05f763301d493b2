"""A real OpenID Connect provider for tests, shaped like Microsoft Entra ID, on 127.0.0.1.

It serves discovery documents (one per tenant at ``/{tenant}/v2.0``, and the multi-tenant one at
``/organizations/v2.0`` whose issuer is ``…/{tenantid}/v2.0``), a JWKS, an authorization endpoint
that signs in whoever the test chose (``sign_in_as``) and redirects back with a code, and a token
endpoint that checks the client secret, the redirect URI and the PKCE verifier, spends each code
once, and returns an RS256-signed ID token. Tests make it misbehave on purpose: other claims,
a key it does not publish, a tampered token, rotated keys.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.peers import Recorded, _Server

TENANT = "6f0c1a9e-2b7d-4c55-9a1e-3d2f4b6a8c01"
OTHER_TENANT = "0b9d8c7e-6f5a-4e3d-8c2b-1a0f9e8d7c6b"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
CLIENT_SECRET = "test-client-secret-not-a-real-one"

_KEYS: dict[str, RSAKey] = {}


def rsa_key(kid: str) -> RSAKey:
    """An RSA key with this key id (made once per test session: generating one is slow)."""
    if kid not in _KEYS:
        _KEYS[kid] = RSAKey.generate_key(
            2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}
        )
    return _KEYS[kid]


@dataclass
class Person:
    """Someone with an account at the provider."""

    oid: str
    email: str
    name: str = "Alex Officer"
    tid: str = TENANT
    groups: list[str] = field(default_factory=list)
    amr: list[str] = field(default_factory=lambda: ["pwd", "mfa"])
    email_verified: bool = True


@dataclass
class _Grant:
    person: Person
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    used: bool = False


class OpenIDProvider(_Server):
    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.signing_key = rsa_key("key-1")
        self.published = [self.signing_key]
        self.person: Person | None = None
        self.grants: dict[str, _Grant] = {}
        self.claim_changes: dict[str, Any] = {}
        self.sign_with: RSAKey | None = None
        self.tamper = False
        self.answer_lock = threading.Lock()

    # What the tests use ------------------------------------------------------------------

    def issuer(self, tenant: str = TENANT) -> str:
        return f"{self.url}/{tenant}/v2.0"

    @property
    def multi_tenant_issuer(self) -> str:
        return f"{self.url}/organizations/v2.0"

    def sign_in_as(self, person: Person) -> None:
        """The next person to sign in at the authorization endpoint."""
        self.person = person

    def rotate_keys(self, kid: str = "key-2") -> None:
        """Sign with a new key and publish only it (as a provider does after a rollover)."""
        self.signing_key = rsa_key(kid)
        self.published = [self.signing_key]

    def calls(self, path_end: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method.endswith(path_end)]

    # The provider -------------------------------------------------------------------------

    def _metadata(self, tenant: str) -> dict[str, Any]:
        issuer = (
            f"{self.url}/{{tenantid}}/v2.0" if tenant == "organizations" else self.issuer(tenant)
        )
        base = f"{self.url}/{tenant}/oauth2/v2.0"
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{self.url}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "oid", "tid", "email"],
            "code_challenge_methods_supported": ["S256"],
        }

    def answer(self, path, params, headers):
        with self.lock:
            self.requests.append(Recorded(path, params, headers))
        parts = path.strip("/").split("/")
        if path.endswith("/.well-known/openid-configuration") and len(parts) == 4:
            return 200, self._metadata(parts[0]), {}
        if path == "/discovery/v2.0/keys":
            return 200, {"keys": [k.as_dict(private=False) for k in self.published]}, {}
        if path.endswith("/oauth2/v2.0/authorize"):
            return self._authorize(params)
        if path.endswith("/oauth2/v2.0/token"):
            with self.answer_lock:
                return self._token(params, headers)
        return 404, {"error": "not_found"}, {}

    def _authorize(self, params: dict[str, Any]):
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id or not redirect_uri:
            return 400, {"error": "invalid_client"}, {}
        if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256":
            return 400, {"error": "invalid_request", "error_description": "PKCE S256 required"}, {}
        if not params.get("code_challenge") or not params.get("nonce") or not params.get("state"):
            return 400, {"error": "invalid_request"}, {}
        if self.person is None:
            query = {"error": "access_denied", "state": params["state"]}
            return 302, {}, {"Location": f"{redirect_uri}?{urlencode(query)}"}
        code = secrets.token_urlsafe(24)
        self.grants[code] = _Grant(
            self.person, self.client_id, redirect_uri, params["code_challenge"], params["nonce"]
        )
        query = {"code": code, "state": params["state"]}
        return 302, {}, {"Location": f"{redirect_uri}?{urlencode(query)}"}

    def _client_ok(self, params: dict[str, Any], headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            pair = base64.b64decode(auth[6:]).decode()
            client_id, _, secret = pair.partition(":")
        else:
            client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
        return client_id == self.client_id and secret == self.client_secret

    def _token(self, params: dict[str, Any], headers: dict[str, str]):
        if not self._client_ok(params, headers):
            return 401, {"error": "invalid_client"}, {}
        grant = self.grants.get(params.get("code", ""))
        if grant is None or grant.used or params.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}, {}
        grant.used = True
        if params.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}, {}
        verifier = params.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}, {}
        return (
            200,
            {
                "token_type": "Bearer",
                "expires_in": 3600,
                "access_token": secrets.token_urlsafe(32),
                "id_token": self._id_token(grant),
            },
            {},
        )

    def _id_token(self, grant: _Grant) -> str:
        person, now = grant.person, int(time.time())
        claims: dict[str, Any] = {
            "ver": "2.0",
            "iss": self.issuer(person.tid),
            "aud": grant.client_id,
            "sub": hashlib.sha256(f"{person.oid}|{grant.client_id}".encode()).hexdigest()[:43],
            "oid": person.oid,
            "tid": person.tid,
            "nonce": grant.nonce,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": person.name,
            "email": person.email,
            "preferred_username": person.email,
            "amr": person.amr,
        }
        if person.email_verified:
            claims["xms_edov"] = True
        if person.groups:
            claims["groups"] = person.groups
        claims.update(self.claim_changes)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self.sign_with or self.signing_key
        token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
        if self.tamper:
            header, payload, signature = token.split(".")
            padded = payload + "=" * (-len(payload) % 4)
            body = base64.urlsafe_b64decode(padded).replace(
                person.oid.encode(), b"00000000-0000-0000-0000-000000000000"
            )
            payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
            token = f"{header}.{payload}.{signature}"
        return token


def through_provider(client, provider_id: int, next_path: str | None = None):
    """A browser's whole trip with the Flask test client: the app's redirect to the provider,
    the provider's redirect back (over real HTTP), and the callback. Returns the callback's
    response and the callback path (to replay)."""
    from urllib.parse import urlsplit

    import requests

    start = f"/sign-in/organisation/{provider_id}" + (f"?next={next_path}" if next_path else "")
    leaving = client.get(start)
    assert leaving.status_code == 302, leaving.get_data(as_text=True)[:500]
    at_provider = requests.get(leaving.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    callback = f"{back.path}?{back.query}"
    return client.get(callback), callback
