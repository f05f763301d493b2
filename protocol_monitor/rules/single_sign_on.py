"""Pure rules of single sign-on: which issuer and tenant to trust, who a token names, and which
role and scope an identity-provider group gives. No Flask, no database, no network."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: Entra's multi-tenant discovery documents name their issuer with this placeholder.
TENANT_PLACEHOLDER = "{tenantid}"
#: A tenant id (a GUID, as Microsoft Entra ID gives them).
TENANT_ID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
#: A group's object id: a GUID in Entra; other providers' group ids are short names.
GROUP_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\Z")
#: ``amr`` values that mean more than one factor (RFC 8176, and Entra's own).
MULTI_FACTOR_AMR = frozenset({"mfa", "hwk", "fido", "otp", "sms", "swk", "sc", "face", "fpt"})


def N_(message: str) -> str:
    """Marks a message for the Welsh catalogue, as i18n.N_ does (these rules import no Flask):
    whoever shows it reads it through i18n.translate."""
    return message


class Refusal(Exception):
    """A sign-in refused for a reason a person can act on. ``reason`` is the audit slug."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def issuer_url_problem(url: str) -> str | None:
    """Why an issuer URL cannot be used, or None. HTTPS only, except on this machine."""
    url = (url or "").strip()
    if not url:
        return N_("Enter the issuer URL")
    if len(url) > 500:
        return N_("Issuer URL must be 500 characters or fewer")
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return N_("Enter the issuer URL as a web address starting https://")
    if parts.query or parts.fragment or parts.username or parts.password:
        return N_("Enter the issuer URL without a query, fragment or user name")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return N_("The issuer URL must start https:// (plain http only for 127.0.0.1)")
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def is_multi_tenant(metadata_issuer: str) -> bool:
    return TENANT_PLACEHOLDER in metadata_issuer


def expected_issuer(metadata_issuer: str, tenant_id: str) -> str:
    """The ``iss`` a token from this tenant must carry."""
    return metadata_issuer.replace(TENANT_PLACEHOLDER, tenant_id)


def parse_tenant_ids(text: str) -> list[str]:
    """Tenant ids typed one a line (or split by commas or spaces). ValueError names a bad one."""
    ids: list[str] = []
    for raw in re.split(r"[\s,]+", text or ""):
        value = raw.strip().lower()
        if not value:
            continue
        if not TENANT_ID.match(value):
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            raise ValueError(
                f"‘{shown}’ is not a tenant id: enter each as 8-4-4-4-12 letters and digits, "
                "like 72f988bf-86f1-41af-91ab-2d7cd011db47"
            )
        if value not in ids:
            ids.append(value)
    if len(ids) > 100:
        raise ValueError(N_("Enter 100 tenant ids or fewer"))
    return ids


def check_tenant(tenant_id: str, allowed: Sequence[str], multi_tenant: bool) -> None:
    """A multi-tenant registration takes only allow-listed tenants; a single-tenant one takes
    its own, and only those listed when a list is given."""
    if multi_tenant and not allowed:
        raise Refusal(
            "tenant_not_allowed",
            N_(
                "Sign-in with this organisation is not set up completely: no tenant is allowed yet."
            ),
        )
    if allowed and tenant_id not in allowed:
        raise Refusal(
            "tenant_not_allowed",
            N_("Your organisation’s Microsoft tenant is not one this service accepts."),
        )


def subject_of(claims: Mapping[str, Any]) -> str:
    """The person's stable id at the provider: Entra's ``oid`` (the same for every app in the
    tenant), else ``sub``."""
    for name in ("oid", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and 0 < len(value) <= 255:
            return value
    raise Refusal("no_subject", N_("The identity provider did not say who you are."))


def tenant_of(claims: Mapping[str, Any]) -> str:
    value = claims.get("tid", "")
    if not isinstance(value, str) or len(value) > 64:
        raise Refusal(
            "bad_tenant", N_("The identity provider named a tenant this service cannot read.")
        )
    return value.lower()


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The email address the provider vouches for: ``email`` with ``email_verified`` true, or
    (Entra) with ``xms_edov`` true, the domain owner verified. Otherwise None."""
    email = claims.get("email")
    if not isinstance(email, str) or not email or len(email) > 254:
        return None
    if _truthy(claims.get("email_verified")) or _truthy(claims.get("xms_edov")):
        return email.strip().lower()
    return None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def authentication_methods(claims: Mapping[str, Any]) -> list[str]:
    amr = claims.get("amr")
    if not isinstance(amr, list):
        return []
    return [str(v)[:20] for v in amr if isinstance(v, str)][:10]


def shows_multi_factor(amr: Iterable[str]) -> bool:
    return any(value.lower() in MULTI_FACTOR_AMR for value in amr)


def groups_of(claims: Mapping[str, Any]) -> list[str]:
    """The group ids in the token. Entra leaves ``groups`` out when a person is in too many
    (the "overage" claim); the service cannot then tell, and says so."""
    names = claims.get("_claim_names")
    if isinstance(names, Mapping) and "groups" in names:
        raise Refusal(
            "groups_overage",
            N_(
                "You are in too many groups for the identity provider to list them. Your "
                "administrator can send only the groups assigned to this application."
            ),
        )
    groups = claims.get("groups", [])
    if not isinstance(groups, list):
        return []
    return [g for g in groups if isinstance(g, str) and len(g) <= 64][:500]


@dataclass(frozen=True)
class Grant:
    """What one mapped group gives: a role and the links that scope it (by code and URN)."""

    group_id: str
    role: str
    force_code: str | None = None
    authority_codes: tuple[str, ...] = ()
    home_urns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Access:
    role: str
    force_code: str | None
    authority_codes: tuple[str, ...]
    home_urns: tuple[str, ...]
    groups: tuple[str, ...] = field(default=())


def access_from_groups(groups: Iterable[str], grants: Iterable[Grant]) -> Access | None:
    """The role and scope the person's mapped groups give, or None if no group is mapped.

    Several groups with the same role add their scopes together. Groups that give different
    roles, or a police role in different forces, are refused: the service will not guess.
    """
    member = set(groups)
    matched = sorted((g for g in grants if g.group_id in member), key=lambda g: g.group_id)
    if not matched:
        return None
    roles = {g.role for g in matched}
    forces = {g.force_code for g in matched if g.force_code}
    if len(roles) > 1 or len(forces) > 1:
        raise Refusal(
            "groups_conflict",
            N_(
                "Your groups give you more than one role in this service, so it cannot tell "
                "which one you should have."
            ),
        )
    return Access(
        role=matched[0].role,
        force_code=next(iter(forces), None),
        authority_codes=tuple(sorted({c for g in matched for c in g.authority_codes})),
        home_urns=tuple(sorted({u for g in matched for u in g.home_urns})),
        groups=tuple(g.group_id for g in matched),
    )
