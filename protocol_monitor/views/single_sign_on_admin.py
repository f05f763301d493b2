"""Administration of organisation sign-in: each organisation's identity provider, its SCIM
token, its groups mapped to roles, the people it may sign in, and password sign-in per person."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import Permission, requires
from ..forms.admin import ActionForm
from ..forms.single_sign_on import GroupMappingForm, InviteForm, ProviderForm
from ..i18n import _
from ..identity import accounts
from ..services import ServiceError
from ..services import single_sign_on as service
from .admin import _link_choices, _links
from .single_sign_on import redirect_uri

bp = Blueprint("single_sign_on_admin", __name__, url_prefix="/admin/single-sign-on")


def _posted() -> bool:
    return request.method == "POST"


def _provider_or_404(provider_id: int):
    return service.get_provider(provider_id)  # NotFound: audited, answered 404


@bp.app_context_processor
def _user_sign_in() -> dict:
    return {"external_sign_in": service.last_sign_in}


@bp.route("/")
@requires(Permission.ADMINISTER)
def index():
    return render_template(
        "single_sign_on/admin/index.html",
        title=_("Organisation sign-in"),
        providers=service.providers(),
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:provider_id>/edit", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def provider_form(provider_id: int | None = None):
    provider = _provider_or_404(provider_id) if provider_id is not None else None
    form = ProviderForm(formdata=request.form if _posted() else None)
    if not _posted():
        if provider is not None:
            form.name.data = provider.name
            form.issuer.data = provider.issuer
            form.client_id.data = provider.client_id
            form.tenant_ids.data = "\n".join(provider.allowed_tenant_ids)
            form.options.data = [
                name
                for name, on in (
                    ("enabled", provider.enabled),
                    ("password_off", not provider.password_sign_in),
                    ("require_mfa", provider.require_mfa_claim),
                )
                if on
            ]
        else:
            form.options.data = ["enabled"]
    if _posted() and form.validate():
        values = service.ProviderInput(
            name=form.name.data or "",
            issuer=form.issuer.data or "",
            client_id=form.client_id.data or "",
            client_secret=form.client_secret.data or "",
            tenant_ids=form.tenant_ids.data or "",
            enabled=form.option("enabled"),
            password_sign_in=not form.option("password_off"),
            require_mfa_claim=form.option("require_mfa"),
        )
        try:
            saved = service.save_provider(values, provider_id, actor=current_user)
        except ServiceError as error:
            form.add_service_error(error, "name")
        else:
            flash(_("Sign-in for %(organisation)s saved", organisation=saved.name), "success")
            return redirect(url_for("single_sign_on_admin.provider", provider_id=saved.id))
    return render_template(
        "single_sign_on/admin/provider_form.html",
        title=_("Change sign-in for %(organisation)s", organisation=provider.name)
        if provider
        else _("Add an organisation"),
        form=form,
        provider=provider,
        secret_readable=provider is not None and service.client_secret(provider) is not None,
        redirect_uri=redirect_uri(),
    )


@bp.route("/<int:provider_id>")
@requires(Permission.ADMINISTER)
def provider(provider_id: int):
    organisation = _provider_or_404(provider_id)
    return render_template(
        "single_sign_on/admin/provider.html",
        title=organisation.name,
        provider=organisation,
        secret_readable=service.client_secret(organisation) is not None,
        people=service.people(organisation),
        redirect_uri=redirect_uri(),
        scim_url=url_for("scim.list_users", _external=False),
    )


@bp.route("/<int:provider_id>/scim-token", methods=["POST"])
@requires(Permission.ADMINISTER)
def scim_token(provider_id: int):
    organisation = _provider_or_404(provider_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = service.issue_scim_token(organisation, actor=current_user)
    return render_template(
        "single_sign_on/admin/scim_token.html",
        title=_("Your new SCIM token"),
        provider=organisation,
        token=token,
    )


@bp.route("/<int:provider_id>/groups/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_group(provider_id: int):
    organisation = _provider_or_404(provider_id)
    form = GroupMappingForm(formdata=request.form if _posted() else None)
    _link_choices(form)
    if _posted() and form.validate():
        try:
            service.add_group_mapping(
                organisation,
                group_id=form.group_id.data,
                label=form.label.data,
                role=form.role.data,
                actor=current_user,
                **_links(form),
            )
        except ServiceError as error:
            form.add_service_error(error, "role")
        else:
            flash(_("Members of %(group)s now get a role here", group=form.label.data), "success")
            return redirect(url_for("single_sign_on_admin.provider", provider_id=provider_id))
    return render_template(
        "single_sign_on/admin/group_form.html",
        title=_("Give a group a role"),
        form=form,
        provider=organisation,
    )


@bp.route("/<int:provider_id>/groups/<int:mapping_id>/remove", methods=["POST"])
@requires(Permission.ADMINISTER)
def remove_group(provider_id: int, mapping_id: int):
    organisation = _provider_or_404(provider_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.remove_group_mapping(organisation, mapping_id, actor=current_user)
    flash(_("The group no longer gives a role here"), "success")
    return redirect(url_for("single_sign_on_admin.provider", provider_id=provider_id))


@bp.route("/<int:provider_id>/invite", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def invite(provider_id: int):
    organisation = _provider_or_404(provider_id)
    form = InviteForm(formdata=request.form if _posted() else None)
    _link_choices(form)
    if _posted() and form.validate():
        try:
            user = service.invite(
                organisation,
                form.email.data,
                form.role.data,
                display_name=form.display_name.data or "",
                actor=current_user,
                **_links(form),
            )
        except ServiceError as error:
            form.add_service_error(error, "role")
        else:
            flash(
                _(
                    "%(email)s can now sign in with %(organisation)s",
                    email=user.email,
                    organisation=organisation.name,
                ),
                "success",
            )
            return redirect(url_for("single_sign_on_admin.provider", provider_id=provider_id))
    return render_template(
        "single_sign_on/admin/invite.html",
        title=_("Invite someone from %(organisation)s", organisation=organisation.name),
        form=form,
        provider=organisation,
    )


@bp.route("/people/<int:user_id>/password-sign-in", methods=["POST"])
@requires(Permission.ADMINISTER)
def password_sign_in(user_id: int):
    account = accounts.get_user(user_id)
    if not ActionForm().validate_on_submit() or request.form.get("allowed") not in {"yes", "no"}:
        abort(400)
    allowed = request.form["allowed"] == "yes"
    try:
        service.set_password_sign_in(account, allowed, actor=current_user)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        message = (
            _("Password sign-in is on for %(email)s", email=account.email)
            if allowed
            else _("Password sign-in is off for %(email)s", email=account.email)
        )
        flash(message, "success")
    return redirect(url_for("admin.user", user_id=account.id))
