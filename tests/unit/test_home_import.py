"""The checks of homes and of home import files (rules.home_import): pure, no database."""

from datetime import date

from protocol_monitor.rules.home_import import COLUMNS, check_code, check_home, check_import

AUTHORITIES = {"E06000059", "E06000058"}
FORCES = {"E23000039"}
HEADER = ",".join(COLUMNS)
GOOD = "SC100001,Oak House,Care Ltd,E06000059,E23000039,4,children_home,2019-04-01,"


def _check(*rows: str, header: str = HEADER):
    return check_import("\n".join([header, *rows]) + "\n", AUTHORITIES, FORCES)


def _problems(result):
    return [(p.line, p.column, p.value) for p in result.problems]


def test_good_file_gives_typed_homes():
    result = _check(
        GOOD,
        "sc100002, Elm Lodge ,Other Ltd,E06000058,E23000039,0,secure_children_home,"
        "2001-01-31,2020-12-31",
    )
    assert result.ok
    first, second = result.homes
    assert first.urn == "SC100001" and first.registered_places == 4
    assert first.opened_on == date(2019, 4, 1) and first.closed_on is None
    assert second.urn == "SC100002" and second.name == "Elm Lodge"
    assert second.closed_on == date(2020, 12, 31) and second.registered_places == 0


def test_one_bad_row_among_good_rows_rejects_the_file_naming_line_column_and_value():
    result = _check(GOOD, "SC100002,Elm,Care,E06000059,E23000039,four,children_home,2019-04-01,")
    assert not result.ok and result.homes == []
    assert _problems(result) == [(3, "registered_places", "four")]
    assert "Line 3, column registered_places (‘four’)" in str(result.problems[0])


def test_every_kind_of_bad_value_is_reported():
    result = _check(
        "SC1,A,P,E99999999,E23000039,4,children_home,2019-04-01,",
        "SC2,A,P,E06000059,E23000001,4,children_home,2019-04-01,",
        "SC3,A,P,E06000059,E23000039,4,care_home,2019-04-01,",
        "SC4,A,P,E06000059,E23000039,-2,children_home,2019-04-01,",
        "SC5,A,P,E06000059,E23000039,2.5,children_home,2019-04-01,",
        "SC6,A,P,E06000059,E23000039,4,children_home,01/04/2019,",
        "SC7,A,P,E06000059,E23000039,4,children_home,2019-02-30,",
        "SC8,A,P,E06000059,E23000039,4,children_home,2019-04-01,2019-03-31",
        "SC1,A,P,E06000059,E23000039,4,children_home,2019-04-01,",
        ",,,,,,,,",
        "SC9,,P,E06000059,E23000039,,children_home,,",
    )
    assert _problems(result) == [
        (2, "host_authority_code", "E99999999"),
        (3, "police_force_code", "E23000001"),
        (4, "setting_type", "care_home"),
        (5, "registered_places", "-2"),
        (6, "registered_places", "2.5"),
        (7, "opened_on", "01/04/2019"),
        (8, "opened_on", "2019-02-30"),
        (9, "closed_on", "2019-03-31"),
        (10, "urn", "SC1"),
        (12, "name", ""),
        (12, "registered_places", ""),
        (12, "opened_on", ""),
    ]
    messages = {p.column: p.message for p in result.problems}
    assert "No authority has this code" in messages["host_authority_code"]
    assert "children_home" in messages["setting_type"]
    assert "first on line 2" in result.problems[8].message
    assert result.homes == []


def test_missing_and_unknown_columns_are_named():
    header = HEADER.replace(",setting_type", "").replace("urn", "urn,notes")
    result = _check("SC1,x,A,P,E06000059,E23000039,4,2019-04-01,", header=header)
    assert _problems(result) == [(1, "setting_type", ""), (1, "notes", "notes")]


def test_header_must_use_the_exact_names():
    result = _check(GOOD, header=HEADER.replace("urn", "URN"))
    assert (1, "urn", "") in _problems(result)


def test_wrong_number_of_values_is_a_row_problem():
    result = _check(GOOD, "SC100002,Elm")
    assert [(p.line, p.column) for p in result.problems] == [(3, "row")]


def test_empty_file_and_header_only_are_refused():
    assert not check_import("", AUTHORITIES, FORCES).ok
    result = _check()
    assert not result.ok and "no homes" in result.problems[0].message


def test_byte_order_mark_and_blank_lines_are_ignored():
    result = check_import("\ufeff" + HEADER + "\n\n" + GOOD + "\n\n", AUTHORITIES, FORCES)
    assert result.ok and len(result.homes) == 1


def test_quoted_values_with_commas_are_read():
    result = _check(
        'SC100003,"Birch, The",Care Ltd,E06000059,E23000039,3,children_home,2019-04-01,'
    )
    assert result.ok and result.homes[0].name == "Birch, The"


def test_check_home_returns_problems_per_field_for_the_admin_form():
    home, problems = check_home({"urn": "SC 1"}, AUTHORITIES, FORCES)
    assert home is None
    assert [p.column for p in problems] == [
        "urn",
        "name",
        "provider",
        "host_authority_code",
        "police_force_code",
        "registered_places",
        "setting_type",
        "opened_on",
    ]


def test_closed_on_the_day_it_opened_is_allowed():
    row = dict(zip(COLUMNS, GOOD.split(","), strict=True))
    row["closed_on"] = row["opened_on"]
    home, problems = check_home(row, AUTHORITIES, FORCES)
    assert problems == [] and home.closed_on == home.opened_on


def test_codes_are_ons_shaped():
    assert check_code("E06000059") is None
    assert check_code("W06000013") is None
    assert check_code("E0600005") is not None
    assert check_code("X06000059") is not None


def test_problems_read_as_line_column_and_value():
    result = _check(GOOD, "SC100002,Elm,Care,E06000059,E23000039,,children_home,2019-04-01,")
    assert str(result.problems[0]) == (
        "Line 3, column registered_places (blank): Enter the number of registered places"
    )
    header = _check(GOOD, header=HEADER.replace(",closed_on", ""))
    assert str(header.problems[0]) == (
        "Line 1, column closed_on: Missing column: the header must name every column"
    )


def test_registered_places_of_thousands_of_digits_is_a_problem_not_a_crash():
    result = _check(
        f"SC100001,A,P,E06000059,E23000039,{'9' * 5000},children_home,2019-04-01,",
        f"SC100002,A,P,E06000059,E23000039,-{'9' * 5000},children_home,2019-04-01,",
        "SC100003,A,P,E06000059,E23000039,٣,children_home,2019-04-01,",
        "SC100004,A,P,E06000059,E23000039,0004,children_home,2019-04-01,",
    )
    messages = [(p.line, p.column, p.message) for p in result.problems]
    assert messages == [
        (2, "registered_places", "Registered places must be 500 or fewer"),
        (3, "registered_places", "Registered places must be 0 or more"),
        (4, "registered_places", "Registered places must be a whole number, like 4"),
    ]
