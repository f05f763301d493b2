"""Real local peers for integration tests: a mock Slack Web API, a Teams webhook receiver and an
SMTP sink. Each listens on 127.0.0.1 on a random port and records every request."""

from __future__ import annotations

import json
import socket
import threading
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
                status, body, extra = owner.answer(url.path, params, headers)
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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
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
        self._ts = 1_700_000_000

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def script(self, method: str, *answers: Scripted) -> None:
        self.scripts[method].extend(answers)

    def calls(self, method: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method == method]

    def answer(self, path, params, headers):
        method = path.rsplit("/", 1)[-1]
        with self.lock:
            self.requests.append(Recorded(method, params, headers))
            if self.scripts[method]:
                scripted = self.scripts[method].popleft()
                return scripted.status, scripted.body, scripted.headers
            if method == "chat.postMessage":
                self._ts += 1
                ts = f"{self._ts}.000100"
                message = {"ts": ts, "text": params.get("text"), "metadata": params.get("metadata")}
                self.history[params["channel"]].append(message)
                return 200, {"ok": True, "channel": params["channel"], "ts": ts}, {}
            if method == "conversations.history":
                return 200, {"ok": True, "messages": list(self.history[params["channel"]])}, {}
            if method == "chat.update":
                return 200, {"ok": True, "channel": params["channel"], "ts": params["ts"]}, {}
            if method == "chat.postEphemeral":
                return 200, {"ok": True, "message_ts": "1.1"}, {}
            if method == "auth.test":
                return 200, {"ok": True, "user_id": "UBOT", "team_id": "T1"}, {}
            return 200, {"ok": True}, {}


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
