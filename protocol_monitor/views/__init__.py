"""Thin blueprints: parse, call one service, redirect or render."""

from __future__ import annotations

from flask import Flask

from ..identity.views import account, recovery, sign_in
from . import (
    admin,
    alerts,
    api,
    audit,
    board_report,
    callouts,
    find,
    flags,
    main,
    police,
    reviews,
    saved_forms,
    scim,
    single_sign_on,
    single_sign_on_admin,
    slack,
    summaries,
)


def register_blueprints(app: Flask) -> None:
    blueprints = (
        main,
        sign_in,
        single_sign_on,
        account,
        callouts,
        find,
        police,
        flags,
        reviews,
        saved_forms,
        summaries,
        board_report,
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
    saved_forms.init_app(app)
