"""Row validation of call-out imports: every problem names its row, column and value."""

from datetime import UTC, datetime

from protocol_monitor.rules.callout_import import (
    HOME_REPORT_IMPORT_COLUMNS,
    POLICE_IMPORT_COLUMNS,
    check_header,
    row_key,
    validate_row,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
HOMES = {"SC100001": 1}
AUTHORITIES = {"E06000059": 10}


def police_row(**overrides):
    row = {
        "police_reference": "dp-2026-0001",
        "home_urn": "sc100001",
        "occurred_at": "2026-04-01T00:30",
        "child_reference": "LCS-1001",
        "placing_authority_code": "E06000059",
        "category": "criminal_damage",
        "police_attended": "yes",
        "arrested": "no",
        "outcome": "pending",
    }
    row.update(overrides)
    return row


def home_row(**overrides):
    row = police_row(police_reference="", arrested="", outcome="")
    row.update(
        caller_role="home_staff",
        child_role="alleged_perpetrator",
        immediate_risk="yes",
        immediate_risk_reason="Throwing chairs",
        deescalation="verbal; space_time",
        restorative="planned",
        ofsted_notified="no",
        injuries_damage="",
        description="",
        child_sex="female",
        child_age="15",
    )
    row.update(overrides)
    return row


def check(row, source="police", line=2):
    return validate_row(row, row=line, source=source, homes=HOMES, authorities=AUTHORITIES, now=NOW)


def test_a_good_police_row_is_typed_in_utc_from_london_time():
    result = check(police_row())
    assert result.errors == []
    values = result.values
    assert values["home_id"] == 1
    assert values["police_reference"] == "DP-2026-0001"
    assert values["occurred_at"] == datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert values["placing_authority_id"] == 10
    assert values["police_attended"] is True and values["arrested"] is False
    assert values["outcome"] == "pending"


def test_an_offset_is_respected():
    result = check(police_row(occurred_at="2026-04-01T00:30+00:00"))
    assert result.values["occurred_at"] == datetime(2026, 4, 1, 0, 30, tzinfo=UTC)


def test_every_bad_cell_is_named_with_row_column_and_value():
    result = check(
        police_row(
            police_reference="",
            home_urn="SC999999",
            occurred_at="1 April",
            category="fighting",
            arrested="maybe",
            outcome="jailed",
        ),
        line=7,
    )
    found = {(e.row, e.column, e.value) for e in result.errors}
    assert found == {
        (7, "police_reference", ""),
        (7, "home_urn", "SC999999"),
        (7, "occurred_at", "1 April"),
        (7, "category", "fighting"),
        (7, "arrested", "maybe"),
        (7, "outcome", "jailed"),
    }
    assert "Row 7, column category ('fighting')" in result.errors[3].describe()


def test_a_time_in_the_spring_gap_or_the_future_is_refused():
    gap = check(police_row(occurred_at="2026-03-29T01:30"))
    assert [e.column for e in gap.errors] == ["occurred_at"]
    future = check(police_row(occurred_at="2026-07-01T10:00"))
    assert [e.message for e in future.errors] == ["Time of the call-out must be in the past"]


def test_police_child_reference_and_authority_are_optional():
    result = check(police_row(child_reference="", placing_authority_code=""))
    assert result.errors == []
    assert result.values["child_reference"] is None


def test_an_unknown_authority_code_is_refused():
    result = check(police_row(placing_authority_code="E99999999"))
    assert [(e.column, e.value) for e in result.errors] == [("placing_authority_code", "E99999999")]


def test_a_good_home_row_needs_no_police_reference():
    result = check(home_row(), source="home")
    assert result.errors == []
    assert result.values["police_reference"] is None
    assert result.values["deescalation"] == ["verbal", "space_time"]
    assert result.values["child_age"] == 15
    assert result.values["immediate_risk_reason"] == "Throwing chairs"


def test_home_row_problems_are_each_reported():
    result = check(
        home_row(
            caller_role="",
            deescalation="verbal;shouting",
            child_age="40",
            immediate_risk_reason="",
            placing_authority_code="",
        ),
        source="home",
    )
    assert {e.column for e in result.errors} == {
        "caller_role",
        "deescalation",
        "child_age",
        "immediate_risk_reason",
        "placing_authority_code",
    }


def test_a_missing_child_needs_only_home_time_and_category():
    row = {k: "" for k in HOME_REPORT_IMPORT_COLUMNS}
    row.update(home_urn="SC100001", occurred_at="2026-04-02T10:00", category="missing")
    assert check(row, source="home").errors == []


def test_none_on_its_own_only():
    result = check(home_row(deescalation="none;verbal"), source="home")
    assert [e.column for e in result.errors] == ["deescalation"]


def test_header_must_have_every_column_and_no_unknown_ones():
    assert check_header(list(POLICE_IMPORT_COLUMNS), "police") == []
    problems = check_header([*POLICE_IMPORT_COLUMNS[1:], "notes"], "police")
    assert {(e.row, e.column) for e in problems} == {(1, "police_reference"), (1, "notes")}


def test_police_rows_are_keyed_by_home_and_reference():
    values = check(police_row()).values
    assert row_key("police", values) == (1, "DP-2026-0001")


def test_an_age_of_many_digits_or_non_ascii_digits_is_refused_not_crashed():
    for age in ("9" * 5000, "²", "١٥", "-1"):
        result = check(home_row(child_age=age), source="home")
        assert [e.column for e in result.errors] == ["child_age"], age
