"""The start page: what needs the signed-in person, the first page after signing in and the
page the service name leads to (issue 14)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..db import utcnow
from ..services import start_pages
from ..vocab import Role

bp = Blueprint("main", __name__)

#: Each role's start page: its template and heading.
PAGES = {
    Role.PROVIDER: ("start/provider.html", "Your homes today"),
    Role.POLICE: ("start/police.html", "Your work today"),
    Role.AUTHORITY: ("start/area.html", "Your area today"),
    Role.GROUP: ("start/area.html", "Your area today"),
    Role.ADMIN: ("start/admin.html", "The service today"),
}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    page = start_pages.start_page(current_user, utcnow())
    template, title = PAGES[Role(current_user.role)]
    digest_url = (
        url_for("summaries.digest", month=page.latest_digest) if page.latest_digest else None
    )
    return render_template(
        template,
        title=title,
        page=page,
        reviews_days=start_pages.REVIEWS_DAYS,
        digest_url=digest_url,
    )
