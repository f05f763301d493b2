"""The supervisor behind `make run` and `make serve`: children start and stop together, and the
exit code says whether the service failed. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from protocol_monitor.commands.serve import interpreter_warning, production_problems

ROOT = Path(__file__).resolve().parents[2]

# A child that records its pid, then waits (at most a minute) for a signal.
WAITER = textwrap.dedent(
    """
    import os, sys, time
    open(sys.argv[1], "w").write(str(os.getpid()))
    for _ in range(600):
        time.sleep(0.1)
    """
)
# A child that records its pid and exits with the code given, once the other child is up.
EXITER = textwrap.dedent(
    """
    import os, sys, time
    open(sys.argv[1], "w").write(str(os.getpid()))
    for _ in range(600):
        if os.path.exists(sys.argv[2]):
            break
        time.sleep(0.05)
    if sys.argv[3] == "signal":
        os.kill(os.getpid(), 9)
    sys.exit(int(sys.argv[3]))
    """
)


SUPERVISOR = ROOT / "protocol_monitor" / "process" / "supervisor.py"


def _supervisor(tmp_path: Path, children: list[tuple[str, list[str]]]) -> subprocess.Popen:
    # The supervisor is standard library only: loaded from its file, the process it runs in does
    # not import the whole app with the package (protocol_monitor/__init__.py), a second and a
    # half of CPU per test for nothing these tests look at.
    script = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("supervisor", {str(SUPERVISOR)!r})
        supervisor = sys.modules["supervisor"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(supervisor)
        Child, Supervisor = supervisor.Child, supervisor.Supervisor
        children = [Child(name, argv) for name, argv in {children!r}]
        sys.exit(Supervisor(children, stop_timeout=10).run())
        """
    )
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE)


def _pid(path: Path) -> int:
    for _ in range(600):  # bounded: up to a minute for the child to start
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.1)
    raise AssertionError(f"{path.name} never started")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_sigterm_stops_every_child_and_exits_zero(tmp_path):
    a, b = tmp_path / "a.pid", tmp_path / "b.pid"
    supervisor = _supervisor(
        tmp_path,
        [
            ("web", [sys.executable, "-c", WAITER, str(a)]),
            ("scheduler", [sys.executable, "-c", WAITER, str(b)]),
        ],
    )
    pids = [_pid(a), _pid(b)]
    supervisor.send_signal(signal.SIGTERM)
    _, err = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 0
    assert "received SIGTERM; stopping" in err.decode()
    assert all(_gone(pid) for pid in pids)


def test_sigint_stops_every_child_too(tmp_path):
    a, b = tmp_path / "a.pid", tmp_path / "b.pid"
    supervisor = _supervisor(
        tmp_path,
        [
            ("web", [sys.executable, "-c", WAITER, str(a)]),
            ("scheduler", [sys.executable, "-c", WAITER, str(b)]),
        ],
    )
    pids = [_pid(a), _pid(b)]
    supervisor.send_signal(signal.SIGINT)
    supervisor.communicate(timeout=60)
    assert supervisor.returncode == 0
    assert all(_gone(pid) for pid in pids)


@pytest.mark.parametrize(("how", "expected"), [("3", 3), ("0", 1), ("signal", 1)])
def test_a_child_that_stops_takes_the_others_down_and_fails_the_service(tmp_path, how, expected):
    waiter, exiter = tmp_path / "waiter.pid", tmp_path / "exiter.pid"
    supervisor = _supervisor(
        tmp_path,
        [
            ("scheduler", [sys.executable, "-c", WAITER, str(waiter)]),
            ("web", [sys.executable, "-c", EXITER, str(exiter), str(waiter), how]),
        ],
    )
    waiter_pid = _pid(waiter)
    _, err = supervisor.communicate(timeout=60)
    assert supervisor.returncode == expected
    assert "web exited with code" in err.decode()
    assert _gone(waiter_pid)


def test_production_needs_postgresql_and_a_secret():
    secret = "x" * 64
    assert (
        production_problems({"DATABASE_URL": "postgresql://pm@127.0.0.1/pm", "SECRET_KEY": secret})
        == []
    )
    assert "DATABASE_URL is not set" in production_problems({"SECRET_KEY": secret})[0]
    assert (
        "must point at PostgreSQL"
        in production_problems({"DATABASE_URL": "sqlite:////tmp/pm.db", "SECRET_KEY": secret})[0]
    )
    assert "SECRET_KEY is not set" in production_problems({"DATABASE_URL": "postgresql://h/d"})[0]
    assert (
        "at least 32"
        in production_problems({"DATABASE_URL": "postgresql://h/d", "SECRET_KEY": "short"})[0]
    )
    assert (
        "WEB_CONCURRENCY"
        in production_problems(
            {"DATABASE_URL": "postgresql://h/d", "SECRET_KEY": secret, "WEB_CONCURRENCY": "many"}
        )[0]
    )


def test_serve_refuses_sqlite_with_a_clear_message_and_starts_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PROTOCOL_MONITOR_ENV"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'pm.db'}",
        SECRET_KEY="x" * 64,
        INSTANCE_PATH=str(tmp_path / "instance"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "protocol_monitor.cli", "serve"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "refuses to start" in result.stderr
    assert "must point at PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pm.db").exists()


def test_serve_warns_on_the_python_that_crashed_under_load():
    assert "use 3.12 or later" in interpreter_warning((3, 11, 7, "final", 0))
    assert interpreter_warning((3, 12, 1, "final", 0)) is None
    assert interpreter_warning((3, 13, 0)) is None
