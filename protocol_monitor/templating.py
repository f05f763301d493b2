"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, abort, request, send_from_directory, url_for
from flask_login import current_user

from .access import Permission, can
from .i18n import _, format_day, format_moment
from .rules.time import Month, to_london
from .vocab import CALLOUT_VOCABULARIES, Category, FlagRule, FlagStatus, Role, Source


def london(moment: datetime | None, form: str = "default") -> str:
    """A moment in London time, in the page's language: 27 Oct 2026 14:05; ``'seconds'``:
    27 Oct 2026 14:05:09; ``'long'``: 27 October 2026 at 14:05; ``'day'``: 27 October 2026;
    ``'short day'``: 27 Oct 2026."""
    if moment is None:
        return ""
    local = to_london(moment)
    if form in ("day", "short day"):
        return format_day(local.date(), short=form == "short day")
    return format_moment(local, short=form != "long", seconds=form == "seconds")


def long_date(day: date | None) -> str:
    return format_day(day)


def month_label(value: str | Month | None) -> str:
    """``2026-10`` as "October 2026"."""
    if not value:
        return ""
    return (value if isinstance(value, Month) else Month.parse(str(value))).label


def yes_no(value: bool | None) -> str:
    if value is None:
        return _("Not known")
    return _("Yes") if value else _("No")


_LABEL_VOCABULARIES = {
    **CALLOUT_VOCABULARIES,
    "role": Role,
    "source": Source,
    "rule": FlagRule,
    "flag_status": FlagStatus,
}


def label(slug: str | None, vocabulary: str) -> str:
    """The human label of a vocabulary slug, e.g. ``'nfa' | label('outcome')``."""
    if slug is None or slug == "":
        return ""
    try:
        return _LABEL_VOCABULARIES[vocabulary](slug).label
    except ValueError:
        return slug


def navigation() -> list[dict[str, object]]:
    """The service navigation for the signed-in user's role."""
    if not current_user.is_authenticated:
        return []
    items = [(_("Home"), "main.index"), (_("Call-outs"), "callouts.index")]
    if can(current_user, Permission.FILE_POLICE_RECORD):
        items.append((_("File a police record"), "police.new"))
    if can(current_user, Permission.FILE_POLICE_RECORD) or can(
        current_user, Permission.FILE_HOME_REPORT
    ):
        items.append((_("Import"), "police.import_file"))
    if can(current_user, Permission.REVIEW):
        items.append((_("Reviews"), "reviews.queue"))
    items.append((_("Flags"), "flags.index"))
    items.append((_("Actions"), "reviews.actions"))
    if can(current_user, Permission.VIEW_SUMMARIES):
        items.append((_("Summaries"), "summaries.index"))
    if can(current_user, Permission.ADMINISTER):
        items.append((_("Administration"), "admin.index"))
    path = request.path
    links = [(text, url_for(endpoint)) for text, endpoint in items]
    return [
        {
            "text": text,
            "href": href,
            "active": path == href if href == "/" else path.startswith(href),
        }
        for text, href in links
    ]


def page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = str(page)
    return url_for(request.endpoint or "main.index", **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        london=london, long_date=long_date, yes_no=yes_no, label=label, month_label=month_label
    )
    app.jinja_env.globals.update(
        navigation=navigation,
        can=can,
        Permission=Permission,
        page_url=page_url,
        Category=Category,
    )
    settings = app.config["SETTINGS"]
    govuk_dir = Path(settings.govuk_frontend_dir)

    @app.route("/assets/<path:filename>")
    def govuk_assets(filename: str):
        return send_from_directory(govuk_dir / "assets", filename, max_age=86400)

    @app.route("/govuk/<any('govuk-frontend.min.css','govuk-frontend.min.js'):filename>")
    def govuk_bundle(filename: str):
        if not (govuk_dir / filename).exists():
            abort(404)
        return send_from_directory(govuk_dir, filename, max_age=3600)
