from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("callouts.index"))
