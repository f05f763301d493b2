"""One typed settings object, read from the environment once; refuses insecure defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .vocab import Role

PROJECT_ROOT = Path(__file__).resolve().parent.parent


#: The names of identity.passwords.HASH_PROFILES (a unit test checks they agree).
PASSWORD_HASH_PROFILES = ("server", "fast")


class ConfigError(RuntimeError):
    """The environment does not describe a safe, working service."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _roles(value: str) -> tuple[str, ...]:
    roles = tuple(r.strip().lower() for r in value.split(",") if r.strip())
    unknown = [r for r in roles if r not in Role.slugs()]
    if unknown:
        raise ConfigError(
            f"REQUIRE_TWO_FACTOR_ROLES names unknown roles: {', '.join(unknown)} "
            f"(use {', '.join(Role.slugs())})"
        )
    return roles


def _whole(raw: str | None, name: str, default: int, *, least: int) -> int:
    value = (raw or "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < least:
        raise ConfigError(f"{name} must be a whole number, {least} or more, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Settings:
    env: str = "development"  # development | test | production
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:5000"
    instance_path: Path = PROJECT_ROOT / "instance"
    govuk_frontend_dir: Path = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
    session_cookie_secure: bool = False
    session_idle_minutes: int = 60
    sign_in_max_failures: int = 5
    sign_in_lockout_minutes: int = 15
    page_size: int = 25
    #: Identifiable call-out detail is kept this many months after the month it occurred.
    retention_months: int = 24
    #: Drafts, and forms held after a session ended, are removed this many days after their
    #: last change (services.saved_forms).
    draft_days: int = 14
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = "https://slack.com/api/"
    slack_app_token: str = ""
    alert_group_minutes: int = 10
    delivery_max_attempts: int = 8
    #: How often the scheduler runs the outbox relay (services.relay.deliver_due).
    scheduler_delivery_seconds: int = 60
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_use_tls: bool = False
    mail_from: str = "protocol-monitor@localhost"
    #: Roles that must set up two-factor sign-in before anything else, e.g. ("police", "admin").
    require_two_factor_roles: tuple[str, ...] = ()
    #: Send Strict-Transport-Security even when the app sees plain HTTP (behind a TLS proxy).
    hsts: bool = False
    password_reset_hours: int = 24
    invitation_days: int = 7
    #: An API token stops working this many days after it was made.
    api_token_days: int = 90
    #: Proxies in front of the app whose X-Forwarded-For is believed (for the client's address
    #: in the audit log); 0 believes none.
    trusted_proxies: int = 0
    #: Password hashing parameters (identity.passwords.HASH_PROFILES): "server" (OWASP), or
    #: "fast" for the test suite only (refused in production).
    password_hash_profile: str = "server"
    #: How long the upload page waits for an import to finish before showing its progress page.
    import_wait_seconds: float = 2.0
    # How long a request waits for SQLite's write lock before the page says "busy" (503). Well
    # below gunicorn's worker timeout (GUNICORN_TIMEOUT, 30 s), which would kill the worker.
    database_busy_seconds: float = 10.0
    #: Who runs this service, and where its users write with feedback or an accessibility
    #: problem: shown on the feedback page and in the accessibility statement.
    service_owner: str = ""
    contact_email: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("PROTOCOL_MONITOR_ENV", env.get("FLASK_ENV", "development")).lower()
        instance = Path(env.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")))
        settings = cls(
            env=mode,
            database_url=env.get("DATABASE_URL", ""),
            secret_key=env.get("SECRET_KEY", ""),
            base_url=env.get("BASE_URL", cls.base_url).rstrip("/"),
            instance_path=instance,
            session_cookie_secure=_bool(env.get("SESSION_COOKIE_SECURE"), mode == "production"),
            session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES", cls.session_idle_minutes)),
            retention_months=int(env.get("RETENTION_MONTHS", cls.retention_months)),
            draft_days=int(env.get("DRAFT_DAYS", cls.draft_days)),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            slack_api_url=env.get("SLACK_API_URL", cls.slack_api_url),
            slack_app_token=env.get("SLACK_APP_TOKEN", ""),
            alert_group_minutes=int(env.get("ALERT_GROUP_MINUTES", cls.alert_group_minutes)),
            delivery_max_attempts=int(env.get("DELIVERY_MAX_ATTEMPTS", cls.delivery_max_attempts)),
            scheduler_delivery_seconds=int(
                env.get("SCHEDULER_DELIVERY_SECONDS", cls.scheduler_delivery_seconds)
            ),
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=int(env.get("SMTP_PORT", cls.smtp_port)),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_use_tls=_bool(env.get("SMTP_USE_TLS"), False),
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            require_two_factor_roles=_roles(env.get("REQUIRE_TWO_FACTOR_ROLES", "")),
            hsts=_bool(env.get("HSTS"), False),
            password_reset_hours=int(env.get("PASSWORD_RESET_HOURS", cls.password_reset_hours)),
            invitation_days=_whole(
                env.get("INVITATION_DAYS"), "INVITATION_DAYS", cls.invitation_days, least=1
            ),
            api_token_days=_whole(
                env.get("API_TOKEN_DAYS"), "API_TOKEN_DAYS", cls.api_token_days, least=1
            ),
            trusted_proxies=_whole(
                env.get("TRUSTED_PROXIES"), "TRUSTED_PROXIES", cls.trusted_proxies, least=0
            ),
            password_hash_profile=env.get("PASSWORD_HASH_PROFILE", cls.password_hash_profile),
            import_wait_seconds=float(env.get("IMPORT_WAIT_SECONDS", cls.import_wait_seconds)),
            database_busy_seconds=float(
                env.get("DATABASE_BUSY_SECONDS", cls.database_busy_seconds)
            ),
            service_owner=env.get("SERVICE_OWNER", "").strip(),
            contact_email=env.get("CONTACT_EMAIL", "").strip(),
        )
        return settings.resolved()

    def with_overrides(self, **overrides: Any) -> Settings:
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(self, **overrides).resolved()

    def resolved(self) -> Settings:
        """Fill development defaults; refuse to run production without a real secret."""
        database_url = (
            self.database_url or f"sqlite:///{self.instance_path / 'protocol-monitor.db'}"
        )
        if database_url.startswith("postgres://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
        if self.scheduler_delivery_seconds < 1:
            raise ConfigError(
                "SCHEDULER_DELIVERY_SECONDS must be a whole number of seconds, 1 or more"
            )
        if self.retention_months < 1:
            raise ConfigError("RETENTION_MONTHS must be a whole number of months, 1 or more")
        if self.draft_days < 1:
            raise ConfigError("DRAFT_DAYS must be a whole number of days, 1 or more")
        if self.password_hash_profile not in PASSWORD_HASH_PROFILES:
            raise ConfigError(
                f"PASSWORD_HASH_PROFILE must be one of {', '.join(PASSWORD_HASH_PROFILES)}, "
                f"not {self.password_hash_profile!r}"
            )
        if self.is_production and self.password_hash_profile != "server":
            raise ConfigError(
                "PASSWORD_HASH_PROFILE=fast is for tests only: production hashes passwords "
                "with the server profile"
            )
        secret = self.secret_key
        if not secret:
            if self.is_production:
                raise ConfigError(
                    "SECRET_KEY is not set. Production refuses to start without one: "
                    'generate it with  python -c "import secrets; print(secrets.token_hex(32))"'
                )
            secret = _development_secret(self.instance_path) if self.env != "test" else "test"
        elif self.is_production and len(secret) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return replace(self, database_url=database_url, secret_key=secret)


def _development_secret(instance_path: Path) -> str:
    """A random secret generated once into instance/ so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
