"""Thin blueprints: parse, call one service, redirect or render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import account, admin, api, auth, callouts, main, recovery

    for module in (main, auth, account, callouts, admin, recovery, api):
        app.register_blueprint(module.bp)
