"""sign-in attempts counted per address, atomically

Wrong passwords were counted on the user row, read, changed and written back, so parallel
attempts were all checked before the lock; and an address without an account was not counted,
so "too many attempts" told which addresses had one. Attempts are now counted per address typed
(as a keyed hash), account or not, before they are checked. users.failed_sign_ins goes; the
user row's lock is now the second factor's.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 12:00:00

"""

import sqlalchemy as sa
from alembic import op

import protocol_monitor.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "last_attempt_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttles")),
        sa.UniqueConstraint("address_key", name=op.f("uq_sign_in_throttles_address_key")),
    )
    with op.batch_alter_table("sign_in_throttles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_throttles_last_attempt_at"), ["last_attempt_at"], unique=False
        )
    _drop_users_column("failed_sign_ins")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("sign_in_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_throttles_last_attempt_at"))
    op.drop_table("sign_in_throttles")


def _drop_users_column(name):
    """Batch mode would copy the users table and drop the old one, which the foreign keys of
    every table that refers to a user refuse once there are users: SQLite drops the column in
    place (3.35 and later)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE users DROP COLUMN {name}")
    else:
        op.drop_column("users", name)
