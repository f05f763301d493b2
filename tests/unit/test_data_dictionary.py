"""docs/data-dictionary.md is generated from the code and cannot drift from it."""

from click.testing import CliRunner

from protocol_monitor import data_dictionary
from protocol_monitor.commands.docs import data_dictionary_command
from protocol_monitor.models import Callout, Report
from protocol_monitor.rules import columns
from protocol_monitor.vocab import Category, Outcome


def test_data_dictionary_file_matches_the_code():
    written = data_dictionary.PATH.read_text(encoding="utf-8")
    assert written == data_dictionary.render(), (
        "docs/data-dictionary.md is out of date: run  protocol-monitor data-dictionary --write"
    )


def test_every_stored_field_vocabulary_and_import_column_is_documented():
    text = data_dictionary.render()
    for model in (Callout, Report):
        for column in model.__table__.columns:
            assert f"| `{column.name}` |" in text
    for _name, vocabulary in data_dictionary.VOCABULARIES:
        for member in vocabulary:
            assert f"| `{member.value}` | {member.label} |" in text
    assert "| `missing` | Missing person | **no — excluded** |" in text
    assert f"| `charged` | {Outcome.CHARGED.label} | `charged` | yes |" in text
    for name in columns.HOME_REPORT_IMPORT_COLUMNS + columns.HOME_IMPORT_COLUMNS:
        assert f"| `{name}` |" in text
    assert len(data_dictionary.VOCABULARIES) == len({v for _, v in data_dictionary.VOCABULARIES})
    assert Category.MISSING.value in text


def test_a_field_without_a_meaning_fails_the_render(monkeypatch):
    meanings = dict(data_dictionary.CALLOUT_MEANINGS)
    del meanings["month"]
    monkeypatch.setattr(data_dictionary, "CALLOUT_MEANINGS", meanings)
    try:
        data_dictionary.render()
    except KeyError as error:
        assert "month" in str(error)
    else:
        raise AssertionError("render() accepted a field with no meaning")


def test_import_columns_are_the_ones_the_issue_names():
    home = "urn,name,provider,host_authority_code,police_force_code,registered_places,"
    home += "setting_type,opened_on,closed_on"
    police = "police_reference,home_urn,occurred_at,child_reference,placing_authority_code,"
    police += "category,police_attended,arrested,outcome"
    form = "child_sex,child_age,caller_role,child_role,immediate_risk,immediate_risk_reason,"
    form += "deescalation,injuries_damage,restorative,ofsted_notified,description"
    assert ",".join(columns.HOME_IMPORT_COLUMNS) == home
    assert ",".join(columns.POLICE_IMPORT_COLUMNS) == police
    assert ",".join(columns.HOME_REPORT_IMPORT_COLUMNS) == f"{police},{form}"


def test_data_dictionary_command_prints_the_dictionary():
    result = CliRunner().invoke(data_dictionary_command)
    assert result.exit_code == 0
    assert result.output == data_dictionary.render()
