from __future__ import annotations

import time
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from ... import access
from ...db import db
from ...forms.base import add_error
from ...i18n import _, ngettext
from ...models import User
from ...rules.redirects import local_path
from ...services import ServiceError, invitations
from ...views.main import remember_language
from .. import accounts, credentials, throttle
from .. import two_factor as totp
from ..forms import (
    CodeForm,
    ForgotPasswordForm,
    NewPasswordForm,
    RecoveryCodeForm,
    SignInForm,
)
from ..sessions import end_session, renew, seconds_left, start_session

bp = Blueprint("auth", __name__)

#: How long someone has to enter their code after their password.
PENDING_SECONDS = 300


def _safe_next(target: str | None) -> str:
    """The path to go to after signing in: ``next`` when it stays on this site, else home."""
    return local_path(target) or url_for("main.index")


def _policy() -> throttle.SignInPolicy:
    settings = current_app.config["SETTINGS"]
    return throttle.SignInPolicy(
        max_failures=settings.sign_in_max_failures,
        lockout=timedelta(minutes=settings.sign_in_lockout_minutes),
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, _policy())
        except throttle.SignInRefused as refused:
            form.add_service_error(refused, "email")
        else:
            target = _safe_next(request.args.get("next"))
            # Their language from here on, in this browser: the second step too, and the
            # sign-in page after they sign out.
            if totp.is_enrolled(user):
                end_session()
                session["pending_user_id"] = user.id
                session["pending_at"] = int(time.time())
                session["pending_next"] = target
                return remember_language(redirect(url_for("auth.two_factor")), user.language)
            start_session(user)
            return remember_language(redirect(target), user.language)
    return render_template("auth/sign_in.html", form=form, title=_("Sign in"))


def _pending_user() -> User | None:
    user_id, started = session.get("pending_user_id"), session.get("pending_at")
    if not isinstance(user_id, int) or not isinstance(started, int):
        return None
    if time.time() - started > PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active and totp.is_enrolled(user) else None


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
def two_factor():
    user = _pending_user()
    if user is None:
        session.pop("pending_user_id", None)
        flash(_("Sign in to continue"))
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            totp.check_sign_in(user, form.code.data, _policy())
        except throttle.SignInRefused as refused:
            form.add_service_error(refused, "code")
        else:
            return _finish_two_factor(user)
    return render_template("auth/two_factor.html", form=form, title=_("Enter your code"))


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
def recovery_code():
    """The second step with a recovery code, for someone without their phone."""
    user = _pending_user()
    if user is None:
        session.pop("pending_user_id", None)
        flash(_("Sign in to continue"))
        return redirect(url_for("auth.sign_in"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        try:
            left = totp.check_recovery_code(user, form.code.data, _policy())
        except throttle.SignInRefused as refused:
            form.add_service_error(refused, "code")
        else:
            response = _finish_two_factor(user)  # a new session: flash after it starts
            if left <= 3:
                flash(
                    ngettext(
                        "You have %(num)d recovery code left. Make new ones from Your account.",
                        "You have %(num)d recovery codes left. Make new ones from Your account.",
                        left,
                    )
                )
            return response
    return render_template("auth/recovery_code.html", form=form, title=_("Enter a recovery code"))


def _finish_two_factor(user: User):
    target = session.get("pending_next") or url_for("main.index")
    start_session(user)
    return redirect(_safe_next(target))


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    accounts.signed_out(current_user)
    end_session()
    return redirect(url_for("auth.sign_in"))


@bp.route("/session/keep-alive", methods=["POST"])
@login_required
def keep_alive():
    """Stay signed in, in the timeout warning: the idle time starts again now."""
    renew()
    return "", 204


@bp.route("/session/status")
def session_status():
    """How long the session has left, for the timeout warning; asking is not a use of it."""
    return jsonify(seconds_left=seconds_left())


@bp.route("/reset-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link by email (only when SMTP is set up)."""
    if not current_app.config["SETTINGS"].smtp_host:
        return render_template(
            "auth/forgot_password.html", form=None, title=_("Reset your password"), email=False
        )
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            credentials.email_reset_link(form.email.data)
        except (ServiceError, OSError):
            add_error(
                form.email,
                _("The email could not be sent. Try again later, or ask an administrator"),
            )
        else:
            return render_template(
                "auth/reset_sent.html", title=_("Check your email"), form=None, email=True
            )
    return render_template(
        "auth/forgot_password.html", form=form, title=_("Reset your password"), email=True
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = credentials.user_for_reset(token)
    except credentials.LinkNotValid as problem:
        return render_template(
            "auth/reset_invalid.html", title=_("Link not valid"), message=str(problem), form=None
        ), 404
    if current_user.is_authenticated and current_user.id != user.id:
        access.refuse(current_user, "reset_another_users_password", "user", user.id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            credentials.redeem_reset_link(token, form.new_password.data)
        except ServiceError as problem:
            form.add_service_error(problem, "new_password")
        else:
            end_session()
            flash(_("Your password has been changed. Sign in with your new password"), "success")
            return redirect(url_for("auth.sign_in"))
    return render_template(
        "auth/reset_password.html", form=form, title=_("Choose a new password"), user=user
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """An invited person chooses their password, and is signed in: where their role requires
    two-factor sign-in, the next page sets it up (identity.sessions)."""
    try:
        invited = invitations.invitation_for(token)
    except invitations.LinkNotValid as problem:
        return render_template(
            "auth/reset_invalid.html",
            title=_("Invitation link not valid"),
            message=str(problem),
            form=None,
        ), 404
    if current_user.is_authenticated and current_user.id != invited.user_id:
        access.refuse(current_user, "accept_another_users_invitation", "user", invited.user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, form.new_password.data)
        except ServiceError as problem:
            form.add_service_error(problem, "new_password")
        else:
            start_session(user)
            flash(_("Your password is set and you are signed in"), "success")
            return redirect(url_for("main.index"))
    return render_template(
        "auth/invitation.html",
        form=form,
        title=_("Set up your account"),
        user=invited.user,
        two_factor=totp.is_required(invited.user),
    )
