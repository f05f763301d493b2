"""`make run`: the development web server and the scheduler, side by side, stopped together."""

from __future__ import annotations

import sys

from .argv import cli, flask_dev
from .supervisor import Child, supervise


def serve(host: str, port: int) -> None:
    children = [Child("scheduler", cli("scheduler")), Child("web", flask_dev(host, port))]
    print(f"Protocol monitor is running at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    code = supervise(children)
    if code:
        sys.exit(code)
