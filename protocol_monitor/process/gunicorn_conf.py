"""gunicorn settings for `protocol-monitor serve`.

    gunicorn -c python:protocol_monitor.process.gunicorn_conf wsgi:app

Read from the environment: BIND (default 127.0.0.1:8000; put a TLS proxy in front),
WEB_CONCURRENCY (worker processes, default 4), GUNICORN_TIMEOUT (seconds, default 30).
No access log: the app writes one JSON line per request itself (observability.py).
"""

import faulthandler
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Each worker builds its own app and database pool after the fork.
preload_app = False
# Behind a proxy on the same machine: trust its X-Forwarded-* headers only from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's run-time control socket (~/.gunicorn/gunicorn.ctl) is shared by every gunicorn of
# the user; not needed here (SIGTERM stops, SIGHUP reloads).
control_socket_disable = True


def post_fork(server, worker):
    """A worker that dies of a fatal signal (a crash in a compiled extension) writes its Python
    stack to the error log, where gunicorn would otherwise say only "was sent SIGSEGV"."""
    faulthandler.enable()
