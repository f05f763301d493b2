"""second factor: its own failure counter, and recovery codes

Wrong two-factor codes had shared the password's failure counter, which a correct password
reset, so the code step never locked. Recovery codes stand in for a lost phone; only their
keyed hashes are stored.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

import protocol_monitor.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_codes", sa.Integer(), server_default="0", nullable=False)
        )

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    _drop_users_column("failed_codes")


def _drop_users_column(name):
    """Batch mode would copy the users table and drop the old one, which the foreign keys of
    every table that refers to a user refuse once there are users: SQLite drops the column in
    place (3.35 and later)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE users DROP COLUMN {name}")
    else:
        op.drop_column("users", name)
