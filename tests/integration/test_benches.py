"""The benchmarks still run, at a size small enough for the suite. Only their correctness is
checked here (each asserts what it measured was done right); their times are read by people."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench(name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_the_sign_in_bench_signs_in_with_each_set_of_parameters():
    out = _bench("sign_in.py", "--rounds", "1")
    assert "server profile (argon2id m=19 MiB, t=2, p=1)" in out
    assert "ratio server / library defaults" in out


@pytest.mark.slow
def test_the_import_bench_stores_every_row_both_ways():
    out = _bench("imports.py", "--rows", "30", "--rounds", "1")
    assert "police extract of 30 rows" in out and "callouts 30" in out
    assert "ratio import / baseline" in out


@pytest.mark.slow
def test_the_pages_bench_gets_each_page_as_expected():
    out = _bench("pages.py", "--rounds", "1", "--per-round", "1")
    assert "baseline: bare Flask route" in out and "GET /summaries/ (group)" in out


@pytest.mark.slow
def test_the_sign_in_addresses_bench_refuses_every_attempt_alike():
    out = _bench("sign_in_addresses.py", "--repeat", "2")
    assert "baseline: known address, wrong password" in out and "unknown address" in out


@pytest.mark.slow
def test_the_compile_bench_compiles_what_is_stored():
    out = _bench("summaries.py", "--callouts", "400", "--runs", "1")
    assert "ratio compile_month / GROUP BY" in out
