"""The start page: what needs the signed-in person, the first page after signing in and the
page the service name leads to (issue 14). The accessibility statement and the feedback page,
open to everyone, signed in or not (issue 15)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from .. import i18n
from ..db import utcnow
from ..i18n import _, _l
from ..identity import accounts
from ..rules.redirects import local_path
from ..services import start_pages
from ..vocab import Role

bp = Blueprint("main", __name__)

#: Each role's start page: its template and heading.
PAGES = {
    Role.PROVIDER: ("start/provider.html", _l("Your homes today")),
    Role.POLICE: ("start/police.html", _l("Your work today")),
    Role.AUTHORITY: ("start/area.html", _l("Your area today")),
    Role.GROUP: ("start/area.html", _l("Your area today")),
    Role.ADMIN: ("start/admin.html", _l("The service today")),
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
        title=str(title),
        page=page,
        reviews_days=start_pages.REVIEWS_DAYS,
        digest_url=digest_url,
    )


#: When the accessibility statement was written, last reviewed and the service last tested: a
#: reviewer changes these with the statement (docs/operations.md, "Accessibility statement").
STATEMENT_PREPARED = date(2026, 12, 1)
STATEMENT_REVIEWED = date(2026, 12, 1)
SERVICE_TESTED = date(2026, 12, 1)


def _contact() -> dict[str, str]:
    settings = current_app.config["SETTINGS"]
    return {"owner": settings.service_owner, "email": settings.contact_email}


@bp.route("/accessibility")
def accessibility():
    return render_template(
        "help/accessibility.html",
        title=_("Accessibility statement"),
        contact=_contact(),
        prepared=STATEMENT_PREPARED,
        reviewed=STATEMENT_REVIEWED,
        tested=SERVICE_TESTED,
    )


@bp.route("/feedback")
def feedback():
    return render_template("help/feedback.html", title=_("Give feedback"), contact=_contact())


@bp.route("/language/<any(en,cy):code>")
def language(code: str):
    """The language switch on every page (English / Cymraeg): back to the same page in the
    language chosen, remembered on the person's account and, before sign-in, by the essential
    ``language`` cookie."""
    if current_user.is_authenticated:
        accounts.set_language(current_user, code)
    response = redirect(local_path(request.args.get("next")) or url_for("main.index"))
    return remember_language(response, code)


def remember_language(response: Response, code: str) -> Response:
    """The essential ``language`` cookie: the pages before sign-in (and between a password and
    its second factor) are in the language last chosen in this browser."""
    response.set_cookie(
        i18n.COOKIE,
        i18n.language_or_default(code),
        max_age=i18n.COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SETTINGS"].session_cookie_secure,
    )
    return response
