from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..forms import SignInForm
from ..services import accounts

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        settings = current_app.config["SETTINGS"]
        policy = accounts.SignInPolicy(
            max_failures=settings.sign_in_max_failures,
            lockout=timedelta(minutes=settings.sign_in_lockout_minutes),
        )
        try:
            user = accounts.authenticate(form.email.data, form.password.data, policy)
        except accounts.SignInRefused as refused:
            form.email.errors = [*form.email.errors, str(refused)]
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form, title="Sign in")


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    accounts.signed_out(current_user)
    logout_user()
    return redirect(url_for("auth.sign_in"))
