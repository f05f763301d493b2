"""An administrator manages authorities, police forces, homes and users through the web pages."""

from datetime import date, datetime
from io import BytesIO

import pytest
from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.models import AuditEvent, Authority, Home, PoliceForce, User
from protocol_monitor.rules.home_import import COLUMNS
from tests.conftest import Pages, Person, error_messages

NEW_PASSWORD = "a long new passphrase for testing"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def admin(make):
    return make.user("admin", email="admin@example.org")


@pytest.fixture
def as_admin(client, admin):
    pages = Person(client)
    pages.sign_in(admin)
    return pages


# Who may use the pages ------------------------------------------------------------------


def _admin_urls(make):
    home = make.home("SC200001")
    user = make.user("provider", homes=[home])
    authority = make.authority()
    force = make.force()
    gets = [
        "/admin/",
        "/admin/authorities",
        "/admin/authorities/new",
        f"/admin/authorities/{authority.id}",
        "/admin/forces",
        "/admin/forces/new",
        f"/admin/forces/{force.id}",
        "/admin/homes",
        "/admin/homes/new",
        f"/admin/homes/{home.id}",
        "/admin/homes/import",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{user.id}",
        f"/admin/users/{user.id}/edit",
    ]
    posts = [
        *(url for url in gets if url.endswith(("new", "edit", "import"))),
        f"/admin/users/{user.id}/invite-again",
        f"/admin/authorities/{authority.id}",
        f"/admin/forces/{force.id}",
        f"/admin/homes/{home.id}",
        f"/admin/users/{user.id}/unlock",
        f"/admin/users/{user.id}/deactivate",
        f"/admin/users/{user.id}/reactivate",
    ]
    return gets, posts, user


@pytest.mark.parametrize("role", ["provider", "police", "authority", "group"])
def test_other_roles_get_403_on_every_admin_page(pages, make, role):
    gets, posts, target = _admin_urls(make)
    links = {
        "provider": {"homes": [make.home("SC200002")]},
        "police": {"police": make.force()},
        "authority": {"authorities": [make.authority()]},
        "group": {"authorities": [make.authority()]},
    }[role]
    pages.sign_in(make.user(role, **links))
    for url in gets:
        pages.get(url, status=403)
    for url in posts:
        response = pages.raw_post(url, {"code": "E06000099", "name": "X", "role": "admin"})
        assert response.status_code == 403, url
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True
    assert _count(Authority) == 1
    assert len(_audited("permission_refused")) == len(gets) + len(posts)
    assert "Administration" not in pages.get("/callouts/").get_text()


def test_signed_out_visitor_is_sent_to_sign_in(client, make):
    gets, _posts, _user = _admin_urls(make)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_admin_index_links_every_section(as_admin):
    page = as_admin.get("/admin/")
    links = {a["href"] for a in page.select("main a")}
    assert {"/admin/users", "/admin/homes", "/admin/authorities", "/admin/forces"} <= links
    assert "Administration" in as_admin.get("/callouts/").select_one("nav").get_text()


# Authorities and police forces ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "model", "code", "name"),
    [
        ("authorities", Authority, "W06000013", "Bridgend County Borough Council"),
        ("forces", PoliceForce, "W15000003", "South Wales Police"),
    ],
)
def test_admin_adds_and_changes_authorities_and_forces(as_admin, kind, model, code, name):
    as_admin.get(f"/admin/{kind}/new")
    page = as_admin.post(f"/admin/{kind}/new", {"code": code.lower(), "name": name})
    assert f"{name} ({code}) saved" in page.get_text()
    item = db.session.scalar(select(model).where(model.code == code))
    assert item.name == name
    assert code in as_admin.get(f"/admin/{kind}").get_text()

    as_admin.get(f"/admin/{kind}/{item.id}")
    as_admin.post(f"/admin/{kind}/{item.id}", {"code": code, "name": name + " (renamed)"})
    db.session.expire_all()
    assert db.session.get(model, item.id).name == name + " (renamed)"
    record_type = "authority" if model is Authority else "police_force"
    created, changed = _audited(f"{record_type}_created"), _audited(f"{record_type}_changed")
    assert created[0].record_id == item.id and created[0].user_id is not None
    assert changed[0].changes == {"name": [name, name + " (renamed)"]}


@pytest.mark.parametrize("kind", ["authorities", "forces"])
def test_invalid_authority_or_force_shows_linked_errors_and_stores_nothing(as_admin, make, kind):
    make.authority("E06000059")
    make.force("E23000039")
    model = Authority if kind == "authorities" else PoliceForce
    before = _count(model)
    soup = as_admin.post(f"/admin/{kind}/new", {"code": "Dorset", "name": ""})
    assert "Code must be an ONS code" in error_messages(soup)[0]
    soup = as_admin.post(f"/admin/{kind}/new", {"code": "E06000058", "name": ""})
    assert error_messages(soup) == ["Enter the name"]
    existing = "E06000059" if kind == "authorities" else "E23000039"
    soup = as_admin.post(f"/admin/{kind}/new", {"code": existing, "name": "Again"})
    assert any("already exists" in m for m in error_messages(soup))
    assert soup.select_one(".govuk-error-summary a")["href"] == "#code"
    assert _count(model) == before


def test_unknown_records_are_404(as_admin):
    for url in ("/admin/authorities/999", "/admin/forces/999", "/admin/homes/999"):
        as_admin.get(url, status=404)
    as_admin.get("/admin/users/999", status=404)
    as_admin.get("/admin/users/999/edit", status=404)


# Homes ------------------------------------------------------------------------------------


def _home_form(opened_on="1 9 2020", closed_on="", **overrides):
    """The home form's fields; a date given as "day month year", as typed in its three boxes."""
    data = {
        "urn": "sc300001",
        "name": "Willow House",
        "provider": "Careful Homes Ltd",
        "host_authority_code": "E06000059",
        "police_force_code": "E23000039",
        "registered_places": "5",
        "setting_type": "children_home",
        "allocated_officer_id": "",
    }
    for name, text in (("opened_on", opened_on), ("closed_on", closed_on)):
        parts = text.split(" ") if text else ["", "", ""]
        data.update(zip((f"{name}_day", f"{name}_month", f"{name}_year"), parts, strict=True))
    data.update(overrides)
    return data


def test_admin_adds_a_home_with_an_allocated_officer_and_changes_it(as_admin, make):
    make.authority("E06000059")
    make.authority("E06000058", "BCP Council")
    force = make.force()
    officer = make.user("police", police=force)
    form = as_admin.get("/admin/homes/new")
    officer_choices = [o["value"] for o in form.select("#allocated_officer_id option")]
    assert str(officer.id) in officer_choices
    page = as_admin.post("/admin/homes/new", _home_form(allocated_officer_id=str(officer.id)))
    assert "Willow House (SC300001) saved" in page.get_text()
    home = db.session.scalar(select(Home))
    assert (home.urn, home.registered_places, home.opened_on) == ("SC300001", 5, date(2020, 9, 1))
    assert home.allocated_officer_id == officer.id
    assert home.host_authority.code == "E06000059"
    assert "Willow House" in as_admin.get("/admin/homes").get_text()

    edit = as_admin.get(f"/admin/homes/{home.id}")
    assert edit.find("input", attrs={"name": "urn"})["value"] == "SC300001"
    as_admin.post(
        f"/admin/homes/{home.id}",
        _home_form(
            host_authority_code="E06000058",
            registered_places="6",
            setting_type="secure_children_home",
            closed_on="31 3 2026",
        ),
    )
    db.session.expire_all()
    home = db.session.get(Home, home.id)
    assert home.host_authority.code == "E06000058" and home.registered_places == 6
    assert home.closed_on == date(2026, 3, 31) and home.allocated_officer_id is None
    changed = _audited("home_changed")[0].changes
    assert changed["registered_places"] == [5, 6]
    assert changed["allocated_officer"] == [officer.email, None]
    assert len(_audited("home_created")) == 1


def test_invalid_home_shows_linked_errors_and_stores_nothing(as_admin, make):
    make.authority()
    force = make.force()
    other_force = make.force("E23000001", "Other Police")
    outsider = make.user("police", police=other_force)
    make.home("SC300009")
    soup = as_admin.post(
        "/admin/homes/new",
        _home_form(
            urn="",
            name="",
            registered_places="-1",
            setting_type="castle",
            opened_on="1 9 2020",
            closed_on="1 1 2019",
            allocated_officer_id=str(outsider.id),
        ),
    )
    assert error_messages(soup) == [
        "Enter the Ofsted URN",
        "Enter the home's name",
        "Registered places must be 0 or more",
        "Select the kind of setting",
        "Date the home closed must be the same as or after the date it opened",
        "Select a police officer from the home's police force",
    ]
    soup = as_admin.post("/admin/homes/new", _home_form(urn="SC300009", opened_on="31 2 2020"))
    assert error_messages(soup) == [
        "A home with this URN already exists",
        "Date the home opened must be a real date, like 27 3 2019",
    ]
    assert soup.title.get_text().startswith("Error: Add a home")
    soup = as_admin.post(
        "/admin/homes/new",
        _home_form(host_authority_code="", police_force_code="", opened_on="", closed_on="1  2026"),
    )
    assert error_messages(soup) == [
        "Select the authority where the home is",
        "Select the home's police force",
        "Enter the date the home opened",
        "Date the home closed must include a month",
    ]
    assert "GSS" not in soup.get_text()
    assert _count(Home) == 1
    assert force is not None


# Importing homes on the web ---------------------------------------------------------------

HEADER = ",".join(COLUMNS)


def _upload(pages: Pages, text: str, status: int = 200):
    return pages.post(
        "/admin/homes/import",
        {"file": (BytesIO(text.encode("utf-8")), "homes.csv")},
        status=status,
    )


def test_admin_imports_homes_from_a_csv_file_and_updates_by_urn(as_admin, make):
    make.authority("E06000059")
    make.authority("E06000058", "BCP Council")
    make.force()
    existing = make.home("SC400001", places=2, name="Old Name")
    as_admin.get("/admin/homes/import")
    page = _upload(
        as_admin,
        f"{HEADER}\n"
        "SC400001,New Name,Care Ltd,E06000058,E23000039,3,children_home,2018-01-01,\n"
        "SC400002,Beech,Care Ltd,E06000059,E23000039,4,supported_accommodation,2021-05-01,\n",
    )
    assert "Created 1, updated 1, unchanged 0" in page.get_text()
    db.session.expire_all()
    updated = db.session.get(Home, existing.id)
    assert (updated.name, updated.registered_places) == ("New Name", 3)
    assert updated.host_authority.code == "E06000058"
    assert db.session.scalar(select(Home).where(Home.urn == "SC400002")).setting_type == (
        "supported_accommodation"
    )
    assert _audited("homes_imported")[0].changes == {"created": 1, "updated": 1, "unchanged": 0}


def test_import_page_lists_every_bad_row_and_stores_nothing(as_admin, make):
    make.authority()
    make.force()
    soup = _upload(
        as_admin,
        f"{HEADER}\n"
        "SC400003,Good,Care Ltd,E06000059,E23000039,4,children_home,2019-01-01,\n"
        "SC400004,Bad,Care Ltd,E09999999,E23000039,4,children_home,2019-01-01,\n"
        "SC400005,Good too,Care Ltd,E06000059,E23000039,4,children_home,2019-01-01,\n"
        "SC400006,Bad too,Care Ltd,E06000059,E23000039,lots,children_home,2019-01-01,\n",
    )
    messages = error_messages(soup)
    assert messages[0] == "The file has 2 problems; no homes were imported"
    assert messages[1].startswith("Line 3, column host_authority_code (‘E09999999’)")
    assert messages[2].startswith("Line 5, column registered_places (‘lots’)")
    rows = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in soup.select("#import-problems tbody tr")
    ]
    assert [r[:3] for r in rows] == [
        ["3", "host_authority_code", "E09999999"],
        ["5", "registered_places", "lots"],
    ]
    assert _count(Home) == 0


def test_import_page_reads_a_spreadsheet_export_with_bom_and_crlf(as_admin, make):
    make.authority()
    make.force()
    text = (
        "\ufeff"
        + HEADER
        + "\r\nSC400007,Rowan,Care Ltd,E06000059,E23000039,4,children_home,2019-01-01,\r\n"
    )
    page = as_admin.post(
        "/admin/homes/import", {"file": (BytesIO(text.encode("utf-8")), "homes.csv")}
    )
    assert "Created 1, updated 0, unchanged 0" in page.get_text()
    assert db.session.scalar(select(Home.name)) == "Rowan"


def test_import_page_refuses_a_file_that_is_not_utf8(as_admin):
    soup = as_admin.post(
        "/admin/homes/import", {"file": (BytesIO(b"urn\n\xe9\xff\n"), "homes.csv")}
    )
    assert error_messages(soup) == ["The file must be a CSV file saved as UTF-8"]


def test_import_page_summary_is_short_and_the_table_lists_every_problem(as_admin, make):
    make.authority()
    make.force()
    rows = [
        f"SC{410000 + n},Home,Care Ltd,E06000059,E23000039,x,children_home,2019-01-01,"
        for n in range(30)
    ]
    soup = _upload(as_admin, HEADER + "\n" + "\n".join(rows) + "\n")
    messages = error_messages(soup)
    assert len(messages) == 21 and messages[-1] == "and 11 more, listed below"
    assert len(soup.select("#import-problems tbody tr")) == 30
    assert _count(Home) == 0


def test_import_page_needs_a_file(as_admin):
    soup = as_admin.post("/admin/homes/import", {})
    assert error_messages(soup) == ["Select a CSV file of homes"]


# Users ------------------------------------------------------------------------------------


def _user_form(**overrides):
    data = {
        "email": "Pat.Provider@Example.org",
        "display_name": "Pat",
        "role": "provider",
        "homes": [],
        "authorities": [],
        "police_force": "",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_provider_who_then_sees_exactly_that_homes_callouts(as_admin, make, app):
    linked, other = make.home("SC500001"), make.home("SC500002")
    mine = make.home_report(linked, datetime(2026, 5, 1, 20, 0))
    theirs = make.home_report(other, datetime(2026, 5, 2, 20, 0))
    form = as_admin.get("/admin/users/new")
    assert {i["value"] for i in form.select("input[name=homes]")} == {"SC500001", "SC500002"}
    page = as_admin.post("/admin/users/new", _user_form(homes=["SC500001"]))
    link = page.select_one("#invitation-link").get_text(strip=True)  # email is not set up
    user = db.session.scalar(select(User).where(User.email == "pat.provider@example.org"))
    assert user.role == "provider" and [h.urn for h in user.homes] == ["SC500001"]
    assert _audited("user_created")[0].record_id == user.id

    provider = Person(app.test_client())
    path = link.removeprefix("http://localhost")
    provider.post(path, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    provider = Person(app.test_client())
    provider.sign_in_with_form(user, NEW_PASSWORD)
    listing = provider.get("/callouts/")
    links = {a["href"] for a in listing.select("table a")}
    assert links == {f"/callouts/{mine.id}"}
    provider.get(f"/callouts/{theirs.id}", status=404)


@pytest.mark.parametrize(
    ("role", "links", "check"),
    [
        ("police", {"police_force": "E23000039"}, lambda u: u.police_force.code == "E23000039"),
        ("authority", {"authorities": ["E06000059"]}, lambda u: len(u.authorities) == 1),
        ("group", {"authorities": ["E06000059", "E06000058"]}, lambda u: len(u.authorities) == 2),
        ("admin", {}, lambda u: u.authorities == []),
        ("admin", {"authorities": ["E06000058"]}, lambda u: len(u.authorities) == 1),
    ],
)
def test_admin_adds_users_of_every_role_with_their_links(as_admin, make, role, links, check):
    make.authority("E06000059")
    make.authority("E06000058", "BCP Council")
    make.force()
    make.home("SC500003")
    # Links that do not belong to the role are ignored rather than stored.
    data = _user_form(email=f"{role}-new@example.org", role=role, homes=["SC500003"], **links)
    as_admin.post("/admin/users/new", data)
    user = db.session.scalar(select(User).where(User.email == f"{role}-new@example.org"))
    assert user.role == role and check(user) and user.homes == []


def test_a_home_or_authority_chosen_twice_is_linked_once(as_admin, make):
    # Found by Hypothesis: a repeated field value was a UNIQUE failure on user_homes and a 500.
    make.authority("E06000059")
    make.home("SC500003")
    as_admin.post(
        "/admin/users/new",
        _user_form(email="twice@example.org", homes=["SC500003", "sc500003 "]),
    )
    as_admin.post(
        "/admin/users/new",
        _user_form(email="group-twice@example.org", role="group", authorities=["E06000059"] * 2),
    )
    provider = db.session.scalar(select(User).where(User.email == "twice@example.org"))
    group = db.session.scalar(select(User).where(User.email == "group-twice@example.org"))
    assert [h.urn for h in provider.homes] == ["SC500003"]
    assert [a.code for a in group.authorities] == ["E06000059"]


def test_invalid_new_user_shows_linked_errors_and_stores_nothing(as_admin, make, admin):
    make.authority()
    make.force()
    before = _count(User)
    soup = as_admin.post("/admin/users/new", _user_form(email="not an email"))
    assert error_messages(soup) == [
        "Enter an email address in the correct format, like name@example.org",
        "Select at least one home for a residential provider",
    ]
    soup = as_admin.post("/admin/users/new", _user_form(role="police"))
    assert error_messages(soup) == ["Select the police user's force"]
    soup = as_admin.post("/admin/users/new", _user_form(role="group"))
    assert error_messages(soup) == ["Select at least one authority for a Multi-agency group user"]
    soup = as_admin.post("/admin/users/new", _user_form(role="superuser"))
    assert error_messages(soup) == ["Select a role"]
    soup = as_admin.post("/admin/users/new", _user_form(email="ADMIN@example.org", role="admin"))
    assert error_messages(soup) == [
        "A user with the email address admin@example.org already exists"
    ]
    soup = as_admin.post("/admin/users/new", _user_form(homes=["SC999999"]))
    assert error_messages(soup) == ["No home has the URN 'SC999999'"]
    assert _count(User) == before


def test_admin_changes_a_users_role_and_links(as_admin, make):
    home = make.home("SC500004")
    force = make.force()
    user = make.user("provider", homes=[home])
    form = as_admin.get(f"/admin/users/{user.id}/edit")
    assert form.find("input", attrs={"name": "homes", "value": "SC500004"}).has_attr("checked")
    as_admin.post(
        f"/admin/users/{user.id}/edit",
        {"display_name": "Now Police", "role": "police", "police_force": force.code},
    )
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.role, user.display_name, user.police_force_id) == (
        "police",
        "Now Police",
        force.id,
    )
    assert user.homes == []
    changes = _audited("user_changed")[0].changes
    assert changes["role"] == ["provider", "police"] and changes["homes"] == [["SC500004"], []]


def test_provider_relinked_by_an_admin_sees_the_new_homes_callouts_only(as_admin, make, app):
    first, second = make.home("SC500011"), make.home("SC500012")
    old = make.home_report(first, datetime(2026, 5, 1, 20, 0))
    new = make.home_report(second, datetime(2026, 5, 2, 20, 0))
    user = make.user("provider", homes=[first])
    as_admin.post(
        f"/admin/users/{user.id}/edit",
        {"display_name": "Moved", "role": "provider", "homes": ["SC500012"]},
    )
    provider = Person(app.test_client())
    provider.sign_in(user)
    listing = provider.get("/callouts/")
    assert {a["href"] for a in listing.select("table a")} == {f"/callouts/{new.id}"}
    provider.get(f"/callouts/{old.id}", status=404)


def test_invalid_user_change_shows_errors_and_changes_nothing(as_admin, make, admin):
    home = make.home("SC500005")
    user = make.user("provider", homes=[home])
    soup = as_admin.post(f"/admin/users/{user.id}/edit", {"display_name": "X", "role": "authority"})
    assert error_messages(soup) == ["Select at least one authority for a Local authority user"]
    soup = as_admin.post(
        f"/admin/users/{admin.id}/edit",
        {"display_name": "Me", "role": "group", "authorities": ["E06000059"]},
    )
    assert error_messages(soup) == [
        "You cannot deactivate your own account or change your own role"
    ]
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "provider"
    assert db.session.get(User, admin.id).role == "admin"
    assert _audited("user_changed") == []


def test_admin_deactivates_and_reactivates_an_account(as_admin, make, app):
    home = make.home("SC500006")
    user = make.user("provider", homes=[home])
    page = as_admin.get(f"/admin/users/{user.id}")
    assert "Deactivate account" in page.get_text()
    assert _audited("user_viewed")[0].record_id == user.id
    as_admin.post(f"/admin/users/{user.id}/deactivate", {})
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    assert "Deactivated" in as_admin.get("/admin/users").get_text()
    other = Person(app.test_client())
    other.get("/sign-in")
    refused = other.raw_post("/sign-in", {"email": user.email, "password": "x" * 12})
    assert refused.status_code == 200
    as_admin.post(f"/admin/users/{user.id}/reactivate", {})
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True
    Person(app.test_client()).sign_in(user)
    assert [e.action for e in _audited("user_deactivated") + _audited("user_reactivated")] == [
        "user_deactivated",
        "user_reactivated",
    ]


def test_admin_cannot_deactivate_themselves(as_admin, admin):
    page = as_admin.get(f"/admin/users/{admin.id}")
    assert "Deactivate account" not in page.get_text()
    page = as_admin.post(f"/admin/users/{admin.id}/deactivate", {})
    assert "You cannot deactivate your own account" in page.get_text()
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True


def test_admin_unlocks_a_locked_account(as_admin, make, app):
    home = make.home("SC500007")
    user = make.user("provider", homes=[home])
    person = Person(app.test_client())
    person.get("/sign-in")
    for _ in range(5):  # five wrong passwords lock the address
        person.raw_post("/sign-in", {"email": user.email, "password": "whatever"})
    locked = person.raw_post("/sign-in", {"email": user.email, "password": "whatever"})
    assert "too many attempts" in locked.get_data(as_text=True)
    assert "Locked" in as_admin.get("/admin/users").get_text()
    page = as_admin.get(f"/admin/users/{user.id}")
    assert "Unlock account" in page.get_text()
    as_admin.post(f"/admin/users/{user.id}/unlock", {})
    assert "Locked" not in as_admin.get("/admin/users").get_text()
    person.sign_in_with_form(user)
    assert len(_audited("user_unlocked")) == 1


def test_no_administrator_types_or_sees_a_password(as_admin, make):
    """Issue 14: an administrator invites (the person chooses their password) or makes a reset
    link; there is no page where they type one."""
    home = make.home("SC500008")
    user = make.user("provider", homes=[home])
    as_admin.get(f"/admin/users/{user.id}/password", status=404)
    for url in ("/admin/users/new", f"/admin/users/{user.id}", f"/admin/users/{user.id}/edit"):
        assert as_admin.get(url).find("input", attrs={"type": "password"}) is None, url
