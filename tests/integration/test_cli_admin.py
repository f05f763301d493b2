"""The administration commands: create-user, add-authority, add-force, import-homes, unlock-user."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from protocol_monitor.db import db
from protocol_monitor.identity import accounts
from protocol_monitor.identity.passwords import verify_password
from protocol_monitor.identity.throttle import SignInPolicy, SignInRefused
from protocol_monitor.models import AuditEvent, Authority, Home, PoliceForce, User
from protocol_monitor.rules.home_import import COLUMNS
from tests.support import factories

PASSWORD = "a long enough passphrase"
HEADER = ",".join(COLUMNS)


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        result = runner.invoke(args=list(args), input=input)
        db.session.expire_all()
        return result

    return invoke


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# create-user ------------------------------------------------------------------------------


def test_create_user_reads_the_password_from_stdin_and_links_homes(run, make):
    make.home("SC600001")
    make.home("SC600002")
    result = run(
        "create-user",
        "Sam@Example.org",
        "--role",
        "provider",
        "--home",
        "sc600001",
        "--home",
        "SC600002",
        "--name",
        "Sam",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Created provider user sam@example.org"
    user = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    assert [h.urn for h in user.homes] == ["SC600001", "SC600002"]
    assert user.display_name == "Sam" and verify_password(user.password_hash, PASSWORD)


def test_create_user_prompts_for_the_password_twice(run):
    result = run(
        "create-user", "prompted@example.org", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "prompted@example.org"))
    assert verify_password(user.password_hash, PASSWORD)
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("role", "options", "check"),
    [
        ("police", ["--force", "e23000039"], lambda u: u.police_force.code == "E23000039"),
        ("authority", ["--authority", "E06000059"], lambda u: len(u.authorities) == 1),
        ("group", ["--authority", "E06000059"], lambda u: len(u.authorities) == 1),
        ("admin", [], lambda u: u.authorities == []),
    ],
)
def test_create_user_of_each_role(run, make, role, options, check):
    make.authority()
    make.force()
    email = f"{role}@example.org"
    result = run("create-user", email, "--role", role, *options, "--password-stdin", input=PASSWORD)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == email))
    assert user.role == role and check(user)


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "superuser"], PASSWORD, "Select a role: one of provider, police"),
        (["--role", "provider", "--home", "SC999999"], PASSWORD, "No home has the URN 'SC999999'"),
        (["--role", "provider"], PASSWORD, "A provider must be linked to at least one home"),
        (["--role", "police"], PASSWORD, "A police user must belong to a police force"),
        (["--role", "police", "--force", "E23000099"], PASSWORD, "No police force has the code"),
        (["--role", "group", "--authority", "E06000099"], PASSWORD, "No authority has the code"),
        (["--role", "admin"], "short", "Password must be 12 characters or more"),
    ],
)
def test_create_user_refuses_bad_input_with_a_clear_error(run, make, args, password, message):
    make.home("SC600003")
    make.force()
    before = _count(User)
    result = run("create-user", "new@example.org", *args, "--password-stdin", input=password)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stdout == ""
    assert _count(User) == before


def test_create_user_refuses_a_second_account_with_the_same_email(run, make):
    make.user("admin", email="taken@example.org")
    result = run(
        "create-user", "TAKEN@example.org", "--role", "admin", "--password-stdin", input=PASSWORD
    )
    assert result.exit_code == 1
    assert "A user with the email address taken@example.org already exists" in result.stderr
    assert _count(User) == 1


def test_create_user_refuses_a_malformed_email(run):
    result = run(
        "create-user", "not-an-email", "--role", "admin", "--password-stdin", input=PASSWORD
    )
    assert result.exit_code == 1 and "Enter an email address in the correct format" in result.stderr
    assert _count(User) == 0


# add-authority and add-force ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "model", "code", "name", "said"),
    [
        ("add-authority", Authority, "E06000059", "Dorset Council", "Added authority"),
        ("add-force", PoliceForce, "E23000039", "Dorset Police", "Added police force"),
    ],
)
def test_add_authority_and_force(run, command, model, code, name, said):
    result = run(command, code.lower(), name)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{said} {code} {name}"
    item = db.session.scalar(select(model))
    assert (item.code, item.name) == (code, name)
    record_type = "authority" if model is Authority else "police_force"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_id == item.id))
    assert event.action == f"{record_type}_created" and event.user_id is None

    again = run(command, code, "Another name")
    assert again.exit_code == 1 and f"with the code {code} already exists" in again.stderr
    bad = run(command, "Dorset", name)
    assert bad.exit_code == 1 and "Code must be an ONS code" in bad.stderr
    blank = run(command, "E06000001", " ")
    assert blank.exit_code == 1 and "Enter the name" in blank.stderr
    assert _count(model) == 1


# import-homes -----------------------------------------------------------------------------


@pytest.fixture
def areas(make):
    make.authority("E06000059", "Dorset Council")
    make.authority("E06000058", "BCP Council")
    make.force("E23000039", "Dorset Police")


def _write(tmp_path, *rows: str, header: str = HEADER):
    path = tmp_path / "homes.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


GOOD_ROWS = (
    "SC700001,Oak House,Oak Care Ltd,E06000059,E23000039,4,children_home,2019-04-01,",
    "SC700002,Elm Lodge,Elm Care Ltd,E06000058,E23000039,2,supported_accommodation,2021-01-15,",
    "SC700003,Ash School,Ash Trust,E06000059,E23000039,12,residential_special_school,"
    "2005-09-01,2024-07-31",
)


def test_import_homes_creates_then_updates_by_urn(run, areas, tmp_path):
    result = run("import-homes", _write(tmp_path, *GOOD_ROWS))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported homes.csv: Created 3, updated 0, unchanged 0"
    ash = db.session.scalar(select(Home).where(Home.urn == "SC700003"))
    assert ash.closed_on == date(2024, 7, 31) and ash.registered_places == 12
    assert ash.setting_type == "residential_special_school"
    assert ash.host_authority.code == "E06000059" and ash.police_force.code == "E23000039"

    changed = GOOD_ROWS[0].replace(",4,", ",5,")
    result = run("import-homes", _write(tmp_path, changed, *GOOD_ROWS[1:]))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported homes.csv: Created 0, updated 1, unchanged 2"
    assert _count(Home) == 3
    oak = db.session.scalar(select(Home).where(Home.urn == "SC700001"))
    assert oak.registered_places == 5
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "home_changed"))
    assert change.record_id == oak.id and change.changes == {"registered_places": [4, 5]}


def test_import_homes_keeps_an_allocated_officer_of_the_same_force(run, areas, make, tmp_path):
    officer = make.user("police", police=make.force())
    home = make.home("SC700001", officer=officer)
    result = run("import-homes", _write(tmp_path, GOOD_ROWS[0]))
    assert result.exit_code == 0, result.output
    assert db.session.get(Home, home.id).allocated_officer_id == officer.id


def test_import_homes_with_one_bad_row_among_good_rows_stores_nothing(run, areas, tmp_path):
    bad = "SC700009,Bad Home,Care Ltd,E06000059,E23000039,-3,children_home,2019-04-01,"
    result = run("import-homes", _write(tmp_path, GOOD_ROWS[0], bad, *GOOD_ROWS[1:]))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Line 3, column registered_places (‘-3’): Registered places must be 0 or more" in (
        result.stderr
    )
    assert result.stderr.strip().endswith("Error: The file has 1 problem; no homes were imported")
    assert _count(Home) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_import_homes_names_every_bad_row_column_and_value(run, areas, tmp_path):
    rows = (
        "SC700011,A,P,E09999999,E23000039,4,children_home,2019-04-01,",
        "SC700012,A,P,E06000059,E23000098,4,children_home,2019-04-01,",
        "SC700013,A,P,E06000059,E23000039,4,mansion,2019-04-01,",
        "SC700014,A,P,E06000059,E23000039,four,children_home,2019-04-01,",
        "SC700015,A,P,E06000059,E23000039,4,children_home,2019-13-01,",
        "SC700016,A,P,E06000059,E23000039,4,children_home,2019-04-01,2018-04-01",
        "SC700011,A,P,E06000059,E23000039,4,children_home,2019-04-01,",
    )
    result = run("import-homes", _write(tmp_path, *rows))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "Line 2, column host_authority_code (‘E09999999’)",
        "Line 3, column police_force_code (‘E23000098’)",
        "Line 4, column setting_type (‘mansion’)",
        "Line 5, column registered_places (‘four’)",
        "Line 6, column opened_on (‘2019-13-01’)",
        "Line 7, column closed_on (‘2018-04-01’)",
        "Line 8, column urn (‘SC700011’)",
    ]
    assert lines[-1] == "Error: The file has 7 problems; no homes were imported"
    assert _count(Home) == 0


def test_import_homes_refuses_a_file_missing_a_column(run, areas, tmp_path):
    header = HEADER.replace(",closed_on", "")
    result = run("import-homes", _write(tmp_path, GOOD_ROWS[0][:-1], header=header))
    assert result.exit_code == 1
    assert "Line 1, column closed_on: Missing column" in result.stderr
    assert _count(Home) == 0


def test_import_homes_refuses_a_missing_file(run, tmp_path):
    result = run("import-homes", str(tmp_path / "nowhere.csv"))
    assert result.exit_code == 1 and "No file at" in result.stderr


def test_import_homes_refuses_a_file_that_is_not_utf8(run, areas, tmp_path):
    path = tmp_path / "homes.csv"
    path.write_bytes(
        (HEADER + "\nSC700001,Caf\xe9,P,E06000059,E23000039,4,children_home,2019-04-01,\n").encode(
            "latin-1"
        )
    )
    result = run("import-homes", str(path))
    assert result.exit_code == 1 and "UTF-8" in result.stderr
    assert _count(Home) == 0


# unlock-user ------------------------------------------------------------------------------


def test_unlock_user(run, make):
    user = make.user("admin", email="locked@example.org")
    policy = SignInPolicy()
    for _ in range(policy.max_failures):  # wrong passwords lock the address
        with pytest.raises(SignInRefused):
            accounts.authenticate(user.email, "not the password", policy)
    user.locked_until = datetime.now(UTC) + timedelta(minutes=10)  # and wrong codes the account
    user.failed_codes = 3
    db.session.commit()
    assert accounts.is_locked(user)
    result = run("unlock-user", "LOCKED@example.org")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Unlocked locked@example.org"
    user = db.session.get(User, user.id)
    assert user.locked_until is None and user.failed_codes == 0
    assert not accounts.is_locked(user)
    assert accounts.authenticate(user.email, factories.PASSWORD, policy) == user
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_unlocked"))
    assert event.record_id == user.id

    unknown = run("unlock-user", "nobody@example.org")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "Error: No user has the email address nobody@example.org"


def test_commands_are_listed_in_help(run):
    result = run("--help")
    for name in ("add-authority", "add-force", "import-homes", "unlock-user", "create-user"):
        assert name in result.output
