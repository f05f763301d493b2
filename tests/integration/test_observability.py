import json
import logging

from sqlalchemy import text

from protocol_monitor.db import db
from protocol_monitor.observability import JsonFormatter, configure_logging, job_log


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "migrations": "ok"}


def test_readyz_fails_when_migrations_are_behind(client):
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "code expects" in response.get_json()["checks"]["migrations"]


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(JsonFormatter().format(record)))


def _capturing():
    configure_logging()
    handler = ListHandler()
    logging.getLogger("protocol_monitor").addHandler(handler)
    return handler


def test_one_json_line_per_request_without_query_string(client):
    handler = _capturing()
    try:
        client.get("/sign-in?next=/callouts/?child=LCS-1")
    finally:
        logging.getLogger("protocol_monitor").removeHandler(handler)
    entries = [e for e in handler.lines if e.get("event") == "request"]
    assert len(entries) == 1
    assert entries[0]["path"] == "/sign-in" and entries[0]["status"] == 200
    assert "LCS-1" not in json.dumps(entries)


def test_job_log_keeps_only_known_fields():
    handler = _capturing()
    logger = logging.getLogger("protocol_monitor")
    try:
        with job_log("compile_month", "2026-04") as result:
            result["counts"] = {"authorities": 2}
        logger.info("careless", extra={"child_reference": "LCS-9"})
    finally:
        logger.removeHandler(handler)
    entries = handler.lines
    assert entries[0]["job"] == "compile_month" and entries[0]["counts"] == {"authorities": 2}
    assert "LCS-9" not in json.dumps(entries)
