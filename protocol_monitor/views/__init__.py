"""Thin blueprints: parse, call one service, redirect or render."""

from __future__ import annotations

from flask import Flask

from . import (
    account,
    admin,
    alerts,
    api,
    audit,
    auth,
    callouts,
    flags,
    main,
    police,
    recovery,
    reviews,
    slack,
    summaries,
)


def register_blueprints(app: Flask) -> None:
    blueprints = (
        main,
        auth,
        account,
        callouts,
        police,
        flags,
        reviews,
        summaries,
        admin,
        recovery,
        audit,
        alerts,
        slack,
        api,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)
