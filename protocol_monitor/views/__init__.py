"""Thin blueprints: parse, call one service, redirect or render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
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
        scim,
        single_sign_on,
        single_sign_on_admin,
        slack,
        summaries,
    )

    blueprints = (
        main,
        auth,
        single_sign_on,
        account,
        callouts,
        police,
        flags,
        reviews,
        summaries,
        admin,
        single_sign_on_admin,
        recovery,
        audit,
        alerts,
        slack,
        api,
        scim,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)
