"""`make run`: the development web server and the scheduler, side by side, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def _stop(_signum: int, _frame: object) -> None:
    """SIGTERM (kill, a process manager) stops the children too, as Ctrl+C does."""
    raise SystemExit(0)


def serve(host: str, port: int) -> None:
    signal.signal(signal.SIGTERM, _stop)
    scheduler_cmd = [sys.executable, "-m", "protocol_monitor.cli", "scheduler"]
    children = [subprocess.Popen(scheduler_cmd, env=os.environ.copy())]
    print(f"Protocol monitor is running at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "run",
            "--host",
            host,
            "--port",
            str(port),
        ],
        env=os.environ.copy(),
    )
    children.append(web)
    try:
        returncode = web.wait()
    except KeyboardInterrupt:
        returncode = 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    if returncode:
        sys.exit(returncode)
