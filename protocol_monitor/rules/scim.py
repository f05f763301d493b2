"""Pure rules of SCIM 2.0 provisioning (RFC 7643/7644) for the User resource: reading a
resource, the ``filter`` forms a provisioning client uses, and PATCH operations — including the
forms Microsoft Entra ID sends (``"op": "Replace"``, ``"value": "False"``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"

#: The most results one page of a list returns.
MAX_COUNT = 100
#: The most operations one PATCH may carry.
MAX_OPERATIONS = 50

_FILTER = re.compile(r'\A\s*([A-Za-z.]+)\s+eq\s+"((?:[^"\\]|\\.){0,254})"\s*\Z', re.IGNORECASE)
_FILTERABLE = {"username": "userName", "externalid": "externalId"}
_WORK_EMAIL = re.compile(r'\Aemails\[type eq "work"\]\.value\Z', re.IGNORECASE)


class ScimError(Exception):
    """A request refused, as a SCIM error response."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


@dataclass(frozen=True)
class Person:
    """The core-schema fields this service keeps about a provisioned person."""

    user_name: str
    email: str
    display_name: str = ""
    external_id: str | None = None
    active: bool = True


def _text(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, f"{name} must be a string", "invalidValue")
    if len(value) > limit:
        raise ScimError(400, f"{name} must be {limit} characters or fewer", "invalidValue")
    if "\x00" in value:
        raise ScimError(400, f"{name} must not contain a NUL character", "invalidValue")
    return value.strip()


def to_bool(value: Any, name: str = "active") -> bool:
    """A SCIM boolean; Entra sends "True" and "False" as strings in PATCH."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError(400, f"{name} must be true or false", "invalidValue")


def _work_email(emails: Any) -> str:
    if emails is None:
        return ""
    if not isinstance(emails, list):
        raise ScimError(400, "emails must be a list", "invalidValue")
    chosen = ""
    for item in emails[:20]:
        if not isinstance(item, dict):
            raise ScimError(400, "each of emails must be an object", "invalidValue")
        value = _text(item.get("value"), "emails.value", 254)
        if value and (item.get("primary") is True or item.get("type") == "work" or not chosen):
            chosen = value
    return chosen


def _display_name(resource: dict[str, Any]) -> str:
    display = _text(resource.get("displayName"), "displayName", 120)
    if display:
        return display
    name = resource.get("name")
    if isinstance(name, dict):
        formatted = _text(name.get("formatted"), "name.formatted", 120)
        given = _text(name.get("givenName"), "name.givenName", 60)
        family = _text(name.get("familyName"), "name.familyName", 60)
        return formatted or " ".join(part for part in (given, family) if part)
    return ""


def person_from_resource(resource: Any) -> Person:
    """The person a POSTed or PUT User resource describes."""
    if not isinstance(resource, dict):
        raise ScimError(400, "Send a User resource as a JSON object", "invalidSyntax")
    user_name = _text(resource.get("userName"), "userName", 254)
    if not user_name:
        raise ScimError(400, "userName is required", "invalidValue")
    external_id = _text(resource.get("externalId"), "externalId", 255) or None
    email = _work_email(resource.get("emails")) or user_name
    active = to_bool(resource["active"]) if "active" in resource else True
    return Person(
        user_name=user_name,
        email=email,
        display_name=_display_name(resource),
        external_id=external_id,
        active=active,
    )


def parse_filter(text: str | None) -> tuple[str, str] | None:
    """``userName eq "…"`` or ``externalId eq "…"`` as (attribute, value); None for no filter."""
    if not text:
        return None
    found = _FILTER.match(text) if len(text) <= 400 else None
    if not found or found.group(1).lower() not in _FILTERABLE:
        raise ScimError(
            400,
            'Only the filters userName eq "…" and externalId eq "…" are supported',
            "invalidFilter",
        )
    value = re.sub(r"\\(.)", r"\1", found.group(2))
    return _FILTERABLE[found.group(1).lower()], value


def apply_patch(person: Person, body: Any) -> Person:
    """The person after a PATCH request's operations. Attributes this service does not keep
    (title, department, addresses…) are accepted and ignored: nothing of them is stored."""
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list):
        raise ScimError(400, "Send a PatchOp with a list of Operations", "invalidSyntax")
    operations = body["Operations"]
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(400, f"Send {MAX_OPERATIONS} operations or fewer", "tooMany")
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be an object", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in {"add", "replace", "remove"}:
            raise ScimError(400, "op must be add, replace or remove", "invalidSyntax")
        path = operation.get("path")
        value = operation.get("value")
        if path is None:
            if op == "remove" or not isinstance(value, dict):
                raise ScimError(
                    400, "An operation without a path needs an object value", "noTarget"
                )
            for name, item in value.items():
                person = _set(person, str(name), item)
            continue
        if not isinstance(path, str) or len(path) > 200:
            raise ScimError(400, "path must be a string", "invalidPath")
        person = _set(person, path, None if op == "remove" else value)
    return person


def _set(person: Person, path: str, value: Any) -> Person:
    key = path.strip()
    lowered = key.lower()
    if lowered == "active":
        if value is None:
            raise ScimError(400, "active cannot be removed", "mutability")
        return replace(person, active=to_bool(value))
    if lowered == "username":
        user_name = _text(value, "userName", 254)
        if not user_name:
            raise ScimError(400, "userName cannot be removed", "mutability")
        # The account's email follows userName unless a work email was given separately.
        email = user_name if person.email.lower() == person.user_name.lower() else person.email
        return replace(person, user_name=user_name, email=email)
    if lowered == "displayname":
        return replace(person, display_name=_text(value, "displayName", 120))
    if lowered == "externalid":
        return replace(person, external_id=_text(value, "externalId", 255) or None)
    if _WORK_EMAIL.match(key):
        email = _text(value, "emails", 254)
        return replace(person, email=email or person.user_name)
    if lowered == "emails":
        email = _work_email(value if isinstance(value, list) else [])
        return replace(person, email=email or person.user_name)
    if lowered in {"name.givenname", "name.familyname", "name.formatted", "name"}:
        # Only a display name is kept; a name part changes it when no displayName is set.
        return person
    return person


def list_response(resources: list[dict[str, Any]], total: int, start_index: int) -> dict[str, Any]:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def page_numbers(start_index: str | None, count: str | None) -> tuple[int, int]:
    """SCIM's 1-based ``startIndex`` and ``count``, bounded (RFC 7644 §3.4.2.4)."""

    def number(text: str | None, default: int) -> int:
        if text is None or text == "":
            return default
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise ScimError(400, "startIndex and count must be whole numbers", "invalidValue")
        return int(text)

    return max(1, number(start_index, 1)), min(MAX_COUNT, number(count, MAX_COUNT))
