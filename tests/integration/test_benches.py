"""The benchmarks in bench/ run here at their smallest, as correctness checks only: each page
they time must answer as expected. Nothing is timed (docs/development.md: no timed assertions)."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from protocol_monitor.config import PROJECT_ROOT


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", PROJECT_ROOT / "bench" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif("TEST_DATABASE_URL" in os.environ, reason="SQLite only")
def test_pages_bench_requests_each_answer_as_expected():
    pages = _bench("pages")
    results = pages.run(rounds=1, per_round=1)
    names = [case.name for case, _seconds in results]
    assert names[0].startswith("baseline") and "GET /summaries/ (group)" in names
    assert all(seconds > 0 for _case, seconds in results)
