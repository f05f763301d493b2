from __future__ import annotations

from flask import Blueprint, render_template

from ..access import Permission
from ..auth import requires

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@requires(Permission.ADMINISTER)
def index():
    return render_template("admin/index.html", title="Administration")
