"""Each role lists and opens exactly the call-outs domain.md §2 allows (access.py), by URL too.

Two forces, three authorities, three homes:

    home   host         force    call-outs (child placed by)
    h1     Dorset       Dorset   c1 (Dorset)
    h2     BCP          Dorset   c2 (BCP), c5 (Dorset)
    h3     Worcs        West M.  c3 (Dorset, placed out of area), c4 (Worcs)
"""

from contextlib import contextmanager
from datetime import datetime

import pytest

from tests.conftest import Pages
from tests.integration.test_provider_callouts import _valid_form

FREE_TEXT = {
    "immediate_risk_reason": "Holding a broken bottle near staff",
    "injuries_damage": "Bruised hand and a cracked door panel",
    "description": "Kicked the lounge door after a family phone call",
}


@pytest.fixture
def world(make):
    dorset = make.authority("E06000059", "Dorset Council")
    bcp = make.authority("E06000058", "Bournemouth, Christchurch and Poole Council")
    worcs = make.authority("E10000034", "Worcestershire County Council")
    dorset_police = make.force("E23000039", "Dorset Police")
    west_mercia = make.force("E23000016", "West Mercia Police")
    h1 = make.home("SC200001", host=dorset, police=dorset_police)
    h2 = make.home("SC200002", host=bcp, police=dorset_police)
    h3 = make.home("SC200003", host=worcs, police=west_mercia)

    def callout(home, day, reference, placing):
        return make.home_report(
            home, datetime(2026, 5, day, 21, 0), child_reference=reference, placing=placing,
            **FREE_TEXT,
        )  # fmt: skip

    c = {
        "c1": callout(h1, 1, "LCS-1001", dorset),
        "c2": callout(h2, 2, "MOS-2002", bcp),
        "c3": callout(h3, 3, "LCS-1003", dorset),
        "c4": callout(h3, 4, "W-4004", worcs),
        "c5": callout(h2, 5, "LCS-1005", dorset),
    }
    users = {
        "provider": make.user("provider", homes=[h1]),
        "police": make.user("police", police=dorset_police),
        "police_west_mercia": make.user("police", police=west_mercia),
        "authority": make.user("authority", authorities=[dorset]),
        "authority_worcs": make.user("authority", authorities=[worcs]),
        "group": make.user("group", authorities=[dorset, bcp]),
        "admin": make.user("admin", authorities=[dorset]),
    }
    return {"callouts": c, "users": users, "homes": {"h1": h1, "h2": h2, "h3": h3}}


#: Who sees what: the whole of the access rules for call-outs, in one table.
EXPECTED = {
    "provider": {"c1"},  # only linked homes
    "police": {"c1", "c2", "c5"},  # their force's homes
    "police_west_mercia": {"c3", "c4"},
    "authority": {"c1", "c3", "c5"},  # homes in Dorset, and children Dorset places elsewhere
    "authority_worcs": {"c3", "c4"},  # homes in Worcestershire (c3 is at one)
    "group": {"c1", "c2", "c5"},  # homes in their authorities; not c3, hosted elsewhere
    "admin": {"c1"},  # the same as group, for their linked authorities
}
READS_FREE_TEXT = {"provider", "police", "police_west_mercia", "authority", "authority_worcs"}


@contextmanager
def signed_in(app, user):
    """A person's own browser: Flask-Login and the CSRF token live on `g`, so one app context
    per person."""
    with app.app_context():
        pages = Pages(app.test_client())
        pages.sign_in(user)
        yield pages


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_lists_and_opens_exactly_its_callouts(app, world, who):
    callouts = world["callouts"]
    ids = {name: c.id for name, c in callouts.items()}
    names_by_id = {v: k for k, v in ids.items()}
    allowed = EXPECTED[who]
    with signed_in(app, world["users"][who]) as pages:
        listing = pages.get("/callouts/")
        links = [a["href"] for a in listing.select("tbody a")]
        listed = {names_by_id[int(href.rsplit("/", 1)[1])] for href in links}
        assert listed == allowed
        assert f"{len(allowed)} call-out" in listing.select_one("#callout-count").get_text()
        for name, callout_id in ids.items():
            if name in allowed:
                page = pages.get(f"/callouts/{callout_id}")
                text = page.get_text()
                for value in FREE_TEXT.values():
                    assert (value in text) is (who in READS_FREE_TEXT), (who, value)
            else:
                pages.get(f"/callouts/{callout_id}", status=404)
                pages.get(f"/callouts/{callout_id}/home-report/edit", status=404)
                response = pages.raw_post(
                    f"/callouts/{callout_id}/home-report/edit",
                    _valid_form(world["homes"]["h1"]),
                )
                assert response.status_code == 404
        # Guessed numbers that exist nowhere look the same as other people's call-outs.
        pages.get(f"/callouts/{max(ids.values()) + 1}", status=404)
        pages.get(f"/callouts/{max(ids.values()) + 1}/home-report/edit", status=404)
        # Filtering by a home out of scope shows nothing of it.
        outside = world["homes"]["h3"].id
        if not allowed & {"c3", "c4"}:
            filtered = pages.get(f"/callouts/?home={outside}")
            assert "0 call-outs" in filtered.select_one("#callout-count").get_text()


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_only_providers_can_file_a_callout(app, world, who):
    h1 = world["homes"]["h1"]
    with signed_in(app, world["users"][who]) as pages:
        listing = pages.get("/callouts/")
        offers = "File a call-out" in listing.get_text()
        if who == "provider":
            assert offers
            pages.get("/callouts/new")
            response = pages.raw_post("/callouts/new", _valid_form(h1))
            assert response.status_code == 302
        else:
            assert not offers
            pages.get("/callouts/new", status=403)
            response = pages.raw_post("/callouts/new", _valid_form(h1))
            assert response.status_code == 403


@pytest.mark.parametrize("who", ["police", "authority", "group", "admin"])
def test_only_the_provider_corrects_a_home_report(app, world, who):
    c1 = world["callouts"]["c1"]
    with signed_in(app, world["users"][who]) as pages:
        page = pages.get(f"/callouts/{c1.id}")
        assert "Correct the home report" not in page.get_text()
        pages.get(f"/callouts/{c1.id}/home-report/edit", status=404)


def test_group_and_admin_never_see_free_text_in_the_history_of_corrections(app, world):
    c1, h1 = world["callouts"]["c1"], world["homes"]["h1"]
    corrected = "Pushed the lounge door after a family phone call"
    with signed_in(app, world["users"]["provider"]) as pages:
        pages.get(f"/callouts/{c1.id}/home-report/edit")
        form = _valid_form(
            h1,
            occurred_day="1",
            occurred_month="5",
            occurred_time="21:00",
            child_reference="LCS-1001",
            immediate_risk_reason=FREE_TEXT["immediate_risk_reason"],
            injuries_damage=FREE_TEXT["injuries_damage"],
            description=corrected,
            reason="Added what happened",
        )
        pages.post(f"/callouts/{c1.id}/home-report/edit", form)
        assert corrected in pages.get(f"/callouts/{c1.id}").get_text()
    for who in ("group", "admin"):
        with signed_in(app, world["users"][who]) as pages:
            text = pages.get(f"/callouts/{c1.id}").get_text()
            assert "History of corrections" in text
            assert "(free text not shown)" in text
            assert corrected not in text and FREE_TEXT["description"] not in text
    with signed_in(app, world["users"]["authority"]) as pages:
        text = pages.get(f"/callouts/{c1.id}").get_text()
        assert corrected in text and FREE_TEXT["description"] in text


NAVIGATION = {
    "provider": ["Home", "Call-outs", "Import", "Flags", "Actions"],
    "police": [
        "Home",
        "Call-outs",
        "File a police record",
        "Import",
        "Reviews",
        "Flags",
        "Actions",
        "Summaries",
    ],
    "authority": ["Home", "Call-outs", "Flags", "Actions", "Summaries"],
    "group": ["Home", "Call-outs", "Reviews", "Flags", "Actions", "Summaries"],
    "admin": ["Home", "Call-outs", "Flags", "Actions", "Summaries", "Administration"],
}


@pytest.mark.parametrize("role", sorted(NAVIGATION))
def test_each_roles_navigation_lists_its_sections_and_every_link_opens(app, make, role):
    dorset = make.authority("E06000059", "Dorset Council")
    force = make.force()
    home = make.home("SC600001", host=dorset, police=force)
    links = {
        "provider": {"homes": [home]},
        "police": {"police": force},
    }.get(role, {"authorities": [dorset]})
    pages = Pages(app.test_client())
    pages.sign_in(make.user(role, **links))
    nav = pages.get("/callouts/").select(".govuk-service-navigation__list a")
    assert [a.get_text(strip=True) for a in nav] == NAVIGATION[role]
    for link in nav:
        page = pages.get(link["href"])
        current = page.select_one(".govuk-service-navigation__item--active a")
        assert current is not None and current["href"] == link["href"]
