"""The benchmarks still run, at a size small enough for the suite. Only their correctness is
checked here (each asserts what it measured was done right); their times are read by people.

The five run one after another in one Python process started for them (as ``python bench/X.py``
would run each, ``__main__`` and command-line arguments included), so the suite pays the imports
once rather than five times; each bench's output and failure are kept apart and checked on their
own. Not in the test process itself: the benches set logging levels for the whole process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

#: Each bench with its command-line arguments at the suite's size, and what its output must say.
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "sign_in.py": (
        ["--rounds", "1"],
        ["server profile (argon2id m=19 MiB, t=2, p=1)", "ratio server / library defaults"],
    ),
    "imports.py": (
        ["--rows", "30", "--rounds", "1"],
        ["police extract of 30 rows", "callouts 30", "ratio import / baseline"],
    ),
    "pages.py": (
        ["--rounds", "1", "--per-round", "1"],
        ["baseline: bare Flask route", "GET /summaries/ (group)"],
    ),
    "sign_in_addresses.py": (
        ["--repeat", "2"],
        ["baseline: known address, wrong password", "unknown address"],
    ),
    "summaries.py": (["--callouts", "400", "--runs", "1"], ["ratio compile_month / GROUP BY"]),
}

# Runs each bench as its own __main__ with its own argv, its output captured apart; a bench that
# raises (an assertion, SystemExit with an error) is recorded with its traceback and the next runs.
RUNNER = textwrap.dedent(
    """
    import contextlib, io, json, runpy, sys, traceback
    results = {}
    for path, args in json.loads(sys.argv[1]):
        out = io.StringIO()
        sys.argv = [path, *args]
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(path, run_name="__main__")
            error = None
        except SystemExit as stop:
            error = None if stop.code in (None, 0) else f"exited with {stop.code!r}"
        except BaseException:
            error = traceback.format_exc()
        results[path] = {"out": out.getvalue(), "error": error}
    print(json.dumps(results))
    """
)


@pytest.mark.slow
def test_every_bench_runs_at_the_suites_size_and_checks_what_it_measured():
    plan = [(str(BENCH / name), args) for name, (args, _expected) in BENCHES.items()]
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(plan)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.splitlines()[-1])
    problems = []
    for name, (_args, expected) in BENCHES.items():
        result = results[str(BENCH / name)]
        if result["error"]:
            problems.append(f"bench/{name} failed:\n{result['error'][-3000:]}")
        missing = [text for text in expected if text not in result["out"]]
        if missing:
            problems.append(f"bench/{name} did not print {missing}:\n{result['out'][-2000:]}")
    assert not problems, "\n\n".join([*problems, f"their errors:\n{done.stderr[-3000:]}"])
