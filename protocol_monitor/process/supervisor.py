"""One small process supervisor for `make run` (development) and `make serve` (production).

It starts every child, forwards SIGTERM/SIGINT to them, and when any child exits stops the
others: the service is the set of processes, never half of it. The exit code is 0 when the
supervisor was asked to stop; otherwise the first child to exit gives it: its own non-zero code,
or 1 when it was killed by a signal or stopped with 0 unexpectedly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

STOP_TIMEOUT = 30.0  # gunicorn waits up to graceful_timeout (20 s) for requests to finish
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Child:
    name: str
    argv: Sequence[str]


def _exit_code(returncode: int) -> int:
    return returncode if returncode > 0 else (1 if returncode < 0 else 0)


class Supervisor:
    def __init__(
        self,
        children: Sequence[Child],
        env: Mapping[str, str] | None = None,
        stop_timeout: float = STOP_TIMEOUT,
    ) -> None:
        self.children = list(children)
        self.env = dict(os.environ if env is None else env)
        self.stop_timeout = stop_timeout
        self.processes: dict[str, subprocess.Popen] = {}
        self._stopping: int | None = None

    def _on_signal(self, signum: int, _frame: object) -> None:
        self._stopping = signum

    def _say(self, message: str) -> None:
        print(f"supervisor: {message}", file=sys.stderr, flush=True)

    def run(self) -> int:
        """Start the children and wait; returns the exit code for the whole service."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            for child in self.children:
                # Children get their own process group, so Ctrl+C in a terminal reaches only
                # the supervisor, which then stops them in order.
                self.processes[child.name] = subprocess.Popen(
                    list(child.argv), env=self.env, start_new_session=True
                )
                self._say(f"started {child.name} (pid {self.processes[child.name].pid})")
            return self._wait()
        finally:
            self._stop_all(signal.SIGTERM)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _wait(self) -> int:
        while True:
            if self._stopping is not None:
                self._say(f"received {signal.Signals(self._stopping).name}; stopping")
                return 0
            for name, process in self.processes.items():
                code = process.poll()
                if code is not None:
                    self._say(f"{name} exited with code {code}; stopping the others")
                    return _exit_code(code) or 1  # an unexpected stop is a failure
            time.sleep(POLL_SECONDS)

    def _stop_all(self, sig: int) -> None:
        running = [p for p in self.processes.values() if p.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
        deadline = time.monotonic() + self.stop_timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say(f"pid {process.pid} did not stop in time; killing it")
                process.kill()
                process.wait()


def supervise(children: Sequence[Child], env: Mapping[str, str] | None = None) -> int:
    return Supervisor(children, env).run()
