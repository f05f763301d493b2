"""The schema comes from the migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from protocol_monitor.db import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_downgrade_to_empty_and_upgrade_again(app):
    downgrade(revision="base")
    with db.engine.connect() as connection:
        tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    with db.engine.connect() as connection:
        assert "callouts" in db.inspect(connection).get_table_names()


def test_migrations_keep_accounts_and_what_refers_to_them(app):
    """Upgrading a database that has people in it: a column dropped from users must not copy
    and drop the table, which the foreign keys of the tables referring to it refuse (SQLite)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from protocol_monitor.models import ApiToken, User

    downgrade(revision="0011")
    made = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, display_name, password_hash, role, active, "
                "failed_sign_ins, created_at, session_version, password_sign_in, role_source) "
                "VALUES (1, 'sam@example.org', '', 'x', 'admin', :yes, 0, :made, 0, :yes, "
                "'administrator')"
            ),
            {"yes": True, "made": made.replace(tzinfo=None)},
        )
        connection.execute(
            text(
                "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) "
                "VALUES (1, 'BI', 'ab12cd34', 'hash', :made)"
            ),
            {"made": made.replace(tzinfo=None)},
        )
    upgrade()
    db.session.expire_all()
    assert db.session.get(User, 1).email == "sam@example.org"
    token = db.session.scalar(db.select(ApiToken))
    assert token.expires_at == made + timedelta(days=90)  # 90 days from when it was made
