"""SCIM 2.0 provisioning over real HTTP: the app served on a port of 127.0.0.1, called with
``requests`` as an organisation's provisioning service would (Entra ID's request shapes)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.identity import credentials
from protocol_monitor.models import AuditEvent, IdentityProvider, User
from protocol_monitor.services import single_sign_on as sso
from tests.support.factories import PASSWORD
from tests.support.live import Client, serving

SCIM = "application/scim+json"


def organisation(name: str) -> IdentityProvider:
    provider = IdentityProvider(
        name=name, issuer="https://login.example/tenant/v2.0", client_id="client"
    )
    db.session.add(provider)
    db.session.commit()
    return provider


@pytest.fixture
def served(app):
    with serving(app) as url:
        yield url


class Scim:
    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url + "/scim/v2"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": SCIM}

    def __call__(self, method: str, path: str, body=None, **kwargs):
        return requests.request(
            method, self.base + path, json=body, headers=self.headers, timeout=30, **kwargs
        )


def entra_user(user_name: str, external_id: str, active: bool = True) -> dict:
    """What Entra ID's provisioning service POSTs, default attribute mappings included."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "externalId": external_id,
        "userName": user_name,
        "active": active,
        "displayName": "Sam Leaver",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"formatted": "Sam Leaver", "familyName": "Leaver", "givenName": "Sam"},
        "title": "Police constable",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "CID"},
    }


def audit_actions() -> list[tuple[str, dict]]:
    db.session.expire_all()
    return [
        (e.action, e.changes)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_create_find_update_and_deactivate_a_person(served, app):
    provider = organisation("Dorset Police")
    scim = Scim(served, sso.issue_scim_token(provider))

    created = scim("POST", "/Users", entra_user("sam.leaver@dorset.example", "oid-1"))

    assert created.status_code == 201, created.text
    assert created.headers["Content-Type"] == SCIM
    body = created.json()
    assert body["userName"] == "sam.leaver@dorset.example" and body["active"] is True
    assert body["externalId"] == "oid-1"
    assert created.headers["Location"].endswith(f"/scim/v2/Users/{body['id']}")
    found = scim("GET", "/Users", params={"filter": 'userName eq "Sam.Leaver@dorset.example"'})
    assert found.json()["totalResults"] == 1 and found.json()["Resources"][0]["id"] == body["id"]
    by_external = scim("GET", "/Users", params={"filter": 'externalId eq "oid-1"'})
    assert by_external.json()["totalResults"] == 1

    renamed = scim(
        "PATCH",
        f"/Users/{body['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "displayName", "value": "Sam Stayer"},
                {"op": "Add", "path": "title", "value": "Sergeant"},
            ],
        },
    )
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "Sam Stayer"

    deactivated = scim(
        "PATCH",
        f"/Users/{body['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )

    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    db.session.expire_all()
    user = db.session.get(User, int(body["id"]))
    assert not user.active and user.identity_provider_id == provider.id
    assert user.role_source == "awaiting" and user.authorities == []
    actions = audit_actions()
    assert [a for a, _ in actions if a.startswith("user_")] == [
        "user_created",
        "user_changed",
        "user_deactivated",
    ]
    assert all(c.get("via") == "scim" for a, c in actions if a.startswith("user_"))
    assert scim("GET", "/Users/" + body["id"]).json()["active"] is False


def test_deactivating_someone_ends_their_session_and_stops_their_api_tokens(served, app, make):
    provider = organisation("Dorset Police")
    scim = Scim(served, sso.issue_scim_token(provider))
    person = make.user("group", authorities=[make.authority()])
    person.identity_provider = provider
    db.session.commit()
    _row, api_token = credentials.create_api_token(person, "Power BI", password=PASSWORD)
    browser = Client(served)
    browser.sign_in(person.email, PASSWORD)
    assert "Signed in as" in browser.get("/account/")[2]
    api = requests.get(
        served + "/api/v1/callouts", headers={"Authorization": f"Bearer {api_token}"}, timeout=30
    )
    assert api.status_code == 200

    gone = scim("DELETE", f"/Users/{person.id}")

    assert gone.status_code == 204
    _status, url, page = browser.get("/account/")
    assert "/sign-in" in url
    assert "Signed in as" not in page
    api = requests.get(
        served + "/api/v1/callouts", headers={"Authorization": f"Bearer {api_token}"}, timeout=30
    )
    assert api.status_code == 401
    assert ("user_deactivated", {"via": "scim", "identity_provider": provider.id}) in (
        audit_actions()
    )


def test_one_organisations_token_cannot_reach_another_organisations_people(served, make):
    dorset, wilts = organisation("Dorset Police"), organisation("Wiltshire Police")
    dorset_scim = Scim(served, sso.issue_scim_token(dorset))
    wilts_scim = Scim(served, sso.issue_scim_token(wilts))
    theirs = wilts_scim("POST", "/Users", entra_user("jo@wilts.example", "oid-w")).json()
    local = make.user("admin", authorities=[make.authority()])

    for target in (theirs["id"], str(local.id)):
        assert dorset_scim("GET", f"/Users/{target}").status_code == 404
        assert dorset_scim("DELETE", f"/Users/{target}").status_code == 404
        patch = {"Operations": [{"op": "replace", "value": {"active": False}}]}
        assert dorset_scim("PATCH", f"/Users/{target}", patch).status_code == 404
    assert dorset_scim("GET", "/Users").json()["totalResults"] == 0
    db.session.expire_all()
    assert all(u.active for u in db.session.scalars(select(User)))


def test_a_rotated_token_stops_the_old_one(served):
    provider = organisation("Dorset Police")
    old = sso.issue_scim_token(provider)
    new = sso.issue_scim_token(provider)

    assert Scim(served, old)("GET", "/Users").status_code == 401
    assert Scim(served, new)("GET", "/Users").status_code == 200
    assert [a for a, _ in audit_actions()] == ["scim_token_issued", "scim_token_rotated"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer scim_nope_nope"}, {"Authorization": "Basic abc"}],
)
def test_requests_without_a_valid_token_are_refused(served, headers):
    organisation("Dorset Police")

    response = requests.get(served + "/scim/v2/Users", headers=headers, timeout=30)

    assert response.status_code == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_input_gets_a_scim_error_and_changes_nothing(served, make):
    provider = organisation("Dorset Police")
    scim = Scim(served, sso.issue_scim_token(provider))
    make.user("police", email="taken@example.org", police=make.force())
    existing = scim("POST", "/Users", entra_user("sam@dorset.example", "oid-1")).json()

    cases = [
        ("POST", "/Users", {"userName": ""}, 400, "invalidValue"),
        ("POST", "/Users", {"userName": "not an email"}, 400, "invalidValue"),
        ("POST", "/Users", {"userName": "nul\x00@example.org"}, 400, "invalidValue"),
        ("POST", "/Users", {"userName": "x@example.org", "active": "maybe"}, 400, "invalidValue"),
        ("POST", "/Users", entra_user("taken@example.org", "oid-2"), 409, "uniqueness"),
        ("POST", "/Users", entra_user("new@dorset.example", "oid-1"), 409, "uniqueness"),
        ("POST", "/Users", ["not", "an", "object"], 400, "invalidSyntax"),
        ("PATCH", f"/Users/{existing['id']}", {"Operations": "x"}, 400, "invalidSyntax"),
        (
            "PATCH",
            f"/Users/{existing['id']}",
            {"Operations": [{"op": "move"}]},
            400,
            "invalidSyntax",
        ),
        ("GET", "/Users?filter=displayName%20co%20%22a%22", None, 400, "invalidFilter"),
        ("GET", "/Users?count=abc", None, 400, "invalidValue"),
        ("GET", "/Users/99999999999999", None, 404, None),
        ("GET", "/Groups", None, 404, None),
    ]
    for method, path, body, status, scim_type in cases:
        response = scim(method, path, body)
        assert response.status_code == status, (method, path, response.text)
        assert response.json().get("scimType") == scim_type, (path, response.text)

    not_json = requests.post(scim.base + "/Users", data=b"{nope", headers=scim.headers, timeout=30)
    assert not_json.status_code == 400 and not_json.json()["scimType"] == "invalidSyntax"
    huge = requests.post(
        scim.base + "/Users", data=b"x" * (65 * 1024), headers=scim.headers, timeout=30
    )
    assert huge.status_code == 413
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "new@dorset.example")) is None
    assert sum(1 for a, _ in audit_actions() if a == "user_created") == 1


def test_entra_finds_an_invited_person_by_user_name_and_takes_them_over(served, make):
    provider = organisation("Dorset Police")
    scim = Scim(served, sso.issue_scim_token(provider))
    make.force()
    invited = sso.invite(provider, "alex@dorset.example", "police", force_code="E23000039")

    found = scim("GET", "/Users", params={"filter": 'userName eq "alex@dorset.example"'})
    assert found.json()["totalResults"] == 1
    patched = scim(
        "PATCH",
        f"/Users/{invited.id}",
        {"Operations": [{"op": "Add", "path": "externalId", "value": "oid-alex"}]},
    )

    assert patched.status_code == 200 and patched.json()["externalId"] == "oid-alex"
    db.session.expire_all()
    assert db.session.get(User, invited.id).role == "police"
