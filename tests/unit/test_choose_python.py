"""scripts/choose-python.sh: `make` builds .venv with a Python 3.12+ that runs, else python3."""

from __future__ import annotations

import glob
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "choose-python.sh"


def _choose(path_dirs: list[Path], pyenv_root: Path) -> str:
    env = {
        "PATH": os.pathsep.join(map(str, path_dirs)),  # nothing else: not the machine's own
        "PYENV_ROOT": str(pyenv_root),
        "HOME": str(pyenv_root),
    }
    done = subprocess.run(
        ["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _a_python_312_or_later() -> str | None:
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for found in sorted(glob.glob(f"{root}/versions/3.1[2-9]*/bin/python3")):
        return found
    return None


def test_a_broken_shim_is_passed_over_for_a_python_that_runs(tmp_path):
    real = _a_python_312_or_later()
    if real is None:
        pytest.skip("no Python 3.12 or later installed under pyenv on this machine")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "python3.12"  # a pyenv shim for a version that is not enabled
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    (bin_dir / "python3.13").symlink_to(real)
    assert _choose([bin_dir], tmp_path / "no-pyenv") == str(bin_dir / "python3.13")


def test_pyenv_versions_are_found_without_a_shim(tmp_path):
    real = _a_python_312_or_later()
    if real is None:
        pytest.skip("no Python 3.12 or later installed under pyenv on this machine")
    root = Path(real).parents[3]
    chosen = _choose([tmp_path], root)
    assert chosen.startswith(str(root / "versions" / "3.1"))
    version = subprocess.run(
        [chosen, "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "True"


def test_python3_when_there_is_no_newer_python(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    old = bin_dir / "python3.12"  # runs, but fails the check as a Python before 3.12 does
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    assert _choose([bin_dir], tmp_path / "no-pyenv") == "python3"
