"""Each vocabulary in vocab.py is exactly the one in domain.md §4 (copied into docs/)."""

import re
from pathlib import Path

import pytest

from protocol_monitor import vocab

DOMAIN = (Path(__file__).resolve().parents[2] / "docs" / "domain.md").read_text()


def _inline_list(name: str, one_line: bool = False) -> list[str]:
    match = re.search(rf"`{name}`[^:\n`]*:(.*?)(?:\n\n|\Z)", DOMAIN, re.S)
    assert match, name
    listed = match.group(1).split("\n")[0] if one_line else match.group(1)
    listed = re.sub(r"\(.*?\)", "", listed, flags=re.S)
    return re.findall(r"`([a-z_]+)`", listed)


def _table_first_column(after_heading: str) -> list[str]:
    start = DOMAIN.index(after_heading)
    rows = []
    for line in DOMAIN[start:].splitlines()[1:]:
        if line.startswith("| `"):
            rows.append(line)
        elif rows and not line.startswith("|"):
            break
    return rows


@pytest.mark.parametrize(
    ("name", "enum"),
    [
        ("setting_type", vocab.SettingType),
        ("caller_role", vocab.CallerRole),
        ("child_role", vocab.ChildRole),
        ("immediate_risk", vocab.ImmediateRisk),
        ("deescalation", vocab.Deescalation),
        ("restorative", vocab.Restorative),
    ],
)
def test_inline_vocabularies_match_domain(name, enum):
    assert enum.slugs() == _inline_list(name)


def test_review_and_action_vocabularies_match_domain():
    assert vocab.ProtocolApplied.slugs() == _inline_list("protocol_applied", one_line=True)
    assert vocab.PoliceNecessary.slugs() == _inline_list("police_necessary", one_line=True)
    assert vocab.ActionStatus.slugs() == _inline_list("status", one_line=True)


def test_categories_match_domain_with_scope():
    rows = _table_first_column("`category` (what the call-out was about)")
    expected = []
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        expected.append((cells[0].strip("`"), not cells[2].startswith("**no")))
    assert [(c.value, c.in_scope) for c in vocab.Category] == expected


def test_outcomes_match_domain_with_groups():
    rows = _table_first_column("`outcome` and its group")
    expected = []
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        expected.append((cells[0].strip("`"), cells[2].strip("`")))
    assert [(o.value, o.group.value) for o in vocab.Outcome] == expected


def test_criminal_outcomes_are_formal_out_of_court_or_charged():
    assert {"youth_caution", "youth_conditional_caution", "charged"} == vocab.CRIMINAL_OUTCOMES


def test_sex_and_roles_match_domain():
    assert vocab.Sex.slugs() == ["female", "male", "other", "unknown"]
    assert vocab.Role.slugs() == ["provider", "police", "authority", "group", "admin"]
    flags_section = DOMAIN[DOMAIN.index("## 7. Flags") : DOMAIN.index("## 8.")]
    rule_slugs = re.findall(r"^\| `([a-z_]+)` \|", flags_section, re.M)
    assert vocab.FlagRule.slugs() == rule_slugs
