"""Account recovery by an administrator: a one-time reset link, a two-factor reset, an unlock.

The admin user pages link here with POST buttons; each action is audited by its service.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...access import Permission, requires
from ...forms.base import GovForm
from ...i18n import _
from ...models import User
from .. import accounts, credentials
from .. import two_factor as totp

bp = Blueprint("recovery", __name__, url_prefix="/admin/users")


def _user(user_id: int) -> User:
    if not GovForm().validate_on_submit():
        abort(400)
    return accounts.get_user(user_id)


def _back() -> str:
    target = request.form.get("next", "")
    if target.startswith("/admin/") and "//" not in target:
        return target
    return url_for("admin.index")


@bp.route("/<int:user_id>/reset-link", methods=["POST"])
@requires(Permission.ADMINISTER)
def reset_link(user_id: int):
    user = _user(user_id)
    if not user.active:
        flash(_("%(email)s is deactivated. Activate the account first", email=user.email))
        return redirect(_back())
    url = credentials.issue_reset_link(user, actor=current_user)
    return render_template(
        "recovery/reset_link.html", title=_("Reset link"), user=user, url=url, back=_back()
    )


@bp.route("/<int:user_id>/two-factor/reset", methods=["POST"])
@requires(Permission.ADMINISTER)
def reset_two_factor(user_id: int):
    user = _user(user_id)
    totp.disable(user, actor=current_user)
    flash(
        _(
            "Two-factor sign-in reset for %(email)s; they set it up again when they sign in",
            email=user.email,
        ),
        "success",
    )
    return redirect(_back())
