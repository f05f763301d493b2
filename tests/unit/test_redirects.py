"""After signing in, ``next`` may only send a person to a path on this site (rules.redirects)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol_monitor.rules.redirects import MAX_LENGTH, local_path

ATTACKS = [
    "//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    " //evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\u3000/evil.example",  # an ideographic space
    "/" + "a" * MAX_LENGTH,
    "",
    None,
]


@pytest.mark.parametrize("target", ATTACKS)
def test_addresses_that_could_leave_the_site_are_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize(
    "target",
    ["/", "/callouts/", "/callouts/12?page=2#x", "/%2F%2Fevil.example", "/summaries/2026-05"],
)
def test_paths_on_this_site_are_kept_as_they_are(target):
    assert local_path(target) == target


# Any text a browser could send (no lone surrogates), leaning towards slashes and backslashes.
_targets = st.text(
    alphabet=st.one_of(st.sampled_from("/\\:.\t\n @%"), st.characters(exclude_categories=("Cs",))),
    max_size=40,
)


@given(target=st.one_of(_targets, st.sampled_from([a for a in ATTACKS if a])))
def test_whatever_is_kept_resolves_to_this_site(target):
    kept = local_path(target)
    if kept is None:
        return
    assert kept == target and kept.startswith("/") and not kept.startswith("//")
    assert not any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in kept)
    # What a browser on a page of this site would open: still this site.
    assert urlsplit(urljoin("https://pm.example/sign-in", kept)).netloc == "pm.example"
