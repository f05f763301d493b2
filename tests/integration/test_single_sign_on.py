"""Signing in with an organisation's account: the real authorization-code flow (PKCE, state,
nonce) against a real OpenID Connect provider on 127.0.0.1, for success and every bad case."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, ExternalIdentity, IdentityProvider, User
from protocol_monitor.services import single_sign_on as sso
from tests.support.identity_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_TENANT,
    TENANT,
    Person,
    rsa_key,
    through_provider,
)

OID = "11111111-2222-4333-8444-555555555555"
EMAIL = "alex.officer@dorset.police.example"


def organisation(idp, *, multi_tenant=False, tenants=(), **options) -> IdentityProvider:
    return sso.save_provider(
        sso.ProviderInput(
            name=options.pop("name", "Dorset Police"),
            issuer=idp.multi_tenant_issuer if multi_tenant else idp.issuer(),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            tenant_ids="\n".join(tenants),
            **options,
        )
    )


def invited(make, provider, email=EMAIL, role="police"):
    make.force()
    return sso.invite(provider, email, role, force_code="E23000039")


def refusals() -> list[dict]:
    return [
        e.changes
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "single_sign_on_refused")
        )
    ]


def page_text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_invited_person_signs_in_with_pkce_and_is_bound_to_their_subject(
    client, make, identity_provider
):
    provider = organisation(identity_provider)
    user = invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))

    response, _ = through_provider(client, provider.id, next_path="/account/")

    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert "Signed in as " + EMAIL in page_text(client.get("/account/"))
    authorize = identity_provider.calls("/authorize")[0].params
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["nonce"] and authorize["state"] and authorize["code_challenge"]
    assert "code_verifier" not in authorize
    token_request = identity_provider.calls("/token")[0].params
    assert len(token_request["code_verifier"]) >= 43
    binding = db.session.scalar(select(ExternalIdentity))
    assert (binding.user_id, binding.tenant_id, binding.subject) == (user.id, TENANT, OID)
    assert binding.last_amr == ["pwd", "mfa"]
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in"))
    assert entry.user_id == user.id
    assert entry.changes["method"] == "single_sign_on"
    assert entry.changes["amr"] == ["pwd", "mfa"] and entry.changes["matched"] == "email"


def test_a_changed_email_cannot_reach_a_bound_account(client, make, identity_provider):
    provider = organisation(identity_provider)
    alex = invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))
    through_provider(client, provider.id)
    sign_out(client)
    # Someone else in the tenant now carries Alex's (verified) email address.
    other = client.application.test_client()
    identity_provider.sign_in_as(Person(oid="99999999-8888-4777-8666-555555555555", email=EMAIL))

    response, _ = through_provider(other, provider.id)

    assert response.status_code == 403
    assert "There is no account for you" in page_text(response)
    assert "Signed in as" not in page_text(other.get("/account/", follow_redirects=True))
    assert db.session.scalar(select(ExternalIdentity.subject)) == OID
    assert refusals()[-1]["reason"] == "unknown_person"
    assert alex.active


def test_an_unverified_email_does_not_match_an_invitation(client, make, identity_provider):
    provider = organisation(identity_provider)
    invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL, email_verified=False))

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 403
    assert refusals()[-1]["reason"] == "unknown_person"
    assert db.session.scalar(select(ExternalIdentity)) is None


def test_a_group_mapped_to_a_role_lets_members_in_and_takes_them_out(
    client, make, identity_provider
):
    provider = organisation(identity_provider)
    dorset = make.authority()
    sso.add_group_mapping(
        provider,
        group_id="a1b2c3d4-0000-4000-8000-000000000001",
        label="Corporate parenting",
        role="authority",
        force_code=None,
        authority_codes=[dorset.code],
        home_urns=[],
    )
    person = Person(
        oid=OID, email="sam@dorset.example", groups=["a1b2c3d4-0000-4000-8000-000000000001"]
    )
    identity_provider.sign_in_as(person)

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "sam@dorset.example"))
    assert (user.role, user.role_source) == ("authority", "group")
    assert [a.code for a in user.authorities] == [dorset.code]
    assert not user.password_sign_in

    sign_out(client)
    person.groups = []
    response, _ = through_provider(client, provider.id)

    assert response.status_code == 403
    assert "None of your groups has access" in page_text(response)
    assert refusals()[-1]["reason"] == "no_access"


def test_groups_giving_two_roles_are_refused(client, make, identity_provider):
    provider = organisation(identity_provider)
    make.force()
    authority = make.authority()
    for group, role, links in (
        ("g-police", "police", {"force_code": "E23000039", "authority_codes": []}),
        ("g-council", "authority", {"force_code": None, "authority_codes": [authority.code]}),
    ):
        sso.add_group_mapping(
            provider, group_id=group, label=group, role=role, home_urns=[], **links
        )
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL, groups=["g-police", "g-council"]))

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 403
    assert refusals()[-1]["reason"] == "groups_conflict"


BAD_TOKENS = {
    "wrong_audience": ({"aud": "someone-elses-app"}, "issued for another application"),
    "wrong_issuer": ({"iss": "https://evil.example/v2.0"}, "issued by someone other"),
    "wrong_nonce": ({"nonce": "not-the-one-we-sent"}, "does not belong to this sign-in"),
    "expired": ({"iat": 1_600_000_000, "nbf": 1_600_000_000, "exp": 1_600_003_600}, "expired"),
    "missing_nonce": ({"nonce": None}, "does not belong to this sign-in"),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_a_token_that_fails_a_check_is_refused(client, make, identity_provider, case):
    provider = organisation(identity_provider)
    invited(make, provider)
    changes, wording = BAD_TOKENS[case]
    identity_provider.claim_changes = changes
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 400
    text = page_text(response)
    assert "You could not be signed in" in text and wording in text
    assert "Start again from the sign-in page" in text
    reason = refusals()[-1]["reason"]
    assert reason == {"missing_nonce": "wrong_nonce"}.get(case, case)
    assert (
        f"Reference: {db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))}"
        in text
    )
    assert db.session.scalar(select(ExternalIdentity)) is None
    assert "Signed in as" not in page_text(client.get("/sign-in"))


def test_a_tampered_token_is_refused(client, make, identity_provider):
    provider = organisation(identity_provider)
    invited(make, provider)
    identity_provider.tamper = True
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 400
    assert "signature is not valid" in page_text(response)
    assert refusals()[-1]["reason"] == "bad_signature"


def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    client, make, identity_provider
):
    provider = organisation(identity_provider)
    invited(make, provider)
    identity_provider.sign_with = rsa_key("forged")
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 400
    assert refusals()[-1]["reason"] == "unknown_key"
    # The key set was fetched again before giving up on the unknown key id.
    assert len(identity_provider.calls("/keys")) == 2


def test_the_key_set_is_fetched_again_when_the_provider_rolls_its_keys(
    client, make, identity_provider
):
    provider = organisation(identity_provider)
    invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))
    assert through_provider(client, provider.id)[0].status_code == 302
    sign_out(client)
    identity_provider.rotate_keys()

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 302
    assert len(identity_provider.calls("/keys")) == 2


def test_a_multi_tenant_registration_accepts_only_allowed_tenants(client, make, identity_provider):
    provider = organisation(identity_provider, multi_tenant=True, tenants=[TENANT])
    invited(make, provider)
    invited(make, provider, email="jo@other.example", role="police")
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))
    assert through_provider(client, provider.id)[0].status_code == 302
    sign_out(client)

    identity_provider.sign_in_as(
        Person(
            oid="22222222-3333-4444-8555-666666666666", email="jo@other.example", tid=OTHER_TENANT
        )
    )
    response, _ = through_provider(client, provider.id)

    assert response.status_code == 403
    assert "tenant is not one this service accepts" in page_text(response)
    assert refusals()[-1] == {"reason": "tenant_not_allowed", "tenant": OTHER_TENANT}


def test_a_deactivated_person_is_refused(client, make, identity_provider):
    provider = organisation(identity_provider)
    user = invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))
    through_provider(client, provider.id)
    sign_out(client)
    user.active = False
    db.session.commit()

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 403
    assert "has been deactivated" in page_text(response)
    assert "Ask your administrator" in page_text(response)
    assert refusals()[-1]["reason"] == "deactivated"


def test_an_unknown_person_is_refused(client, make, identity_provider):
    provider = organisation(identity_provider)
    identity_provider.sign_in_as(Person(oid=OID, email="stranger@example.org"))

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 403
    assert refusals()[-1]["reason"] == "unknown_person"
    assert db.session.scalar(select(User)) is None


def test_a_replayed_callback_is_refused(client, make, identity_provider):
    provider = organisation(identity_provider)
    invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))
    first, callback = through_provider(client, provider.id)
    assert first.status_code == 302
    sign_out(client)

    again = client.get(callback)
    elsewhere = client.application.test_client().get(callback)

    for response in (again, elsewhere):
        assert response.status_code == 400
        assert "already been used" in page_text(response)
    assert [r["reason"] for r in refusals()] == ["replayed", "replayed"]
    assert "Signed in as" not in page_text(client.get("/sign-in"))


def test_cancelling_at_the_provider_says_so(client, make, identity_provider):
    provider = organisation(identity_provider)
    identity_provider.person = None  # the person cancels at the provider

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 400
    assert "You cancelled signing in" in page_text(response)
    assert refusals()[-1]["reason"] == "provider_said_no"


def test_an_unreachable_provider_is_a_clear_page_not_an_error(client, make, identity_provider):
    provider = organisation(identity_provider)
    from protocol_monitor.identity import oidc

    identity_provider.stop()
    oidc.cache.clear()

    response = client.get(f"/sign-in/organisation/{provider.id}")

    assert response.status_code == 503
    assert "could not be reached" in page_text(response)
    assert refusals()[-1]["reason"] == "provider_unavailable"


def test_password_sign_in_can_be_turned_off_per_person_and_per_organisation(
    client, make, identity_provider
):
    from tests.support.factories import PASSWORD

    provider = organisation(identity_provider)
    user = make.user("group", authorities=[make.authority()])
    sso.set_password_sign_in(user, False)

    def password_sign_in():
        return client.post(
            "/sign-in",
            data={"email": user.email, "password": PASSWORD, "csrf_token": _csrf(client)},
        )

    refused = password_sign_in()
    assert refused.status_code == 200 and "Password sign-in is turned off" in page_text(refused)

    sso.set_password_sign_in(user, True)
    user.identity_provider = provider
    db.session.commit()
    assert "Password sign-in is turned off" not in page_text(password_sign_in())
    sign_out(client)

    provider.password_sign_in = False
    db.session.commit()
    assert "Password sign-in is turned off" in page_text(password_sign_in())
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "sign_in_refused_password_off")
    )


def _csrf(client, path: str = "/sign-in") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_out(client) -> None:
    response = client.post("/sign-out", data={"csrf_token": _csrf(client, "/account/")})
    assert response.status_code == 302


def test_the_identity_providers_mfa_counts_as_the_second_factor(make, identity_provider, app):
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(require_two_factor_roles=("police",))
    client = app.test_client()
    provider = organisation(identity_provider)
    invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL))

    through_provider(client, provider.id)

    page = client.get("/callouts/")
    assert page.status_code == 200, page.headers.get("Location")


def test_a_provider_can_require_the_token_to_show_mfa(client, make, identity_provider):
    provider = organisation(identity_provider, require_mfa_claim=True)
    invited(make, provider)
    identity_provider.sign_in_as(Person(oid=OID, email=EMAIL, amr=["pwd"]))

    response, _ = through_provider(client, provider.id)

    assert response.status_code == 403
    assert refusals()[-1]["reason"] == "no_multi_factor"


def test_the_client_secret_is_stored_encrypted(app, identity_provider):
    provider = organisation(identity_provider)
    stored = db.session.scalar(select(IdentityProvider.client_secret_sealed))

    assert CLIENT_SECRET not in stored
    assert sso.client_secret(provider) == CLIENT_SECRET
    app.config["SECRET_KEY"] = "a different secret key"
    assert sso.client_secret(provider) is None


def test_a_disabled_organisation_cannot_be_used_to_sign_in(client, make, identity_provider):
    provider = organisation(identity_provider, enabled=False)

    response = client.get(f"/sign-in/organisation/{provider.id}")

    assert response.status_code == 400
    assert "not available" in page_text(response)
    assert "Sign in with Dorset Police" not in page_text(client.get("/sign-in"))
