"""The pure rules of single sign-on and SCIM."""

from __future__ import annotations

import pytest

from protocol_monitor.rules import scim
from protocol_monitor.rules import single_sign_on as rules
from protocol_monitor.rules.scim import Person, ScimError
from protocol_monitor.rules.single_sign_on import Grant, Refusal

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://login.microsoftonline.com/x/v2.0", None),
        ("http://127.0.0.1:8080/t/v2.0", None),
        ("http://localhost/t", None),
        ("http://login.example/t", "must start https://"),
        ("ftp://login.example/t", "starting https://"),
        ("https://login.example/t?x=1", "without a query"),
        ("", "Enter the issuer URL"),
    ],
)
def test_issuer_urls(url, problem):
    found = rules.issuer_url_problem(url)
    assert (found is None) if problem is None else (problem in found)


def test_tenant_ids_are_parsed_and_a_bad_one_is_named():
    assert rules.parse_tenant_ids(f" {TENANT.upper()}\n{TENANT}, ") == [TENANT]
    with pytest.raises(ValueError, match="‘contoso’ is not a tenant id"):
        rules.parse_tenant_ids(f"{TENANT}\ncontoso")


def test_a_multi_tenant_issuer_is_checked_per_tenant():
    template = "https://login.microsoftonline.com/{tenantid}/v2.0"
    assert rules.is_multi_tenant(template)
    assert (
        rules.expected_issuer(template, TENANT)
        == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    )
    rules.check_tenant(TENANT, [TENANT], multi_tenant=True)
    for allowed in ([], ["00000000-0000-0000-0000-000000000000"]):
        with pytest.raises(Refusal) as refusal:
            rules.check_tenant(TENANT, allowed, multi_tenant=True)
        assert refusal.value.reason == "tenant_not_allowed"
    rules.check_tenant(TENANT, [], multi_tenant=False)


def test_the_subject_is_the_object_id_before_sub():
    assert rules.subject_of({"oid": "o", "sub": "s"}) == "o"
    assert rules.subject_of({"sub": "s"}) == "s"
    with pytest.raises(Refusal):
        rules.subject_of({"oid": ""})


@pytest.mark.parametrize(
    ("claims", "email"),
    [
        ({"email": "A@x.org", "email_verified": True}, "a@x.org"),
        ({"email": "a@x.org", "xms_edov": True}, "a@x.org"),
        ({"email": "a@x.org", "xms_edov": "true"}, "a@x.org"),
        ({"email": "a@x.org"}, None),
        ({"email": "a@x.org", "email_verified": False}, None),
        ({"preferred_username": "a@x.org", "email_verified": True}, None),
    ],
)
def test_only_a_verified_email_counts(claims, email):
    assert rules.verified_email(claims) == email


def test_multi_factor_is_read_from_amr():
    assert rules.shows_multi_factor(rules.authentication_methods({"amr": ["pwd", "mfa"]}))
    assert not rules.shows_multi_factor(rules.authentication_methods({"amr": ["pwd"]}))
    assert rules.authentication_methods({"amr": "mfa"}) == []


def test_groups_overage_is_refused_not_guessed():
    with pytest.raises(Refusal) as refusal:
        rules.groups_of({"_claim_names": {"groups": "src1"}})
    assert refusal.value.reason == "groups_overage"


def test_access_from_groups_adds_scopes_of_one_role_and_refuses_two():
    grants = [
        Grant("g1", "authority", authority_codes=("E06000059",)),
        Grant("g2", "authority", authority_codes=("E06000058",)),
        Grant("g3", "police", force_code="E23000039"),
    ]
    assert rules.access_from_groups(["x"], grants) is None
    access = rules.access_from_groups(["g2", "g1"], grants)
    assert (access.role, access.authority_codes) == ("authority", ("E06000058", "E06000059"))
    with pytest.raises(Refusal) as refusal:
        rules.access_from_groups(["g1", "g3"], grants)
    assert refusal.value.reason == "groups_conflict"


def test_scim_resource_and_entra_patch_forms():
    person = scim.person_from_resource(
        {
            "userName": "sam@x.org",
            "externalId": "o1",
            "name": {"givenName": "Sam", "familyName": "Lee"},
        }
    )
    assert person == Person(
        user_name="sam@x.org", email="sam@x.org", display_name="Sam Lee", external_id="o1"
    )
    patched = scim.apply_patch(
        person,
        {
            "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": 'emails[type eq "work"].value', "value": "sam.lee@x.org"},
                {"op": "replace", "value": {"displayName": "Sam L"}},
                {"op": "Add", "path": "title", "value": "ignored"},
            ]
        },
    )
    assert (patched.active, patched.email, patched.display_name) == (
        False,
        "sam.lee@x.org",
        "Sam L",
    )
    renamed = scim.apply_patch(
        person, {"Operations": [{"op": "replace", "path": "userName", "value": "s@x.org"}]}
    )
    assert renamed.email == "s@x.org"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ('userName eq "a@x.org"', ("userName", "a@x.org")),
        ('USERNAME eq "a\\"b"', ("userName", 'a"b')),
        ('externalId eq "o-1"', ("externalId", "o-1")),
        (None, None),
    ],
)
def test_scim_filters(text, parsed):
    assert scim.parse_filter(text) == parsed


@pytest.mark.parametrize(
    "text", ['displayName eq "x"', 'userName co "x"', "userName eq x", "x" * 500]
)
def test_unsupported_scim_filters_are_refused(text):
    with pytest.raises(ScimError) as error:
        scim.parse_filter(text)
    assert error.value.scim_type == "invalidFilter"


def test_scim_pages_are_bounded():
    assert scim.page_numbers(None, None) == (1, scim.MAX_COUNT)
    assert scim.page_numbers("0", "100000") == (1, scim.MAX_COUNT)
    with pytest.raises(ScimError):
        scim.page_numbers("-1", None)
