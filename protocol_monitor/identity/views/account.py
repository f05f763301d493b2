"""Your account: two-factor sign-in, password, sessions and API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required

from ...forms.base import GovForm
from ...i18n import _, in_language
from ...services import ServiceError, home_notices
from .. import accounts, credentials, sessions
from .. import two_factor as totp
from ..forms import (
    ApiTokenForm,
    ChangePasswordForm,
    CodeForm,
    EmailChoicesForm,
    FreshApiTokenForm,
    LanguageForm,
    ReenterPasswordForm,
)
from ..sessions import end_session

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def index():
    return render_template(
        "account/index.html",
        title=_("Your account"),
        enrolled=totp.is_enrolled(current_user),
        required=totp.is_required(current_user),
        recovery_codes_left=totp.recovery_codes_left(current_user),
        tokens=credentials.api_tokens(current_user),
        emails=[
            text
            for name, text in home_notices.choices_for(current_user).items()
            if getattr(current_user, name)
        ],
        form=GovForm(),
    )


@bp.route("/emails", methods=["GET", "POST"])
@login_required
def emails():
    form = EmailChoicesForm()
    form.emails.choices = list(home_notices.choices_for(current_user).items())
    if not form.is_submitted():
        form.emails.data = home_notices.chosen(current_user)
    if form.validate_on_submit():
        try:
            home_notices.set_choices(current_user, form.emails.data or [])
        except ServiceError as problem:
            form.add_service_error(problem, "emails")
        else:
            flash(_("Your email choices have been saved"), "success")
            return redirect(url_for("account.index"))
    return render_template("account/emails.html", title=_("Emails you get"), form=form)


@bp.route("/language", methods=["GET", "POST"])
@login_required
def language():
    """The language of the person's pages and emails: English or Cymraeg (also chosen with the
    switch at the top of every page)."""
    form = LanguageForm()
    if not form.is_submitted():
        form.language.data = current_user.language
    if form.validate_on_submit():
        try:
            accounts.set_language(current_user, form.language.data)
        except ServiceError as problem:
            form.add_service_error(problem, "language")
        else:
            # Said in the language just chosen: this response is made in the page's language.
            with in_language(current_user.language):
                flash(_("Your language has been saved"), "success")
            return redirect(url_for("account.index"))
    return render_template("account/language.html", title=_("Language"), form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    if totp.is_enrolled(current_user):
        return render_template(
            "account/two_factor_done.html",
            title=_("Two-factor sign-in"),
            required=totp.is_required(current_user),
            form=GovForm(),
        )
    # The secret being enrolled lives in the signed session until confirmed, then is encrypted.
    secret = session.get("totp_pending")
    if not isinstance(secret, str) or len(secret) != 32:
        secret = totp.new_secret()
        session["totp_pending"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = totp.enrol(current_user, secret, form.code.data)
        except ServiceError as problem:
            form.add_service_error(problem, "code")
        else:
            session.pop("totp_pending", None)
            # Shown in this response only (never kept in the session, which the browser holds).
            return render_template(
                "account/recovery_codes.html",
                title=_("Two-factor sign-in is set up: save your recovery codes"),
                codes=codes,
                just_enrolled=True,
            )
    uri = totp.provisioning_uri(current_user, secret)
    return render_template(
        "account/two_factor.html",
        title=_("Set up two-factor sign-in"),
        form=form,
        secret=secret,
        uri=uri,
        qr=totp.qr_svg(uri),
        required=totp.is_required(current_user),
    )


@bp.route("/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    if not totp.is_enrolled(current_user):
        return redirect(url_for("account.two_factor"))
    form = ReenterPasswordForm()
    if form.validate_on_submit():
        try:
            codes = totp.new_recovery_codes(current_user, form.current_password.data)
        except ServiceError as problem:
            form.add_service_error(problem, "current_password")
        else:
            return render_template(
                "account/recovery_codes.html",
                title=_("Your new recovery codes"),
                codes=codes,
                just_enrolled=False,
            )
    return render_template(
        "account/new_recovery_codes.html",
        title=_("Make new recovery codes"),
        form=form,
        left=totp.recovery_codes_left(current_user),
    )


@bp.route("/two-factor/turn-off", methods=["POST"])
@login_required
def two_factor_off():
    form = GovForm()
    if not form.validate_on_submit():
        abort(400)
    totp.turn_off(current_user)
    end_session()
    flash(_("Two-factor sign-in is turned off. Sign in again to continue"), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            # This browser stays signed in; every other session ends.
            credentials.change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep=sessions.current_key(),
            )
        except ServiceError as problem:
            form.add_service_error(problem, "new_password")
        else:
            flash(
                _("Your password has been changed. You have been signed out elsewhere"), "success"
            )
            return redirect(url_for("account.index"))
    return render_template("account/password.html", title=_("Change your password"), form=form)


@bp.route("/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    form = GovForm()
    if not form.validate_on_submit():
        abort(400)
    credentials.sign_out_everywhere(current_user)
    end_session()
    flash(_("You have been signed out on every device"), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    # Making a token needs the password again (or, with none, a sign-in minutes ago).
    with_password = credentials.password_sign_in_allowed(current_user)
    form_class = ApiTokenForm if with_password else FreshApiTokenForm
    form = form_class()
    new_row, new_token = None, None
    if form.validate_on_submit():
        try:
            new_row, new_token = credentials.create_api_token(
                current_user,
                form.name.data,
                password=form.current_password.data if with_password else None,
                signed_in_at=sessions.signed_in_at(),
            )
        except ServiceError as problem:
            form.add_service_error(problem, "name")
        else:
            form = form_class(formdata=None)
    return render_template(
        "account/tokens.html",
        title=_("API tokens"),
        form=form,
        with_password=with_password,
        new_row=new_row,
        new_token=new_token,
        days=current_app.config["SETTINGS"].api_token_days,
        tokens=credentials.api_tokens(current_user),
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if not GovForm().validate_on_submit():
        abort(400)
    credentials.revoke_api_token(current_user, token_id)
    flash(_("The token is revoked; anything using it will stop working"), "success")
    return redirect(url_for("account.tokens"))
