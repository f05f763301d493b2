"""sessions recorded on the server; API tokens expire

A signed cookie alone cannot be ended: a copy kept working after sign-out. Each signed-in
browser is now a browser_sessions record (the cookie holds a random key; the record its SHA-256
hash), ended by signing out, signing out everywhere, a password change or reset, a two-factor
reset and deactivation. users.session_version, which only "sign out everywhere" used, goes.

API tokens get an expiry: tokens made before this work for 90 days from when they were made
(the API_TOKEN_DAYS default).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 15:00:00

"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import protocol_monitor.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_tokens = sa.table(
    "api_tokens",
    sa.column("id", sa.Integer()),
    sa.column("created_at", protocol_monitor.db.UTCDateTime(timezone=True)),
    sa.column("expires_at", protocol_monitor.db.UTCDateTime(timezone=True)),
)


def upgrade():
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_why", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_browser_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_browser_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_browser_sessions_key_hash")),
    )
    with op.batch_alter_table("browser_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_browser_sessions_user_id"), ["user_id"], unique=False)
    _drop_users_column("session_version")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True)
        )
    bind = op.get_bind()
    for token_id, created_at in bind.execute(sa.select(_tokens.c.id, _tokens.c.created_at)):
        bind.execute(
            _tokens.update()
            .where(_tokens.c.id == token_id)
            .values(expires_at=created_at + timedelta(days=90))
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at",
            existing_type=protocol_monitor.db.UTCDateTime(timezone=True),
            nullable=False,
        )


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("browser_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_browser_sessions_user_id"))
    op.drop_table("browser_sessions")


def _drop_users_column(name):
    """Batch mode would copy the users table and drop the old one, which the foreign keys of
    every table that refers to a user refuse once there are users: SQLite drops the column in
    place (3.35 and later)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE users DROP COLUMN {name}")
    else:
        op.drop_column("users", name)
