"""Real local peers for integration tests: a mock Slack Web API, a Teams webhook receiver and an
SMTP sink. Each listens on 127.0.0.1 on a random port and records every request.

The HTTP peers can be slow on purpose, with a delay the test controls: ``hold(method)`` makes each
request for it wait, ``waiting(method)`` counts those waiting and ``release(method)`` lets the
oldest go on, so a race between two relays runs the same way every time (no sleeps, no timings).
A scripted ``RESET`` answer does the work and then resets the connection instead of answering.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Recorded:
    method: str  # the Slack API method (chat.postMessage) or the request path
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


#: A scripted answer: do what the request asks (Slack posts the message), then reset the
#: connection (TCP RST) instead of answering, as when a network path drops mid-response.
RESET = Scripted(0, {})

#: How long ``wait_until`` waits before failing the test (a hang guard, not a timed assertion).
WAIT_LIMIT_SECONDS = 30


class _Server:
    """A threaded HTTP server whose handler calls ``self.answer(path, params, headers)``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _handle(self) -> None:
                url = urlsplit(self.path)
                params: dict[str, Any] = dict(parse_qsl(url.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if raw:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        params.update(json.loads(raw))
                    else:
                        params.update(dict(parse_qsl(raw.decode())))
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner._wait_if_held(owner.key(url.path))
                answer = owner.answer(url.path, params, headers)
                if answer is None:  # RESET: no answer, the connection is reset
                    self.close_connection = True
                    linger = struct.pack("ii", 1, 0)
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    self.connection.close()
                    return
                status, body, extra = answer
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Polled every 50 ms (not socketserver's 500 ms), so stopping takes no time in teardown.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.changed = threading.Condition()
        self.held: set[str] = set()
        self.waiters: dict[str, deque[threading.Event]] = defaultdict(deque)

    def key(self, path: str) -> str:
        """What ``hold`` names a request by: its path (Slack: its API method)."""
        return path

    def hold(self, key: str) -> None:
        """Make every later request for ``key`` wait until the test releases it."""
        with self.changed:
            self.held.add(key)

    def waiting(self, key: str) -> int:
        with self.changed:
            return len(self.waiters[key])

    def release(self, key: str, count: int = 1) -> None:
        """Let the oldest ``count`` waiting requests for ``key`` go on (fewer if fewer wait)."""
        with self.changed:
            for _ in range(min(count, len(self.waiters[key]))):
                self.waiters[key].popleft().set()

    def release_all(self) -> None:
        """Stop holding anything and let every waiting request go on."""
        with self.changed:
            self.held.clear()
            for queue in self.waiters.values():
                while queue:
                    queue.popleft().set()

    def notify(self) -> None:
        """Wake ``wait_until`` (a test thread calls this when it finishes)."""
        with self.changed:
            self.changed.notify_all()

    def wait_until(self, predicate) -> None:
        """Block until ``predicate()`` holds; fail the test if it never does."""
        with self.changed:
            if not self.changed.wait_for(predicate, WAIT_LIMIT_SECONDS):
                raise AssertionError(f"{self.__class__.__name__}: still waiting for {predicate}")

    def _wait_if_held(self, key: str) -> None:
        with self.changed:
            if key not in self.held:
                return
            gate = threading.Event()
            self.waiters[key].append(gate)
            self.changed.notify_all()
        gate.wait()
        self.notify()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release_all()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, params: dict[str, Any], headers: dict[str, str]):
        raise NotImplementedError


class MockSlack(_Server):
    """The Slack Web API at ``{url}/api/``: posts get a ts and are kept in channel history.

    Script failures with ``script("chat.postMessage", Scripted(500, {...}), ...)``: scripted
    answers are used first, in order, then the normal behaviour resumes.
    """

    def __init__(self) -> None:
        super().__init__()
        self.scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ts = 0.0

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def script(self, method: str, *answers: Scripted) -> None:
        self.scripts[method].extend(answers)

    def calls(self, method: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method == method]

    def key(self, path: str) -> str:
        return path.rsplit("/", 1)[-1]

    def answer(self, path, params, headers):
        method = self.key(path)
        with self.lock:
            self.requests.append(Recorded(method, params, headers))
            if self.scripts[method]:
                scripted = self.scripts[method].popleft()
                if scripted is not RESET:
                    return scripted.status, scripted.body, scripted.headers
                self._normal(method, params)
                return None
            return self._normal(method, params)

    def _normal(self, method: str, params: dict[str, Any]):
        """Slack's answer when nothing is scripted (called holding ``self.lock``)."""
        if method == "chat.postMessage":
            self._ts = max(time.time(), self._ts + 0.000001)  # like Slack's: when it was posted
            ts = f"{self._ts:.6f}"
            message = {"ts": ts, "text": params.get("text"), "metadata": params.get("metadata")}
            self.history[params["channel"]].append(message)
            return 200, {"ok": True, "channel": params["channel"], "ts": ts}, {}
        if method == "conversations.history":
            return 200, self._history_page(params), {}
        if method == "chat.update":
            return 200, {"ok": True, "channel": params["channel"], "ts": params["ts"]}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": "1.1"}, {}
        if method == "auth.test":
            return 200, {"ok": True, "user_id": "UBOT", "team_id": "T1"}, {}
        return 200, {"ok": True}, {}

    def chatter(self, channel: str, count: int) -> None:
        """Other people's messages in the channel, after what is there."""
        with self.lock:
            for n in range(count):
                self._ts = max(time.time(), self._ts + 0.000001)
                message = {"ts": f"{self._ts:.6f}", "text": f"message {n}", "metadata": None}
                self.history[channel].append(message)

    def _history_page(self, params: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: newest first, since ``oldest``, ``limit`` at a time, then a cursor."""
        oldest = float(params.get("oldest") or 0)
        newest_first = [
            m for m in reversed(self.history[params["channel"]]) if float(m["ts"]) > oldest
        ]
        start = int(params.get("cursor") or 0)
        end = start + int(params.get("limit") or 100)
        page: dict[str, Any] = {"ok": True, "messages": newest_first[start:end]}
        page["has_more"] = end < len(newest_first)
        page["response_metadata"] = {"next_cursor": str(end) if page["has_more"] else ""}
        return page


class TeamsReceiver(_Server):
    """A Workflows webhook: answers 202 Accepted unless scripted otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: deque[Scripted] = deque()

    def webhook_url(self) -> str:
        return f"{self.url}/workflows/abc123/triggers/manual/paths/invoke?sig=SECRETSIG"

    def answer(self, path, params, headers):
        with self.lock:
            self.requests.append(Recorded(path, params, headers))
            if self.scripts:
                scripted = self.scripts.popleft()
                return scripted.status, scripted.body, scripted.headers
            return 202, {}, {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """A real SMTP server (aiosmtpd) keeping every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.envelopes.append(envelope)
                sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
