"""Administration: authorities, police forces, homes (one by one or from a CSV file) and users."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user

from ..access import Permission, requires
from ..db import utcnow
from ..forms.admin import (
    ActionForm,
    AdminHomeForm,
    EditUserForm,
    ImportHomesForm,
    PersonForm,
    ReferenceForm,
)
from ..forms.base import add_error, code_choices
from ..i18n import N_, _, translate
from ..identity import accounts
from ..rules.home_import import COLUMNS
from ..services import ServiceError, invitations, reference
from ..services import homes as homes_service
from ..services.homes import HomeInvalid, ImportRejected
from ..vocab import Role, SettingType

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@requires(Permission.ADMINISTER)
def index():
    return render_template("admin/index.html", title=_("Administration"))


# Authorities and police forces -------------------------------------------------------------

_REFERENCE = {
    "authorities": {
        "plural": N_("Authorities"),
        "add_text": N_("Add a local authority"),
        "none": N_("There are no authorities yet."),
        "code_label": N_("GSS code"),
        "code_hint": N_("The ONS code of the local authority, for example E06000059 for Dorset"),
        "list": reference.authorities,
        "get": reference.get_authority,
        "add": reference.add_authority,
        "update": reference.update_authority,
    },
    "forces": {
        "plural": N_("Police forces"),
        "add_text": N_("Add a police force"),
        "none": N_("There are no police forces yet."),
        "code_label": N_("Police force area code"),
        "code_hint": N_("The ONS code of the police force area, for example E23000039 for Dorset"),
        "list": reference.forces,
        "get": reference.get_force,
        "add": reference.add_force,
        "update": reference.update_force,
    },
}


def _kind(kind: str) -> dict:
    """The kind's words in the page's language, and its service functions."""
    if kind not in _REFERENCE:
        abort(404)
    return {k: translate(v) if isinstance(v, str) else v for k, v in _REFERENCE[kind].items()}


@bp.route("/<any(authorities,forces):kind>")
@requires(Permission.ADMINISTER)
def reference_list(kind: str):
    info = _kind(kind)
    return render_template(
        "admin/reference_list.html",
        title=info["plural"],
        info=info,
        kind=kind,
        items=info["list"](),
    )


@bp.route("/<any(authorities,forces):kind>/new", methods=["GET", "POST"])
@bp.route("/<any(authorities,forces):kind>/<int:item_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def reference_form(kind: str, item_id: int | None = None):
    info = _kind(kind)
    item = None
    if item_id is not None:
        item = info["get"](item_id)
    form = ReferenceForm(obj=item)
    if form.validate_on_submit():
        try:
            if item is None:
                saved = info["add"](form.code.data, form.name.data, actor=current_user)
            else:
                saved = info["update"](item.id, form.code.data, form.name.data, actor=current_user)
        except ServiceError as error:
            form.add_service_error(error, "code")
        else:
            flash(_("%(name)s (%(code)s) saved", name=saved.name, code=saved.code), "success")
            return redirect(url_for("admin.reference_list", kind=kind))
    title = _("Change %(name)s", name=item.name) if item else info["add_text"]
    return render_template(
        "admin/reference_form.html", title=title, info=info, kind=kind, form=form, item=item
    )


# Homes -------------------------------------------------------------------------------------


@bp.route("/homes")
@requires(Permission.ADMINISTER)
def homes():
    return render_template("admin/homes.html", title=_("Homes"), homes=homes_service.homes())


def _home_form(home=None) -> AdminHomeForm:
    form = AdminHomeForm()
    form.host_authority_code.choices = code_choices(
        reference.authorities(), _("Select an authority")
    )
    form.police_force_code.choices = code_choices(reference.forces(), _("Select a police force"))
    form.allocated_officer_id.choices = [("", _("No allocated officer"))] + [
        (
            str(u.id),
            _("%(officer)s (%(force)s)", officer=str(u), force=u.police_force.name)
            if u.police_force
            else _("%(officer)s (no force)", officer=str(u)),
        )
        for u in homes_service.police_officers()
    ]
    if home is not None and not form.is_submitted():
        form.urn.data = home.urn
        form.name.data = home.name
        form.provider.data = home.provider
        form.host_authority_code.data = home.host_authority.code
        form.police_force_code.data = home.police_force.code
        form.registered_places.data = str(home.registered_places)
        form.setting_type.data = home.setting_type
        form.set_dates(home.opened_on, home.closed_on)
        form.allocated_officer_id.data = str(home.allocated_officer_id or "")
    return form


@bp.route("/homes/new", methods=["GET", "POST"])
@bp.route("/homes/<int:home_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def home_form(home_id: int | None = None):
    home = None
    if home_id is not None:
        home = homes_service.get_home(home_id)
    form = _home_form(home)
    if form.validate_on_submit():
        try:
            saved = homes_service.save_home(
                form.raw(), officer_id=form.officer_id(), home_id=home_id, actor=current_user
            )
        except HomeInvalid as error:
            form.add_problems(error.problems)
        else:
            flash(_("%(name)s (%(code)s) saved", name=saved.name, code=saved.urn), "success")
            return redirect(url_for("admin.homes"))
    elif form.is_submitted():
        # Every problem at once: the service's too, on the fields the form found no fault in.
        form.add_problems(
            homes_service.problems(form.raw(), officer_id=form.officer_id(), home_id=home_id)
        )
    title = _("Change %(name)s", name=home.name) if home else _("Add a home")
    return render_template("admin/home_form.html", title=title, form=form, home=home)


@bp.route("/homes/import", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def import_homes():
    form = ImportHomesForm()
    problems = []
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            add_error(form.file, _("The file must be a CSV file saved as UTF-8"))
        else:
            try:
                result = homes_service.import_homes(text, actor=current_user)
            except ImportRejected as error:
                problems = error.problems
                for message in (str(error), *(str(p) for p in problems)):
                    add_error(form.file, message)
            else:
                flash(_("Homes imported. %(what)s.", what=result.describe()), "success")
                return redirect(url_for("admin.homes"))
    return render_template(
        "admin/import_homes.html",
        title=_("Import homes"),
        form=form,
        problems=problems,
        columns=COLUMNS,
        setting_types=SettingType.choices(),
    )


# Users -------------------------------------------------------------------------------------


@bp.route("/users")
@requires(Permission.ADMINISTER)
def users():
    return render_template(
        "admin/users.html",
        title=_("Users"),
        users=accounts.users(),
        is_locked=accounts.lock_check(),
    )


def _link_choices(form) -> None:
    form.homes.choices = [(h.urn, f"{h.name} ({h.urn})") for h in homes_service.homes()]
    form.authorities.choices = code_choices(reference.authorities())
    form.police_force.choices = code_choices(reference.forces(), _("Select a police force"))


def _links(form) -> dict:
    role = form.role.data
    return {
        "home_urns": form.homes.data if role == Role.PROVIDER else [],
        "authority_codes": form.authorities.data
        if role in (Role.AUTHORITY, Role.GROUP, Role.ADMIN)
        else [],
        "force_code": form.police_force.data if role == Role.POLICE else None,
    }


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_user():
    """Invite a person: their email, role and links; they choose their own password."""
    form = PersonForm()
    _link_choices(form)
    if form.validate_on_submit():
        try:
            sent = invitations.invite(
                form.email.data,
                form.role.data,
                display_name=form.display_name.data or "",
                language=form.language.data,
                actor=current_user,
                **_links(form),
            )
        except ServiceError as error:
            form.add_service_error(error, "role")
        else:
            return _after_sending(sent)
    return render_template("admin/user_new.html", title=_("Invite a user"), form=form)


def _after_sending(sent: invitations.Sent):
    """To the person's page; a link that could not be emailed is shown there, once (it
    travels in the signed session cookie to that one page, never stored on the server)."""
    user = sent.invitation.user
    if sent.url is None:
        flash(_("Invitation sent to %(email)s", email=user.email), "success")
    else:
        session[_SHOW_ONCE] = {"user_id": user.id, "url": sent.url, "why": sent.why_not_emailed}
    return redirect(url_for("admin.user", user_id=user.id))


_SHOW_ONCE = "invitation_link"


@bp.route("/users/<int:user_id>/invite-again", methods=["POST"])
@requires(Permission.ADMINISTER)
def invite_again(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        sent = invitations.send_again(user_id, current_user)
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    return _after_sending(sent)


@bp.route("/users/<int:user_id>")
@requires(Permission.ADMINISTER)
def user(user_id: int):
    account = accounts.view_user(user_id, actor=current_user)
    invitation = invitations.latest(account)
    link = session.pop(_SHOW_ONCE, None)
    if not isinstance(link, dict) or link.get("user_id") != account.id:
        link = None
    return render_template(
        "admin/user.html",
        title=str(account),
        account=account,
        locked=accounts.is_locked(account),
        invitation=invitation,
        invitation_expired=invitation is not None and invitation.expires_at <= utcnow(),
        waiting=invitations.is_waiting(account),
        link=link,
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_user(user_id: int):
    account = accounts.get_user(user_id)
    form = EditUserForm()
    _link_choices(form)
    if not form.is_submitted():
        form.display_name.data = account.display_name
        form.role.data = account.role
        form.homes.data = [h.urn for h in account.homes]
        form.authorities.data = [a.code for a in account.authorities]
        form.police_force.data = account.police_force.code if account.police_force else ""
        form.language.data = account.language
    if form.validate_on_submit():
        try:
            accounts.update_user_links(
                account,
                role=form.role.data,
                display_name=form.display_name.data or "",
                active=account.active,
                actor=current_user,
                **_links(form),
            )
            accounts.set_language(account, form.language.data, actor=current_user)
        except ServiceError as error:
            form.add_service_error(error, "role")
        else:
            flash(_("Changes to %(email)s saved", email=account.email), "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return render_template(
        "admin/user_edit.html",
        title=_("Change %(name)s", name=str(account)),
        form=form,
        account=account,
    )


@bp.route("/users/<int:user_id>/<any(unlock,deactivate,reactivate):action>", methods=["POST"])
@requires(Permission.ADMINISTER)
def user_action(user_id: int, action: str):
    account = accounts.get_user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "unlock":
            accounts.unlock(account, actor=current_user)
            flash(_("%(email)s is unlocked and can sign in again", email=account.email), "success")
        else:
            accounts.set_active(account, action == "reactivate", actor=current_user)
            if action == "reactivate":
                flash(_("%(email)s is reactivated", email=account.email), "success")
            else:
                flash(_("%(email)s is deactivated", email=account.email), "success")
    except ServiceError as error:
        flash(str(error), "error")
    return redirect(url_for("admin.user", user_id=account.id))
