"""URL parts: every ``<int:…>`` in a route is a record id that fits the database's integer column.

Werkzeug's own ``int`` converter takes any length of digits, so ``/callouts/99999999999`` reached
the database, which refused it (PostgreSQL from 2**31, SQLite from 2**63) with a 500. Replacing the
``int`` converter once makes every route answer 404 for an id no record can have; routes keep
writing ``<int:callout_id>``.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from .forms.base import MAX_RECORD_ID


class RecordIdConverter(IntegerConverter):
    """ASCII digits from 0 to MAX_RECORD_ID; anything else is no match (404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_RECORD_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered (rules take their converter when added)."""
    app.url_map.converters["int"] = RecordIdConverter
