"""Real processes on 127.0.0.1 for end-to-end tests and the load benchmark: a free port, starting
and stopping process trees, and a small cookie-keeping HTTP client that signs in like a browser
(CSRF token from the HTML). Standard library only; the command lines that start the service are
protocol_monitor.process.argv."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(argv: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """Start a process (in its own process group) with stdout and stderr to ``log``."""
    handle = log.open("ab")
    return subprocess.Popen(
        list(argv),
        env=dict(env),
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """SIGTERM, then SIGKILL to the whole group if it does not stop in time."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers (gunicorn workers)
    return process.returncode


def wait_ready(url: str, processes: Sequence[subprocess.Popen], attempts: int = 300) -> None:
    """Poll ``url`` until it answers 200 (bounded: ``attempts`` times 0.2 s)."""
    for _ in range(attempts):
        dead = [p for p in processes if p.poll() is not None]
        if dead:
            raise RuntimeError(f"{dead[0].args!r} exited with {dead[0].returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


@contextlib.contextmanager
def serving(app, port: int = 0):
    """Serve a Flask app on 127.0.0.1 from a thread of this process; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app, threaded=True)
    # Polled every 50 ms (not the default 500 ms), so shutting down takes no time in teardown.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class Client:
    """One user's browser: keeps cookies, reads the CSRF token from each page it fetches."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.csrf_token: str | None = None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read().decode()
                status, url = response.status, response.url
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            status, url = error.code, error.url
        found = CSRF.search(body)
        if found:
            self.csrf_token = found.group(1)
        return status, url, body

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: Mapping[str, object]) -> tuple[int, str, str]:
        """POST a form with the current CSRF token (follows the redirect, like a browser)."""
        fields = {"csrf_token": self.csrf_token or "", **data}
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body, method="POST"))

    def sign_in(self, email: str, password: str) -> None:
        self.get("/sign-in")
        status, url, _body = self.post("/sign-in", {"email": email, "password": password})
        if status != 200 or url.rstrip("/").endswith("/sign-in"):
            raise AssertionError(f"sign-in failed for {email}: {status} {url}")
