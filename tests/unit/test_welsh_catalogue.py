"""The Welsh catalogue is complete and current (issue 18).

Current: every message the code and templates mark (``pybabel extract``, as ``make translations``
runs it) is in the catalogue, and the catalogue holds no message the code no longer uses — a new
or changed string fails here until ``make translations`` has been run. Complete: every message has
a Welsh translation (all six plural forms where a number decides the words), none is marked
fuzzy, and each keeps the placeholders of its English.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from protocol_monitor.config import PROJECT_ROOT
from protocol_monitor.i18n import TRANSLATIONS

CATALOGUE = TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po"
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}|%\{count\}")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalogue) -> set[object]:
    return {message.id for message in catalogue if message.id}


def test_the_catalogue_holds_every_message_of_the_code_and_no_other(tmp_path):
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "--mapping-file",
            str(PROJECT_ROOT / "babel.cfg"),
            "--keyword",
            "N_",
            "--keyword",
            "_l",
            "--keyword",
            "lazy_gettext",
            "--no-location",
            "--output-file",
            str(template),
            str(PROJECT_ROOT),
        ]
    )
    in_code, in_catalogue = _ids(_read(template)), _ids(_read(CATALOGUE))
    new = sorted(map(str, in_code - in_catalogue))
    unused = sorted(map(str, in_catalogue - in_code))
    assert not new and not unused, (
        "Run `make translations` and translate the new messages in "
        f"{CATALOGUE.relative_to(PROJECT_ROOT)}.\nNew: {new[:30]}\nNo longer used: {unused[:30]}"
    )


def test_every_message_has_a_welsh_translation_with_its_placeholders():
    catalogue = _read(CATALOGUE)
    assert catalogue.num_plurals == 6, "Welsh has six plural forms"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        forms = message.string if message.pluralizable else (message.string,)
        english = message.id if message.pluralizable else (message.id,)
        if message.fuzzy:
            problems.append(f"fuzzy: {english[0]!r}")
        elif not all(forms) or len(forms) != (6 if message.pluralizable else 1):
            problems.append(f"not translated: {english[0]!r}")
        else:
            wanted = set(_PLACEHOLDER.findall(english[-1]))
            for form in forms:
                if set(_PLACEHOLDER.findall(form)) - wanted or (
                    not message.pluralizable and wanted - set(_PLACEHOLDER.findall(form))
                ):
                    problems.append(f"placeholders differ: {english[0]!r} → {form!r}")
    assert not problems, "\n".join(problems[:60]) + f"\n({len(problems)} in all)"
