"""The Flask extensions, made here and bound to the app in ``create_app``.

Any module may import them from here without importing the package root (which would import
every view back: a cycle). The database handle lives in ``db.py`` beside its declarative base.
"""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
migrate = Migrate()

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue"
# Off: "strong" protection hashes the client's address, which Flask-Login reads from the
# X-Forwarded-For header whoever sent it, so it protected nothing and signed people out behind
# proxies. Sessions are records on the server instead (identity.browser_sessions).
login_manager.session_protection = None
