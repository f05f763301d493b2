"""Sign-in plumbing: Flask-Login, the idle-session timeout, and the role guard for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, session
from flask_login import LoginManager, current_user

from .access import Permission, can
from .db import db
from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.session_protection = "strong"

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)

    @app.before_request
    def _refresh_session() -> None:
        # Sessions expire after PERMANENT_SESSION_LIFETIME of inactivity.
        session.permanent = True


def requires(permission: Permission) -> Callable[[F], F]:
    """A view decorator: signed in, and holding the permission (else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not can(current_user, permission):
                from . import audit

                audit.refused(permission.value)
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
