"""Thin blueprints: parse, call one service, redirect or render."""

from __future__ import annotations

from flask import Flask, render_template


def register_blueprints(app: Flask) -> None:
    from . import (
        admin,
        alerts,
        audit,
        auth,
        callouts,
        flags,
        main,
        police,
        reviews,
        slack,
        summaries,
    )

    blueprints = (
        main,
        auth,
        callouts,
        police,
        flags,
        reviews,
        summaries,
        admin,
        audit,
        alerts,
        slack,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/403.html", title="You cannot do that"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html", title="Page not found"), 404

    @app.errorhandler(500)
    def server_error(_error):
        return render_template(
            "errors/500.html", title="Sorry, there is a problem with the service"
        ), 500
